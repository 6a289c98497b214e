import { describe, expect, inject, it } from 'vitest';
import type { Session } from '../../../src/session/session.js';
import { NetconfError, RpcError } from '../../../src/errors/index.js';
import {
  cancelCommit, commitCandidate, commitFlow, discardChanges, editConfig, getConfig, lockDatastore, parseData, subscribe, unlockDatastore, validateConfig,
} from '../../../src/operations/index.js';
import type { PeerInfo } from '../../setup/peer-info.js';
import { peerSessions } from '../../support/netconfd.js';

const peer: PeerInfo = inject('netconfPeer');
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const session = peerSessions(peer);

const iface = (name: string, description = 'netconfkit test') =>
  `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><description>${description}</description>`
  + `<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type></interface></interfaces>`;

const filter = `<interfaces xmlns="${IF_NS}"/>`;

async function remove(s: Session, name: string): Promise<void> {
  await editConfig(s, 'candidate', `<interfaces xmlns="${IF_NS}"><interface xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="remove"><name>${name}</name></interface></interfaces>`);
  await commitCandidate(s);
}

describe('operations against netconfd', () => {
  it('lock, edit-config, validate of inline config, commit, and the change is in running', async () => {
    const s = await session();
    await discardChanges(s);
    await lockDatastore(s, 'candidate');
    await editConfig(s, 'candidate', iface('nk-ops-1'));
    await validateConfig(s, { config: iface('nk-ops-1') });
    await commitCandidate(s);
    await unlockDatastore(s, 'candidate');
    const running = await getConfig(s, 'running', { filter });
    expect(running.data).toContain('nk-ops-1');
    expect(parseData(running)).toMatchObject({ interfaces: { interface: expect.anything() } });
    await remove(s, 'nk-ops-1');
    expect((await getConfig(s, 'running', { filter })).data).not.toContain('nk-ops-1');
  });

  it('discard-changes drops an uncommitted edit', async () => {
    const s = await session();
    await editConfig(s, 'candidate', iface('nk-ops-2'));
    expect((await getConfig(s, 'candidate', { filter })).data).toContain('nk-ops-2');
    await discardChanges(s);
    expect((await getConfig(s, 'candidate', { filter })).data).not.toContain('nk-ops-2');
  });

  it('a confirmed commit can be cancelled, and the change goes away', async () => {
    const s = await session();
    await discardChanges(s);
    await editConfig(s, 'candidate', iface('nk-ops-3'));
    await commitCandidate(s, { confirmed: { timeoutSeconds: 60, persist: 'nk-persist' } });
    expect((await getConfig(s, 'running', { filter })).data).toContain('nk-ops-3');
    await cancelCommit(s, { persistId: 'nk-persist' });
    expect((await getConfig(s, 'running', { filter })).data).not.toContain('nk-ops-3');
  });

  it('a wrong persist-id is the device\'s invalid-value, typed', async () => {
    const s = await session();
    const err = await cancelCommit(s, { persistId: 'no-such-token' }).catch((e: unknown) => e as NetconfError);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).errors[0]!.tag).toMatch(/invalid-value|operation-failed/);
  });

  it('the safe commit flow commits, and its error path releases the lock', async () => {
    const s = await session();
    // netconfd loses candidate edits when the candidate is validated before a commit (see
    // scripts/netconfd.sh notes), so the flow runs with validate off here.
    const result = await commitFlow(s, { config: iface('nk-flow-1'), validate: false, dialect: 'rfc' });
    expect(result.committed).toBe(true);
    expect((await getConfig(s, 'running', { filter })).data).toContain('nk-flow-1');
    await remove(s, 'nk-flow-1');

    const bad = `<interfaces xmlns="${IF_NS}"><bogus/></interfaces>`;
    const err = (await commitFlow(s, { config: bad, validate: false, dialect: 'rfc' }).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.step).toBe('load');
    expect(err.code).toBe('UNKNOWN_ELEMENT');
    const other = await session();
    expect((await lockDatastore(other, 'candidate')).hasOk).toBe(true);
    await unlockDatastore(other, 'candidate');
  });

  it('delivers notifications while RPCs keep working on the same session', async () => {
    const s = await session();
    const watcher = await session();
    const sub = await subscribe(watcher);
    await editConfig(s, 'candidate', iface('nk-notify-1'));
    await commitCandidate(s);
    expect((await getConfig(watcher, 'running', { filter })).data).toContain('nk-notify-1');
    const iterator = sub[Symbol.asyncIterator]();
    const first = await Promise.race([iterator.next(), new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(first).not.toBeNull();
    const n = (first as IteratorResult<{ event: string | null; eventTime: string | null }>).value;
    expect(n.eventTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(n.event).toBe('netconf-config-change');
    sub.close();
    await remove(s, 'nk-notify-1');
  });
});
