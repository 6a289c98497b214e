/**
 * Some measurements run in a fresh child process (`node --expose-gc dist-bench/run.js --child
 * NAME ARGS…`): memory figures must not carry what earlier measurements left in the heap, and
 * the fake device must not share the clients' event loop. A child prints one JSON line last.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export type ChildMain = (args: string[]) => Promise<unknown>;

const children = new Map<string, ChildMain>();

export function registerChild(name: string, main: ChildMain): void {
  children.set(name, main);
}

/** In a child: runs the named body and prints its result; returns false when not a child. */
export async function runAsChild(argv: string[]): Promise<boolean> {
  const at = argv.indexOf('--child');
  if (at === -1) return false;
  const name = argv[at + 1]!;
  const main = children.get(name);
  if (!main) throw new Error(`unknown bench child ${name}`);
  const result = await main(argv.slice(at + 2));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return true;
}

/** Starts a child running the named body (stdout piped; stdin piped when `input`). */
export function spawnChild(name: string, args: string[] = [], input = false): ChildProcessByStdio<Writable | null, Readable, null> {
  const self = process.argv[1] ?? fileURLToPath(import.meta.url);
  return spawn(process.execPath, ['--expose-gc', self, '--child', name, ...args], {
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  }) as ChildProcessByStdio<Writable | null, Readable, null>;
}

/** Runs a child to completion and returns its JSON result. */
export function runChild<T>(name: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(name, args);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`bench child ${name} exited with ${signal ?? code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      } catch (err) {
        reject(new Error(`bench child ${name} printed no result: ${(err as Error).message}`));
      }
    });
  });
}
