import { describe, expect, it } from 'vitest';
import { FakeDevice, startJunosDevice } from '../../src/device/index.js';
import { type DeviceError, RpcError } from '../../src/errors/device-error.js';
import { NetconfError } from '../../src/errors/index.js';
import { get, getConfig, parseData } from '../../src/operations/rfc6241.js';
import { getConfiguration } from '../../src/operations/junos.js';
import { streamItems } from '../../src/session/item-stream.js';
import { connect } from '../../src/session/connect.js';
import { type XmlObject, parseXml } from '../../src/xml/parse-data.js';
import { deviceHarness } from '../support/devices.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { encodeMessage } from '../../src/framing/encoder.js';
import { BASE, openScripted } from './scripted-peer.js';

const attach = deviceHarness();

const WORDS = ['uplink to core &amp; edge', 'café — rack 12', '日本語', 'peer &lt;40G&gt;', '𝄞 spare'];

/** A generated interface list: `count` entries, some with attributes, comments, CDATA and nested units. */
function interfaces(count: number, from = 0): string {
  const parts: string[] = [];
  for (let n = from; n < from + count; n++) {
    const attrs = n % 7 === 0 ? ' inactive="inactive"' : n % 11 === 0 ? ' junos:group="CORE"' : '';
    parts.push(
      `<interface${attrs}>\n  <name>xe-${n % 16}/0/${n}</name>\n  <description>${WORDS[n % WORDS.length]}</description>\n`
      + (n % 5 === 0 ? '  <!-- changed by ops -->\n' : '')
      + (n % 13 === 0 ? '  <alias><![CDATA[a <raw> alias]]></alias>\n' : '')
      + `  <mtu>${n % 2 === 0 ? 9192 : 1514}</mtu>\n`
      + `  <unit><name>0</name><family><inet><address><name>10.${n % 250}.0.1/31</name></address>${n % 3 === 0 ? '<address><name>10.9.9.9/32</name></address>' : ''}</inet></family></unit>\n`
      + (n % 4 === 0 ? `  <unit><name>${n}</name></unit>\n` : '')
      + '</interface>\n',
    );
  }
  return parts.join('');
}

const DATA = (body: string) => `<data><interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces" xmlns:junos="http://xml.juniper.net/junos/*/junos">${body}</interfaces></data>`;
const WARNING = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>statement has no effect</error-message></rpc-error>';
const ERROR = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>cannot read the rest</error-message></rpc-error>';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function failure(p: Promise<unknown>): Promise<NetconfError> {
  const result = await p.then(() => null, (err: unknown) => err);
  expect(result).toBeInstanceOf(NetconfError);
  return result as NetconfError;
}

describe('streamItems over SSH from the fake device', () => {
  it.each(['1.0', 'both'] as const)('gives every item of a generated list, in order, each shaped as parseData gives it (base %s)', async (base) => {
    const body = DATA(interfaces(3_000));
    const { session } = await attach(await FakeDevice.start({ base, rules: [{ match: 'get-config', reply: body }] }));
    const items = await all(getConfig(session, 'running', { path: 'data/interfaces/interface' }));
    const whole = parseData(await getConfig(session, 'running'));
    const expected = (whole.interfaces as XmlObject).interface as XmlObject[];
    expect(items).toHaveLength(3_000);
    expect(items).toStrictEqual(expected);
    expect(items[13]).toMatchObject({ name: 'xe-13/0/13', alias: 'a <raw> alias', description: 'peer <40G>' });
  });

  it('counts the items of a big reply exactly (hundreds of thousands), in bounded memory, and the session goes on', async () => {
    const count = 250_000;
    // hugeBytes pads <data> with 65-byte <filler> elements: exactly `count` of them.
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 65 * count } }] }));
    let n = 0;
    let first: XmlObject | null = null;
    for await (const item of get(session, { path: 'data/filler', timeoutMs: 0, idleTimeoutMs: 10_000 })) {
      first ??= item;
      n++;
    }
    expect(n).toBe(count);
    expect(first).toEqual({ '#text': 'x'.repeat(47) });
    expect((await session.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
  });

  it('a warning mid-reply reaches onItem and the reply; every item is still given', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: DATA(interfaces(50) + WARNING + interfaces(50, 50)) }] }));
    const seen: DeviceError[] = [];
    const stream = get(session, { path: 'data/interfaces/interface', onItem: (i) => seen.push(i) });
    const items = await all(stream);
    expect(items).toHaveLength(100);
    expect(seen.map((i) => i.level)).toEqual(['warning']);
    const reply = await stream.reply;
    expect(reply.warnings.map((w) => w.deviceMessage)).toEqual(['statement has no effect']);
    expect(reply.xml).toBeNull();
  });

  it('an error mid-reply ends the iteration with the RpcError, after the items before it; the session goes on', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: DATA(interfaces(40) + ERROR + interfaces(60, 40)) + WARNING }] }));
    const items: XmlObject[] = [];
    const error = await failure((async () => {
      for await (const item of get(session, { path: 'data/interfaces/interface' })) items.push(item);
    })());
    expect(error).toBeInstanceOf(RpcError);
    // Every item of the reply, in order: the error and the warning after it.
    expect((error as RpcError).items.map((i) => i.level)).toEqual(['error', 'warning']);
    expect((error as RpcError).errors[0]!.deviceMessage).toBe('cannot read the rest');
    expect(items).toHaveLength(40);
    expect(items[39]!.name).toBe('xe-7/0/39');
    expect((await getConfig(session, 'running')).xml).toContain('<data');
  });

  it('break gives the call up without waiting for the rest; the next call is answered once it has been drained', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 65 * 200_000 } }] }));
    const stream = get(session, { path: 'data/filler' });
    let n = 0;
    for await (const _ of stream) if (++n === 10) break;
    expect(n).toBe(10);
    expect((await failure(stream.reply)).code).toBe('ABORTED');
    const next = await session.rpc('<get-config><source><running/></source></get-config>');
    expect(next.xml).toContain('<data');
    expect(session.state).toBe('open');
  });

  it('a slow consumer holds the device back: what was sent stays far below the reply while it waits', async () => {
    const count = 600_000; // 39 MB of items
    const device = await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 65 * count } }] });
    await attach(device);
    const proxy = await tcpProxy(device);
    const session = await connect({ host: '127.0.0.1', port: proxy.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
    try {
      const before = proxy.forwardedToClient;
      let sent = 0;
      for await (const _ of get(session, { path: 'data/filler' })) {
        // Busy with the first item for 3 s: time enough for the whole reply, were the device let.
        await new Promise((r) => setTimeout(r, 3_000));
        sent = proxy.forwardedToClient - before;
        break;
      }
      // The SSH window (2 MiB), the channel's buffer and the queue of items (1 MiB) are all it may get ahead.
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(16 * 2 ** 20);
    } finally {
      session.destroy();
      await proxy.close();
    }
  });

  it('an item that is not well-formed ends the iteration with MALFORMED_XML; one over maxItemBytes with MESSAGE_TOO_LARGE', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [
      { match: 'get', reply: DATA(`${interfaces(3)}<interface bad>x</interface>${interfaces(3, 3)}`) },
      { match: 'get-config', reply: DATA(`${interfaces(2)}<interface><name>${'n'.repeat(5_000)}</name></interface>`) },
    ] }));
    const bad = await failure(all(get(session, { path: 'data/interfaces/interface' })));
    expect(bad.code).toBe('MALFORMED_XML');
    const big = await failure(all(getConfig(session, 'running', { path: 'data/interfaces/interface', maxItemBytes: 4_096 })));
    expect(big.code).toBe('MESSAGE_TOO_LARGE');
    expect(big.message).toMatch(/data\/interfaces\/interface is larger than 4096 bytes/);
    expect((await getConfig(session, 'running')).xml).toContain('<data');
  });

  it('streamItems takes any request; a bad path or a closed session fails the first next() with a typed error', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: DATA(interfaces(5)) }] }));
    expect(await all(streamItems(session, '<get/>', { path: '/nc:data/interfaces/interface/name' }))).toEqual(
      ['xe-0/0/0', 'xe-1/0/1', 'xe-2/0/2', 'xe-3/0/3', 'xe-4/0/4'].map((n) => ({ '#text': n })),
    );
    expect((await failure(all(streamItems(session, '<get/>', { path: 'data//interface' })))).code).toBe('INVALID_ARGUMENT');
    await session.close();
    expect((await failure(all(streamItems(session, '<get/>', { path: 'data/interfaces' })))).code).toBe('SESSION_CLOSED');
  });

  it('Junos getConfiguration streams configuration/…, shaped as the whole configuration parses', async () => {
    const configuration = `<system><host-name>mx1</host-name></system><interfaces>${interfaces(200)}</interfaces>`;
    const { session } = await attach(await startJunosDevice({ configuration }));
    const items = await all(getConfiguration(session, { path: 'configuration/interfaces/interface' }));
    const whole = await getConfiguration(session);
    const expected = (parseData({ data: whole.configuration }).interfaces as XmlObject).interface;
    expect(items).toHaveLength(200);
    expect(items).toStrictEqual(expected);
  });
});

describe('streamItems, the reply split anywhere', () => {
  it.each([1, 3, 7, 4096])('gives every item as parseData does when the reply arrives in %i-byte reads (multi-byte letters split)', async (size) => {
    const { session, peer } = await openScripted();
    try {
      const body = DATA(interfaces(60));
      const stream = getConfig(session, 'running', { path: 'data/interfaces/interface' });
      const items = all(stream);
      await peer.waitForRequests(2);
      const framed = encodeMessage(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}">${body}</rpc-reply>`, peer.framing);
      for (let i = 0; i < framed.length; i += size) peer.sendRaw(framed.subarray(i, i + size));
      const expected = ((parseXml(body).data as XmlObject).interfaces as XmlObject).interface as XmlObject[];
      expect(expected.some((i) => /[^\x00-\x7f]/.test(String(i.description)))).toBe(true);
      expect(await items).toStrictEqual(expected);
    } finally {
      peer.drop();
    }
  });
});
