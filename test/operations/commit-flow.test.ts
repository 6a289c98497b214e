import { describe, expect, it } from 'vitest';
import { FakeDevice, type FakeRule } from '../../src/device/index.js';
import { RpcError } from '../../src/errors/index.js';
import { commitFlow, lock } from '../../src/operations/index.js';
import { deviceHarness } from '../support/devices.js';
import { rejection as failure } from '../support/assertions.js';

const attach = deviceHarness();
const pair = async (rules: FakeRule[] = []) => attach(await FakeDevice.start({ rules }));

const ops = (device: FakeDevice) => device.requests.map((r) => r.operation);
const CONFIG = '<system xmlns="urn:example:system"><host-name>r1</host-name></system>';
const warning = (text: string) => `<rpc-error><error-type>application</error-type><error-severity>warning</error-severity><error-message>${text}</error-message></rpc-error><ok/>`;
const error = (tag: string, text: string) => `<rpc-error><error-type>application</error-type><error-tag>${tag}</error-tag><error-severity>error</error-severity><error-message>${text}</error-message></rpc-error>`;


describe('the safe commit flow (RFC dialect)', () => {
  it('locks, edits, validates, commits and unlocks', async () => {
    const { device, session } = await pair();
    const seen: string[] = [];
    const result = await commitFlow(session, { config: CONFIG, onStep: (e) => seen.push(`${e.step}:${e.status}`) });
    expect(result).toMatchObject({ committed: true, dryRun: false, confirmed: false, diff: null, warnings: [] });
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'unlock']);
    expect(device.requests[1]!.xml).toContain(CONFIG);
    expect(seen).toEqual(['lock:start', 'lock:done', 'load:start', 'load:done', 'check:start', 'check:done', 'commit:start', 'commit:done', 'unlock:start', 'unlock:done']);
  });

  it('goes on after warnings and reports every one', async () => {
    const { device, session } = await pair([
      { match: 'edit-config', reply: warning('statement not found') },
      { match: 'validate', reply: warning('deprecated leaf') },
    ]);
    const result = await commitFlow(session, { config: CONFIG });
    expect(result.committed).toBe(true);
    expect(result.warnings.map((w) => w.deviceMessage)).toEqual(['statement not found', 'deprecated leaf']);
    expect(ops(device)).toContain('commit');
  });

  it.each([
    ['load', 'edit-config', ['lock', 'edit-config', 'discard-changes', 'unlock']],
    ['check', 'validate', ['lock', 'edit-config', 'validate', 'discard-changes', 'unlock']],
    ['commit', 'commit', ['lock', 'edit-config', 'validate', 'commit', 'discard-changes', 'unlock']],
  ])('stops at an error in %s, discards, unlocks, and says which step failed', async (step, operation, expected) => {
    const { device, session } = await pair([
      { match: 'lock', reply: warning('lock taken over from idle session') },
      { match: operation, reply: error('invalid-value', `${operation} refused`) },
    ]);
    const err = (await failure(commitFlow(session, { config: CONFIG }))) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.step).toBe(step);
    expect(err.code).toBe('INVALID_VALUE');
    // Every error and warning seen, in order: the earlier warning is kept.
    expect(err.items.map((i) => [i.level, i.deviceMessage])).toEqual([['warning', 'lock taken over from idle session'], ['error', `${operation} refused`]]);
    expect(ops(device)).toEqual(expected);
  });

  it('a connection lost during commit is COMMIT_OUTCOME_UNKNOWN, and no lock is left behind', async () => {
    const { device, session, another } = await pair([{ match: 'commit', reply: { dropAfterBytes: 10 } }]);
    const err = await failure(commitFlow(session, { config: CONFIG }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(err.retryable).toBe(false);
    // The device released the dead session's lock: a new session gets it.
    expect((await lock(await another())).ok).toBe(true);
  });

  it('a connection lost before any write is sent stays retryable', async () => {
    const { session } = await pair([{ match: 'lock', reply: { dropAfterBytes: 5 } }]);
    const err = await failure(commitFlow(session, { config: CONFIG }));
    expect([err.code, err.retryable]).toEqual(['CONNECTION_LOST', true]);
  });

  it('confirmed commit: confirms after a good health check', async () => {
    const { device, session } = await pair();
    const result = await commitFlow(session, { config: CONFIG, confirmed: { timeoutSeconds: 90, healthCheck: async () => true } });
    expect(result).toMatchObject({ committed: true, confirmed: true });
    const commits = device.requests.filter((r) => r.operation === 'commit').map((r) => r.xml.replace(/^.*?<commit/, '<commit').replace(/<\/rpc>$/, ''));
    expect(commits).toEqual(['<commit><confirmed/><confirm-timeout>90</confirm-timeout></commit>', '<commit/>']);
  });

  it('confirmed commit: a failing health check leaves it unconfirmed and cancels it', async () => {
    const { device, session } = await pair();
    const err = await failure(commitFlow(session, { config: CONFIG, confirmed: { timeoutSeconds: 60, healthCheck: () => false } }));
    expect(err.code).toBe('HEALTH_CHECK_FAILED');
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'cancel-commit', 'unlock']);
    expect(device.requests.filter((r) => r.operation === 'commit')).toHaveLength(1);
  });

  it('dry run stops after the check, commits nothing and leaves the candidate clean', async () => {
    const { device, session } = await pair();
    const result = await commitFlow(session, { config: CONFIG, dryRun: true });
    expect(result).toMatchObject({ committed: false, dryRun: true });
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'discard-changes', 'unlock']);
  });
});
