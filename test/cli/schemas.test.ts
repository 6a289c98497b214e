import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDevice, FAKE_DEVICE_MODULES, type FakeDeviceOptions } from '../../src/device/index.js';
import { runCli } from '../support/cli.js';

const devices: FakeDevice[] = [];
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function start(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const device = await FakeDevice.start(options);
  devices.push(device);
  return device;
}

// The device lives in this process, so the CLI runs asynchronously.
const cli = (args: string[]) => runCli(args);

const target = (d: FakeDevice) => ['--host', d.host, '--port', String(d.port), '--username', 'netconf', '--host-key', d.hostKeyFingerprint];
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'nk-schemas-'));
const FILES = ['netconfkit-fake-deviations@2026-02-01.yang', 'netconfkit-fake-ports@2026-01-15.yang', 'netconfkit-fake-types@2025-11-02.yang', 'netconfkit-fake@2026-01-15.yang'];
const schemaRequests = (d: FakeDevice) => d.requests.filter((r) => r.operation === 'get-schema').length;

describe('netconfkit schemas', () => {
  it('downloads every module and submodule of the YANG library into DIR, then finds them there', async () => {
    const device = await start();
    const dir = tempDir();
    const first = await cli(['schemas', ...target(device), '--output', dir]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`${FILES.map((f) => `downloaded ${f}\n`).join('')}4 schemas from yang-library: 4 downloaded, 0 already in ${dir}, 0 failed\n`);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    expect(readFileSync(path.join(dir, 'netconfkit-fake@2026-01-15.yang'), 'utf8')).toBe(FAKE_DEVICE_MODULES[0]!.text.trim());
    expect(readFileSync(path.join(dir, 'netconfkit-fake-ports@2026-01-15.yang'), 'utf8')).toBe(FAKE_DEVICE_MODULES[0]!.submodules![0]!.text.trim());

    const again = await cli(['schemas', ...target(device), '--output', dir, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ok: true, source: 'yang-library', output: dir, downloaded: [], present: FILES, failed: [] });
    expect(schemaRequests(device)).toBe(4);
  });

  it('two runs into the same DIR at once download each module once between them, and leave only whole files', async () => {
    const device = await start();
    const dir = tempDir();
    const [a, b] = await Promise.all([cli(['schemas', ...target(device), '--output', dir, '--json']), cli(['schemas', ...target(device), '--output', dir, '--json'])]);
    expect([a.status, b.status, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const docs = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { downloaded: string[]; present: string[] }[];
    expect([...docs[0]!.downloaded, ...docs[1]!.downloaded].sort()).toEqual(FILES);
    for (const doc of docs) expect([...doc.downloaded, ...doc.present].sort()).toEqual(FILES);
    expect(schemaRequests(device)).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    for (const m of FAKE_DEVICE_MODULES) expect(readFileSync(path.join(dir, `${m.name}@${m.revision}.yang`), 'utf8')).toBe(m.text.trim());
  });

  it('a module the device refuses, or whose name is no file name, fails alone: the others are written, exit 1', async () => {
    const outside = tempDir();
    const evil = path.join(path.relative(tempDir(), outside), 'evil');
    const device = await start({
      yangLibrary: 'rfc7895',
      modules: [
        { name: 'good', revision: '2024-01-01', namespace: 'urn:good', text: 'module good { namespace "urn:good"; prefix g; }' },
        { name: evil, revision: '2024-01-01', namespace: 'urn:evil', text: 'module evil { }' },
        { name: 'gone', revision: '2024-01-01', namespace: 'urn:gone', text: '' },
      ],
      rules: [{ match: /<identifier>gone</, reply: '<rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity><error-message>no such schema</error-message></rpc-error>' }],
    });
    const dir = tempDir();
    const r = await cli(['schemas', ...target(device), '-o', dir]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('downloaded good@2024-01-01.yang');
    expect(lines[1]).toMatch(/^FAILED \.\..*evil@2024-01-01: INVALID_ARGUMENT: A schema cache keeps YANG modules by name/);
    expect(lines[2]).toBe('FAILED gone@2024-01-01: INVALID_VALUE: The device reported an error: no such schema');
    expect(lines[3]).toBe(`3 schemas from modules-state: 1 downloaded, 0 already in ${dir}, 2 failed`);
    expect(readdirSync(dir)).toEqual(['good@2024-01-01.yang']);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.join(outside, 'evil@2024-01-01.yang'))).toBe(false);
    // Asked for concurrently (the cache's file lock decides who goes first), so in any order.
    expect(device.requests.filter((q) => q.operation === 'get-schema').map((q) => /<identifier>([^<]*)</.exec(q.xml)?.[1]).sort()).toEqual(['gone', 'good']);
  });

  it('needs --output: exit 2 before connecting', async () => {
    const device = await start();
    const r = await cli(['schemas', ...target(device)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('schemas needs --output DIR');
    expect(device.requests).toEqual([]);
  });
});
