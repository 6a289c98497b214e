import { describe, expect, it } from 'vitest';
import { FakeDevice, FAKE_DEVICE_CAPABILITIES, type FakeDeviceOptions } from '../../src/device/index.js';
import { ClientError, NetconfError, RpcError } from '../../src/errors/index.js';
import { get, subscribe, type ParsedNotification } from '../../src/operations/index.js';
import type { Session } from '../../src/session/session.js';
import { deviceHarness } from '../support/devices.js';
import { rejection } from '../support/assertions.js';

const NOTIF_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start(options));

/** The session's listeners that a subscription adds. */
const listeners = (s: Session) => ({ notification: s.listenerCount('notification'), close: s.listenerCount('close') });

/** Takes `n` notifications from an iterator (fails the test after 5 s rather than hang). */
async function take(it: AsyncIterator<ParsedNotification>, n: number): Promise<ParsedNotification[]> {
  const out: ParsedNotification[] = [];
  while (out.length < n) {
    const r = await within(it.next());
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** What the device sent before this reply has been read by the session (replies and notifications share one ordered stream). */
const flush = (s: Session) => get(s);

const event = (n: number) => `<event xmlns="urn:x"><n>${n}</n></event>`;
const numbers = (ns: ParsedNotification[]) => ns.map((n) => /<n>(\d+)<\/n>/.exec(n.xml)?.[1]);

describe('subscribe', () => {
  it('sends create-subscription, and notifications arrive parsed while RPCs keep working', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session, { stream: 'NETCONF', filter: '<event xmlns="urn:x"/>' });
    const body = device.requests.at(-1)!.xml;
    expect(body).toContain(`<create-subscription xmlns="${NOTIF_NS}"><stream>NETCONF</stream><filter type="subtree"><event xmlns="urn:x"/></filter></create-subscription>`);
    expect(device.subscriptions).toEqual([{ sessionId: 1, stream: 'NETCONF' }]);

    const it = sub[Symbol.asyncIterator]();
    device.notify(event(1));
    const [n] = await take(it, 1);
    expect(n!.event).toBe('event');
    expect(n!.eventTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(n!.parseError).toBeNull();
    expect(n!.parsed).toEqual({ notification: { eventTime: n!.eventTime, event: { n: '1' } } });
    expect((await get(session)).xml).toContain('<data/>');
    sub.close();
  });

  it('delivers a notification fast-xml-parser cannot read raw, with its parseError; the session stays usable', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session);
    const it = sub[Symbol.asyncIterator]();
    const bad = `<notification xmlns="${NOTIF_NS}"><eventTime>2024-01-01T00:00:00Z</eventTime><!-- x --><nc:link-down xmlns:nc="urn:x">a&nbsp;b</nc:link-down></notification>`;
    device.notifyRaw(bad);
    device.notify(event(2));
    const [raw, good] = await take(it, 2);
    expect(raw!.xml).toBe(bad);
    expect(raw!.parsed).toBeNull();
    expect(raw!.parseError).toBeInstanceOf(NetconfError);
    expect(raw!.parseError!.code).toBe('MALFORMED_XML');
    expect(raw!.event).toBe('link-down'); // read from the text
    expect(raw!.eventTime).toBe('2024-01-01T00:00:00Z');
    expect(good!.parseError).toBeNull();
    expect(numbers([good!])).toEqual(['2']);
    expect((await get(session)).xml).toContain('<data/>');
    expect(session.closed).toBe(false);
    sub.close();
  });

  it('a consumer that falls more than maxQueued behind gets what was queued, then NOTIFICATION_OVERFLOW; the subscription stops', async () => {
    const { device, session } = await pair();
    const baseline = listeners(session);
    const sub = await subscribe(session, { maxQueued: 5 });
    device.notify(event(7), { count: 50 });
    await flush(session); // all fifty have reached the subscription, unread
    expect(sub.closed).toBe(true);
    expect(listeners(session)).toEqual(baseline);

    const it = sub[Symbol.asyncIterator]();
    expect(await take(it, 5)).toHaveLength(5);
    const err = await rejection(it.next());
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('NOTIFICATION_OVERFLOW');
    expect(err.category).toBe('client');
    expect(err.retryable).toBe(false);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('a flood within maxQueued is delivered whole, in order', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session, { maxQueued: 1000 });
    const it = sub[Symbol.asyncIterator]();
    for (let i = 0; i < 1000; i++) device.notify(event(i));
    await flush(session);
    const got = await take(it, 1000);
    expect(numbers(got)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    sub.close();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('break detaches the iterator: the session listeners are back to baseline and later iterators end at once', async () => {
    const { device, session } = await pair();
    const baseline = listeners(session);
    const sub = await subscribe(session);
    expect(listeners(session)).toEqual({ notification: baseline.notification + 1, close: baseline.close + 1 });
    device.notify(event(1), { count: 3 });
    let seen = 0;
    for await (const n of sub) {
      expect(n.event).toBe('event');
      if (++seen === 2) break;
    }
    expect(seen).toBe(2);
    expect(listeners(session)).toEqual(baseline);
    expect(sub.closed).toBe(true);
    expect(await sub[Symbol.asyncIterator]().next()).toEqual({ value: undefined, done: true });
    expect((await get(session)).xml).toContain('<data/>');
  });

  it('two iterators at once each see every notification; one leaving does not stop the other', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session);
    const a = sub[Symbol.asyncIterator]();
    const b = sub[Symbol.asyncIterator]();
    for (const i of [1, 2, 3]) device.notify(event(i));
    const [fromA, fromB] = await Promise.all([take(a, 3), take(b, 3)]);
    expect(numbers(fromA)).toEqual(['1', '2', '3']);
    expect(numbers(fromB)).toEqual(['1', '2', '3']);

    await a.return!();
    expect(sub.closed).toBe(false);
    device.notify(event(4));
    expect(numbers(await take(b, 1))).toEqual(['4']);
    expect(await a.next()).toEqual({ value: undefined, done: true });
    await b.return!();
    expect(sub.closed).toBe(true);
  });

  it('the first iterator also gets what arrived before it was taken', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session);
    device.notify(event(1));
    await flush(session);
    const first = sub[Symbol.asyncIterator]();
    const second = sub[Symbol.asyncIterator]();
    device.notify(event(2));
    expect(numbers(await take(first, 2))).toEqual(['1', '2']);
    expect(numbers(await take(second, 1))).toEqual(['2']);
    sub.close();
  });

  it('ends at notificationComplete, after yielding it', async () => {
    const { device, session } = await pair();
    const baseline = listeners(session);
    const sub = await subscribe(session);
    device.notify(event(1));
    device.notify('<notificationComplete/>');
    const got: (string | null)[] = [];
    for await (const n of sub) got.push(n.event);
    expect(got).toEqual(['event', 'notificationComplete']);
    expect(listeners(session)).toEqual(baseline);
  });

  it('close() ends the iterators after what they hold', async () => {
    const { device, session } = await pair();
    const sub = await subscribe(session);
    const it = sub[Symbol.asyncIterator]();
    const waiting = it.next();
    device.notify(event(1), { count: 2 });
    await flush(session);
    sub.close();
    expect((await waiting).done).toBe(false);
    expect((await it.next()).done).toBe(false);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('a clean session close ends the iterators; a lost connection makes them throw the close error', async () => {
    const { device, session, another } = await pair();
    const clean = await subscribe(session);
    const cleanIt = clean[Symbol.asyncIterator]();
    device.notify(event(1));
    await flush(session);
    await session.close();
    expect(numbers(await take(cleanIt, 5))).toEqual(['1']);
    expect(await cleanIt.next()).toEqual({ value: undefined, done: true });

    const other = await another();
    const closeError = new Promise<NetconfError | null>((resolve) => other.once('close', resolve));
    const lost = await subscribe(other);
    const lostIt = lost[Symbol.asyncIterator]();
    const waiting = lostIt.next();
    device.dropAll();
    const err = await rejection(within(waiting));
    expect(err).toBe(await closeError);
    expect(err.code).toBe('CONNECTION_LOST');
    expect(await lostIt.next()).toEqual({ value: undefined, done: true });
    expect(lost.closed).toBe(true);
  });

  it('an aborted signal ends the iterators with ABORTED at once and removes the listeners', async () => {
    const { device, session } = await pair();
    const baseline = listeners(session);
    const controller = new AbortController();
    const sub = await subscribe(session, { signal: controller.signal });
    const a = sub[Symbol.asyncIterator]();
    const b = sub[Symbol.asyncIterator]();
    device.notify(event(1));
    await flush(session);
    const waiting = b.next();
    expect((await waiting).done).toBe(false); // b took it; a holds it unread
    const pending = b.next();
    controller.abort(new Error('shutting down'));
    expect((await rejection(pending)).code).toBe('ABORTED');
    expect((await rejection(a.next())).code).toBe('ABORTED'); // what a held is dropped: the caller asked to stop
    expect(listeners(session)).toEqual(baseline);
    expect((await get(session)).xml).toContain('<data/>');
  });

  it('refuses bad options before sending, and cleans up when the device refuses', async () => {
    const { device, session } = await pair();
    const baseline = listeners(session);
    expect((await rejection(subscribe(session, { maxQueued: 0 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(subscribe(session, { stopTime: new Date() }))).code).toBe('INVALID_ARGUMENT');
    expect(device.requests).toHaveLength(0);

    const first = await subscribe(session);
    const second = await rejection(subscribe(session)); // one subscription per session (RFC 5277)
    expect(second).toBeInstanceOf(RpcError);
    expect(second.code).toBe('IN_USE');
    const replay = await rejection(subscribe(session, { startTime: new Date(0) }));
    expect(replay.code).toBe('OPERATION_FAILED');
    first.close();
    expect(listeners(session)).toEqual(baseline);
  });

  it('needs the :notification capability', async () => {
    const { device, session } = await pair({ capabilities: FAKE_DEVICE_CAPABILITIES.filter((c) => !c.includes(':notification:')) });
    expect((await rejection(subscribe(session))).code).toBe('CAPABILITY_MISSING');
    expect(device.requests).toHaveLength(0);
  });
});

