import { afterEach, describe, expect, it } from 'vitest';
import { encodeEom } from '../../src/framing/encoder.js';
import { BASE_10, NC_NS, cleanup, messageIdOf, session, startDevice } from './raw-client.js';

afterEach(cleanup);

const NOTIF_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
const SUBSCRIBE = `<create-subscription xmlns="${NOTIF_NS}"/>`;
const EOM = ']]>]]>';

/** The error-tag of an rpc-reply, or null when it has none. */
const tagOf = (reply: string) => /<error-tag>([^<]*)<\/error-tag>/.exec(reply)?.[1] ?? null;

describe('RFC 5277 create-subscription', () => {
  it('answers <ok/>, and from then on notify() reaches subscribed sessions only', async () => {
    const device = await startDevice();
    const watcher = await session(device);
    const bystander = await session(device, { caps: [BASE_10] });
    expect(await watcher.nc.call('1', SUBSCRIBE)).toMatch(/<ok\/>/);
    expect(device.subscriptions).toEqual([{ sessionId: 1, stream: 'NETCONF' }]);

    device.notify('<event xmlns="urn:x"><n>1</n></event>');
    expect(await watcher.nc.next()).toMatch(/^<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>[^<]+<\/eventTime><event xmlns="urn:x"><n>1<\/n><\/event><\/notification>$/);
    expect(await bystander.nc.silentFor(100)).toBe(true);

    // The stream name is recorded as asked for.
    expect(await bystander.nc.call('1', `<create-subscription xmlns="${NOTIF_NS}"><stream>NETCONF</stream></create-subscription>`)).toMatch(/<ok\/>/);
    device.notify('<event xmlns="urn:x"><n>2</n></event>');
    for (const nc of [watcher.nc, bystander.nc]) expect(await nc.next()).toContain('<n>2</n>');
    expect(device.subscriptions.map((s) => s.sessionId)).toEqual([1, 2]);
  });

  it('a second create-subscription on the same session is an in-use rpc-error; the first goes on', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    expect(await nc.call('1', SUBSCRIBE)).toMatch(/<ok\/>/);
    const second = await nc.call('2', SUBSCRIBE);
    expect(messageIdOf(second)).toBe('2');
    expect(tagOf(second)).toBe('in-use');
    expect(second).toContain('<error-type>protocol</error-type>');
    device.notify('<event xmlns="urn:x"/>');
    expect(await nc.next()).toContain('<event xmlns="urn:x"/>');
    expect(device.subscriptions).toHaveLength(1);
  });

  it.each([
    ['a startTime (no replay)', `<startTime>2024-01-01T00:00:00Z</startTime>`, 'operation-failed'],
    ['a stopTime without startTime', `<stopTime>2024-01-01T00:00:00Z</stopTime>`, 'missing-element'],
    ['an unknown stream', `<stream>SYSLOG</stream>`, 'invalid-value'],
  ])('refuses %s with %s and does not subscribe', async (_what, body, tag) => {
    const device = await startDevice();
    const { nc } = await session(device);
    const reply = await nc.call('1', `<create-subscription xmlns="${NOTIF_NS}">${body}</create-subscription>`);
    expect(tagOf(reply)).toBe(tag);
    expect(reply).not.toContain('<ok/>');
    expect(device.subscriptions).toEqual([]);
    device.notify('<event xmlns="urn:x"/>');
    expect(await nc.silentFor(100)).toBe(true);
  });

  it('a subscription lasts as long as its session', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    await nc.call('1', SUBSCRIBE);
    expect(await nc.call('2', '<close-session/>')).toContain('<ok/>');
    await nc.closed;
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(0);
    expect(device.subscriptions).toEqual([]);
  });

  it('a scripted reply to create-subscription replaces the default, subscription included', async () => {
    const device = await startDevice({ rules: [{ match: 'create-subscription', reply: '<ok/>' }] });
    const { nc } = await session(device);
    expect(await nc.call('1', SUBSCRIBE)).toContain('<ok/>');
    expect(device.subscriptions).toEqual([]);
  });
});

describe('RFC 5277 filters', () => {
  it('a subtree filter picks events by their element: the others are not sent to that session', async () => {
    const device = await startDevice();
    const picky = await session(device);
    const all = await session(device);
    expect(await picky.nc.call('1', `<create-subscription xmlns="${NOTIF_NS}"><filter type="subtree"><link-up xmlns="urn:x"/></filter></create-subscription>`)).toMatch(/<ok\/>/);
    expect(await all.nc.call('1', SUBSCRIBE)).toMatch(/<ok\/>/);
    device.notify('<link-down xmlns="urn:x"><if>e0</if></link-down>');
    device.notify(`<notification xmlns="${NOTIF_NS}"><eventTime>2026-01-01T00:00:00Z</eventTime><link-up xmlns="urn:x"><if>e0</if></link-up></notification>`);
    expect(await all.nc.next()).toContain('<link-down');
    expect(await all.nc.next()).toContain('<link-up');
    // Sent in order: link-up first means link-down was never sent to this session.
    expect(await picky.nc.next()).toContain('<link-up xmlns="urn:x"><if>e0</if></link-up>');
  });

  it('an XPath filter is refused with operation-not-supported naming it, and nothing is subscribed', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    const reply = await nc.call('1', `<create-subscription xmlns="${NOTIF_NS}"><filter type="xpath" select="/x:link-up" xmlns:x="urn:x"/></create-subscription>`);
    expect(tagOf(reply)).toBe('operation-not-supported');
    expect(reply).toContain('cannot apply &quot;/x:link-up&quot;');
    expect(device.subscriptions).toEqual([]);
    device.notify('<link-down xmlns="urn:x"/>');
    // A notification would come before this reply (notify writes at once).
    expect(await nc.call('2', '<get/>')).toContain('<data');
  });
});

describe('notification floods and garbage', () => {
  it('notify with count sends that many copies, in order, before a later reply', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    await nc.call('1', SUBSCRIBE);
    device.notify('<event xmlns="urn:x"/>', { count: 500 });
    nc.rpc('2', '<get/>');
    for (let i = 0; i < 500; i++) expect(await nc.next()).toContain('<event xmlns="urn:x"/>');
    expect(messageIdOf(await nc.next())).toBe('2');
    expect(() => device.notify('<e/>', { count: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('notifyRaw frames any bytes with the session framing (chunked and eom), or writes them as they are', async () => {
    const device = await startDevice();
    const chunked = await session(device);
    const eom = await session(device, { caps: [BASE_10] });
    for (const { nc } of [chunked, eom]) await nc.call('1', SUBSCRIBE);
    expect(chunked.nc.mode).toBe('chunked');
    const garbage = `<notification xmlns="${NOTIF_NS}"><eventTime>2024-01-01T00:00:00Z</eventTime><e>&nbsp;</e></notification>`;
    device.notifyRaw(garbage);
    for (const { nc } of [chunked, eom]) expect(await nc.next()).toBe(garbage);

    const at = eom.nc.receivedBytes;
    device.notifyRaw(encodeEom('<not-even-a-notification/>'), { framed: false });
    expect(await eom.nc.next()).toBe('<not-even-a-notification/>');
    expect(eom.nc.rawText(at)).toBe(`<not-even-a-notification/>${EOM}`);
    // The chunked session got the same bytes unframed: its framing is broken now, as asked.
    await expect(chunked.nc.next()).rejects.toThrow();
  });

  it('notifyRaw with all reaches sessions that never subscribed', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    device.notifyRaw('<notification/>');
    expect(await nc.silentFor(50)).toBe(true);
    device.notifyRaw('<notification/>', { all: true });
    expect(await nc.next()).toBe('<notification/>');
  });
});

describe('stallAfterBytes', () => {
  it('writes that many bytes of the framed reply and never the rest; the session serves on, its later replies after the half message', async () => {
    const device = await startDevice({ rules: [{ match: 'get', times: 1, reply: { reply: '<data><a>1</a></data>', stallAfterBytes: 30 } }] });
    const { nc } = await session(device, { caps: [BASE_10] });
    const at = nc.receivedBytes;
    nc.rpc('1', '<get/>');
    expect(await nc.silentFor(150)).toBe(true);
    const half = nc.rawText(at);
    expect(half).toBe(`<rpc-reply xmlns="${NC_NS}" message-id="1"><data><a>1</a></data></rpc-reply>${EOM}`.slice(0, 30));

    // Still connected: the next reply comes, glued to the half message as a broken device's would.
    nc.rpc('2', '<get-config><source><running/></source></get-config>');
    const glued = await nc.next();
    expect(glued).toBe(`${half}<rpc-reply xmlns="${NC_NS}" message-id="2"><data/></rpc-reply>`);
    expect(device.connectionCount).toBe(1);
  });

  it('under chunked framing the prefix is a cut chunk', async () => {
    const device = await startDevice({ rules: [{ match: 'get', reply: { stallAfterBytes: 10 } }] });
    const { nc } = await session(device);
    const at = nc.receivedBytes;
    nc.rpc('1', '<get/>');
    await expect.poll(() => nc.receivedBytes - at, { timeout: 3000 }).toBe(10);
    expect(nc.rawText(at)).toMatch(/^\n#\d+\n<rpc/);
    expect(await nc.silentFor(100)).toBe(true);
  });
});
