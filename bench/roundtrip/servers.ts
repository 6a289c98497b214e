/**
 * The two NETCONF servers the round trips run against, both in processes of their own so
 * every client is measured on the same footing:
 *  - the project's fake device (FakeDevice, ssh2's server) in a child node process;
 *  - Debian's netconfd behind a private OpenSSH (scripts/netconfd.sh), started only when it is
 *    not running already, and then stopped at the end.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { registerChild, spawnChild } from '../children.js';
import { PROJECT_ROOT } from '../paths.js';

export interface Server {
  name: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** Pinned host key fingerprints (SHA256:…). */
  hostKey: string[];
  /** Stops the server if the bench started it. */
  stop(): Promise<void>;
}

/**
 * In a bench child: starts a FakeDevice, prints its port and host key on the first stdout line,
 * and serves until the parent closes our stdin. The device is returned still open.
 */
export async function serveFakeDevice(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const device = await FakeDevice.start(options);
  process.stdout.write(`${JSON.stringify({ port: device.port, hostKey: device.hostKeyFingerprint })}\n`);
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
  return device;
}

/** Starts the named bench child that runs serveFakeDevice(); `stop()` closes its stdin. */
export function startDeviceChild(name: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(name, [], true);
    let out = '';
    let ready = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`the bench device ${name} exited (${code}) before it listened`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (ready || nl === -1) return;
      ready = true;
      const info = JSON.parse(out.slice(0, nl)) as { port: number; hostKey: string };
      resolve({
        name: 'fake device (FakeDevice, ssh2 server)',
        host: '127.0.0.1',
        port: info.port,
        username: 'netconf',
        password: 'netconf',
        hostKey: [info.hostKey],
        async stop() {
          child.stdin?.end();
          const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

registerChild('fake-device', async () => {
  const device = await serveFakeDevice();
  const requests = device.requests.length;
  await device.close();
  return { requests };
});

export function startFakeDevice(): Promise<Server> {
  return startDeviceChild('fake-device');
}

function peerScript(command: 'start' | 'stop' | 'status', log?: (s: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(PROJECT_ROOT, 'scripts', 'netconfd.sh'), command], {
      cwd: PROJECT_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      const text = d.toString('utf8');
      output += text;
      if (log) for (const line of text.split('\n')) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** netconfd, started if it does not run yet (and then stopped by `stop()`). */
export async function startNetconfd(log: (s: string) => void): Promise<Server> {
  const status = await peerScript('status');
  const wasRunning = status.code === 0;
  log(wasRunning ? 'netconfd: already running, used as it is (left running)' : 'netconfd: starting scripts/netconfd.sh');
  if (!wasRunning) {
    const start = await peerScript('start', log);
    if (start.code !== 0) throw new Error(`scripts/netconfd.sh start failed (${start.code}): ${start.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const dir = process.env.NETCONFKIT_PEER_DIR || '/tmp/netconfkit-peer';
  const peer = JSON.parse(readFileSync(path.join(dir, 'peer.json'), 'utf8')) as {
    host: string; port: number; username: string; password: string; hostKeyFingerprints: string[];
  };
  return {
    name: 'netconfd (yuma123, via OpenSSH)',
    host: peer.host,
    port: peer.port,
    username: peer.username,
    password: peer.password,
    hostKey: peer.hostKeyFingerprints,
    async stop() {
      if (wasRunning) return;
      log('netconfd: stopping it (the bench started it)');
      await peerScript('stop');
    },
  };
}
