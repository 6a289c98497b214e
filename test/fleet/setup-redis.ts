/**
 * Vitest global setup of the `redis` project: a real redis-server for the queue tests.
 *
 * Runs `scripts/redis.sh start` (installs Debian's redis-server with apt-get on the first run,
 * then starts it on 127.0.0.1:NETCONFKIT_REDIS_PORT, default 6390) and provides the port as
 * `inject('redisPort')`. Teardown stops it only if this setup started it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisPort: number;
  }
}

const SCRIPT = fileURLToPath(new URL('../../scripts/redis.sh', import.meta.url));

function run(command: 'start' | 'stop' | 'status', timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, command], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wasRunning = (await run('status', 30_000)).code === 0;
  const start = await run('start', 15 * 60_000);
  if (start.code !== 0) throw new Error(`scripts/redis.sh start failed (exit status ${start.code}):\n${start.output}`);
  process.stderr.write(`[netconfkit-redis setup] ${start.output.trim().split('\n').at(-1)}\n`);
  project.provide('redisPort', Number(process.env.NETCONFKIT_REDIS_PORT || 6390));
  return async () => {
    if (wasRunning) return;
    const stop = await run('stop', 60_000);
    if (stop.code !== 0) process.stderr.write(`[netconfkit-redis setup] stopping redis failed:\n${stop.output}\n`);
  };
}
