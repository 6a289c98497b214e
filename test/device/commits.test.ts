import { afterEach, describe, expect, it } from 'vitest';
import { FakeDevice, type JunosDevice, startJunosDevice } from '../../src/device/index.js';
import type { FakeDeviceOptions } from '../../src/device/types.js';
import type { RpcError } from '../../src/errors/device-error.js';
import { commitConfiguration, loadConfiguration } from '../../src/operations/junos.js';
import { cancelCommit, commitCandidate, validateConfig } from '../../src/operations/rfc6241.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { failure } from '../support/failure.js';

interface Reachable {
  host: string;
  port: number;
  hostKeyFingerprint: string;
  close(): Promise<void>;
}

const devices: Reachable[] = [];
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function rfcDevice(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const device = await FakeDevice.start(options);
  devices.push(device);
  return device;
}

async function junosDevice(options: FakeDeviceOptions = {}): Promise<JunosDevice> {
  const device = await startJunosDevice({}, options);
  devices.push(device);
  return device;
}

async function open(device: Reachable, username = 'netconf'): Promise<Session> {
  const session = await connect({ host: device.host, port: device.port, username, password: 'netconf', hostKey: device.hostKeyFingerprint });
  sessions.push(session);
  return session;
}


describe('FakeDevice: the commit log and confirmed commits (RFC 6241 section 8.4)', () => {
  it('logs every commit with its session, user, time and confirmed details', async () => {
    const device = await rfcDevice({ users: [{ username: 'ops', password: 'netconf' }] });
    const session = await open(device, 'ops');
    const before = Date.now();
    await commitCandidate(session);
    await commitCandidate(session, { confirmed: { timeoutSeconds: 60, persist: 'change-1' } });
    expect(device.commitLog).toHaveLength(2);
    const [plain, confirmed] = device.commitLog;
    expect(plain).toMatchObject({ number: 1, sessionId: session.sessionId, user: 'ops', comment: null, confirmed: null, status: 'committed', confirms: null });
    expect(plain!.time.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(confirmed).toMatchObject({ number: 2, confirmed: { timeoutSeconds: 60, persist: 'change-1' }, status: 'pending' });
    expect(device.pendingCommit).toBe(confirmed);
  });

  it('keeps a confirmed commit with persist across sessions: a new session confirms it with its persist-id', async () => {
    const device = await rfcDevice();
    const first = await open(device);
    await commitCandidate(first, { confirmed: { timeoutSeconds: 600, persist: 'abc' } });
    first.destroy();
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(0);
    expect(device.pendingCommit?.status).toBe('pending');

    const second = await open(device);
    await commitCandidate(second, { persistId: 'abc' });
    expect(device.pendingCommit).toBeNull();
    expect(device.commitLog.map((c) => [c.status, c.confirms])).toEqual([['committed', null], ['committed', 1]]);
  });

  it('a new session cancels it with its persist-id; a wrong persist-id is invalid-value and changes nothing', async () => {
    const device = await rfcDevice();
    const first = await open(device);
    await commitCandidate(first, { confirmed: { timeoutSeconds: 600, persist: 'abc' } });
    const second = await open(device);
    const wrong = await failure<RpcError>(commitCandidate(second, { persistId: 'xyz' }));
    expect(wrong.items[0]!.tag).toBe('invalid-value');
    expect((await failure<RpcError>(cancelCommit(second, { persistId: 'xyz' }))).items[0]!.tag).toBe('invalid-value');
    // Without its persist-id, nobody (not even its own session) confirms or cancels it.
    expect((await failure<RpcError>(commitCandidate(first))).items[0]!.tag).toBe('operation-failed');
    expect(device.pendingCommit?.number).toBe(1);

    await cancelCommit(second, { persistId: 'abc' });
    expect(device.pendingCommit).toBeNull();
    expect(device.commitLog.map((c) => c.status)).toEqual(['reverted']);
    expect((await failure<RpcError>(cancelCommit(second, { persistId: 'abc' }))).items[0]!.tag).toBe('invalid-value');
    expect((await failure<RpcError>(cancelCommit(second))).items[0]!.tag).toBe('operation-failed');
  });

  it('without persist, only its own session confirms it, and it is reverted when that session ends', async () => {
    const device = await rfcDevice();
    const first = await open(device);
    const second = await open(device);
    await commitCandidate(first, { confirmed: { timeoutSeconds: 600 } });
    expect((await failure<RpcError>(commitCandidate(second))).items[0]!.tag).toBe('operation-failed');
    expect((await failure<RpcError>(cancelCommit(second))).items[0]!.tag).toBe('operation-failed');
    first.destroy();
    await expect.poll(() => device.pendingCommit, { timeout: 3000 }).toBeNull();
    expect(device.commitLog.map((c) => c.status)).toEqual(['reverted']);
    await commitCandidate(second);
    expect(device.commitLog.map((c) => [c.status, c.confirms])).toEqual([['reverted', null], ['committed', null]]);
  });

  it('a confirmed commit that times out is reverted', async () => {
    const device = await rfcDevice();
    const session = await open(device);
    await commitCandidate(session, { confirmed: { timeoutSeconds: 600, persist: 'p' } });
    expect(device.expireConfirmedCommit()).toBe(true);
    expect(device.commitLog.map((c) => c.status)).toEqual(['reverted']);
    expect(device.expireConfirmedCommit()).toBe(false);
    expect((await failure<RpcError>(commitCandidate(session, { persistId: 'p' }))).items[0]!.tag).toBe('invalid-value');
  });

  it('refuses persist without :confirmed-commit:1.1 and a confirmed commit without any :confirmed-commit', async () => {
    const caps = ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:capability:candidate:1.0'];
    const device = await rfcDevice({ capabilities: [...caps, 'urn:ietf:params:netconf:capability:confirmed-commit:1.0'] });
    const session = await open(device);
    const persist = await failure<RpcError>(session.rpc('<commit><confirmed/><persist>p</persist></commit>'));
    expect([persist.items[0]!.tag, persist.items[0]!.badElement]).toEqual(['unknown-element', 'persist']);
    expect((await failure<RpcError>(session.rpc('<cancel-commit/>'))).items[0]!.tag).toBe('operation-not-supported');
    const bare = await rfcDevice({ capabilities: caps });
    const err = await failure<RpcError>((await open(bare)).rpc('<commit><confirmed/></commit>'));
    expect([err.items[0]!.tag, err.items[0]!.badElement]).toEqual(['unknown-element', 'confirmed']);
    expect(device.commitLog).toEqual([]);
    expect(bare.commitLog).toEqual([]);
  });
});

describe('FakeDevice: commit faults', () => {
  it('drop-before-apply: the connection drops as the commit arrives, nothing is committed; one-shot', async () => {
    const device = await rfcDevice({ commitFault: 'drop-before-apply' });
    const session = await open(device);
    await validateConfig(session, 'candidate'); // not a commit: the fault waits
    const err = await failure(commitCandidate(session));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(session.closed).toBe(true);
    expect(device.commitLog).toEqual([]);
    expect(device.requests.at(-1)!.operation).toBe('commit');
    await commitCandidate(await open(device));
    expect(device.commitLog).toHaveLength(1);
  });

  it('drop-after-apply: the commit is applied, then the connection drops without a reply', async () => {
    const device = await rfcDevice();
    const session = await open(device);
    device.faultNextCommit('drop-after-apply');
    const err = await failure(commitCandidate(session, { confirmed: { timeoutSeconds: 600, persist: 'cut' } }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(session.closed).toBe(true);
    expect(device.commitLog.map((c) => [c.status, c.confirmed?.persist])).toEqual([['pending', 'cut']]);
    // The persisted confirmed commit outlived the cut: a new session confirms it.
    await commitCandidate(await open(device), { persistId: 'cut' });
    expect(device.commitLog.map((c) => c.status)).toEqual(['committed', 'committed']);
  });

  it('refuses an unknown fault', async () => {
    const device = await rfcDevice();
    expect(() => device.faultNextCommit('drop' as 'drop-after-apply')).toThrow(/kind must be one of/);
    await expect(FakeDevice.start({ commitFault: 'late' as 'drop-after-apply' })).rejects.toThrow(/commitFault must be one of/);
  });
});

describe('JunosDevice: commit faults and the commit history', () => {
  it('drop-before-apply aims at the commit, not at commit check: nothing committed, history unchanged', async () => {
    const device = await junosDevice({ commitFault: 'drop-before-apply' });
    const session = await open(device);
    await loadConfiguration(session, 'set system host-name lab1', { format: 'set' });
    expect((await commitConfiguration(session, { check: true })).success).toBe(true);
    const err = await failure(commitConfiguration(session, { comment: 'cut' }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(device.commitLog).toEqual([]);
    const history = await (await open(device)).rpc('<get-commit-information/>');
    expect(history.xml).not.toContain('<log>');
    expect((history.xml ?? '').match(/<commit-history>/g)).toHaveLength(1);
  });

  it('drop-after-apply: the commit is applied and in the history with its log; the client saw no reply', async () => {
    const device = await junosDevice();
    const session = await open(device);
    device.faultNextCommit('drop-after-apply');
    const err = await failure(commitConfiguration(session, { comment: 'change 7', commitId: 'c-7' }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(device.commitLog.map((c) => [c.comment, c.user, c.client, c.status])).toEqual([['change 7 [c-7]', 'netconf', 'netconf', 'committed']]);
    const history = (await (await open(device)).rpc('<get-commit-information/>')).xml ?? '';
    expect(history).toContain('<commit-history>\n<sequence-number>0</sequence-number>\n<user>netconf</user>\n<client>netconf</client>\n<date-time junos:seconds="');
    expect(history).toContain('</date-time>\n<log>change 7 [c-7]</log>\n</commit-history>');
  });

  it('answers get-commit-information newest first; a pending confirmed commit says so until it is confirmed', async () => {
    const device = await junosDevice();
    const session = await open(device);
    await commitConfiguration(session, { comment: 'first', commitId: 'c-1' });
    await commitConfiguration(session, { comment: 'try it', commitId: 'c-2', confirmed: { timeoutSeconds: 300 } });
    const pending = (await session.rpc('<get-commit-information/>')).xml ?? '';
    const entries = pending.split('<commit-history>').slice(1);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toContain('<sequence-number>0</sequence-number>');
    expect(entries[0]).toContain('<comment>commit confirmed, rollback in 5mins</comment>\n<log>try it [c-2 confirmed]</log>\n<commit-confirmed>rollback pending</commit-confirmed>');
    expect(entries[1]).toContain('<sequence-number>1</sequence-number>');
    expect(entries[1]).toContain('<log>first [c-1]</log>');
    expect(entries[2]).toContain('<user>root</user>\n<client>other</client>');
    const seconds = Number(/junos:seconds="(\d+)"/.exec(entries[0]!)![1]);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);

    await commitConfiguration(session, { comment: 'confirm', commitId: 'c-3' });
    const after = (await session.rpc('<get-commit-information/>')).xml ?? '';
    expect(after).not.toContain('rollback pending');
    expect(after).toContain('<comment>commit confirmed, rollback in 5mins</comment>'); // kept on the entry for good
    expect(device.commitLog.map((c) => [c.number, c.comment, c.status, c.confirms])).toEqual([
      [1, 'first [c-1]', 'committed', null], [2, 'try it [c-2 confirmed]', 'committed', null], [3, 'confirm [c-3]', 'committed', 2],
    ]);
    expect((await session.rpc('<command>show system commit</command>')).xml).toContain('<log>confirm [c-3]</log>');
  });

  it('a confirmed commit that times out is rolled back by the device itself (root via other)', async () => {
    const device = await junosDevice();
    const session = await open(device);
    await commitConfiguration(session, { comment: 'risky', commitId: 'c-4', confirmed: { timeoutSeconds: 120 } });
    expect(device.expireConfirmedCommit()).toBe(true);
    expect(device.pendingConfirm).toBeNull();
    expect(device.commitLog.map((c) => [c.sessionId, c.user, c.client, c.comment, c.status])).toEqual([
      [session.sessionId, 'netconf', 'netconf', 'risky [c-4 confirmed]', 'reverted'], [null, 'root', 'other', null, 'committed'],
    ]);
    const history = (await session.rpc('<get-commit-information/>')).xml ?? '';
    expect(history.split('<commit-history>')[1]).toContain('<user>root</user>\n<client>other</client>');
  });
});
