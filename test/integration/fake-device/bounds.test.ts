import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FakeDevice, type FakeDeviceOptions, type FakeReplyOptions } from '../../../src/device/index.js';
import { NetconfError, RpcError } from '../../../src/errors/index.js';
import { type ConnectOptions, connect } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { SettleTimes, type Settled, timed } from '../../support/bounds.js';
import { rawSshServer, testKey } from '../../transport/raw-server.js';

/*
 * The promise under test: no call waits longer than its own timeout plus a documented bound,
 * whatever the device does. Every fault the fake device can put on a reply is tried over real
 * SSH; each call must settle within T + D + SLACK (T: its timeout, D: the session's
 * drainTimeoutMs), and afterwards the session is either usable or closed with a typed code and
 * no call left pending.
 */

const T = 300;
const D = 300;
// Generous on purpose: a loaded 2-core machine running other suites. The measured maxima are
// printed at the end of the file.
const SLACK = 1_500;
const BOUND = T + D + SLACK;

const devices: FakeDevice[] = [];
const sessions: Session[] = [];
const times = new SettleTimes();

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(() => {
  console.log(times.report(`Settle times (max per case; bound ${BOUND} ms for calls, see each section)`));
});

async function device(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const d = await FakeDevice.start(options);
  devices.push(d);
  return d;
}

function reach(d: FakeDevice, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: d.host, port: d.port, username: 'netconf', password: 'netconf', hostKey: d.hostKeyFingerprint, ...extra };
}

async function session(d: FakeDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const s = await connect(reach(d, extra));
  sessions.push(s);
  return s;
}

/** A session's close reason as its `close` event gave it (undefined: not closed yet). */
function watchClose(s: Session): { reason: NetconfError | null | undefined } {
  const seen: { reason: NetconfError | null | undefined } = { reason: undefined };
  s.on('close', (e) => {
    seen.reason = e;
  });
  return seen;
}

// ---- 1. every reply fault -------------------------------------------------------------------

// The faulty call is a <get> (or an <edit-config> for writes), answered with this content, so
// that the offsets below land where they say.
const BODY = `<data>${'<item>abcdefghij</item>'.repeat(20)}</data>`;
const ROOT = '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1">';
const REPLY = `${ROOT}${BODY}</rpc-reply>`;
const CHUNK_HEADER = `\n#${Buffer.byteLength(REPLY)}\n`.length; // "\n#NNN\n"
const CHUNKED_TOTAL = CHUNK_HEADER + Buffer.byteLength(REPLY) + '\n##\n'.length;
const EOM_TOTAL = Buffer.byteLength(REPLY) + ']]>]]>'.length;
const MIDDLE = ROOT.length + Math.floor(BODY.length / 2);

const GET_CONFIG = '<get-config><source><running/></source></get-config>';
const EDIT = '<edit-config><target><candidate/></target><config><system xmlns="urn:example:bounds"/></config></edit-config>';

/** Typed codes a session may close with after a fault (never an untyped or UNKNOWN failure). */
const CLOSE_CODES = ['REPLY_STALLED', 'CONNECTION_LOST', 'FRAMING_ERROR', 'MESSAGE_TOO_LARGE'];

interface FaultCase {
  /** What the device does. */
  name: string;
  fault: FakeReplyOptions;
  framing: 'chunked' | 'eom';
  write?: boolean;
  maxMessageBytes?: number;
  /** Observed outcomes, in the test name: the faulty call, the call started just after, the session. */
  first: string;
  second: string;
  /** `usable`, or `closed CODE`. */
  after: string;
}

const FAULTS: FaultCase[] = [
  { name: 'delayMs 100 (< T)', fault: { delayMs: 100, reply: BODY }, framing: 'chunked', first: 'ok', second: 'ok', after: 'usable' },
  { name: 'delayMs T+300', fault: { delayMs: T + 300, reply: BODY }, framing: 'chunked', first: 'RPC_TIMEOUT', second: 'ok', after: 'usable' },
  { name: 'stall', fault: { stall: true }, framing: 'chunked', first: 'RPC_TIMEOUT', second: 'ok', after: 'usable' },
  { name: 'stallAfterBytes 3 (chunk header)', fault: { stallAfterBytes: 3, reply: BODY }, framing: 'chunked', first: 'FRAMING_ERROR', second: 'FRAMING_ERROR', after: 'closed FRAMING_ERROR' },
  { name: `stallAfterBytes ${CHUNK_HEADER + 20} (root start tag)`, fault: { stallAfterBytes: CHUNK_HEADER + 20, reply: BODY }, framing: 'chunked', first: 'RPC_TIMEOUT', second: 'RPC_TIMEOUT', after: 'closed REPLY_STALLED' },
  { name: `stallAfterBytes ${CHUNK_HEADER + MIDDLE} (mid body)`, fault: { stallAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY }, framing: 'chunked', first: 'RPC_TIMEOUT', second: 'RPC_TIMEOUT', after: 'closed REPLY_STALLED' },
  { name: `stallAfterBytes ${CHUNKED_TOTAL - 2} (end-of-chunks marker)`, fault: { stallAfterBytes: CHUNKED_TOTAL - 2, reply: BODY }, framing: 'chunked', first: 'FRAMING_ERROR', second: 'FRAMING_ERROR', after: 'closed FRAMING_ERROR' },
  { name: 'stallAfterBytes 20 (root start tag)', fault: { stallAfterBytes: 20, reply: BODY }, framing: 'eom', first: 'RPC_TIMEOUT', second: 'MALFORMED_XML', after: 'usable' },
  { name: `stallAfterBytes ${MIDDLE} (mid body)`, fault: { stallAfterBytes: MIDDLE, reply: BODY }, framing: 'eom', first: 'MALFORMED_XML', second: 'RPC_TIMEOUT', after: 'usable' },
  { name: `stallAfterBytes ${EOM_TOTAL - 3} (inside ]]>]]>)`, fault: { stallAfterBytes: EOM_TOTAL - 3, reply: BODY }, framing: 'eom', first: 'MALFORMED_XML', second: 'RPC_TIMEOUT', after: 'usable' },
  { name: 'dropAfterBytes 0', fault: { dropAfterBytes: 0, reply: BODY }, framing: 'chunked', first: 'CONNECTION_LOST', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: `dropAfterBytes ${CHUNK_HEADER + MIDDLE} (mid body)`, fault: { dropAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY }, framing: 'chunked', first: 'CONNECTION_LOST', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'closeChannel (after the reply)', fault: { closeChannel: true, reply: BODY }, framing: 'chunked', first: 'ok', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'stall + closeChannel', fault: { stall: true, closeChannel: true }, framing: 'chunked', first: 'CONNECTION_LOST', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'close (after the reply)', fault: { close: true, reply: BODY }, framing: 'chunked', first: 'ok', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'stall + close', fault: { stall: true, close: true }, framing: 'chunked', first: 'CONNECTION_LOST', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'raw unframed garbage', fault: { raw: 'garbage, not a frame\n' }, framing: 'chunked', first: 'FRAMING_ERROR', second: 'FRAMING_ERROR', after: 'closed FRAMING_ERROR' },
  { name: 'raw framed reply with a DOCTYPE', fault: { raw: chunked(`<!DOCTYPE x>${REPLY}`) }, framing: 'chunked', first: 'MALFORMED_XML', second: 'ok', after: 'usable' },
  // Big enough for many SSH packets and chunks, small enough to arrive well within T on a busy machine.
  { name: 'hugeBytes 64 KiB', fault: { hugeBytes: 64 * 1024, reply: BODY }, framing: 'chunked', first: 'ok', second: 'ok', after: 'usable' },
  { name: 'hugeBytes 1 MiB over maxMessageBytes 64 KiB', fault: { hugeBytes: 1024 * 1024, reply: BODY }, framing: 'chunked', maxMessageBytes: 64 * 1024, first: 'MESSAGE_TOO_LARGE', second: 'MESSAGE_TOO_LARGE', after: 'closed MESSAGE_TOO_LARGE' },
  // Writes cut off after they were sent: the device may have applied them.
  { name: 'write: stall', fault: { stall: true }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'ok', after: 'usable' },
  { name: `write: stallAfterBytes ${CHUNK_HEADER + MIDDLE} (mid body)`, fault: { stallAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'RPC_TIMEOUT', after: 'closed REPLY_STALLED' },
  // A write whose reply arrives but cannot be read (glued to the next one in eom, or refused for
  // its DOCTYPE) may still have been applied: its outcome is unknown too.
  { name: `write: stallAfterBytes ${MIDDLE} (mid body, eom)`, fault: { stallAfterBytes: MIDDLE, reply: BODY }, framing: 'eom', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'RPC_TIMEOUT', after: 'usable' },
  { name: 'write: raw framed reply with a DOCTYPE', fault: { raw: chunked(`<!DOCTYPE x>${REPLY}`) }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'ok', after: 'usable' },
  { name: `write: dropAfterBytes ${CHUNK_HEADER + MIDDLE} (mid body)`, fault: { dropAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'write: stall + close', fault: { stall: true, close: true }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
  { name: 'write: stall + closeChannel', fault: { stall: true, closeChannel: true }, framing: 'chunked', write: true, first: 'COMMIT_OUTCOME_UNKNOWN', second: 'CONNECTION_LOST', after: 'closed CONNECTION_LOST' },
];

function chunked(xml: string): string {
  return `\n#${Buffer.byteLength(xml)}\n${xml}\n##\n`;
}

const observed: string[] = [];

describe('every reply fault settles each call within T + D + slack (T = 300 ms, D = 300 ms)', () => {
  afterAll(() => {
    console.log(observed.join('\n'));
  });

  it.each(FAULTS)('$framing | $name → faulty call: $first, next call: $second, session: $after', async (c) => {
    const operation = c.write ? 'edit-config' : 'get';
    const d = await device({ rules: [{ match: operation, times: 1, reply: c.fault }] });
    const s = await session(d, {
      drainTimeoutMs: D,
      ...(c.framing === 'eom' ? { base: '1.0' as const } : {}),
      // Both spellings: the size limit is moving into `limits` (either one is read).
      ...(c.maxMessageBytes ? { limits: { maxMessageBytes: c.maxMessageBytes } } : {}),
    });
    expect(s.framingMode).toBe(c.framing);
    const closed = watchClose(s);

    const first = timed(s.rpc(c.write ? EDIT : '<get/>', { timeoutMs: T, write: c.write === true }));
    const second = timed(s.rpc(GET_CONFIG, { timeoutMs: T }));
    const [a, b] = await Promise.all([first, second]);
    for (const [label, r] of [['faulty call', a], ['next call', b]] as const) {
      times.record(`${c.framing} | ${c.name}: ${label}`, r.ms);
      expect(r.ms, `${label} settled after ${Math.round(r.ms)} ms`).toBeLessThan(BOUND);
    }

    // Usable, or closed with a typed code: a follow-up call with the same timeout tells which
    // (a session still draining an abandoned reply may close meanwhile).
    const follow = await timed(s.rpc(GET_CONFIG, { timeoutMs: T }));
    times.record(`${c.framing} | ${c.name}: follow-up`, follow.ms);
    expect(follow.ms).toBeLessThan(BOUND);
    let after: string;
    if (follow.outcome === 'ok') after = 'usable';
    else {
      await expect.poll(() => s.closed, { timeout: BOUND, message: 'the session closing' }).toBe(true);
      after = `closed ${closed.reason?.code ?? 'null'}`;
    }
    expect(s.inFlight).toBe(0);
    observed.push(`${c.framing} | ${c.name} → faulty call: ${a.outcome}, next call: ${b.outcome}, follow-up: ${follow.outcome}, session: ${after}`);
    if (after !== 'usable') expect(CLOSE_CODES).toContain(closed.reason?.code);
    expect([a.outcome, b.outcome, after]).toEqual([c.first, c.second, c.after]);
  });
});

describe('the abandoned-reply rule over SSH', () => {
  it('fails a call that has no timeout of its own at T when it waits behind a half reply whose caller (timeout T < D) gave up on it (REPLY_STALLED)', async () => {
    const d = await device({ rules: [{ match: 'get', times: 1, reply: { stallAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY } }] });
    const s = await session(d, { drainTimeoutMs: D });
    const closed = watchClose(s);
    const first = timed(s.rpc('<get/>', { timeoutMs: T }));
    // Its reply is written after the half one: its bytes only extend the cut chunk.
    const second = timed(s.rpc(GET_CONFIG, { timeoutMs: 0 }));
    const [a, b] = await Promise.all([first, second]);
    times.record('drain: no-timeout call behind a half reply', b.ms);
    expect([a.outcome, b.outcome]).toEqual(['RPC_TIMEOUT', 'REPLY_STALLED']);
    expect(b.error?.retryable).toBe(true);
    // The drain bound is the abandoned call's own timeout when smaller than D, counted from the
    // last byte: the half reply came at once, so the session closes as the call times out.
    expect(b.ms).toBeGreaterThanOrEqual(T - 20);
    expect(b.ms).toBeLessThan(T + SLACK);
    expect([s.closed, s.inFlight, closed.reason?.code]).toEqual([true, 0, 'REPLY_STALLED']);
  });

  it('gives an aborted call ABORTED at once, and the half reply it leaves behind the same bound', async () => {
    const d = await device({ rules: [{ match: 'get', times: 1, reply: { stallAfterBytes: CHUNK_HEADER + MIDDLE, reply: BODY } }] });
    const s = await session(d, { drainTimeoutMs: D });
    const closed = watchClose(s);
    const abort = new AbortController();
    const first = timed(s.rpc('<get/>', { signal: abort.signal, timeoutMs: 0 }));
    const second = timed(s.rpc(GET_CONFIG, { timeoutMs: 0 }));
    await new Promise((r) => setTimeout(r, 100)); // the half reply is in
    abort.abort();
    const a = await first;
    const b = await second;
    times.record('drain: aborted call', a.ms);
    times.record('drain: no-timeout call behind an aborted half reply', b.ms);
    expect([a.outcome, b.outcome]).toEqual(['ABORTED', 'REPLY_STALLED']);
    expect(a.ms).toBeLessThan(100 + SLACK);
    expect(b.ms).toBeLessThan(100 + D + SLACK);
    expect([s.closed, s.inFlight, closed.reason?.code]).toEqual([true, 0, 'REPLY_STALLED']);
  });

  it('lets an abandoned reply that does finish within D go by, and the session stays usable', async () => {
    // The reply is 256 KiB; the caller gives up after 1 ms, most likely while it is being read.
    // (Its own timeout is the default: a 1 ms timeout would bound the drain to 1 ms too.)
    const d = await device({ rules: [{ match: 'get', times: 1, reply: { hugeBytes: 256 * 1024, reply: BODY } }] });
    const s = await session(d, { drainTimeoutMs: 2_000 });
    const a = await timed(s.rpc('<get/>', { signal: AbortSignal.timeout(1) }));
    expect(a.outcome).toBe('ABORTED');
    const follow = await timed(s.rpc(GET_CONFIG, { timeoutMs: 2_000 }));
    expect([follow.outcome, s.closed, s.inFlight]).toEqual(['ok', false, 0]);
  });
});

// ---- 2. connect() against a device that misbehaves before the session opens ----------------

const CONNECT_MS = 600;

describe('connect() settles within connectTimeoutMs + slack whatever the device does', () => {
  async function connecting(d: FakeDevice, extra: Partial<ConnectOptions> = {}): Promise<Settled> {
    const r = await timed(connect(reach(d, { connectTimeoutMs: CONNECT_MS, ...extra })).then((s) => sessions.push(s)));
    return r;
  }

  it.each([
    { name: 'no hello (sendHello: false)', options: { sendHello: false }, code: 'HELLO_TIMEOUT' },
    { name: 'hello delayed past the deadline (helloDelayMs 5000)', options: { helloDelayMs: 5_000 }, code: 'HELLO_TIMEOUT' },
    { name: 'subsystem refused', options: { subsystem: false }, code: 'SUBSYSTEM_UNAVAILABLE' },
    { name: 'pre-hello text, then no hello', options: { preHello: 'error: netconf is not allowed for this user class\n', sendHello: false }, code: 'HELLO_TIMEOUT' },
    { name: 'pre-hello markup garbage framed as a message, then the hello', options: { preHello: '<<<garbage\u0001>>> ]]>]]>' }, code: 'PROTOCOL_ERROR' },
    { name: 'pre-hello markup garbage glued to the hello', options: { preHello: '<<<garbage\u0001>>>' }, code: 'PROTOCOL_ERROR' },
    // Text before the hello is what Junos prints for restricted users: read past, not an error.
    { name: 'pre-hello text lines, then the hello', options: { preHello: 'warning: this is a banner\nsecond line\n' }, code: 'ok' },
  ])('$name → $code', async (c) => {
    const d = await device(c.options as FakeDeviceOptions);
    const r = await connecting(d);
    times.record(`connect: ${c.name}`, r.ms);
    expect(r.outcome).toBe(c.code);
    expect(r.ms).toBeLessThan(CONNECT_MS + SLACK);
    await expect.poll(() => d.connectionCount === (r.outcome === 'ok' ? 1 : 0), { timeout: 3_000, message: 'the device seeing the connection closed' }).toBe(true);
  });

  it('names the stage a raw SSH server stalls in (CONNECT_TIMEOUT), and a silent subsystem is HELLO_TIMEOUT', async () => {
    const key = testKey('ed25519');
    for (const [what, options, code, stage] of [
      ['auth stalls', { auth: 'stall' }, 'CONNECT_TIMEOUT', /auth/i],
      ['subsystem request stalls', { request: 'stall' }, 'CONNECT_TIMEOUT', /subsystem/i],
      ['subsystem accepted, never a word', { request: 'accept' }, 'HELLO_TIMEOUT', /hello/i],
    ] as const) {
      const server = await rawSshServer({ hostKeys: [key.private], ...options });
      try {
        const r = await timed(connect({ host: '127.0.0.1', port: server.port, username: 'u', password: 'p', insecureAcceptAnyHostKey: true, connectTimeoutMs: CONNECT_MS }));
        times.record(`connect: raw server, ${what}`, r.ms);
        expect([what, r.outcome]).toEqual([what, code]);
        expect(r.error?.message).toMatch(stage);
        expect(r.ms).toBeLessThan(CONNECT_MS + SLACK);
        await server.drained(3_000);
      } finally {
        await server.close();
      }
    }
  });

  it('aborted while waiting for the hello: ABORTED, and the device sees the connection closed', async () => {
    const d = await device({ sendHello: false });
    const abort = new AbortController();
    const pending = timed(connect(reach(d, { signal: abort.signal, connectTimeoutMs: 10_000 })));
    // The client's hello has arrived: it is waiting for the device's.
    await expect.poll(() => d.clientHellos.length, { timeout: 5_000, message: 'the client hello arriving' }).toBe(1);
    const abortedAt = performance.now();
    abort.abort();
    const r = await pending;
    times.record('connect: aborted in the hello wait (after abort)', performance.now() - abortedAt);
    expect(r.outcome).toBe('ABORTED');
    expect(performance.now() - abortedAt).toBeLessThan(SLACK);
    await expect.poll(() => d.connectionCount, { timeout: 3_000, message: 'the device seeing the connection closed' }).toBe(0);
  });
});

// ---- 3. notifications: garbage and floods --------------------------------------------------

const NOTIFICATION_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';

/**
 * connect() resolves on the device's hello, which the device sends before it has read ours;
 * it pushes notifications only to sessions past the hello exchange. One round trip settles it.
 */
async function ready(s: Session): Promise<Session> {
  await s.rpc(GET_CONFIG, { timeoutMs: 5_000 });
  return s;
}

describe('notifications over SSH, on the session itself', () => {
  it('delivers a notification holding &nbsp; as is (bodies are scanned, not parsed) and keeps working', async () => {
    const d = await device();
    const s = await ready(await session(d));
    const notifications: string[] = [];
    const protocolErrors: NetconfError[] = [];
    s.on('notification', (n) => {
      notifications.push(`${n.eventTime} ${n.xml}`);
    });
    s.on('protocolError', (e) => {
      protocolErrors.push(e);
    });
    const nbsp = `<notification xmlns="${NOTIFICATION_NS}"><eventTime>2024-05-01T10:00:00Z</eventTime><event xmlns="urn:example:bounds">a&nbsp;b</event></notification>`;
    d.notifyRaw(nbsp, { all: true });
    // A framed message with no element at all is not a notification: a protocolError, and on.
    d.notifyRaw('just text, no element', { all: true });
    expect((await s.rpc(GET_CONFIG, { timeoutMs: 5_000 })).xml).toContain('<data');
    await expect.poll(() => notifications.length === 1 && protocolErrors.length === 1, { timeout: 5_000, message: 'both events' }).toBe(true);
    expect(notifications).toEqual([`2024-05-01T10:00:00Z ${nbsp}`]);
    expect(protocolErrors.map((e) => e.code)).toEqual(['MALFORMED_XML']);
    expect([s.closed, s.inFlight]).toEqual([false, 0]);
  });

  it('gets all of 5,000 notifications, in order, interleaved with 50 RPCs that all resolve', async () => {
    const d = await device();
    const s = await ready(await session(d));
    const seen: number[] = [];
    s.on('notification', (n) => {
      seen.push(Number(/<seq[^>]*>(\d+)<\/seq>/.exec(n.xml)?.[1] ?? -1));
    });
    const calls: Promise<unknown>[] = [];
    const started = performance.now();
    for (let i = 0; i < 5_000; i++) {
      d.notify(`<seq xmlns="urn:example:bounds">${i}</seq>`, { all: true });
      if (i % 100 === 99) {
        calls.push(s.rpc(GET_CONFIG, { timeoutMs: 20_000 }).then(() => seen.length));
        // Give the wire a turn so that replies and notifications really interleave.
        await new Promise((r) => setImmediate(r));
      }
    }
    // Each reply resolves with how many notifications had arrived by then.
    const replies = await Promise.all(calls);
    expect(replies).toHaveLength(50);
    // They did interleave: the first reply came in while notifications were still arriving.
    expect(replies[0]).toBeLessThan(5_000);
    await expect.poll(() => seen.length, { timeout: 20_000, message: 'all 5,000 notifications' }).toBeGreaterThanOrEqual(5_000);
    times.record('flood: 5,000 notifications + 50 RPCs (total)', performance.now() - started);
    expect(seen).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect([s.closed, s.inFlight]).toEqual([false, 0]);
  });
});

// ---- 4. user callbacks that throw ----------------------------------------------------------

const WARNING = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>careful</error-message></rpc-error>';
const ERROR = '<rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity><error-message>no such thing</error-message></rpc-error>';

describe('listeners and onItem callbacks that throw, over SSH', () => {
  async function calls(s: Session, onItem?: () => void): Promise<string[]> {
    const options = { timeoutMs: 5_000, ...(onItem ? { onItem } : {}) };
    const warned = await timed(s.rpc('<get/>', options));
    const failed = await timed(s.rpc('<validate><source><candidate/></source></validate>', options));
    const plain = await timed(s.rpc(GET_CONFIG, options));
    const describe = (r: Settled) => (r.error instanceof RpcError ? `${r.outcome} ${r.error.errors.map((e) => `${e.level}:${e.message}`).join(',')}` : r.outcome);
    return [describe(warned), describe(failed), describe(plain)];
  }

  it('changes no call outcome, keeps the session open, and reports each throw to callbackError with its source', async () => {
    const d = await device({
      rules: [
        { match: 'get', reply: `<data/>${WARNING}` },
        { match: 'validate', reply: ERROR },
      ],
    });
    const baseline = await calls(await session(d));

    const s = await session(d);
    const reported: string[] = [];
    s.on('callbackError', (error, source) => {
      reported.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
    });
    let itemsAfterThrow = 0;
    s.on('item', () => {
      throw new Error('item listener');
    });
    s.on('item', () => {
      itemsAfterThrow++;
    });
    s.on('notification', () => {
      throw new Error('notification listener');
    });
    s.on('notification', async () => {
      await Promise.resolve();
      throw new Error('async notification listener');
    });
    s.on('close', () => {
      throw new Error('close listener');
    });

    const outcomes = await calls(s, () => {
      throw new Error('onItem');
    });
    expect(outcomes).toEqual(baseline);
    expect(outcomes[0]).toBe('ok');
    expect(outcomes[1]).toBe('INVALID_VALUE error:no such thing');
    expect(itemsAfterThrow).toBe(2); // the listener after a throwing one still ran

    d.notify('<event xmlns="urn:example:bounds"/>', { all: true });
    await expect.poll(() => reported.filter((r) => r.startsWith('notification')).length, { timeout: 5_000, message: 'the notification throws being reported' }).toBe(2);
    expect([s.closed, s.inFlight]).toEqual([false, 0]);
    expect((await s.rpc(GET_CONFIG, { timeoutMs: 5_000 })).xml).toContain('<data');

    await s.close();
    await expect.poll(() => reported.some((r) => r.startsWith('close')), { timeout: 2_000, message: 'the close throw being reported' }).toBe(true);
    expect([...reported].sort()).toEqual([
      'close: close listener',
      'item: item listener',
      'item: item listener',
      'notification: async notification listener',
      'notification: notification listener',
      'onItem: onItem',
      'onItem: onItem',
    ]);
  });

  it('with no callbackError listener, reports a throw as a process warning, never as an exception', async () => {
    const d = await device();
    const s = await ready(await session(d));
    s.on('notification', () => {
      throw new Error('unheard listener');
    });
    const warning = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
    d.notify('<event xmlns="urn:example:bounds"/>', { all: true });
    const w = await warning;
    expect([w.code, w.message]).toEqual(['NETCONFKIT_CALLBACK_ERROR', "A netconfkit 'notification' callback threw: unheard listener"]);
    expect((await s.rpc(GET_CONFIG, { timeoutMs: 5_000 })).xml).toContain('<data');
  });
});

// ---- 5. requests refused before they are sent ----------------------------------------------

describe('a request netconfkit cannot send is INVALID_ARGUMENT and never reaches the device', () => {
  it('on an end-of-message session: malformed XML, and ]]>]]> inside an attribute value', async () => {
    const d = await device();
    const s = await session(d, { base: '1.0' });
    expect(s.framingMode).toBe('eom');
    const malformed = await timed(s.rpc('<get><filter type="subtree"><interfaces></filter></get>'));
    // Well-formed XML (`>` may stand in an attribute value), but end-of-message framing cannot carry it.
    const unframable = await timed(s.rpc('<get><filter type="subtree"><x a="]]>]]>"/></filter></get>'));
    for (const r of [malformed, unframable]) {
      expect(r.outcome).toBe('INVALID_ARGUMENT');
      expect(r.error?.category).toBe('client');
    }
    expect(unframable.error?.message).toContain(']]>]]>');
    expect(s.inFlight).toBe(0);
    expect((await s.rpc(GET_CONFIG, { timeoutMs: 5_000 })).xml).toContain('<data');
    // Only the good call reached the device, and it took the first message-id.
    expect(d.requests.map((r) => [r.messageId, r.operation])).toEqual([['1', 'get-config']]);
  });

  it('on a chunked session the same attribute value is sent', async () => {
    const d = await device();
    const s = await session(d);
    expect((await s.rpc('<get><filter type="subtree"><x a="]]>]]>"/></filter></get>', { timeoutMs: 5_000 })).xml).toContain('<data');
    expect(d.requests.map((r) => r.operation)).toEqual(['get']);
  });
});
