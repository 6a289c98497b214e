import { describe, expect, it } from 'vitest';
import { startJunosDevice, type JunosDevice, type JunosScript } from '../../src/device/index.js';
import { HealthCheckFailedError, RpcError } from '../../src/errors/index.js';
import { commitFlow, lockDatastore } from '../../src/operations/index.js';
import { deviceHarness } from '../support/devices.js';
import { rejection as failure } from '../support/assertions.js';

const attach = deviceHarness();
const junos = async (script: JunosScript = {}) => attach(await startJunosDevice(script));

const CHANGE = 'set system host-name r9';
const ops = (d: JunosDevice) => d.requests.map((r) => r.operation);


describe('the safe commit flow against a Junos device', () => {
  it('succeeds: lock (and a look for a pending confirmed commit), load, check, diff, commit with the comment and its id, unlock', async () => {
    const { device, session } = await junos({ routingEngines: ['re0', 're1'] });
    const result = await commitFlow(session, { config: CHANGE, format: 'set', comment: 'change 42' });
    expect(result).toMatchObject({ committed: true, dryRun: false, warnings: [], recovered: false });
    expect(result.diff).toContain('host-name r9');
    expect(ops(device)).toEqual(['lock', 'get-commit-information', 'load-configuration', 'commit-configuration', 'get-configuration', 'commit-configuration', 'unlock']);
    expect(device.comments).toEqual([`change 42 [${result.commitId}]`]);
    expect(device.commits).toBe(1);
    expect(device.lockHolder('candidate')).toBeNull();
  });

  it('goes on after warnings only, and returns them', async () => {
    const { device, session } = await junos({ load: { warnings: [{ message: 'statement not found', path: 'interfaces ge-0/0/1', element: 'disable' }] } });
    const result = await commitFlow(session, { config: CHANGE, format: 'set' });
    expect(result.committed).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.path, w.badElement, w.deviceMessage])).toEqual([
      ['CONFIG_WARNING', '[edit interfaces ge-0/0/1]', 'disable', 'statement not found'],
    ]);
    expect(device.commits).toBe(1);
  });

  it.each([
    ['load', { load: { warnings: [{ message: 'statement not found' }], errors: [{ message: 'syntax error', path: 'system', element: 'hostname' }] } }, 'CONFIG_REJECTED'],
    ['check', { check: { errors: [{ message: 'Peer AS must be configured', path: 'protocols bgp', statement: 'neighbor 192.0.2.1' }] } }, 'CONFIG_REJECTED'],
    ['commit', { commit: { errors: [{ message: 'commit failed: mgd busy' }] } }, 'CONFIG_REJECTED'],
  ] as [string, JunosScript, string][])('an error at %s: rolled back, unlocked, one RpcError with every item', async (step, script, code) => {
    const { device, session } = await junos(script);
    const err = (await failure(commitFlow(session, { config: CHANGE, format: 'set' }))) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.step).toBe(step);
    expect(err.code).toBe(code);
    expect(err.errors.length).toBeGreaterThan(0);
    if (step === 'load') expect(err.items.map((i) => i.level)).toEqual(['warning', 'error']);
    expect(ops(device).slice(-2)).toEqual(['load-configuration', 'unlock']);
    expect(device.loads.at(-1)?.rollback).toBe(0);
    expect(device.candidate).toBe('');
    expect(device.commits).toBe(0);
    expect(device.lockHolder('candidate')).toBeNull();
  });

  it('a connection lost during the commit is COMMIT_OUTCOME_UNKNOWN, and the lock dies with the session', async () => {
    const { device, session, another } = await junos({ dropOn: 'commit-configuration' });
    // The check is a commit-configuration too: drop only the real commit.
    device.script.dropOn = undefined;
    const flow = commitFlow(session, { config: CHANGE, format: 'set', onStep: (e) => { if (e.step === 'commit' && e.status === 'start') device.script.dropOn = 'commit-configuration'; } });
    const err = await failure(flow);
    expect([err.code, err.retryable]).toEqual(['COMMIT_OUTCOME_UNKNOWN', false]);
    device.script.dropOn = undefined;
    expect((await lockDatastore(await another(), 'candidate')).hasOk).toBe(true);
  });

  it('a confirmed commit whose health check fails is not confirmed: it is rolled back at once (rollback 1, commit)', async () => {
    const { device, session } = await junos();
    const err = (await failure(commitFlow(session, { config: CHANGE, format: 'set', commitId: 'hc-1', confirmed: { timeoutSeconds: 90, healthCheck: async () => false } }))) as HealthCheckFailedError;
    expect([err.code, err.reverted, err.commitId]).toEqual(['HEALTH_CHECK_FAILED', true, 'hc-1']);
    expect(err.message).toMatch(/rolled back to the previous configuration and committed/);
    expect(device.confirmedCommits).toBe(1);
    expect(device.loads.at(-1)?.rollback).toBe(1);
    expect(device.comments).toEqual(['[hc-1 confirmed]', '[hc-1 revert]']);
    expect(device.pendingConfirm).toBeNull();
    expect(device.lockHolder('candidate')).toBeNull();
  });

  it('a failed health check leaves the previous configuration at once, and the next flow commits only its own change', async () => {
    const { device, session } = await junos();
    const before = device.configuration;
    const err = (await failure(commitFlow(session, { config: 'set system location bad-change', format: 'set', confirmed: { timeoutSeconds: 600, healthCheck: () => false } }))) as HealthCheckFailedError;
    expect([err.code, err.reverted]).toEqual(['HEALTH_CHECK_FAILED', true]);
    expect(device.configuration).toBe(before);
    expect(device.pendingConfirm).toBeNull();

    const next = await commitFlow(session, { config: CHANGE, format: 'set' });
    expect(next.diff).toContain('host-name r9');
    expect(next.diff).not.toContain('bad-change');
    expect(device.configuration).toContain('<host-name>r9</host-name>');
    expect(device.configuration).not.toContain('bad-change');
    // The bad commit, its revert, and the next flow's commit: no commit confirmed the bad change.
    expect(device.commitLog.map((c) => [c.comment, c.status])).toEqual([
      [`[${err.commitId} confirmed]`, 'committed'], [`[${err.commitId} revert]`, 'committed'], [`[${next.commitId}]`, 'committed'],
    ]);
  });

  it('a confirmed commit whose health check passes is confirmed', async () => {
    const { device, session } = await junos();
    const result = await commitFlow(session, { config: CHANGE, format: 'set', confirmed: { timeoutSeconds: 300, healthCheck: () => true } });
    expect(result).toMatchObject({ committed: true, confirmed: true });
    expect(device.comments).toEqual([`[${result.commitId} confirmed]`, `[${result.commitId} confirm]`]);
    expect(device.confirmations).toBe(1);
    expect(device.pendingConfirm).toBeNull();
  });

  it('dry run returns the diff and commits nothing', async () => {
    const { device, session } = await junos();
    const result = await commitFlow(session, { config: CHANGE, format: 'set', dryRun: true });
    expect(result).toMatchObject({ committed: false, dryRun: true });
    expect(result.diff).toContain('host-name r9');
    expect(device.commits).toBe(0);
    expect(device.candidate).toBe('');
  });

  it('a private database instead of a lock', async () => {
    const { device, session } = await junos();
    const result = await commitFlow(session, { config: CHANGE, format: 'set', isolation: 'private' });
    expect(result.committed).toBe(true);
    expect(ops(device)[0]).toBe('open-configuration');
    expect(ops(device).at(-1)).toBe('close-configuration');
    // The benign "uncommitted changes will be discarded on exit" warning is reported, not fatal.
    expect(result.warnings.some((w) => /discarded on exit/.test(w.deviceMessage ?? ''))).toBe(true);
  });

  it('accepts each platform\'s form of a successful commit', async () => {
    for (const okStyle of ['commit-results', 'bare-ok', 'output'] as const) {
      const { device, session } = await junos({ okStyle });
      expect((await commitFlow(session, { config: CHANGE, format: 'set' })).committed).toBe(true);
      expect(device.commits).toBe(1);
    }
  });
});
