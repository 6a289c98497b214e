import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { FakeDevice, type FakeRule, startJunosDevice } from '../../src/device/index.js';
import { HealthCheckFailedError, NetconfError, RpcError } from '../../src/errors/index.js';
import { type ConfirmedCommit, commitCandidate, commitConfiguration, commitFlow, lockDatastore } from '../../src/operations/index.js';
import { deviceHarness } from '../support/devices.js';
import { rejection as failure } from '../support/assertions.js';

const attach = deviceHarness();
const pair = async (rules: FakeRule[] = []) => attach(await FakeDevice.start({ rules }));

const ops = (device: FakeDevice) => device.requests.map((r) => r.operation);
const commitBodies = (device: FakeDevice) =>
  device.requests.filter((r) => r.operation === 'commit').map((r) => r.xml.replace(/^.*?<commit/, '<commit').replace(/<\/rpc>$/, ''));
const BASE = 'urn:ietf:params:netconf:base:1.1';
const CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';
const CONFIG = '<system xmlns="urn:example:system"><host-name>r1</host-name></system>';
const warning = (text: string) => `<rpc-error><error-type>application</error-type><error-severity>warning</error-severity><error-message>${text}</error-message></rpc-error><ok/>`;
const error = (tag: string, text: string) => `<rpc-error><error-type>application</error-type><error-tag>${tag}</error-tag><error-severity>error</error-severity><error-message>${text}</error-message></rpc-error>`;


describe('the safe commit flow (RFC dialect)', () => {
  it('locks, edits, validates, commits with its id as the persist token, confirms it and unlocks', async () => {
    const { device, session } = await pair();
    const seen: string[] = [];
    const result = await commitFlow(session, { config: CONFIG, onStep: (e) => seen.push(`${e.step}:${e.status}`) });
    expect(result).toMatchObject({ committed: true, dryRun: false, confirmed: false, diff: null, warnings: [], recovered: false, confirmTimeoutSeconds: null });
    expect(result.commitId).toMatch(/^nck-[0-9a-f]{16}$/);
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'commit', 'unlock']);
    expect(device.requests[1]!.xml).toContain(CONFIG);
    expect(commitBodies(device)).toEqual([
      `<commit><confirmed/><confirm-timeout>600</confirm-timeout><persist>${result.commitId}</persist></commit>`,
      `<commit><persist-id>${result.commitId}</persist-id></commit>`,
    ]);
    expect(seen).toEqual([
      'lock:start', 'lock:done', 'load:start', 'load:done', 'check:start', 'check:done', 'commit:start', 'commit:done', 'confirm:start', 'confirm:done',
      'unlock:start', 'unlock:done',
    ]);
  });

  it('without :confirmed-commit:1.1 the commit is a plain one: the id is reported, the device keeps none', async () => {
    const { device, session } = await attach(await FakeDevice.start({ capabilities: [BASE, CANDIDATE] }));
    const result = await commitFlow(session, { config: CONFIG, commitId: 'change-7' });
    expect(result).toMatchObject({ committed: true, commitId: 'change-7' });
    expect(ops(device)).toEqual(['lock', 'edit-config', 'commit', 'unlock']);
    expect(commitBodies(device)).toEqual(['<commit/>']);
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

  it.each<[string, FakeRule['match'], string[]]>([
    ['load', 'edit-config', ['lock', 'edit-config', 'discard-changes', 'unlock']],
    ['check', 'validate', ['lock', 'edit-config', 'validate', 'discard-changes', 'unlock']],
    ['commit', 'commit', ['lock', 'edit-config', 'validate', 'commit', 'discard-changes', 'unlock']],
    // A refused confirmation leaves the commit pending: it is cancelled at once.
    ['confirm', (r) => r.xml.includes('<persist-id>'), ['lock', 'edit-config', 'validate', 'commit', 'commit', 'cancel-commit', 'unlock']],
  ])('stops at an error in %s, puts the candidate back, unlocks, and says which step failed', async (step, match, expected) => {
    const { device, session } = await pair([
      { match: 'lock', reply: warning('lock taken over from idle session') },
      { match, reply: error('invalid-value', `${step} refused`) },
    ]);
    const err = (await failure(commitFlow(session, { config: CONFIG }))) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.step).toBe(step);
    expect(err.code).toBe('INVALID_VALUE');
    // Every error and warning seen, in order: the earlier warning is kept.
    expect(err.items.map((i) => [i.level, i.deviceMessage])).toEqual([['warning', 'lock taken over from idle session'], ['error', `${step} refused`]]);
    expect(ops(device)).toEqual(expected);
  });

  it('a connection lost during commit is COMMIT_OUTCOME_UNKNOWN, and no lock is left behind', async () => {
    const { device, session, another } = await pair([{ match: 'commit', reply: { dropAfterBytes: 10 } }]);
    const err = await failure(commitFlow(session, { config: CONFIG }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(err.retryable).toBe(false);
    // The device released the dead session's lock: a new session gets it.
    expect((await lockDatastore(await another(), 'candidate')).hasOk).toBe(true);
  });

  it('a connection lost before any write is sent stays retryable', async () => {
    const { session } = await pair([{ match: 'lock', reply: { dropAfterBytes: 5 } }]);
    const err = await failure(commitFlow(session, { config: CONFIG }));
    expect([err.code, err.retryable]).toEqual(['CONNECTION_LOST', true]);
  });

  it('confirmed commit: confirms after a good health check', async () => {
    const { device, session } = await pair();
    const result = await commitFlow(session, { config: CONFIG, commitId: 'c-1', confirmed: { timeoutSeconds: 90, healthCheck: async () => true } });
    expect(result).toMatchObject({ committed: true, confirmed: true, commitId: 'c-1', confirmTimeoutSeconds: 90 });
    expect(commitBodies(device)).toEqual(['<commit><confirmed/><confirm-timeout>90</confirm-timeout><persist>c-1</persist></commit>', '<commit><persist-id>c-1</persist-id></commit>']);
  });

  it('confirmed commit: a failing health check cancels it at once, by its persist token, and says so', async () => {
    const { device, session } = await pair();
    const err = (await failure(commitFlow(session, { config: CONFIG, commitId: 'c-2', confirmed: { timeoutSeconds: 60, healthCheck: () => false } }))) as HealthCheckFailedError;
    expect(err).toBeInstanceOf(HealthCheckFailedError);
    expect([err.code, err.step, err.reverted, err.commitId]).toEqual(['HEALTH_CHECK_FAILED', 'health-check', true, 'c-2']);
    expect(err.message).toMatch(/cancelled \(cancel-commit\)/);
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'cancel-commit', 'unlock']);
    expect(device.requests.find((r) => r.operation === 'cancel-commit')!.xml).toContain('<persist-id>c-2</persist-id>');
    expect(device.requests.filter((r) => r.operation === 'commit')).toHaveLength(1);
    expect(NetconfError.fromJSON(JSON.parse(JSON.stringify(err)))).toMatchObject({ code: 'HEALTH_CHECK_FAILED', reverted: true, commitId: 'c-2', step: 'health-check' });
  });

  it('confirmed commit: a revert the device refuses is reported as not reverted', async () => {
    const { session } = await pair([{ match: 'cancel-commit', reply: error('operation-failed', 'no') }]);
    const err = (await failure(commitFlow(session, { config: CONFIG, confirmed: { timeoutSeconds: 60, healthCheck: () => false } }))) as HealthCheckFailedError;
    expect([err.code, err.reverted]).toEqual(['HEALTH_CHECK_FAILED', false]);
    expect(err.message).toMatch(/rolls it back at its confirm timeout/);
  });

  it('confirmed commit: a health check that never answers is bounded by the confirm timeout', async () => {
    const { device, session } = await pair();
    const err = (await failure(commitFlow(session, { config: CONFIG, confirmed: { timeoutSeconds: 2, healthCheck: () => new Promise<boolean>(() => undefined) } }))) as HealthCheckFailedError;
    expect([err.code, err.step, err.reverted]).toEqual(['HEALTH_CHECK_FAILED', 'health-check', true]);
    expect(err.message).toMatch(/did not finish within the confirm timeout/);
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'cancel-commit', 'unlock']);
  });

  it('dry run stops after the check, commits nothing and leaves the candidate clean', async () => {
    const { device, session } = await pair();
    const result = await commitFlow(session, { config: CONFIG, dryRun: true });
    expect(result).toMatchObject({ committed: false, dryRun: true });
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'discard-changes', 'unlock']);
  });
});


describe('confirmed commits are spelled one way: { timeoutSeconds, persist? }', () => {
  it('the same value works for commitCandidate, commitConfiguration and commitFlow; Junos rounds up and says so', async () => {
    const confirmed: ConfirmedCommit = { timeoutSeconds: 90 };
    const rfc = await pair();
    await commitCandidate(rfc.session, { confirmed });
    const flow = await commitFlow(rfc.session, { config: CONFIG, confirmed });
    expect(flow.confirmTimeoutSeconds).toBe(90);
    expect(commitBodies(rfc.device)).toEqual([
      '<commit><confirmed/><confirm-timeout>90</confirm-timeout></commit>',
      `<commit><confirmed/><confirm-timeout>90</confirm-timeout><persist>${flow.commitId}</persist></commit>`, `<commit><persist-id>${flow.commitId}</persist-id></commit>`,
    ]);

    const junos = await attach(await startJunosDevice());
    const result = await commitConfiguration(junos.session, { confirmed });
    expect(junos.device.requests.at(-1)!.xml).toContain('<confirmed/><confirm-timeout>2</confirm-timeout>');
    expect(result.confirmTimeoutSeconds).toBe(120);
    // The confirmed commit just made is still pending: the flow confirms it first when told to.
    const junosFlow = await commitFlow(junos.session, { config: 'set system host-name r9', format: 'set', confirmed, pendingConfirmed: 'confirm' });
    expect(junosFlow).toMatchObject({ committed: true, confirmed: true, confirmTimeoutSeconds: 120 });
    expect((await commitConfiguration(junos.session)).confirmTimeoutSeconds).toBeNull();
  });

  it('persist: the flow commits with the token and confirms with it; Junos refuses it before sending anything', async () => {
    const { device, session } = await pair();
    const result = await commitFlow(session, { config: CONFIG, confirmed: { timeoutSeconds: 60, persist: 'tok-9' } });
    expect(result.commitId).toBe('tok-9');
    expect(commitBodies(device)).toEqual(['<commit><confirmed/><confirm-timeout>60</confirm-timeout><persist>tok-9</persist></commit>', '<commit><persist-id>tok-9</persist-id></commit>']);

    const junos = await attach(await startJunosDevice());
    for (const call of [
      commitConfiguration(junos.session, { confirmed: { timeoutSeconds: 60, persist: 'x' } }),
      commitFlow(junos.session, { config: 'set system host-name r9', format: 'set', confirmed: { timeoutSeconds: 60, persist: 'x' } }),
    ]) {
      const err = await failure(call);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.step).toBeNull();
    }
    expect(junos.device.requests).toHaveLength(0);
  });
});

describe('every error the commit flow throws says its step', () => {
  it.each<[string, FakeRule[], Partial<Parameters<typeof commitFlow>[1]>, string, string]>([
    ['a device error', [{ match: 'validate', reply: error('invalid-value', 'no') }], {}, 'INVALID_VALUE', 'check'],
    ['a write cut off', [{ match: 'commit', reply: { dropAfterBytes: 10 } }], {}, 'COMMIT_OUTCOME_UNKNOWN', 'commit'],
    ['a failed health check', [], { confirmed: { timeoutSeconds: 60, healthCheck: () => false } }, 'HEALTH_CHECK_FAILED', 'health-check'],
    ['a health check that throws', [], { confirmed: { timeoutSeconds: 60, healthCheck: () => { throw new Error('probe down'); } } }, 'HEALTH_CHECK_FAILED', 'health-check'],
    ['a lost connection', [{ match: 'lock', reply: { dropAfterBytes: 5 } }], {}, 'CONNECTION_LOST', 'lock'],
    ['a timeout', [{ match: 'edit-config', reply: { stall: true } }], { timeoutMs: 200 }, 'COMMIT_OUTCOME_UNKNOWN', 'load'],
  ])('%s', async (_what, rules, options, code, step) => {
    const { session } = await pair(rules);
    const err = await failure(commitFlow(session, { config: CONFIG, ...options }));
    expect(err).toBeInstanceOf(NetconfError);
    expect([err.code, err.step]).toEqual([code, step]);
    expect(err.toJSON().step).toBe(step);
  });
});

describe('commitFlow takes a signal', () => {
  it('aborted before it starts: ABORTED at "lock", nothing sent', async () => {
    const { device, session } = await pair();
    const err = await failure(commitFlow(session, { config: CONFIG, signal: AbortSignal.abort('stop') }));
    expect([err.code, err.step, err.cause]).toEqual(['ABORTED', 'lock', 'stop']);
    expect(device.requests).toHaveLength(0);
  });

  it('aborted during a step: the call in flight is cut off (the write may have happened), then the candidate is discarded and unlocked', async () => {
    const { device, session, another } = await pair([{ match: 'edit-config', reply: { stall: true } }]);
    const abort = new AbortController();
    const flow = commitFlow(session, { config: CONFIG, signal: abort.signal, onStep: (e) => e.step === 'load' && e.status === 'start' && setTimeout(() => abort.abort(), 50) });
    const err = await failure(flow);
    expect([err.code, err.step]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'load']);
    expect((err.cause as NetconfError).code).toBe('ABORTED');
    expect(ops(device)).toEqual(['lock', 'edit-config', 'discard-changes', 'unlock']);
    expect((await lockDatastore(await another(), 'candidate')).hasOk).toBe(true);
  });

  it('aborted during the health check: ABORTED at "health-check", the commit is cancelled and the lock released', async () => {
    const { device, session } = await pair();
    const abort = new AbortController();
    const flow = commitFlow(session, { config: CONFIG, signal: abort.signal, confirmed: { timeoutSeconds: 60, healthCheck: () => { setTimeout(() => abort.abort(), 20); return new Promise<boolean>(() => undefined); } } });
    const err = await failure(flow);
    expect([err.code, err.step]).toEqual(['ABORTED', 'health-check']);
    expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'cancel-commit', 'unlock']);
  });
});

describe('the commit flow keeps the caller\'s onStep at arm\'s length', () => {
  it('an onStep that throws, or rejects, changes nothing: every step runs, the flow commits, each failure is reported', async () => {
    const { device, session } = await pair();
    const reported: string[] = [];
    const onReport = (m: unknown) => reported.push(`${(m as { source: string }).source}: ${((m as { error: Error }).error).message}`);
    subscribe('netconfkit:callbackError', onReport);
    try {
      const result = await commitFlow(session, {
        config: CONFIG,
        onStep: (e) => {
          if (e.step === 'lock') throw new Error(`progress broke at ${e.step}:${e.status}`);
          if (e.step === 'commit' && e.status === 'done') return Promise.reject(new Error('async progress broke'));
          return undefined;
        },
      });
      expect(result).toMatchObject({ committed: true, steps: ['lock', 'load', 'check', 'commit', 'confirm', 'unlock'] });
      expect(ops(device)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'commit', 'unlock']);
      await vi.waitFor(() => expect(reported).toEqual(['onStep: progress broke at lock:start', 'onStep: progress broke at lock:done', 'onStep: async progress broke']));
    } finally {
      unsubscribe('netconfkit:callbackError', onReport);
    }
  });
});
