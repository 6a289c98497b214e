import { describe, expect, it } from 'vitest';
import { FAKE_DEVICE_CAPABILITIES, FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { ClientError, NetconfError, RpcError, SubscriptionError } from '../../src/errors/index.js';
import {
  commitCandidate, editConfig, editData, establishSubscription, getConfig, getData, killSubscription, lockDatastore, subscribe, unlockDatastore,
  type EstablishedSubscription, type ParsedNotification, type PushChangeUpdate, type PushUpdate, type SubscribedNotification,
} from '../../src/operations/index.js';
import { NMDA_MODULE_CAPABILITY } from '../../src/device/replies.js';
import type { Session } from '../../src/session/session.js';
import { rejection } from '../support/assertions.js';
import { deviceHarness } from '../support/devices.js';

const SN = 'urn:ietf:params:xml:ns:yang:ietf-subscribed-notifications';
const YP = 'urn:ietf:params:xml:ns:yang:ietf-yang-push';
const attach = deviceHarness();
/** The fake device, with :writable-running so tests can edit running directly. */
const pair = async (options: FakeDeviceOptions = {}) =>
  attach(await FakeDevice.start({ capabilities: [...FAKE_DEVICE_CAPABILITIES, 'urn:ietf:params:netconf:capability:writable-running:1.0'], ...options }));

function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Takes `n` items from an iterator (fails the test after 5 s rather than hang). */
async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await within(it.next());
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

/** Reads until the iteration ends; what it yielded, and the error it ended with (or null). */
async function drain<T>(it: AsyncIterator<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for (;;) {
      const r = await within(it.next());
      if (r.done) return { items, error: null };
      items.push(r.value);
    }
  } catch (error) {
    return { items, error };
  }
}

const iface = (name: string, mtu: number) => `<interfaces xmlns="urn:example:if"><interface><name>${name}</name><mtu>${mtu}</mtu></interface></interfaces>`;
const event = (n: number) => `<event xmlns="urn:x"><n>${n}</n></event>`;

async function untilPushUpdate(it: AsyncIterator<SubscribedNotification>, test: (u: PushUpdate) => boolean): Promise<PushUpdate> {
  for (;;) {
    const [n] = await take(it, 1);
    if (n === undefined) throw new Error('the iteration ended');
    if (n.kind === 'push-update' && test(n)) return n;
  }
}

describe('establishSubscription: stream subscriptions', () => {
  it('sends establish-subscription, gets the id, and the stream’s event records arrive while RPCs keep working', async () => {
    const { device, session } = await pair();
    const sub = await establishSubscription(session, { filter: '<event xmlns="urn:x"/>', stopTime: '2999-01-01T00:00:00Z' });
    expect(device.requests.at(-1)!.xml).toContain(
      `<establish-subscription xmlns="${SN}"><stream-subtree-filter><event xmlns="urn:x"/></stream-subtree-filter><stream>NETCONF</stream><stop-time>2999-01-01T00:00:00Z</stop-time></establish-subscription>`,
    );
    expect(sub.id).toBe(1);
    expect(sub.kind).toBe('stream');
    expect(device.dynamicSubscriptions).toEqual([{ id: 1, sessionId: 1, stream: 'NETCONF', datastore: null, periodMs: null, onChange: false, stopTime: new Date('2999-01-01T00:00:00Z') }]);
    const it = sub[Symbol.asyncIterator]();
    device.notify(event(1));
    await getConfig(session, 'running');
    device.notify(event(2));
    const [a, b] = await take(it, 2);
    expect(a).toMatchObject({ kind: 'event', event: 'event', subscriptionId: null, parsed: { notification: { event: { n: '1' } } } });
    expect(b!.parsed).toMatchObject({ notification: { event: { n: '2' } } });
    await sub.delete();
    expect(device.requests.at(-1)!.xml).toContain(`<delete-subscription xmlns="${SN}"><id>1</id></delete-subscription>`);
    expect(device.dynamicSubscriptions).toEqual([]);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(sub.closed).toBe(true);
    await sub.delete(); // already over: nothing is sent
    expect(device.requests.at(-1)!.operation).toBe('delete-subscription');
    expect(device.requests.filter((r) => r.operation === 'delete-subscription')).toHaveLength(1);
  });

  it('writes XPath filters with their namespaces, named filters, encoding and dscp as RFC 8639 has them', async () => {
    const { device, session } = await pair({ rules: [{ match: 'establish-subscription', reply: `<id xmlns="${SN}">7</id>` }] });
    await establishSubscription(session, { stream: 'NETCONF', filter: { xpath: '/ex:event', namespaces: { ex: 'urn:x' } }, encoding: 'xml', dscp: 10 });
    expect(device.requests.at(-1)!.xml).toContain(
      `<establish-subscription xmlns="${SN}"><stream-xpath-filter xmlns:ex="urn:x">/ex:event</stream-xpath-filter><stream>NETCONF</stream><dscp>10</dscp><encoding xmlns:sn="${SN}">sn:encode-xml</encoding></establish-subscription>`,
    );
    await establishSubscription(session, { filter: { filterName: 'mine' } });
    expect(device.requests.at(-1)!.xml).toContain('<stream-filter-name>mine</stream-filter-name><stream>NETCONF</stream>');
  });

  it('the RFC 5277 subscribe() keeps working on the same session, next to it', async () => {
    const { device, session } = await pair();
    const old = await subscribe(session);
    const sub = await establishSubscription(session);
    const oldIt = old[Symbol.asyncIterator]();
    const it = sub[Symbol.asyncIterator]();
    device.notify(event(1));
    const [o] = await take<ParsedNotification>(oldIt, 1);
    const [n] = await take(it, 1);
    expect(o!.parsed).toMatchObject({ notification: { event: { n: '1' } } });
    expect(n!.parsed).toMatchObject({ notification: { event: { n: '1' } } });
    old.close();
    await sub.delete();
  });
});

describe('establishSubscription: YANG-Push', () => {
  it('periodic: push-updates carry the datastore contents, parsed and as sent, and follow the configuration', async () => {
    const { device, session } = await pair();
    await editConfig(session, 'running', iface('eth0', 1500));
    const sub = await establishSubscription(session, { datastore: 'operational', periodMs: 100, filter: '<interfaces xmlns="urn:example:if"/>' });
    expect(device.requests.at(-1)!.xml).toContain(
      `<establish-subscription xmlns="${SN}"><datastore xmlns="${YP}" xmlns:ds="urn:ietf:params:xml:ns:yang:ietf-datastores">ds:operational</datastore>` +
        `<datastore-subtree-filter xmlns="${YP}"><interfaces xmlns="urn:example:if"/></datastore-subtree-filter><periodic xmlns="${YP}"><period>10</period></periodic></establish-subscription>`,
    );
    expect(sub.kind).toBe('datastore');
    const it = sub[Symbol.asyncIterator]();
    const [first] = await take(it, 1);
    expect(first).toMatchObject({
      kind: 'push-update', subscriptionId: sub.id, incomplete: false, contentsXml: iface('eth0', 1500),
      contents: { interfaces: { interface: { name: 'eth0', mtu: '1500' } } },
    });
    await editConfig(session, 'running', iface('eth0', 9000));
    const later = await untilPushUpdate(it, (u) => u.contentsXml.includes('9000'));
    expect(later.contents).toEqual({ interfaces: { interface: { name: 'eth0', mtu: '9000' } } });
    await sub.modify({ periodMs: 200 });
    expect(device.requests.at(-1)!.xml).toContain(`<modify-subscription xmlns="${SN}"><id>${sub.id}</id><periodic xmlns="${YP}"><period>20</period></periodic></modify-subscription>`);
    expect(device.dynamicSubscriptions[0]!.periodMs).toBe(200);
    await sub.delete();
  });

  it('on-change: a push-update first (sync-on-start), then a push-change-update (YANG patch) for each change, by edit-config or commit', async () => {
    const { device, session } = await pair();
    await editConfig(session, 'running', iface('eth0', 1500));
    const sub = await establishSubscription(session, { datastore: 'running', onChange: { dampeningMs: 0, excludedChanges: ['move'] } });
    expect(device.requests.at(-1)!.xml).toContain(
      `<on-change xmlns="${YP}"><dampening-period>0</dampening-period><excluded-change>move</excluded-change></on-change></establish-subscription>`,
    );
    const it = sub[Symbol.asyncIterator]();
    const [sync] = await take(it, 1);
    expect(sync).toMatchObject({ kind: 'push-update', contentsXml: iface('eth0', 1500) });

    await editConfig(session, 'running', `<system xmlns="urn:example:sys"><hostname>r1</hostname></system>${iface('eth0', 9000)}`);
    const [change] = (await take(it, 1)) as PushChangeUpdate[];
    expect(change!.kind).toBe('push-change-update');
    expect(change!.subscriptionId).toBe(sub.id);
    expect(change!.patch.patchId).toBe('patch-1');
    expect(change!.patch.edits).toEqual([
      {
        editId: 'edit-1', operation: 'replace', target: '/interfaces', point: null, where: null, valueXml: iface('eth0', 9000),
        value: { interfaces: { interface: { name: 'eth0', mtu: '9000' } } },
      },
      {
        editId: 'edit-2', operation: 'create', target: '/system', point: null, where: null, valueXml: '<system xmlns="urn:example:sys"><hostname>r1</hostname></system>',
        value: { system: { hostname: 'r1' } },
      },
    ]);

    // Through the candidate: nothing until the commit.
    await editConfig(session, 'candidate', '<system xmlns="urn:example:sys" operation="delete"/>');
    await commitCandidate(session);
    const [removed] = (await take(it, 1)) as PushChangeUpdate[];
    expect(removed!.patch.edits).toEqual([{ editId: 'edit-1', operation: 'delete', target: '/system', point: null, where: null, value: null, valueXml: '' }]);
    expect(device.datastore('running')).toBe(iface('eth0', 9000));
    await sub.delete();
  });
});

describe('one configuration behind every operation', () => {
  const system = (name: string) => `<system xmlns="urn:example:sys"><hostname>${name}</hostname></system>`;
  const nmda = (running: string) => pair({ datastores: { running }, capabilities: [...FAKE_DEVICE_CAPABILITIES, 'urn:ietf:params:netconf:capability:writable-running:1.0', NMDA_MODULE_CAPABILITY] });

  it('an edit-config is what get-config and get-data read and what an on-change subscription pushes; an edit-data pushes too', async () => {
    const { device, session } = await nmda(iface('eth0', 1500));
    const sub = await establishSubscription(session, { datastore: 'running', onChange: { syncOnStart: false } });
    const it = sub[Symbol.asyncIterator]();

    await editConfig(session, 'running', iface('eth0', 9000));
    expect((await getData(session, 'running')).data).toBe(iface('eth0', 9000));
    expect((await getData(session, 'operational')).data).toBe(iface('eth0', 9000));
    expect((await getConfig(session, 'running')).data).toBe(iface('eth0', 9000));
    const [byEditConfig] = (await take(it, 1)) as PushChangeUpdate[];
    expect(byEditConfig!.patch.edits.map((e) => [e.operation, e.target, e.valueXml])).toEqual([['replace', '/interfaces', iface('eth0', 9000)]]);

    await editData(session, 'running', system('r1'));
    expect(device.datastore('running')).toBe(iface('eth0', 9000) + system('r1'));
    const [byEditData] = (await take(it, 1)) as PushChangeUpdate[];
    expect(byEditData!.patch.edits.map((e) => [e.operation, e.target, e.valueXml])).toEqual([['create', '/system', system('r1')]]);
    await sub.delete();
  });

  it('a datastore subtree filter cuts push-updates and push-change-updates to the top-level nodes it names', async () => {
    const { session } = await nmda(iface('eth0', 1500) + system('r0'));
    const sub = await establishSubscription(session, { datastore: 'running', filter: '<system xmlns="urn:example:sys"/>', onChange: {} });
    const it = sub[Symbol.asyncIterator]();
    const [sync] = await take(it, 1);
    expect(sync).toMatchObject({ kind: 'push-update', contentsXml: system('r0') });
    // An edit of interfaces alone is filtered out; the next one, of both, is pushed for system only.
    await editConfig(session, 'running', iface('eth0', 9000));
    await editConfig(session, 'running', iface('eth0', 1400) + system('r1'));
    const [change] = (await take(it, 1)) as PushChangeUpdate[];
    expect(change!.patch.edits.map((e) => [e.operation, e.target, e.valueXml])).toEqual([['replace', '/system', system('r1')]]);
    await sub.delete();
  });
});

describe('several subscriptions on one session', () => {
  it('each iterator sees its own notifications in order, with unrelated RPCs in between; delete() ends one without touching the other', async () => {
    const { device, session } = await pair();
    const periodic = await establishSubscription(session, { datastore: 'running', periodMs: 100 });
    const onChange = await establishSubscription(session, { datastore: 'running', onChange: { syncOnStart: false } });
    expect(new Set([periodic.id, onChange.id]).size).toBe(2);
    const p = periodic[Symbol.asyncIterator]();
    const c = onChange[Symbol.asyncIterator]();

    for (let mtu = 1; mtu <= 3; mtu++) {
      await editConfig(session, 'running', iface('eth0', mtu));
      await lockDatastore(session, 'running');
      await unlockDatastore(session, 'running');
    }
    const changes = (await take(c, 3)) as PushChangeUpdate[];
    expect(changes.map((u) => [u.kind, u.subscriptionId, u.patch.edits[0]!.valueXml])).toEqual([1, 2, 3].map((mtu) => ['push-change-update', onChange.id, iface('eth0', mtu)]));
    const updates = await take(p, 3);
    expect(updates.every((u) => u.kind === 'push-update' && u.subscriptionId === periodic.id)).toBe(true);

    await periodic.delete();
    // The iterator ends after what it already holds (periodic updates queued while we read).
    for (let r = await p.next(); !r.done; r = await p.next()) {
      expect(r.value).toMatchObject({ kind: 'push-update', subscriptionId: periodic.id });
    }
    expect(await p.next()).toMatchObject({ done: true });
    expect(device.dynamicSubscriptions.map((s) => s.id)).toEqual([onChange.id]);
    await editConfig(session, 'running', iface('eth0', 4));
    const [after] = (await take(c, 1)) as PushChangeUpdate[];
    expect(after!.patch.edits[0]!.valueXml).toBe(iface('eth0', 4));
    expect(onChange.closed).toBe(false);
    await onChange.delete();
  });

  it('leaving the last iterator with break deletes the subscription on the device', async () => {
    const { device, session } = await pair();
    const sub = await establishSubscription(session, { datastore: 'running', periodMs: 100 });
    for await (const n of sub) {
      expect(n.kind).toBe('push-update');
      break;
    }
    expect(sub.closed).toBe(true);
    await getConfig(session, 'running'); // the delete went out before this
    expect(device.requests.some((r) => r.operation === 'delete-subscription' && r.xml.includes(`<id>${sub.id}</id>`))).toBe(true);
    expect(device.dynamicSubscriptions).toEqual([]);
    expect(session.listenerCount('notification')).toBe(0);
  });
});

describe('how a subscription ends', () => {
  it('killed by an administrator on another session: the iteration ends with SUBSCRIPTION_TERMINATED and the reason', async () => {
    const { session, another } = await pair();
    const sub = await establishSubscription(session, { datastore: 'running', onChange: true });
    const admin = await another();
    await killSubscription(admin, sub.id);
    const { items, error } = await drain(sub[Symbol.asyncIterator]());
    expect(items.map((n) => n.kind)).toEqual(['push-update']);
    expect(error).toBeInstanceOf(SubscriptionError);
    expect(error).toMatchObject({ code: 'SUBSCRIPTION_TERMINATED', reason: 'no-such-subscription', reasonIdentity: 'sn:no-such-subscription', subscriptionId: sub.id });
    expect(sub.closed).toBe(true);
    await sub.delete(); // over: nothing to send
  });

  it('terminated by the device: the error carries its reason; other subscriptions go on', async () => {
    const { device, session } = await pair();
    const a = await establishSubscription(session);
    const b = await establishSubscription(session);
    device.terminateSubscription(a.id, 'suspension-timeout');
    const err = await rejection(a[Symbol.asyncIterator]().next());
    expect(err).toMatchObject({ code: 'SUBSCRIPTION_TERMINATED', reason: 'suspension-timeout', retryable: false });
    device.notify(event(5));
    const [n] = await take(b[Symbol.asyncIterator](), 1);
    expect(n!.parsed).toMatchObject({ notification: { event: { n: '5' } } });
    await b.delete();
  });

  it('stop-time: subscription-completed ends the iteration cleanly', async () => {
    const { session } = await pair();
    const sub = await establishSubscription(session, { datastore: 'running', periodMs: 100, stopTime: new Date(Date.now() + 350) });
    const { items, error } = await drain(sub[Symbol.asyncIterator]());
    expect(error).toBeNull();
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((n) => n.kind === 'push-update')).toBe(true);
  });

  it('kill() on its own subscription ends the iteration', async () => {
    const { device, session } = await pair();
    const sub = await establishSubscription(session);
    await sub.kill();
    expect(device.requests.at(-1)!.xml).toContain(`<kill-subscription xmlns="${SN}"><id>${sub.id}</id></kill-subscription>`);
    expect(await sub[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });

  it('the session closing ends the iteration', async () => {
    const { session } = await pair();
    const sub = await establishSubscription(session);
    const it = sub[Symbol.asyncIterator]();
    await session.close();
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('an abort signal ends the iteration with ABORTED and deletes the subscription', async () => {
    const { device, session } = await pair();
    const controller = new AbortController();
    const sub = await establishSubscription(session, { signal: controller.signal });
    controller.abort();
    expect(await rejection(sub[Symbol.asyncIterator]().next())).toMatchObject({ code: 'ABORTED' });
    await getConfig(session, 'running');
    expect(device.dynamicSubscriptions).toEqual([]);
  });
});

describe('refusals and mistakes', () => {
  it.each([
    ['filter-unsupported', { filter: { filterName: 'nope' } }, {}],
    ['dscp-unavailable', { dscp: 46 }, {}],
    ['encoding-unsupported', { encoding: 'json' as const }, {}],
    ['replay-unsupported', { replayStartTime: '2020-01-01T00:00:00Z' }, {}],
    ['period-unsupported', { datastore: 'running' as const, periodMs: 50 }, {}],
    ['on-change-unsupported', { datastore: 'running' as const, onChange: true }, { push: { onChange: false } }],
  ])('%s: SUBSCRIPTION_REJECTED with the reason, the RpcError as cause', async (reason, options, deviceOptions) => {
    const { session } = await pair(deviceOptions);
    const err = await rejection(establishSubscription(session, options));
    expect(err).toBeInstanceOf(SubscriptionError);
    expect(err).toMatchObject({ code: 'SUBSCRIPTION_REJECTED', reason, subscriptionId: null });
    expect((err as SubscriptionError).reasonIdentity).toMatch(new RegExp(`^ietf-(subscribed-notifications|yang-push):${reason}$`));
    expect(err.cause).toBeInstanceOf(RpcError);
    expect(session.listenerCount('notification')).toBe(0);
  });

  it('modify, delete or kill of an id that is not the session’s: SUBSCRIPTION_REJECTED no-such-subscription', async () => {
    const { session, another } = await pair();
    const sub = await establishSubscription(session);
    const other = await another();
    expect(await rejection(killSubscription(other, 999))).toMatchObject({ code: 'SUBSCRIPTION_REJECTED', reason: 'no-such-subscription', subscriptionId: 999 });
    await sub.delete();
    expect(await rejection(killSubscription(other, sub.id))).toMatchObject({ reason: 'no-such-subscription' });
  });

  it('an error reply without an RFC 8639 reason stays the RpcError', async () => {
    const { session } = await pair({ rules: [{ match: 'establish-subscription', reply: '<rpc-error><error-type>protocol</error-type><error-tag>access-denied</error-tag><error-severity>error</error-severity></rpc-error>' }] });
    const err = await rejection(establishSubscription(session));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('ACCESS_DENIED');
  });

  it('a reply without an id is a clear error', async () => {
    const { session } = await pair({ rules: [{ match: 'establish-subscription', reply: '<ok/>' }] });
    expect(await rejection(establishSubscription(session))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['a stream and a datastore', { stream: 'NETCONF', datastore: 'running' as const, periodMs: 100 }, /not both/],
    ['a datastore without a trigger', { datastore: 'running' as const }, /periodMs or onChange/],
    ['both triggers', { datastore: 'running' as const, periodMs: 100, onChange: true }, /periodMs or onChange/],
    ['a period that is not whole centiseconds', { datastore: 'running' as const, periodMs: 15 }, /centiseconds/],
    ['a period on a stream', { periodMs: 100 }, /need a datastore/],
    ['an unknown datastore', { datastore: 'scratch' as unknown as 'running', periodMs: 100 }, /datastore must be/],
    ['a bad dscp', { dscp: 64 }, /dscp/],
    ['a bad maxQueued', { maxQueued: 0 }, /maxQueued/],
  ])('%s: INVALID_ARGUMENT, nothing sent', async (_label, options, message) => {
    const { device, session } = await pair();
    const err = await rejection(establishSubscription(session, options));
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(message);
    expect(device.requests.some((r) => r.operation === 'establish-subscription')).toBe(false);
  });

  it('modify rejects datastore fields on a stream subscription', async () => {
    const { session } = await pair();
    const sub: EstablishedSubscription = await establishSubscription(session);
    const err = await rejection(sub.modify({ periodMs: 100 }));
    expect(err).toBeInstanceOf(NetconfError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    await sub.delete();
  });
});
