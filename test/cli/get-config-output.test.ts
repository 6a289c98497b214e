import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGetConfig } from '../../src/cli/config-commands.js';
import { FakeDevice } from '../../src/device/index.js';

let device: FakeDevice;
const dir = mkdtempSync(path.join(tmpdir(), 'nk-get-config-'));
const HUGE = 4 << 20;

beforeAll(async () => {
  device = await FakeDevice.start({ rules: [{ match: 'get-config', reply: { reply: '<data><system><host-name>big</host-name></system></data>', hugeBytes: HUGE } }] });
  process.env.NETCONF_PASSWORD = 'netconf';
});
afterAll(async () => {
  delete process.env.NETCONF_PASSWORD;
  await device.close();
});

async function run(args: string[]): Promise<{ status: number; stdout: string }> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (d: Buffer) => parts.push(d));
  const status = await runGetConfig([...args, '--host', device.host, '--port', String(device.port), '--username', 'netconf', '--host-key', device.hostKeyFingerprint, '--no-ssh-config'], out);
  return { status, stdout: Buffer.concat(parts).toString('utf8') };
}

describe('netconfkit get-config streams the configuration', () => {
  it('--output FILE: the inner XML of <data>, written as it is read', async () => {
    const file = path.join(dir, 'running.xml');
    const r = await run(['--output', file]);
    expect(r.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('<system><host-name>big</host-name></system>')).toBe(true);
    expect(text.length).toBeGreaterThan(HUGE);
    expect(text).not.toContain('</data>');
    expect(r.stdout).toBe(`wrote ${Buffer.byteLength(text)} bytes to ${file}\n`);
    const json = await run(['--output', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, output: file, bytes: Buffer.byteLength(text), warnings: [] });
  });

  it('--output FILE with the wire observed (the reply read whole, then written): the same bytes', async () => {
    const streamed = path.join(dir, 'streamed.xml');
    const whole = path.join(dir, 'whole.xml');
    await run(['-o', streamed]);
    const wire = () => {};
    subscribe('netconfkit:wire', wire);
    try {
      expect((await run(['-o', whole])).status).toBe(0);
    } finally {
      unsubscribe('netconfkit:wire', wire);
    }
    expect(readFileSync(whole, 'utf8')).toBe(readFileSync(streamed, 'utf8'));
  });

  it('to standard output without --output, the same bytes and a newline', async () => {
    const file = path.join(dir, 'again.xml');
    await run(['-o', file]);
    const r = await run([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${readFileSync(file, 'utf8')}\n`);
  });

  it('an --output that cannot be written is a usage error before anything is sent', async () => {
    const before = device.requests.length;
    await expect(run(['--output', path.join(dir, 'no-such-dir', 'x.xml')])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(device.requests.length).toBe(before);
  });
});
