import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CommitNotAppliedError, CommitOutcomeUnknownError, HealthCheckFailedError, type NetconfError } from '../../../src/errors/index.js';
import {
  type ParsedNotification, cancelCommit, commitCandidate, commitFlow, editConfig, getConfig, resolveCommitOutcome, subscribe,
} from '../../../src/operations/index.js';
import { type ConnectOptions, connect } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { CAPABILITY } from '../../../src/xml/namespaces.js';
import type { PeerInfo } from '../../setup/peer-info.js';
import { rejection as failure } from '../../support/assertions.js';
import { type TcpProxy, tcpProxy } from '../../support/tcp-proxy.js';

/**
 * Commit certainty against netconfd (yuma123), which advertises :confirmed-commit:1.1 and keeps
 * a persisted confirmed commit across sessions: the flow's commit carries its id as the persist
 * token, so a commit cut off in flight is resolved by the device. The cuts come from a TCP
 * relay in front of its sshd; what the device did is read from its RFC 6470 notifications
 * (one netconf-config-change per commit applied, netconf-confirmed-commit start / complete /
 * cancel) and from running.
 */

const peer: PeerInfo = inject('netconfPeer');
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const FILTER = `<interfaces xmlns="${IF_NS}"/>`;
const direct: ConnectOptions = { host: peer.host, port: peer.port, username: peer.username, password: peer.password, knownHosts: peer.knownHosts, rpcTimeoutMs: 8000 };
const sessions: Session[] = [];
/** Persist tokens a test may leave pending when it fails: cancelled after each test. */
const tokens: string[] = [];
let proxy: TcpProxy;
/** One session for reading running and tidying up: fewer sessions, fewer of netconfd's slow starts. */
let observer: Session;

const iface = (name: string) => `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name>`
  + '<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type></interface></interfaces>';
const removal = (name: string) => `<interfaces xmlns="${IF_NS}"><interface xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="remove"><name>${name}</name></interface></interfaces>`;

async function open(options: ConnectOptions = direct): Promise<Session> {
  const s = await warm(await connect(options));
  sessions.push(s);
  return s;
}

/**
 * netconfd holds back a request that reaches it in one read with the client's <hello> until
 * more bytes come (then it answers both): a first read, nudged by a second one if it waits,
 * keeps that from stalling a test's first write.
 */
async function warm(s: Session): Promise<Session> {
  const nudge = setTimeout(() => void getConfig(s, 'running', { filter: FILTER }).catch(() => undefined), 1000);
  try {
    await getConfig(s, 'running', { filter: FILTER });
  } finally {
    clearTimeout(nudge);
  }
  return s;
}
/** A session through the relay (pinned host keys: known_hosts names the real port). */
const viaProxy = () => open({ host: '127.0.0.1', port: proxy.port, username: peer.username, password: peer.password, hostKey: peer.hostKeyFingerprints });
const reconnect = () => open();

async function running(): Promise<string> {
  return (await getConfig(observer, 'running', { filter: FILTER })).data;
}

async function removeAll(...names: string[]): Promise<void> {
  for (const name of names) {
    if (!(await running()).includes(`<name>${name}</name>`)) continue;
    await editConfig(observer, 'candidate', removal(name));
    await commitCandidate(observer);
  }
}

/** A leaf of a notification's event element, as parsed. */
function eventField(n: ParsedNotification, name: string): unknown {
  const notification = n.parsed?.['notification'] as Record<string, unknown> | undefined;
  const event = n.event === null ? undefined : (notification?.[n.event] as Record<string, unknown> | undefined);
  return event?.[name];
}

/**
 * The commit events the device publishes while `work` runs: `config-change`, and each
 * `confirmed-commit` event by its confirm-event. A session opened and closed afterwards marks
 * the end: its netconf-session-end comes after every event before it.
 */
async function commitEvents(work: () => Promise<void>): Promise<string[]> {
  const watcher = await open();
  const sub = await subscribe(watcher);
  const seen: ParsedNotification[] = [];
  const reading = (async () => {
    for await (const n of sub) seen.push(n);
  })();
  await work();
  const marker = await connect(direct);
  const markerId = marker.sessionId;
  await marker.close();
  await expect.poll(() => seen.some((n) => n.event === 'netconf-session-end' && String(eventField(n, 'session-id')) === String(markerId)), { timeout: 10_000 }).toBe(true);
  sub.close();
  await reading;
  return seen.flatMap((n) => {
    if (n.event === 'netconf-config-change') return ['config-change'];
    if (n.event === 'netconf-confirmed-commit') return [`confirmed-commit ${String(eventField(n, 'confirm-event'))}`];
    return [];
  });
}

beforeAll(async () => {
  proxy = await tcpProxy({ host: peer.host, port: peer.port });
  observer = await warm(await connect(direct));
});
afterAll(async () => {
  await observer.close();
  await proxy.close();
});
afterEach(async () => {
  for (const persistId of tokens.splice(0)) await cancelCommit(observer, { persistId }).catch(() => undefined);
  await Promise.all(sessions.splice(0).map((x) => x.close()));
});

describe('netconfd keeps commit ids', () => {
  it('advertises :confirmed-commit:1.1: a commit persisted under a token survives its session', async () => {
    const s = await open();
    expect(s.capabilities.has(CAPABILITY.confirmedCommit11)).toBe(true);
  });
});

describe('a commit cut off in flight, resolved through netconfd', () => {
  it.each(['drop-after-apply', 'drop-before-apply'] as const)('commitFlow with reconnect, %s: the outcome is right, one commit or none', async (fault) => {
    const name = `nk-cc-${fault}`;
    await removeAll(name);
    const commitId = `nk-${fault}-${Date.now()}`;
    tokens.push(commitId);
    let outcome: unknown;
    const events = await commitEvents(async () => {
      const s = await viaProxy();
      outcome = await commitFlow(s, {
        config: iface(name), validate: false, dialect: 'rfc', commitId, reconnect,
        onStep: (e) => { if (e.step === 'commit' && e.status === 'start') proxy.cut(fault); },
      }).catch((e: unknown) => e);
    });
    if (fault === 'drop-after-apply') {
      expect(outcome).toMatchObject({ committed: true, recovered: true, commitId });
      expect(events).toEqual(['confirmed-commit start', 'config-change', 'confirmed-commit complete']);
      expect(await running()).toContain(`<name>${name}</name>`);
    } else {
      const err = outcome as CommitNotAppliedError;
      expect(err).toBeInstanceOf(CommitNotAppliedError);
      expect([err.code, err.retryable, err.step, err.commitId]).toEqual(['COMMIT_NOT_APPLIED', true, 'commit', commitId]);
      expect(events).toEqual([]);
      expect(await running()).not.toContain(`<name>${name}</name>`);
    }
    await removeAll(name);
  });

  it.each(['drop-after-apply', 'drop-before-apply'] as const)('resolveCommitOutcome from the error on a new session, %s', async (fault) => {
    const name = `nk-cr-${fault}`;
    await removeAll(name);
    let cut: CommitOutcomeUnknownError | null = null;
    const events = await commitEvents(async () => {
      const s = await viaProxy();
      cut = (await failure(commitFlow(s, {
        config: iface(name), validate: false, dialect: 'rfc',
        onStep: (e) => { if (e.step === 'commit' && e.status === 'start') proxy.cut(fault); },
      }))) as CommitOutcomeUnknownError;
      expect([cut.code, cut.step]).toEqual(['COMMIT_OUTCOME_UNKNOWN', 'commit']);
      tokens.push(cut.commitId!);
      // The dead session's lock goes with it; until then the device answers lock-denied.
      let resolved: Awaited<ReturnType<typeof resolveCommitOutcome>> | null = null;
      await expect.poll(async () => (resolved = await resolveCommitOutcome(await open(), cut!).catch(() => null)), { timeout: 10_000 }).not.toBeNull();
      expect(resolved).toMatchObject({ outcome: fault === 'drop-after-apply' ? 'committed' : 'not-committed', commitId: cut.commitId });
    });
    expect(events).toEqual(fault === 'drop-after-apply' ? ['confirmed-commit start', 'config-change', 'confirmed-commit complete'] : []);
    await removeAll(name);
  });
});

describe('a failing health check on netconfd', () => {
  it('is cancelled at once (the previous configuration is back), and the next flow commits only its own change', async () => {
    const bad = 'nk-hc-bad';
    const good = 'nk-hc-good';
    await removeAll(bad, good);
    const s = await open();
    let err: NetconfError | null = null;
    const events = await commitEvents(async () => {
      err = await failure(commitFlow(s, { config: iface(bad), validate: false, dialect: 'rfc', commitId: 'nk-hc-1', confirmed: { timeoutSeconds: 300, healthCheck: () => false } }));
    });
    expect(err).toBeInstanceOf(HealthCheckFailedError);
    expect(err).toMatchObject({ code: 'HEALTH_CHECK_FAILED', reverted: true, commitId: 'nk-hc-1', step: 'health-check' });
    // netconfd publishes no config-change for the revert of a cancelled commit: running says it.
    expect(events).toEqual(['confirmed-commit start', 'config-change', 'confirmed-commit cancel']);
    expect(await running()).not.toContain(`<name>${bad}</name>`);

    const next = await commitFlow(s, { config: iface(good), validate: false, dialect: 'rfc' });
    expect(next.committed).toBe(true);
    const now = await running();
    expect(now).toContain(`<name>${good}</name>`);
    expect(now).not.toContain(`<name>${bad}</name>`);
    await removeAll(good);
  });
});

describe('a confirmed commit left pending on netconfd', () => {
  it('stops the flow (CONFIRMED_COMMIT_PENDING, nothing changed) until it is told to cancel it', async () => {
    const left = 'nk-pending-left';
    const mine = 'nk-pending-mine';
    await removeAll(left, mine);
    const s = await open();
    await editConfig(s, 'candidate', iface(left));
    tokens.push('nk-left-token');
    await commitCandidate(s, { confirmed: { timeoutSeconds: 300, persist: 'nk-left-token' } });

    const flow = await open();
    const err = await failure(commitFlow(flow, { config: iface(mine), validate: false, dialect: 'rfc' }));
    expect([err.code, err.step]).toEqual(['CONFIRMED_COMMIT_PENDING', 'lock']);
    expect(await running()).not.toContain(`<name>${mine}</name>`);

    const result = await commitFlow(flow, { config: iface(mine), validate: false, dialect: 'rfc', pendingConfirmed: 'cancel', pendingPersistId: 'nk-left-token' });
    expect(result.committed).toBe(true);
    const now = await running();
    expect(now).toContain(`<name>${mine}</name>`);
    expect(now).not.toContain(`<name>${left}</name>`);
    await removeAll(mine);
  });
});
