import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJunosDevice, type JunosDevice } from '../../src/device/index.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let device: JunosDevice;
const dir = mkdtempSync(path.join(tmpdir(), 'nk-cli-'));

beforeAll(async () => {
  device = await startJunosDevice({ routingEngines: ['re0', 're1'] });
});
afterAll(() => device.close());

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--host', device.host, '--port', String(device.port), '--username', 'netconf', '--host-key', device.hostKeyFingerprint], {
      env: { PATH: process.env.PATH ?? '', NETCONF_PASSWORD: 'netconf' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('netconfkit get-config / edit-config / commit / load', () => {
  it('load takes the format from the extension and shows the diff; warnings are printed', async () => {
    const file = path.join(dir, 'change.set');
    writeFileSync(file, 'set system host-name r7\n');
    device.script.load = { warnings: [{ message: 'statement not found', path: 'system' }] };
    const r = await cli(['load', file, '--diff', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; warnings: { message: string }[]; diff: string };
    expect(doc.ok).toBe(true);
    expect(doc.warnings.map((w) => w.message)).toEqual(['statement not found']);
    const load = device.requests.filter((q) => q.operation === 'load-configuration').at(-1)!.xml;
    expect(load).toContain('<load-configuration action="set" format="text"><configuration-set>set system host-name r7\n</configuration-set></load-configuration>');
    device.script.load = {};
  });

  it('commit --check, then commit --confirmed 5 --comment, with per-RE results', async () => {
    const check = await cli(['commit', '--check', '--json']);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, check: true, routingEngines: [{ name: 're0', success: true }, { name: 're1', success: true }] });
    const r = await cli(['commit', '--confirmed', '5', '--comment', 'via cli']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('commit complete');
    expect(device.pendingConfirm).toEqual({ minutes: 5 });
    expect(device.comments.at(-1)).toBe('via cli');
  });

  it('a rejected commit exits 1 and prints the error', async () => {
    device.script.commit = { errors: [{ message: 'mgd: commit failed', path: 'system' }] };
    const r = await cli(['commit']);
    device.script.commit = {};
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/ERROR CONFIG_REJECTED: mgd: commit failed/);
  });

  it('get-config and edit-config', async () => {
    const got = await cli(['get-config', '--json']);
    expect(got.status).toBe(0);
    expect((JSON.parse(got.stdout) as { data: string }).data).toContain('host-name');
    const file = path.join(dir, 'edit.xml');
    writeFileSync(file, '<configuration><system><host-name>r8</host-name></system></configuration>');
    const edit = await cli(['edit-config', file, '--json']);
    expect(edit.status, edit.stderr).toBe(0);
    expect(device.requests.filter((q) => q.operation === 'edit-config').at(-1)!.xml).toContain('<config><configuration><system><host-name>r8</host-name></system></configuration></config>');
  });

  it('bad usage exits 2', async () => {
    expect((await cli(['load', path.join(dir, 'change.unknown')])).status).toBe(2);
    expect((await cli(['commit', '--confirmed', 'soon'])).status).toBe(2);
  });
});
