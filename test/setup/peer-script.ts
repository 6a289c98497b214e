/** Runs scripts/netconfd.sh (from the global setup, or from tests that stop/start the peer). */
import { spawn } from 'node:child_process';
import { PEER_SCRIPT, PROJECT_ROOT } from './peer-info.js';

export type PeerCommand = 'start' | 'stop' | 'restart' | 'status';

export interface PeerScriptResult {
  /** Exit status; null when killed (see `timedOut`). */
  code: number | null;
  timedOut: boolean;
  /** stdout and stderr, interleaved as they arrived. Never holds the password. */
  output: string;
}

export interface PeerScriptOptions {
  /** Kill the script after this long (default 120 s). */
  timeoutMs?: number;
  /** Copy the output to this stream as it arrives (e.g. process.stderr for CI logs). */
  echo?: NodeJS.WritableStream;
}

export function runPeerScript(command: PeerCommand, options: PeerScriptOptions = {}): Promise<PeerScriptResult> {
  const { timeoutMs = 120_000, echo } = options;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [PEER_SCRIPT, command], {
      cwd: PROJECT_ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      echo?.write(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    };
    child.on('error', (err) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    // 'close' waits for the pipes; should a daemon ever inherit them, do not wait for it forever
    child.on('close', (code) => finish(code));
    child.on('exit', (code) => setTimeout(() => finish(code), 1_000).unref());
  });
}

/** Whether a process with that pid exists (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
