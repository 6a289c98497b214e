import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDevice, type JunosDevice, startJunosDevice } from '../../src/device/index.js';
import type { DeviceResult } from '../../src/fleet/index.js';
import { progressReporter } from '../../src/cli/fleet-report.js';
import { ACCESS_DENIED_REPLY, freePort } from '../fleet/support.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nk-fleet-'));
let r1: FakeDevice;
let r2: FakeDevice;
let denying: FakeDevice;
let junos: JunosDevice;
let refusedPort: number;

beforeAll(async () => {
  r1 = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><host xmlns="urn:test">r1</host></data>' }] });
  r2 = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><host xmlns="urn:test">r2</host></data>' }] });
  denying = await FakeDevice.start({ rules: [{ match: 'get-config', reply: ACCESS_DENIED_REPLY }] });
  junos = await startJunosDevice();
  refusedPort = await freePort();
});
afterAll(async () => {
  await Promise.all([r1.close(), r2.close(), denying.close(), junos.close()]);
});

const at = (name: string, d: { host: string; port: number; hostKeyFingerprint: string }) => ({ name, host: d.host, port: d.port, username: 'netconf', hostKey: d.hostKeyFingerprint });

function inventory(entries: unknown[]): string {
  const file = path.join(dir, `inventory-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

const cli = (args: string[], env?: Record<string, string>) => runCli(['fleet', ...args], env);

describe('netconfkit fleet', () => {
  it('all ok: exit 0, a summary table, one progress line per device on a non-terminal stderr', async () => {
    const r = await cli(['get-config', '--inventory', inventory([at('r1', r1), at('r2', r2)]), '--concurrency', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^DEVICE\s+RESULT\s+CODE\s+TRIES\s+TIME\s+MESSAGE$/m);
    expect(r.stdout).toMatch(/^r1\s+ok\s+1\s+\d+\.\d s$/m);
    expect(r.stdout).toContain('2 devices: 2 ok, 0 failed');
    const lines = r.stderr.trim().split('\n');
    expect(lines.map((l) => l.replace(/ r\d /, ' rN '))).toEqual(['[1/2] rN ok', '[2/2] rN ok']);
    expect(lines.map((l) => l.split(' ')[1]).sort()).toEqual(['r1', 'r2']);
  });

  it('a device error: exit 1; --json gives every result in the seed shape', async () => {
    const r = await cli(['get-config', '--inventory', inventory([at('r1', r1), at('denying', denying), { name: 'gone', host: '127.0.0.1', port: refusedPort, username: 'netconf', hostKey: 'SHA256:x' }]), '--json', '--attempts', '1']);
    expect(r.status).toBe(1);
    const results = JSON.parse(r.stdout) as DeviceResult<string>[];
    expect(results.map((x) => [x.device, x.ok, x.error_code])).toEqual([['r1', true, null], ['denying', false, 'ACCESS_DENIED'], ['gone', false, 'CONNECTION_REFUSED']]);
    expect(results[0]).toMatchObject({ value: expect.stringContaining('<host xmlns="urn:test">r1</host>'), error: null, error_retryable: null });
    expect(results[1]).toMatchObject({ error: expect.stringContaining('read access to running denied'), error_retryable: false, errorJson: { name: 'RpcError', code: 'ACCESS_DENIED' } });
  });

  it('only transport failures: exit 3', async () => {
    const r = await cli(['get-config', '--inventory', inventory([at('r1', r1), { name: 'gone', host: '127.0.0.1', port: refusedPort, username: 'netconf', hostKey: 'SHA256:x' }, { ...at('r2', r2), username: 'nobody' }]), '--attempts', '1']);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^gone\s+failed\s+CONNECTION_REFUSED\s+1 /m);
    expect(r.stdout).toMatch(/^r2\s+failed\s+AUTH_FAILED\s+1 /m);
    expect(r.stdout).toContain('3 devices: 1 ok, 2 failed (1 CONNECTION_REFUSED, 1 AUTH_FAILED)');
  });

  it('rpc sends the same request everywhere; commit runs the commit flow (here a dry run)', async () => {
    const rpc = await cli(['rpc', '--inventory', inventory([at('r1', r1), at('r2', r2)]), '--json', '<get-config><source><running/></source></get-config>']);
    expect(rpc.status).toBe(0);
    expect((JSON.parse(rpc.stdout) as DeviceResult<string>[]).map((x) => x.ok && x.value)).toEqual([expect.stringContaining('r1'), expect.stringContaining('r2')]);

    const change = path.join(dir, 'change.set');
    writeFileSync(change, 'set system host-name fleet-1\n');
    const commit = await cli(['commit', change, '--dry-run', '--inventory', inventory([at('j1', junos)]), '--json']);
    expect(commit.status).toBe(0);
    const [result] = JSON.parse(commit.stdout) as DeviceResult<{ committed: boolean; diff: string }>[];
    expect(result).toMatchObject({ ok: true, value: { committed: false, dryRun: true, diff: expect.stringContaining('fleet-1') } });
  });

  it('usage errors exit 2: a password in the inventory, no password at all, an unknown operation, a missing inventory, a mistyped flag', async () => {
    const withPassword = await cli(['get-config', '--inventory', inventory([{ ...at('r1', r1), password: 'netconf' }])]);
    expect(withPassword.status).toBe(2);
    expect(withPassword.stderr).toContain('NETCONF_PASSWORD');
    expect(withPassword.stderr).not.toMatch(/password": *"netconf/);
    const noPassword = await cli(['get-config', '--inventory', inventory([at('r1', r1)])], {});
    expect(noPassword.status).toBe(2);
    const unknown = await cli(['reboot', '--inventory', inventory([at('r1', r1)])]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown fleet operation "reboot"');
    const missing = path.join(dir, 'no-such-inventory.json');
    const noFile = await cli(['get-config', '--inventory', missing]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toBe(`netconfkit: cannot read the inventory ${missing}: no such file\n`);
    const flag = await cli(['get-config', '--inventory', inventory([at('r1', r1)]), '--concurency', '2']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe('netconfkit: unknown option --concurency (did you mean --concurrency?)\nsee `netconfkit fleet --help`\n');
  });
});

describe('progress on a terminal', () => {
  it('redraws one bar in place', () => {
    let text = '';
    const stream = Object.assign({ write: (s: string) => ((text += s), true) }, { isTTY: true }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const progress = progressReporter(stream, 'fleet get-config');
    const result = { device: 'r1', ok: true } as DeviceResult<unknown>;
    progress.update({ done: 1, total: 4, ok: 1, failed: 0, result });
    progress.update({ done: 4, total: 4, ok: 3, failed: 1, result });
    progress.end();
    expect(text).toBe(
      `\rfleet get-config [${'#'.repeat(8)}${'-'.repeat(22)}] 1/4  ok 1  failed 0` +
        `\rfleet get-config [${'#'.repeat(30)}] 4/4  ok 3  failed 1\n`,
    );
  });

  it('counts devices when their total is not known (listen), on a terminal and in a log', () => {
    let tty = '';
    let log = '';
    const terminal = Object.assign({ write: (s: string) => ((tty += s), true) }, { isTTY: true }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const file = { write: (s: string) => ((log += s), true) } as unknown as NodeJS.WritableStream;
    const failed = { device: '10.0.0.7:50112', ok: false, error_code: 'HOST_KEY_MISMATCH', error: 'The host key of 10.0.0.7 does not match' } as DeviceResult<unknown>;
    for (const stream of [terminal, file]) {
      const progress = progressReporter(stream, 'listen get-config');
      progress.update({ done: 1, total: null, ok: 1, failed: 0, result: { device: 'mx-lab-1', ok: true } as DeviceResult<unknown> });
      progress.update({ done: 2, total: null, ok: 1, failed: 1, result: failed });
      progress.end();
    }
    expect(tty).toBe('\rlisten get-config 1 device(s)  ok 1  failed 0\rlisten get-config 2 device(s)  ok 1  failed 1\n');
    expect(log).toBe('[1] mx-lab-1 ok\n[2] 10.0.0.7:50112 HOST_KEY_MISMATCH: The host key of 10.0.0.7 does not match\n');
  });
});
