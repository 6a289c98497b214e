import { describe, expect, it } from 'vitest';
import { FakeDevice, type FakeRule, startJunosDevice } from '../../src/device/index.js';
import { CommitNotAppliedError, CommitOutcomeUnknownError, NetconfError } from '../../src/errors/index.js';
import { commitCandidate, commitConfiguration, commitFlow, getCommitHistory, loadConfiguration, resolveCommitOutcome } from '../../src/operations/index.js';
import { commitLog, parseCommitLog } from '../../src/operations/commit-id.js';
import { connect } from '../../src/session/connect.js';
import { deviceHarness } from '../support/devices.js';
import { rejection as failure } from '../support/assertions.js';

const attach = deviceHarness();
const CONFIG = '<system xmlns="urn:example:system"><host-name>r1</host-name></system>';
const CHANGE = 'set system host-name r9';
const BASE = 'urn:ietf:params:netconf:base:1.1';
const CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';
const CONFIRMED_11 = 'urn:ietf:params:netconf:capability:confirmed-commit:1.1';

async function junosDevice(rules: FakeRule[] = []) {
  return attach(await startJunosDevice({}, { rules }));
}

const reconnectTo = (device: { host: string; port: number; hostKeyFingerprint: string }) => () =>
  connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });

describe('commit ids in Junos logs', () => {
  it('are written after the comment and read back exactly', () => {
    expect(commitLog('nck-1', 'commit', 'change 42')).toBe('change 42 [nck-1]');
    expect(commitLog('nck-1', 'confirm')).toBe('[nck-1 confirm]');
    expect(parseCommitLog('change 42 [nck-1]')).toEqual({ id: 'nck-1', kind: 'commit' });
    expect(parseCommitLog('[nck-1 revert]')).toEqual({ id: 'nck-1', kind: 'revert' });
    expect(parseCommitLog(' [nck-1 confirmed] ')).toEqual({ id: 'nck-1', kind: 'confirmed' });
    for (const other of ['change 42', '[nck-1 frob]', '[nck 1 2]', '[]', 'x [a b c]', null]) expect(parseCommitLog(other)).toBeNull();
  });

  it('a caller id that could not be found again is refused before anything is sent', async () => {
    const { device, session } = await attach(await startJunosDevice());
    for (const commitId of ['', 'has space', 'a]b', 'x'.repeat(65)]) {
      const err = await failure(commitConfiguration(session, { commitId }));
      expect(err.code).toBe('INVALID_ARGUMENT');
    }
    expect((await failure(commitConfiguration(session, { check: true, commitId: 'c' }))).code).toBe('INVALID_ARGUMENT');
    expect(device.requests).toHaveLength(0);
  });
});

describe('resolveCommitOutcome on Junos: the commit history', () => {
  it('reads <get-commit-information/> into entries, the pending confirmed commit marked', async () => {
    const { session } = await junosDevice();
    await commitConfiguration(session, { comment: 'first', commitId: 'c-1' });
    await commitConfiguration(session, { commitId: 'c-2', confirmed: { timeoutSeconds: 60 } });
    const { entries } = await getCommitHistory(session);
    expect(entries.slice(0, 2).map((e) => [e.sequence, e.log, e.commitId, e.kind, e.comment, e.commitConfirmed, e.user, e.client])).toEqual([
      [0, '[c-2 confirmed]', 'c-2', 'confirmed', 'commit confirmed, rollback in 1mins', 'rollback pending', 'netconf', 'netconf'],
      [1, 'first [c-1]', 'c-1', 'commit', null, null, 'netconf', 'netconf'],
    ]);
    expect(entries[0]!.seconds).toBeGreaterThan(1_600_000_000);
  });

  it('a commit cut off after it was applied is committed; one cut off before is not', async () => {
    const { device, session, another } = await junosDevice();
    await loadConfiguration(session, CHANGE, { format: 'set' });
    device.faultNextCommit('drop-after-apply');
    const after = (await failure(commitConfiguration(session, { commitId: 'cut-after' }))) as CommitOutcomeUnknownError;
    expect([after.code, after.commitId]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'cut-after']);

    const s2 = await another();
    const committed = await resolveCommitOutcome(s2, after);
    expect(committed).toMatchObject({ outcome: 'committed', commitId: 'cut-after', evidence: { dialect: 'junos', entry: { log: '[cut-after]', sequence: 0 } } });
    // Revived from JSON (a job queue's copy) it resolves the same.
    expect((await resolveCommitOutcome(s2, NetconfError.fromJSON(JSON.parse(JSON.stringify(after))) as CommitOutcomeUnknownError)).outcome).toBe('committed');

    await loadConfiguration(s2, 'set system location building-2', { format: 'set' });
    device.faultNextCommit('drop-before-apply');
    const before = (await failure(commitConfiguration(s2, { commitId: 'cut-before' }))) as CommitOutcomeUnknownError;
    expect(before.commitId).toBe('cut-before');
    expect(await resolveCommitOutcome(await another(), 'cut-before')).toMatchObject({ outcome: 'not-committed', evidence: { entry: null, entries: [] } });
    expect(device.comments).toEqual(['[cut-after]']);
  });

  it('a confirmed commit still pending under the id is confirmed by resolving it', async () => {
    const { device, session, another } = await junosDevice();
    await commitConfiguration(session, { commitId: 'pend-1', confirmed: { timeoutSeconds: 60 } });
    expect(device.pendingConfirm).not.toBeNull();
    const outcome = await resolveCommitOutcome(await another(), 'pend-1');
    expect(outcome.outcome).toBe('committed');
    expect(device.pendingConfirm).toBeNull();
    expect(device.comments).toEqual(['[pend-1 confirmed]', '[pend-1 confirm]']);
  });

  it('an error that names no commit, and a history full past the id, are not guessed at', async () => {
    const { session } = await junosDevice([{
      match: 'get-commit-information',
      reply: `<commit-information>${Array.from({ length: 50 }, (_, i) => `<commit-history><sequence-number>${i}</sequence-number><log>[other-${i}]</log></commit-history>`).join('')}</commit-information>`,
    }]);
    const unknown = (await failure(resolveCommitOutcome(session, 'old-one'))) as CommitOutcomeUnknownError;
    expect([unknown.code, unknown.commitId]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'old-one']);
    expect(unknown.message).toMatch(/history is full/);
    expect((await failure(resolveCommitOutcome(session, new CommitOutcomeUnknownError('cut')))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('resolveCommitOutcome on RFC devices: the persist token', () => {
  it('a commit pending under the id is confirmed (committed); none pending is not-committed', async () => {
    const { device, session, another } = await attach(await FakeDevice.start());
    await commitCandidate(session, { commitId: 'p-1', confirmed: { timeoutSeconds: 600 } });
    const committed = await resolveCommitOutcome(await another(), 'p-1');
    expect(committed).toMatchObject({ outcome: 'committed', commitId: 'p-1', evidence: { dialect: 'rfc', error: null } });
    expect(device.pendingCommit).toBeNull();
    expect(device.commitLog.map((c) => [c.status, c.confirms])).toEqual([['committed', null], ['committed', 1]]);
    const not = await resolveCommitOutcome(session, 'p-2');
    expect(not).toMatchObject({ outcome: 'not-committed', evidence: { dialect: 'rfc', reply: null } });
    expect(not.evidence.dialect === 'rfc' && not.evidence.error?.code).toBe('INVALID_VALUE');
  });

  it('once the confirmation may have landed, nothing pending settles nothing', async () => {
    const { session } = await attach(await FakeDevice.start());
    const cut = new CommitOutcomeUnknownError('cut off', { commitId: 'p-3', step: 'confirm' });
    const err = (await failure(resolveCommitOutcome(session, cut))) as CommitOutcomeUnknownError;
    expect([err.code, err.commitId]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'p-3']);
    expect(err.message).toMatch(/confirmation, already sent, may have landed/);
  });

  it('without :confirmed-commit:1.1 the device keeps no id: COMMIT_OUTCOME_UNKNOWN, nothing sent', async () => {
    const { device, session } = await attach(await FakeDevice.start({ capabilities: [BASE, CANDIDATE] }));
    const err = await failure(resolveCommitOutcome(session, 'p-4'));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(device.requests).toHaveLength(0);
  });
});

describe('commitFlow with reconnect resolves a commit cut off with its connection', () => {
  it.each(['drop-after-apply', 'drop-before-apply'] as const)('RFC, %s', async (fault) => {
    const { device, session } = await attach(await FakeDevice.start({ capabilities: [BASE, CANDIDATE, CONFIRMED_11] }));
    device.faultNextCommit(fault);
    const flow = commitFlow(session, { config: CONFIG, commitId: `rfc-${fault}`, reconnect: reconnectTo(device) });
    if (fault === 'drop-after-apply') {
      expect(await flow).toMatchObject({ committed: true, recovered: true, commitId: `rfc-${fault}` });
      // The commit, and the confirmation of it by its persist token from the new session.
      expect(device.commitLog.map((c) => [c.status, c.confirmed?.persist ?? null, c.confirms])).toEqual([['committed', `rfc-${fault}`, null], ['committed', null, 1]]);
    } else {
      const err = (await failure(flow)) as CommitNotAppliedError;
      expect(err).toBeInstanceOf(CommitNotAppliedError);
      expect([err.code, err.retryable, err.step, err.commitId]).toEqual(['COMMIT_NOT_APPLIED', true, 'commit', `rfc-${fault}`]);
      expect(device.commitLog).toEqual([]);
    }
    expect(device.pendingCommit).toBeNull();
    expect(device.lockHolder('candidate')).toBeNull();
  });

  it.each(['drop-after-apply', 'drop-before-apply'] as const)('Junos, %s', async (fault) => {
    const { device, session } = await junosDevice();
    device.faultNextCommit(fault);
    const flow = commitFlow(session, { config: CHANGE, format: 'set', commitId: `junos-${fault}`, reconnect: reconnectTo(device) });
    if (fault === 'drop-after-apply') {
      expect(await flow).toMatchObject({ committed: true, recovered: true });
      expect(device.comments).toEqual([`[junos-${fault}]`]);
      expect(device.commitLog.map((c) => [c.comment, c.status])).toEqual([[`[junos-${fault}]`, 'committed']]);
      expect(device.configuration).toContain('<host-name>r9</host-name>');
    } else {
      expect((await failure(flow)).code).toBe('COMMIT_NOT_APPLIED');
      expect(device.commitLog).toEqual([]);
      expect(device.configuration).not.toContain('<host-name>r9</host-name>');
    }
    expect(device.lockHolder('candidate')).toBeNull();
  });

  it('a confirmed flow with a health check cut off after the commit: recovered, checked, then confirmed', async () => {
    const { device, session } = await attach(await FakeDevice.start());
    device.faultNextCommit('drop-after-apply');
    let checked = 0;
    const result = await commitFlow(session, {
      config: CONFIG, commitId: 'hc-recover', reconnect: reconnectTo(device), confirmed: { timeoutSeconds: 120, healthCheck: () => { checked++; return true; } },
    });
    expect(result).toMatchObject({ committed: true, confirmed: true, recovered: true });
    expect(result.steps).toEqual(['lock', 'load', 'check', 'commit', 'health-check', 'confirm', 'unlock']);
    expect(checked).toBe(1);
    // Kept pending while the check ran (a follow-up confirmed commit), then confirmed.
    expect(device.commitLog.map((c) => c.status)).toEqual(['committed', 'committed', 'committed']);
    expect(device.pendingCommit).toBeNull();
  });

  it('without reconnect the cut stands: COMMIT_OUTCOME_UNKNOWN naming the commit', async () => {
    const { device, session } = await attach(await FakeDevice.start());
    device.faultNextCommit('drop-after-apply');
    const err = (await failure(commitFlow(session, { config: CONFIG, commitId: 'no-reconnect' }))) as CommitOutcomeUnknownError;
    expect([err.code, err.step, err.commitId]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'commit', 'no-reconnect']);
  });

  it('a reconnect that keeps failing leaves it COMMIT_OUTCOME_UNKNOWN after three tries', async () => {
    const { device, session } = await attach(await FakeDevice.start());
    device.faultNextCommit('drop-after-apply');
    let tries = 0;
    const err = await failure(commitFlow(session, { config: CONFIG, reconnect: () => { tries++; return Promise.reject(new Error('down')); } }));
    expect([err.code, tries]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 3]);
  });
});

describe('a confirmed commit pending when the flow starts', () => {
  it('Junos: refused by default, nothing loaded; cancel rolls it back first, and the flow commits only its own change', async () => {
    const { device, session } = await junosDevice();
    await loadConfiguration(session, 'set system location bad', { format: 'set' });
    await commitConfiguration(session, { commitId: 'left-pending', confirmed: { timeoutSeconds: 600 } });
    const err = await failure(commitFlow(session, { config: CHANGE, format: 'set' }));
    expect([err.code, err.step]).toEqual(['CONFIRMED_COMMIT_PENDING', 'lock']);
    expect(err.message).toMatch(/commit confirmed, rollback in 10mins/);
    expect(device.lockHolder('candidate')).toBeNull();
    expect(device.requests.at(-1)!.operation).toBe('unlock');

    const result = await commitFlow(session, { config: CHANGE, format: 'set', pendingConfirmed: 'cancel' });
    expect(result.committed).toBe(true);
    expect(device.loads.map((l) => l.rollback)).toEqual([null, 1, null]);
    expect(device.comments).toEqual(['[left-pending confirmed]', '[left-pending revert]', `[${result.commitId}]`]);
    expect(device.pendingConfirm).toBeNull();
    expect(device.commitLog.map((c) => c.status)).toEqual(['committed', 'committed', 'committed']);
    expect(device.configuration).not.toContain('<location>');
    expect(device.configuration).toContain('<host-name>r9</host-name>');
  });

  it('RFC: an invalid policy fails before any step', async () => {
    const { device, session } = await attach(await FakeDevice.start());
    const err = await failure(commitFlow(session, { config: CONFIG, pendingConfirmed: 'ignore' as 'refuse' }));
    expect([err.code, err.step]).toEqual(['INVALID_ARGUMENT', null]);
    expect(device.requests).toHaveLength(0);
  });
});
