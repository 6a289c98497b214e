import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, as users run it (`npm test` builds before testing). */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI to its end in a child process, asynchronously (the device it talks to
 * often lives in the test's own process), with PATH and `env` as its whole environment.
 */
export function runCli(args: string[], env: Record<string, string> = { NETCONF_PASSWORD: 'netconf' }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The built CLI running in the background: what it printed so far, signals, its end. */
export interface RunningCli {
  readonly pid: number;
  /** Resolves with stderr once it contains `text` (rejects if the CLI ends first). */
  stderrHas(text: string): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<CliResult>;
}

/** Starts the built CLI as runCli does, without waiting for its end (`listen`, `serve`). */
export function startCli(args: string[], env: Record<string, string> = { NETCONF_PASSWORD: 'netconf' }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    for (const w of watchers) w();
  });
  const done = new Promise<CliResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return {
    pid: child.pid!,
    done,
    kill: (signal) => void child.kill(signal),
    stderrHas: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!stderr.includes(text)) return;
          watchers.delete(check);
          resolve(stderr);
        };
        watchers.add(check);
        check();
        void done.then((r) => {
          if (watchers.delete(check)) reject(new Error(`the CLI ended (${r.status}) before printing "${text}":\n${r.stderr}`));
        });
      }),
  };
}
