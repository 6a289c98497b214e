/**
 * Fault injection through the fake device over real SSH (connect() + FakeDevice): connections
 * dropped at every byte of a reply, stalls, trickles, out-of-order and unmatched replies,
 * notifications, oversized replies, a channel closed under the session.
 *
 * Every time: every pending call settles with the code the README promises, no socket or
 * timer is left open once everything is closed, and where the transport still lives the
 * session keeps working (another call gets its reply).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { FakeDevice } from '../../src/device/fake-device.js';
import type { FakeRule } from '../../src/device/types.js';
import { padReply, renderReply } from '../../src/device/replies.js';
import { encodeChunked } from '../../src/framing/encoder.js';
import type { NetconfError } from '../../src/errors/netconf-error.js';
import type { Session } from '../../src/session/session.js';
import { Harness, NS, codes, expectResourcesBack, resources, settleAll } from './support.js';

const h = new Harness();
let before: Map<string, number>;
/** Faults injected, for the summary line. */
const injected: Record<string, number> = {};
const count = (what: string, n = 1) => (injected[what] = (injected[what] ?? 0) + n);

beforeEach(() => {
  before = resources();
});

afterEach(async () => {
  await h.closeAll();
  await expectResourcesBack(before);
});

afterAll(() => {
  const total = Object.values(injected).reduce((a, b) => a + b, 0);
  process.stdout.write(`faults injected: ${total} (${Object.entries(injected).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
});

describe('the resource check', () => {
  it('sees the sockets and timers of an open session (so "nothing left open" means something)', async () => {
    const d = await h.device();
    const s = await h.session(d);
    const pending = s.rpc('<get/>', { timeoutMs: 60_000 });
    const now = resources();
    expect(now.get('TCPSocketWrap') ?? 0).toBeGreaterThanOrEqual((before.get('TCPSocketWrap') ?? 0) + 2); // client and server side
    expect(now.get('TCPServerWrap') ?? 0).toBeGreaterThan(before.get('TCPServerWrap') ?? 0);
    expect(now.get('Timeout') ?? 0).toBeGreaterThan(before.get('Timeout') ?? 0); // the call's timer, ssh2's keepalive
    await pending;
  });
});

const reply = (id: string, content: string) => `<rpc-reply xmlns="${NS}" message-id="${id}">${content}</rpc-reply>`;
const frame = (xml: string | Buffer) => encodeChunked(xml);
const SMALL = '<data><system xmlns="urn:example"><host-name>r1</host-name></system></data>';

/** The session's byte stream, to count what arrives (test-only peek at a private field). */
function streamOf(session: Session): NodeJS.EventEmitter {
  return (Reflect.get(session, 'transport') as { stream: NodeJS.EventEmitter }).stream;
}

/** Sends one more call on a live session and expects its reply. */
async function stillWorks(session: Session): Promise<void> {
  expect(session.closed).toBe(false);
  const r = await session.rpc('<get-config><source><running/></source></get-config>', { timeoutMs: 5_000 });
  expect(r.xml).toContain('<data');
}

/** Rules for the calls kept in flight while a fault hits another one. */
const STALLING: FakeRule[] = [
  { match: 'stall-read', reply: { stall: true } },
  { match: 'edit-config', reply: { stall: true } },
];

/** Opens a session with a read and a write stalled (ids 1 and 2), then makes call 3. */
async function withCallsInFlight(d: FakeDevice, third: string, extra: Parameters<Harness['session']>[1] = {}) {
  const s = await h.session(d, extra);
  const read = s.rpc('<stall-read xmlns="urn:nk:test"/>');
  const write = s.rpc('<edit-config><target><candidate/></target><config/></edit-config>', { write: true });
  const call = s.rpc(third);
  return { s, calls: [read, write, call] };
}

describe('a connection dropped in the middle of a reply', () => {
  const dropRules = (): FakeRule[] => [
    ...STALLING,
    // <drop-at>N</drop-at>: answer with the small reply, cut after N bytes, then drop the TCP connection.
    { match: 'drop-at', reply: (r) => ({ reply: SMALL, hugeBytes: /huge="1"/.test(r.xml) ? 1 << 20 : 0, dropAfterBytes: Number(/>(\d+)</.exec(r.xml)![1]) }) },
  ];

  it('at every byte offset of a small reply: every call in flight settles, CONNECTION_LOST or COMMIT_OUTCOME_UNKNOWN for the write', async () => {
    const d = await h.device({ rules: dropRules() });
    const full = frame(reply('3', SMALL)).length;
    const offsets = Array.from({ length: full + 1 }, (_, k) => k);
    const t0 = performance.now();
    // A few connections at a time: each drop ends its connection.
    for (let i = 0; i < offsets.length; i += 8) {
      await Promise.all(offsets.slice(i, i + 8).map(async (k) => {
        const { s, calls } = await withCallsInFlight(d, `<drop-at xmlns="urn:nk:test">${k}</drop-at>`);
        const settled = await settleAll(calls);
        const expected = ['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', k < full ? 'CONNECTION_LOST' : 'ok'];
        expect(codes(settled), `drop after ${k} of ${full} bytes`).toEqual(expected);
        const unknown = settled[1]!.ok ? null : settled[1]!.error;
        expect(unknown?.retryable).toBe(false);
        expect((unknown?.cause as NetconfError | undefined)?.code).toBe('CONNECTION_LOST');
        expect(settled[0]!.ok ? null : settled[0]!.error.retryable).toBe(true);
        if (k === full) expect((settled[2] as { reply: { xml: string } }).reply.xml).toContain('<host-name>r1</host-name>');
        expect(s.closed).toBe(true);
        expect(s.inFlight).toBe(0);
        // A closed session refuses new calls at once.
        expect(codes(await settleAll([s.rpc('<get/>')]))).toEqual(['SESSION_CLOSED']);
      }));
    }
    count('drop at every byte of a small reply', offsets.length);
    process.stdout.write(`drop at every offset: ${offsets.length} connections dropped (0..${full} bytes of a ${full}-byte reply), 3 calls each, ${(performance.now() - t0).toFixed(0)} ms\n`);
    await expect.poll(() => d.connectionCount, { timeout: 5_000, message: 'the device to see every connection go' }).toBe(0);
  });

  it('at sampled offsets of a 1 MiB reply, headers and end marker included', async () => {
    const d = await h.device({ rules: dropRules() });
    const body = padReply(reply('3', SMALL), 1 << 20);
    const framed = frame(body);
    const full = framed.length;
    const header = framed.indexOf('\n', 1) + 1;
    const offsets = [0, 1, 2, header - 1, header, header + 1, 4096, 65_535, 65_536, 65_537, 500_000, 1 << 20, full - 12, full - 5, full - 4, full - 1, full];
    for (const k of offsets) {
      const { s, calls } = await withCallsInFlight(d, `<drop-at xmlns="urn:nk:test" huge="1">${k}</drop-at>`);
      const settled = await settleAll(calls);
      expect(codes(settled), `drop after ${k} of ${full} bytes`).toEqual(['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', k < full ? 'CONNECTION_LOST' : 'ok']);
      if (k === full) expect((settled[2] as { reply: { xml: string } }).reply.xml!.length).toBe(body.length);
      expect(s.closed).toBe(true);
    }
    count('drop in a 1 MiB reply', offsets.length);
  });

  it('dropAll() with three sessions and nine calls in flight: all nine settle', async () => {
    const d = await h.device({ rules: STALLING });
    const opened = await Promise.all([0, 1, 2].map(() => withCallsInFlight(d, '<stall-read xmlns="urn:nk:test"/>')));
    await expect.poll(() => d.requests.length, { timeout: 5_000, message: 'the device to hold every request' }).toBe(9);
    d.dropAll();
    const settled = await settleAll(opened.flatMap((o) => o.calls));
    expect(codes(settled)).toEqual(Array(3).fill(['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', 'CONNECTION_LOST']).flat());
    expect(opened.every((o) => o.s.closed)).toBe(true);
    count('dropAll');
  });

  it('the device ends the SSH connection politely (close) with calls in flight: CONNECTION_LOST', async () => {
    const d = await h.device({ rules: [...STALLING, { match: 'bye', reply: { stall: true, close: true } }] });
    const { s, calls } = await withCallsInFlight(d, '<bye xmlns="urn:nk:test"/>');
    expect(codes(await settleAll(calls))).toEqual(['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', 'CONNECTION_LOST']);
    expect(s.closed).toBe(true);
    count('connection closed');
  });
});

describe('the SSH channel closed under the session, the socket left open', () => {
  it('closeChannel: every call in flight gets CONNECTION_LOST (the write COMMIT_OUTCOME_UNKNOWN), and the client ends the connection', async () => {
    const d = await h.device({ rules: [...STALLING, { match: 'hang-up', reply: { stall: true, closeChannel: true } }] });
    const { s, calls } = await withCallsInFlight(d, '<hang-up xmlns="urn:nk:test"/>');
    expect(codes(await settleAll(calls))).toEqual(['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', 'CONNECTION_LOST']);
    expect(s.closed).toBe(true);
    // The connection the channel rode on does not linger.
    await expect.poll(() => d.connectionCount, { timeout: 5_000, message: 'the connection to close' }).toBe(0);
    count('channel closed');
  });

  it('closeChannel after a reply: that call resolves, the others get CONNECTION_LOST', async () => {
    const d = await h.device({ rules: [...STALLING, { match: 'last-word', reply: { reply: '<ok/>', closeChannel: true } }] });
    const { calls } = await withCallsInFlight(d, '<last-word xmlns="urn:nk:test"/>');
    expect(codes(await settleAll(calls))).toEqual(['CONNECTION_LOST', 'COMMIT_OUTCOME_UNKNOWN', 'ok']);
    count('channel closed');
  });
});

describe('a reply that stalls halfway', () => {
  it('the call times out (RPC_TIMEOUT), the session stays open, and when the rest comes within the call\'s own time from its last byte it is dropped and later calls work', async () => {
    // Call 1 gets the first half of its reply late, then nothing. Call 2 brings the rest of
    // reply 1 (a slow device catching up) followed by its own reply. The abandoned reply is
    // drained for at most the call's own timeout from its last byte: the half comes 1 s in,
    // the call gives up at 1.5 s, so the drain lasts until about 2.5 s.
    const reply1 = frame(reply('1', `<data>${'<x>half</x>'.repeat(50)}</data>`));
    const half = Math.floor(reply1.length / 2);
    const d = await h.device({
      rules: [
        { match: 'half', reply: { raw: reply1.subarray(0, half), delayMs: 1_000 } },
        { match: 'rest', reply: { raw: Buffer.concat([reply1.subarray(half), frame(reply('2', '<ok/>'))]) } },
      ],
    });
    const s = await h.session(d);
    const items: unknown[] = [];
    s.on('protocolError', (e) => items.push(e));
    const first = await settleAll([s.rpc('<half xmlns="urn:nk:test"/>', { timeoutMs: 1_500 })]);
    expect(codes(first)).toEqual(['RPC_TIMEOUT']);
    expect(first[0]!.ok ? null : first[0]!.error.retryable).toBe(true);
    expect(s.closed).toBe(false);
    const second = await settleAll([s.rpc('<rest xmlns="urn:nk:test"/>', { timeoutMs: 5_000 })]);
    expect(codes(second)).toEqual(['ok']);
    // The late end of reply 1 was dropped quietly: no protocol error, no stray message.
    expect(items).toEqual([]);
    await stillWorks(s);
    count('stall mid-reply then catch up');
  });

  it('a device that never finishes the reply: the call times out, and the next call ends the session with REPLY_STALLED once the call\'s own time has passed since the last byte', async () => {
    const reply1 = frame(reply('1', '<data><x>never finished</x></data>'));
    const d = await h.device({ rules: [{ match: 'half', reply: { raw: reply1.subarray(0, 20) } }] });
    const s = await h.session(d);
    const protocolErrors: NetconfError[] = [];
    s.on('protocolError', (e) => protocolErrors.push(e));
    expect(codes(await settleAll([s.rpc('<half xmlns="urn:nk:test"/>', { timeoutMs: 200 })]))).toEqual(['RPC_TIMEOUT']);
    expect(s.closed).toBe(false);
    // The abandoned reply is drained for at most its call's own timeout (200 ms) from its last
    // byte; that has passed, so the stream cannot be trusted and the session ends: the next
    // call fails at once instead of waiting behind a message that never ends.
    const next = await settleAll([s.rpc('<get-config><source><running/></source></get-config>', { timeoutMs: 5_000 })]);
    process.stdout.write(`after a half-read reply timed out, the next call on the session: ${codes(next)[0]}; session closed: ${s.closed}; protocol errors: ${protocolErrors.map((e) => e.code).join(', ') || 'none'}\n`);
    expect(codes(next)).toEqual(['REPLY_STALLED']);
    expect(s.closed).toBe(true);
    count('stall mid-reply forever');
  });

  it('a device that stalls without writing anything: RPC_TIMEOUT, the late reply is dropped, the session keeps working', async () => {
    const d = await h.device({ rules: [{ match: 'slow', reply: { reply: '<ok/>', delayMs: 400 } }] });
    const s = await h.session(d);
    const protocolErrors: NetconfError[] = [];
    s.on('protocolError', (e) => protocolErrors.push(e));
    expect(codes(await settleAll([s.rpc('<slow xmlns="urn:nk:test"/>', { timeoutMs: 100 })]))).toEqual(['RPC_TIMEOUT']);
    await new Promise((r) => setTimeout(r, 500)); // the late reply arrives meanwhile
    expect(protocolErrors).toEqual([]);
    await stillWorks(s);
    count('stall');
  });
});

describe('a reply trickled one byte at a time', () => {
  it('arrives byte by byte (one SSH packet each), streams its items, and resolves; so do the calls that carried it', async () => {
    const content = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag>'
      + '<error-severity>warning</error-severity><error-message>trickled warning</error-message></rpc-error><data><x>done</x></data>';
    const target = frame(reply('1', content));
    const n = target.length;
    // Call 1 is answered by nobody directly; calls 2..n+1 are answered by one byte of reply 1
    // each, and the last one also brings the replies to calls 2..n+1.
    const rules: FakeRule[] = [{ match: 'target', reply: { stall: true } }];
    for (let k = 0; k < n; k++) {
      const tail = k === n - 1 ? Array.from({ length: n }, (_, j) => frame(reply(String(j + 2), '<ok/>'))) : [];
      rules.push({ match: 'byte', times: 1, reply: { raw: Buffer.concat([target.subarray(k, k + 1), ...tail]) } });
    }
    const d = await h.device({ rules });
    const s = await h.session(d);
    let events = 0;
    streamOf(s).on('data', () => events++);
    const seenAt: number[] = [];
    const call = s.rpc('<target xmlns="urn:nk:test"/>', { onItem: () => seenAt.push(events) });
    const carriers = Array.from({ length: n }, () => s.rpc('<byte xmlns="urn:nk:test"/>'));
    const [result, ...rest] = await settleAll([call, ...carriers]);
    expect(result!.ok).toBe(true);
    const r = (result as { reply: { warnings: { message: string }[]; xml: string } }).reply;
    expect(r.warnings.map((w) => w.message)).toEqual(['trickled warning']);
    expect(r.xml).toContain('<x>done</x>');
    expect(codes(rest)).toEqual(Array(n).fill('ok'));
    // One data event per byte (the last one brings the carriers' replies too).
    expect(events).toBeGreaterThanOrEqual(n);
    // The warning was delivered as soon as its end tag came, long before the reply ended.
    expect(seenAt).toHaveLength(1);
    expect(seenAt[0]).toBeLessThan(n - 20);
    await stillWorks(s);
    count('trickled bytes', n);
  });
});

describe('replies out of order, duplicated, missing or unknown', () => {
  it('ten calls answered in reverse order each get their own reply', async () => {
    const d = await h.device({
      rules: [{ match: 'echo', reply: (r) => ({ reply: `<data><echo>${/n="(\d+)"/.exec(r.xml)![1]}</echo></data>`, delayMs: 60 * (9 - Number(/n="(\d+)"/.exec(r.xml)![1])) }) }],
    });
    const s = await h.session(d);
    const order: number[] = [];
    const calls = Array.from({ length: 10 }, (_, k) => s.rpc(`<echo xmlns="urn:nk:test" n="${k}"/>`).then((r) => (order.push(k), r)));
    const settled = await settleAll(calls);
    settled.forEach((x, k) => expect((x as { reply: { xml: string } }).reply.xml).toContain(`<echo>${k}</echo>`));
    expect(order).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    await stillWorks(s);
    count('out of order', 10);
  });

  it('a duplicate and an unknown message-id are protocolError events; the calls in flight are unaffected', async () => {
    const d = await h.device({
      rules: [
        { match: 'slow', reply: { reply: '<ok/>', delayMs: 150 } },
        {
          match: 'confuse',
          reply: (r) => ({
            raw: Buffer.concat([
              frame(reply(r.messageId!, '<ok/>')),
              frame(reply(r.messageId!, '<ok/>')), // duplicate
              frame(reply('999', '<ok/>')), // unknown
              frame(`<something-else xmlns="${NS}"/>`), // not a reply at all
            ]),
          }),
        },
      ],
    });
    const s = await h.session(d);
    const protocolErrors: NetconfError[] = [];
    s.on('protocolError', (e) => protocolErrors.push(e));
    const slow = s.rpc('<slow xmlns="urn:nk:test"/>');
    const confused = s.rpc('<confuse xmlns="urn:nk:test"/>');
    const settled = await settleAll([slow, confused]);
    expect(codes(settled)).toEqual(['ok', 'ok']);
    await expect.poll(() => protocolErrors.length, { timeout: 5_000, message: 'three protocol errors' }).toBeGreaterThanOrEqual(3);
    expect(protocolErrors.map((e) => e.code)).toEqual(['PROTOCOL_ERROR', 'PROTOCOL_ERROR', 'PROTOCOL_ERROR']);
    expect(protocolErrors[0]!.message).toMatch(/unknown message-id "2"/);
    expect(protocolErrors[1]!.message).toMatch(/unknown message-id "999"/);
    await stillWorks(s);
    count('unmatched replies', 3);
  });

  it('a malformed reply rejects only its own call (MALFORMED_XML); the session goes on', async () => {
    const d = await h.device({
      rules: [
        { match: 'slow', reply: { reply: '<ok/>', delayMs: 100 } },
        { match: 'broken', reply: (r) => ({ raw: frame(`<rpc-reply xmlns="${NS}" message-id="${r.messageId}"><data><a></b></data></rpc-reply>`) }) },
      ],
    });
    const s = await h.session(d);
    const settled = await settleAll([s.rpc('<slow xmlns="urn:nk:test"/>'), s.rpc('<broken xmlns="urn:nk:test"/>')]);
    expect(codes(settled)).toEqual(['ok', 'MALFORMED_XML']);
    await stillWorks(s);
    count('malformed reply');
  });

  it('broken framing closes the session: every call in flight gets FRAMING_ERROR (the write COMMIT_OUTCOME_UNKNOWN)', async () => {
    const d = await h.device({ rules: [...STALLING, { match: 'garbage', reply: { raw: 'this is not a chunk header' } }] });
    const { s, calls } = await withCallsInFlight(d, '<garbage xmlns="urn:nk:test"/>');
    expect(codes(await settleAll(calls))).toEqual(['FRAMING_ERROR', 'COMMIT_OUTCOME_UNKNOWN', 'FRAMING_ERROR']);
    expect(s.closed).toBe(true);
    await expect.poll(() => d.connectionCount, { timeout: 5_000, message: 'the connection to close' }).toBe(0);
    count('broken framing');
  });
});

describe('notifications interleaved with replies', () => {
  it('every notification is a notification event, in order, while the calls in flight resolve', async () => {
    const d = await h.device({
      rules: [
        {
          match: 'get',
          reply: (r, device) => {
            device.notify(`<event xmlns="urn:nk:test"><n>${r.messageId}a</n></event>`, { all: true }); // no create-subscription here
            return { delayMs: 10, reply: '<data/>' };
          },
        },
        // Raw: a notification between two chunks of the same... no: between two whole replies.
        {
          match: 'mixed',
          reply: (r) => ({
            raw: Buffer.concat([
              frame(`<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2024-01-01T00:00:00Z</eventTime><event xmlns="urn:nk:test"><n>raw1</n></event></notification>`),
              frame(reply(r.messageId!, '<ok/>')),
              frame(`<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2024-01-01T00:00:01Z</eventTime><event xmlns="urn:nk:test"><n>raw2</n></event></notification>`),
            ]),
          }),
        },
      ],
    });
    const s = await h.session(d);
    const seen: string[] = [];
    s.on('notification', (n) => seen.push(/<n>([^<]*)<\/n>/.exec(n.xml)![1]!));
    const calls = [...Array.from({ length: 5 }, () => s.rpc('<get/>')), s.rpc('<mixed xmlns="urn:nk:test"/>')];
    const settled = await settleAll(calls);
    expect(codes(settled)).toEqual(Array(6).fill('ok'));
    await expect.poll(() => seen.length, { timeout: 5_000, message: 'seven notifications' }).toBe(7);
    expect(seen).toEqual(['1a', '2a', '3a', '4a', '5a', 'raw1', 'raw2']);
    await stillWorks(s);
    count('notifications', 7);
  });
});

describe('a reply over maxMessageBytes', () => {
  it('MESSAGE_TOO_LARGE for every call in flight (the write COMMIT_OUTCOME_UNKNOWN), and the session closes', async () => {
    const d = await h.device({ rules: [...STALLING, { match: 'get', reply: { hugeBytes: 256 * 1024 } }] });
    const { s, calls } = await withCallsInFlight(d, '<get/>', { limits: { maxMessageBytes: 64 * 1024 } });
    const settled = await settleAll(calls);
    expect(codes(settled)).toEqual(['MESSAGE_TOO_LARGE', 'COMMIT_OUTCOME_UNKNOWN', 'MESSAGE_TOO_LARGE']);
    expect((settled[1] as { error: NetconfError }).error.cause).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(s.closed).toBe(true);
    await expect.poll(() => d.sessionCount === 0 && d.connectionCount === 0, { timeout: 5_000, message: 'the device to see the session end' }).toBe(true);
    count('oversized reply');
  });

  it('a reply just under the limit is read whole', async () => {
    const d = await h.device({ rules: [{ match: 'get', reply: { hugeBytes: 60 * 1024 } }] });
    const s = await h.session(d, { limits: { maxMessageBytes: 64 * 1024 } });
    const r = await s.rpc('<get/>');
    expect(r.xml!.length).toBeGreaterThan(60 * 1024);
    await stillWorks(s);
  });
});
