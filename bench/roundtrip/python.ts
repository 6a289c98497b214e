/**
 * Python clients, run with Debian's python (python3-ncclient, python3-paramiko): ncclient as
 * shipped, ncclient with its send-queue poll (TICK) patched low, and bare paramiko. Spawned
 * asynchronously: the servers may live in this process's children and must keep being served.
 */
import { execFile } from 'node:child_process';
import { DEBIAN_PYTHON } from '../extractors/lxml.js';
import { benchFile } from '../paths.js';
import { rate, type RateResult } from './request.js';
import type { Server } from './servers.js';

/** Runs one of bench/'s Python scripts and reads the JSON line it prints last. */
export function runPython<T = { seconds: number; count: number; [k: string]: unknown }>(script: string, args: string[], timeoutMs = 300_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(DEBIAN_PYTHON, [benchFile(script), ...args], { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${script}: ${String(stderr || err.message).trim().split('\n').slice(-1)[0]}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      } catch (e) {
        reject(new Error(`${script} printed no result: ${(e as Error).message}`));
      }
    });
  });
}

/** The login flags every Python client takes. */
export function login(server: Server): string[] {
  return ['--host', server.host, '--port', String(server.port), '--user', server.username, '--password', server.password];
}

export async function ncclientRate(server: Server, count: number, tick: number | null): Promise<RateResult> {
  const r = await runPython('ncclient_rtt.py', [...login(server), '--count', String(count), ...(tick === null ? [] : ['--tick', String(tick)])]);
  return tick === null
    ? rate(`ncclient ${String(r.ncclient)} as shipped (TICK ${String(r.tick)} s)`, 'ncclient-shipped', r.count, 1, r.seconds, `${r.count} RPCs: each waits for a ${String(r.tick)} s poll`)
    : rate(`ncclient ${String(r.ncclient)}, TICK patched to ${tick} s`, 'ncclient-patched', r.count, 1, r.seconds, 'ncclient.transport.ssh.TICK patched (not as shipped)');
}

export async function paramikoRate(server: Server, count: number): Promise<RateResult> {
  const r = await runPython('paramiko_rtt.py', [...login(server), '--count', String(count)]);
  return rate(`bare paramiko ${String(r.paramiko)} (python), one at a time`, 'bare-paramiko', r.count, 1, r.seconds);
}
