import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startJunosDevice } from '../../src/device/junos.js';
import { parseRecording } from '../../src/recording/format.js';
import { CLI, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nk-cli-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { PATH: process.env.PATH ?? '', NETCONF_PASSWORD: 'netconf' };
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

type Target = { host: string; port: number; hostKeyFingerprint: string };
type Result = { status: number | null; stdout: string; stderr: string };

const cli = (args: string[]): Promise<Result> => runCli(args);
const to = (at: Target) => ['--host', at.host, '--port', String(at.port), '--username', 'netconf', '--host-key', at.hostKeyFingerprint];

/** `netconfkit serve`, once it says where it listens; `stop()` sends SIGTERM and waits. */
async function serve(args: string[]): Promise<{ at: Target; stop: () => Promise<Result> }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const at = await new Promise<Target>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on 127\.0\.0\.1:(\d+)\nuser \S+, host key (SHA256:\S+);/.exec(stdout);
      if (m) resolve({ host: '127.0.0.1', port: Number(m[1]), hostKeyFingerprint: m[2]! });
    });
    void closed.then((status) => reject(new Error(`serve exited ${status}: ${stderr}`)));
  });
  return { at, stop: async () => (child.kill('SIGTERM'), { status: await closed, stdout, stderr }) };
}

describe('netconfkit record and serve', () => {
  it('records a command, and serve answers the same command the same way', async () => {
    const junos = await startJunosDevice({ configuration: '<system><host-name>rec1</host-name><root-authentication><encrypted-password>$6$salt$hash</encrypted-password></root-authentication></system>' });
    const file = path.join(dir, 'get.jsonl');
    let live: Result;
    try {
      live = await cli(['record', '--output', file, 'rpc', '<get-configuration/>', ...to(junos)]);
    } finally {
      await junos.close();
    }
    expect(live.status).toBe(0);
    expect(live.stdout).toContain('rec1');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('$6$salt$hash');
    expect(parseRecording(text).exchanges.map((e) => e.operation)).toEqual(['get-configuration', 'close-session']);

    const port = await freePort();
    const server = await serve([file, '--port', String(port)]);
    expect(server.at.port).toBe(port);
    const played = await cli(['rpc', '<get-configuration/>', ...to(server.at)]);
    expect(played.status).toBe(0);
    expect(played.stdout).toBe(live.stdout.replace('$6$salt$hash', '**redacted-1**'));
    const end = await server.stop();
    expect(end.status).toBe(0);
    expect(end.stderr).toBe('');
  });

  it('get-config under record reads its reply whole, so the recording holds it and plays it back the same', async () => {
    const junos = await startJunosDevice();
    const file = path.join(dir, 'get-config.jsonl');
    let live: Awaited<ReturnType<typeof cli>>;
    try {
      live = await cli(['record', '-o', file, 'get-config', ...to(junos)]);
      expect(live.status).toBe(0);
    } finally {
      await junos.close();
    }
    const exchange = parseRecording(readFileSync(file, 'utf8')).exchanges[0]!;
    expect(exchange).toMatchObject({ operation: 'get-config' });
    expect(exchange.reply).toContain('<host-name>fake-junos</host-name>');
    const server = await serve([file]);
    const r = await cli(['get-config', ...to(server.at)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(live.stdout);
    expect((await server.stop()).status).toBe(0);
  });

  it('serve lists unmatched requests and unused recordings on the way out, exit 1', async () => {
    const junos = await startJunosDevice();
    const file = path.join(dir, 'two.jsonl');
    try {
      expect((await cli(['record', '-o', file, 'rpc', '<get-configuration/>', ...to(junos)])).status).toBe(0);
    } finally {
      await junos.close();
    }
    const server = await serve([file, '--user', 'netconf']);
    const r = await cli(['rpc', '<get-configuration format="text"/>', ...to(server.at)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/has no recorded reply/);
    const end = await server.stop();
    expect(end.status).toBe(1);
    expect(end.stderr).toMatch(/no recorded reply to <get-configuration> \(session 1, not-recorded\)/);
    expect(end.stderr).toMatch(/recording #1 <get-configuration> was never asked for/);
  });

  it('usage errors are two lines, exit 2', async () => {
    for (const args of [['record'], ['record', '--output', 'x.jsonl'], ['record', '-o', 'x.jsonl', 'fleet'], ['serve'], ['serve', 'a', 'b'], ['serve', 'x', '--port', '0']]) {
      const r = await cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(2);
    }
    const bad = await cli(['serve', path.join(dir, 'missing.jsonl')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT: The recording .* cannot be read/);
  });
});
