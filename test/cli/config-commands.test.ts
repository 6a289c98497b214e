import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDevice, startJunosDevice, type JunosDevice } from '../../src/device/index.js';
import { runCli } from '../support/cli.js';

let device: JunosDevice;
const dir = mkdtempSync(path.join(tmpdir(), 'nk-cli-'));

beforeAll(async () => {
  device = await startJunosDevice({ routingEngines: ['re0', 're1'] });
});
afterAll(() => device.close());

type Target = { host: string; port: number; hostKeyFingerprint: string };

const cli = (args: string[], at: Target = device) =>
  runCli([...args, '--host', at.host, '--port', String(at.port), '--username', 'netconf', '--host-key', at.hostKeyFingerprint]);

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

  it('commit --check, then commit --confirmed 5m --comment, with per-RE results', async () => {
    const check = await cli(['commit', '--check', '--json']);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, check: true, routingEngines: [{ name: 're0', success: true }, { name: 're1', success: true }], pendingConfirmation: null });
    const before = Date.now();
    const r = await cli(['commit', '--confirmed', '5m', '--comment', 'via cli']);
    expect(r.status, r.stderr).toBe(0);
    const [done, pending] = r.stdout.trim().split('\n');
    expect(done).toBe('commit complete');
    expect(pending).toMatch(/^confirmation pending: the device rolls this commit back at (\S+) \(in 5m\) unless confirmed; confirm with `netconfkit commit` \(same connection flags\)$/);
    const until = Date.parse(/at (\S+) /.exec(pending!)![1]!);
    expect(until).toBeGreaterThanOrEqual(before + 300_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 300_000);
    // 5m is 300 seconds for the library, which Junos receives as 5 minutes.
    expect(device.requests.filter((q) => q.operation === 'commit-configuration').at(-1)!.xml).toContain('<confirmed/><confirm-timeout>5</confirm-timeout>');
    expect(device.pendingConfirm).toEqual({ minutes: 5 });
    // The comment, and the commit id every commit carries.
    expect(device.comments.at(-1)).toMatch(/^via cli \[nck-[0-9a-f]{16} confirmed\]$/);
    // The way to confirm that the output gives: a plain commit.
    const confirm = await cli(['commit']);
    expect(confirm.status).toBe(0);
    expect(confirm.stdout).toBe('commit complete\n');
    expect(device.pendingConfirm).toBeNull();
  });

  it('--confirmed takes a unit; --json gives the pending confirmation and when it ends', async () => {
    const before = Date.now();
    const r = await cli(['commit', '--confirmed', '1h', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; pendingConfirmation: { timeoutSeconds: number; until: string; confirmWith: string } };
    expect(doc.ok).toBe(true);
    expect(doc.pendingConfirmation).toMatchObject({ timeoutSeconds: 3600, confirmWith: 'netconfkit commit' });
    expect(doc.pendingConfirmation.until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(doc.pendingConfirmation.until) - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(device.pendingConfirm).toEqual({ minutes: 60 });
    // Junos counts whole minutes: 90s is rounded up, and the reported window says so.
    const odd = await cli(['commit', '--confirmed', '90s', '--json']);
    expect((JSON.parse(odd.stdout) as typeof doc).pendingConfirmation.timeoutSeconds).toBe(120);
    expect(device.pendingConfirm).toEqual({ minutes: 2 });
    expect((await cli(['commit'])).status).toBe(0);
  });

  it('a bare number, a wrong unit or --confirmed with --check is refused before connecting (exit 2)', async () => {
    const commits = device.commits;
    const sessions = device.requests.length;
    for (const [args, message] of [
      [['--confirmed', '5'], 'netconfkit: --confirmed needs a unit: 5m for minutes, 5s for seconds\nsee `netconfkit commit --help`\n'],
      [['--confirmed', '300'], 'netconfkit: --confirmed needs a unit: 300m for minutes, 300s for seconds\nsee `netconfkit commit --help`\n'],
      [['--confirmed', '5d'], 'netconfkit: --confirmed takes a time such as 5m, 300s or 1h, not "5d"\nsee `netconfkit commit --help`\n'],
      [['--confirmed', '0m'], 'netconfkit: --confirmed must be longer than 0\nsee `netconfkit commit --help`\n'],
      [['--confirmed', '5m', '--check'], 'netconfkit: --check and --confirmed exclude each other: a check commits nothing\nsee `netconfkit commit --help`\n'],
    ] as [string[], string][]) {
      const r = await cli(['commit', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(message);
    }
    expect(device.commits).toBe(commits);
    expect(device.requests.length).toBe(sessions);
  });

  it('an RFC device gets seconds and a persist token, so the commit outlives the CLI session; --persist-id confirms', async () => {
    await using rfc = await FakeDevice.start();
    const r = await cli(['commit', '--confirmed', '5m', '--json'], rfc);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { pendingConfirmation: { timeoutSeconds: number; persistId: string; confirmWith: string } };
    const { persistId } = doc.pendingConfirmation;
    expect(persistId).toMatch(/^[0-9a-f-]{36}$/);
    expect(doc.pendingConfirmation).toMatchObject({ timeoutSeconds: 300, confirmWith: `netconfkit commit --persist-id ${persistId}` });
    expect(rfc.requests.filter((q) => q.operation === 'commit').at(-1)!.xml).toMatch(new RegExp(`<commit><confirmed/><confirm-timeout>300</confirm-timeout><persist>${persistId}</persist></commit>`));
    const confirm = await cli(['commit', '--persist-id', persistId], rfc);
    expect(confirm.status, confirm.stderr).toBe(0);
    expect(rfc.requests.filter((q) => q.operation === 'commit').at(-1)!.xml).toContain(`<commit><persist-id>${persistId}</persist-id></commit>`);
  });

  it('a device without :confirmed-commit: CAPABILITY_MISSING (a client error) in one line, exit 2, nothing committed', async () => {
    await using bare = await FakeDevice.start({ capabilities: ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:capability:candidate:1.0'] });
    const r = await cli(['commit', '--confirmed', '5m'], bare);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^netconfkit: CAPABILITY_MISSING: .+\n$/);
    expect(bare.requests.map((q) => q.operation)).not.toContain('commit');
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
    expect((await cli(['get-config', 'extra'])).status).toBe(2);
  });
});
