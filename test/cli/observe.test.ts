import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeDevice } from '../../src/device/index.js';

// The built CLI, as users run it (`npm test` builds before testing).
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const PASSWORD = 'cli-observe-secret-4e1b';
const HASH = '$6$saltsalt$cliobservehashvalue';
let device: FakeDevice;

function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', NETCONF_PASSWORD: PASSWORD, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  device = await FakeDevice.start({
    users: [{ username: 'ops', password: PASSWORD }],
    rules: [{ match: 'get-config', reply: `<data><system xmlns="urn:example"><root-authentication><encrypted-password>${HASH}</encrypted-password></root-authentication></system></data>` }],
  });
});
afterAll(() => device.close());

const target = () => ['--host', device.host, '--port', String(device.port), '-u', 'ops', '--host-key', device.hostKeyFingerprint];

describe('netconfkit --verbose and --trace', () => {
  it('--verbose prints each event on stderr; stdout is unchanged', async () => {
    const plain = await run(['get-config', ...target()]);
    const r = await run(['get-config', ...target(), '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toMatch(/^netconfkit: connect 127\.0\.0\.1:\d+ \(127\.0\.0\.1:\d+\) ok: session \d+, chunked framing, \d+ ms$/m);
    expect(r.stderr).toMatch(/^netconfkit: rpc get-config message-id=1 ok, \d+ ms \(\d+ bytes out, \d+ in, 0 error\(s\), 0 warning\(s\)\)$/m);
    expect(r.stderr).toMatch(/^netconfkit: session 127\.0\.0\.1:\d+ #\d+ closed$/m);
    expect(r.stderr).not.toContain('<data>');
  });

  it('--trace prints the wire log on stderr, secrets masked; NODE_DEBUG=netconfkit does too', async () => {
    const r = await run(['get-config', ...target(), '--trace']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/netconfkit: \[127\.0\.0\.1:\d+ #\d+\] received rpc-reply message-id=1 \(chunked, \d+ bytes\)\n<rpc-reply/);
    expect(r.stderr).toContain('<encrypted-password>****</encrypted-password>');
    expect(r.stdout).toContain(HASH); // the reply itself is the caller's
    for (const text of [r.stderr]) {
      expect(text).not.toContain(HASH);
      expect(text).not.toContain(PASSWORD);
    }
    const debug = await run(['get-config', ...target()], { NODE_DEBUG: 'netconfkit' });
    expect(debug.status, debug.stderr).toBe(0);
    expect(debug.stderr).toMatch(/^NETCONFKIT \d+: \[127\.0\.0\.1:\d+\] sent hello \(eom, \d+ bytes\)$/m);
    expect(debug.stderr).toContain('<encrypted-password>****</encrypted-password>');
    expect(debug.stderr).not.toContain(HASH);
    expect(debug.stderr).not.toContain(PASSWORD);
  });
});

describe('netconfkit fleet --ndjson', () => {
  it('prints one JSON line per event on stdout, and no table', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nk-ndjson-'));
    const inventory = path.join(dir, 'inventory.json');
    writeFileSync(inventory, JSON.stringify([
      { name: 'r1', host: device.host, port: device.port, username: 'ops', hostKey: device.hostKeyFingerprint },
      { name: 'r2', host: device.host, port: device.port, username: 'ops', hostKey: device.hostKeyFingerprint },
    ]));
    const r = await run(['fleet', 'get-config', '--inventory', inventory, '--ndjson', '--concurrency', '1']);
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; device: string; ok?: boolean; progress?: { done: number } });
    expect(events.map((e) => `${e.type} ${e.device}`)).toEqual(['started r1', 'done r1', 'started r2', 'done r2']);
    expect(events[3]).toMatchObject({ ok: true, progress: { done: 2, total: 2, ok: 2, failed: 0 } });
    expect(r.stdout).not.toContain(PASSWORD);
    expect((await run(['fleet', 'get-config', '--inventory', inventory, '--ndjson', '--json'])).status).toBe(2);
  });
});
