import { afterEach, describe, expect, it, vi } from 'vitest';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { ClientError, type NetconfError } from '../../src/errors/index.js';
import { type RpcReply, Session } from '../../src/session/session.js';
import { rejection } from '../support/assertions.js';
import { BASE, ScriptedPeer, openScripted, serverHello } from './scripted-peer.js';

const REPLY_HEAD = (id: string) => `<rpc-reply xmlns="${BASE}" message-id="${id}"><data><big>`;

afterEach(() => {
  vi.useRealTimers();
});

describe('the lifecycle is one state', () => {
  it('moves hello → open → closing → closed, and close() resolves once', async () => {
    const peer = new ScriptedPeer();
    const started = Session.start(peer.transport);
    await peer.waitForRequests(1);
    peer.send(serverHello({ base: '1.0' }));
    const session = await started;
    expect(session.state).toBe('open');
    const closing = session.close();
    expect(session.state).toBe('closing');
    await expect(session.rpc('<get/>')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    await peer.waitForRequests(2);
    peer.reply(1, '<ok/>');
    await closing;
    expect(session.state).toBe('closed');
    expect(peer.closedByClient).toBe(true);
    await session.close();
  });

  it('exposes read-only session facts', async () => {
    const { session } = await openScripted();
    expect(() => {
      (session as unknown as { sessionId: number }).sessionId = 7;
    }).toThrow(TypeError);
    expect(session.sessionId).toBe(42);
    session.destroy();
  });

  it('close() leaves no timer behind when the device answers at once', async () => {
    const { session, peer } = await openScripted({ closeTimeoutMs: 60_000 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const closing = session.close();
    await peer.waitForRequests(2);
    peer.reply(1, '<ok/>');
    await closing;
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('close({ signal }) tears down at once when the signal aborts', async () => {
    const { session } = await openScripted({ closeTimeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = session.rpc('<get/>', { timeoutMs: 0 });
    const closing = session.close({ signal: controller.signal });
    controller.abort();
    await closing;
    expect((await rejection(pending)).code).toBe('SESSION_CLOSED');
  });
});

describe('a call abandoned while its reply is half-read', () => {
  it('times out as RPC_TIMEOUT; if the rest never comes, the session closes with REPLY_STALLED and later calls fail fast', async () => {
    const { session, peer } = await openScripted({ drainTimeoutMs: 200 });
    const slow = session.rpc('<get/>', { timeoutMs: 100 });
    await peer.waitForRequests(2);
    // Half a reply, in a chunk that never ends.
    peer.sendRaw(`\n#100000\n${REPLY_HEAD(peer.idOf(1))}`);
    const later = session.rpc('<get-config><source><running/></source></get-config>', { timeoutMs: 60_000 });
    const t0 = Date.now();
    expect((await rejection(slow)).code).toBe('RPC_TIMEOUT');
    const err = await rejection(later);
    expect(err.code).toBe('REPLY_STALLED');
    expect(err.retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(session.state).toBe('closed');
  });

  it('an aborted write is COMMIT_OUTCOME_UNKNOWN; when the rest arrives in time, the session goes on', async () => {
    const { session, peer } = await openScripted({ drainTimeoutMs: 5_000 });
    const controller = new AbortController();
    const commit = session.rpc('<commit/>', { write: true, signal: controller.signal });
    await peer.waitForRequests(2);
    const body = `${REPLY_HEAD(peer.idOf(1))}</big></data></rpc-reply>`;
    const bytes = Buffer.from(body);
    peer.sendRaw(`\n#${bytes.length}\n`);
    peer.sendRaw(bytes.subarray(0, 20));
    await expect.poll(() => session.inFlight, { timeout: 2_000 }).toBe(1);
    controller.abort();
    expect((await rejection(commit)).code).toBe('COMMIT_OUTCOME_UNKNOWN');
    peer.sendRaw(Buffer.concat([bytes.subarray(20), Buffer.from('\n##\n')]));
    const next = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.reply(2, '<data/>');
    expect((await next).xml).toContain('<data/>');
    expect(session.state).toBe('open');
  });

  it('a healthy reply of a waiting call is never cut short by another call timing out', async () => {
    const { session, peer } = await openScripted({ drainTimeoutMs: 50 });
    const big = session.rpc('<get/>', { timeoutMs: 60_000 });
    const quick = session.rpc('<get-config><source><running/></source></get-config>', { timeoutMs: 30 });
    await peer.waitForRequests(3);
    const body = Buffer.from(`${REPLY_HEAD(peer.idOf(1))}</big></data></rpc-reply>`);
    peer.sendRaw(`\n#${body.length}\n`);
    peer.sendRaw(body.subarray(0, 120)); // past the root start tag: routed to its waiting call
    expect((await rejection(quick)).code).toBe('RPC_TIMEOUT');
    await new Promise((r) => setTimeout(r, 150));
    peer.sendRaw(Buffer.concat([body.subarray(120), Buffer.from('\n##\n')]));
    expect((await big).xml).toContain('<big>');
    expect(session.state).toBe('open');
  });
});

describe('user code is kept at arm\'s length', () => {
  it('throwing item, notification and onItem callbacks change no outcome and are reported', async () => {
    const { session, peer } = await openScripted();
    const reported: [unknown, string][] = [];
    session.on('callbackError', (error, source) => reported.push([error, source]));
    session.on('item', () => {
      throw new Error('item listener broke');
    });
    session.on('notification', () => {
      throw new Error('notification listener broke');
    });
    const seen: string[] = [];
    session.on('notification', (n) => seen.push(n.xml));
    const first = session.rpc('<get/>', {
      onItem() {
        throw new Error('onItem broke');
      },
    });
    const second = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.send(`<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2026-01-01T00:00:00Z</eventTime><e/></notification>`);
    peer.reply(1, '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity></rpc-error><data/>');
    peer.reply(2, '<data/>');
    const [a, b] = (await Promise.all([first, second])) as [RpcReply, RpcReply];
    expect(a.warnings).toHaveLength(1);
    expect(b.xml).toContain('<data/>');
    expect(session.state).toBe('open');
    expect(seen).toHaveLength(1);
    expect(reported.map(([e, s]) => [(e as Error).message, s]).sort()).toEqual([
      ['item listener broke', 'item'],
      ['notification listener broke', 'notification'],
      ['onItem broke', 'onItem'],
    ]);
  });

  it('a rejected promise from an async listener is reported too, and with no callbackError listener it is a process warning', async () => {
    const { session, peer } = await openScripted();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      session.on('notification', async () => {
        throw new Error('async listener broke');
      });
      peer.send(`<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>t</eventTime><e/></notification>`);
      await expect.poll(() => warnings.some((w) => w.message.includes('async listener broke')), { timeout: 2_000 }).toBe(true);
      expect(session.state).toBe('open');
    } finally {
      process.off('warning', onWarning);
      session.destroy();
    }
  });

  it('a listener that closes the session from inside an item event settles every call once', async () => {
    const { session, peer } = await openScripted();
    session.on('item', () => session.destroy());
    const a = session.rpc('<get/>');
    const b = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.reply(1, '<rpc-error><error-tag>in-use</error-tag></rpc-error>');
    const [ea, eb] = await Promise.all([rejection(a), rejection(b)]);
    expect(ea.code).toBe('IN_USE');
    expect(eb.code).toBe('SESSION_CLOSED');
  });
});

describe('requests that cannot be sent', () => {
  it('malformed caller XML is INVALID_ARGUMENT, client, not retryable, and nothing is sent', async () => {
    const { session, peer } = await openScripted();
    for (const bad of ['<get', '<a></b>', '<get>&nbsp;</get>', '<a x="1" x="2"/>', '<!DOCTYPE x><x/>', '<a><!-- a -- b --></a>']) {
      const err = await rejection(session.rpc(bad));
      expect(err).toBeInstanceOf(ClientError);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.category).toBe('client');
      expect(err.retryable).toBe(false);
      expect(err.message).not.toContain('netconfkit-check');
    }
    expect(peer.requests).toHaveLength(1); // the hello only
    expect(session.inFlight).toBe(0);
    expect(session.state).toBe('open');
  });

  it('a request that end-of-message framing cannot carry is INVALID_ARGUMENT and leaves no pending call or timer', async () => {
    const { session, peer } = await openScripted({ base: '1.0' }, serverHello({ base: '1.0' }));
    expect(session.framingMode).toBe('eom');
    const err = await rejection(session.rpc('<get a="]]>]]>"/>', { timeoutMs: 50 }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(session.inFlight).toBe(0);
    await new Promise((r) => setTimeout(r, 120));
    expect(session.state).toBe('open');
    const ok = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.reply(1, '<data/>');
    expect((await ok).xml).toContain('<data/>');
  });
});

describe('the transport', () => {
  it('a custom transport whose stream errors settles every pending call', async () => {
    const { session, peer } = await openScripted();
    const get = session.rpc('<get/>');
    const commit = session.rpc('<commit/>', { write: true });
    await peer.waitForRequests(3);
    peer.toClient.destroy(new Error('pipe broke'));
    const [a, b] = await Promise.all([rejection(get), rejection(commit)]);
    expect(a.code).toBe('CONNECTION_LOST');
    expect(b.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(session.state).toBe('closed');
  });

  it('waits for drain: a slow transport is handed one request at a time', async () => {
    const toClient = new PassThrough();
    const written: Buffer[] = [];
    let release: (() => void) | null = null;
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        written.push(chunk);
        // The hello goes through; later writes wait until released.
        if (written.length === 1) return done();
        release = () => done();
      },
    });
    const stream = Duplex.from({ readable: toClient, writable: sink });
    const closeListeners: ((e: NetconfError | null) => void)[] = [];
    const started = Session.start({ stream, close() {}, onClose: (l) => closeListeners.push(l) });
    await expect.poll(() => written.length, { timeout: 2_000 }).toBe(1);
    toClient.write(`${serverHello({ base: '1.0' })}]]>]]>`);
    const session = await started;
    const big = `<edit-config><target><candidate/></target><config><x>${'y'.repeat(64 * 1024)}</x></config></edit-config>`;
    const calls = [session.rpc(big, { timeoutMs: 0 }), session.rpc(big, { timeoutMs: 0 }), session.rpc(big, { timeoutMs: 0 })];
    await expect.poll(() => written.length, { timeout: 2_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    // Only the first big request has been handed over; the others wait for drain.
    expect(written).toHaveLength(2);
    release!();
    await expect.poll(() => written.length, { timeout: 2_000 }).toBe(3);
    session.destroy();
    await Promise.allSettled(calls);
  });
});

describe('messages that cannot be read', () => {
  it('a text-only message is MALFORMED_XML on the protocolError event, as in replay, and the session goes on', async () => {
    const { session, peer } = await openScripted();
    const errors: NetconfError[] = [];
    session.on('protocolError', (e) => errors.push(e));
    peer.send('Connection to the device is about to close');
    const ok = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.reply(1, '<data/>');
    await ok;
    expect(errors.map((e) => e.code)).toEqual(['MALFORMED_XML']);
  });

  it('a stray reply is reported, not kept, and the session goes on', async () => {
    const { session, peer } = await openScripted();
    const errors: NetconfError[] = [];
    session.on('protocolError', (e) => errors.push(e));
    peer.send(`<rpc-reply xmlns="${BASE}" message-id="999"><data>${'x'.repeat(100_000)}</data></rpc-reply>`);
    const ok = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.reply(1, '<data/>');
    await ok;
    expect(errors.map((e) => e.code)).toEqual(['PROTOCOL_ERROR']);
    expect(errors[0]!.message).toContain('unknown message-id "999"');
  });
});

describe('the warning policy', () => {
  it('a RegExp with the g or y flag matches every warning, not every other one', async () => {
    const { session, peer } = await openScripted();
    const warning = (text: string) => `<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>${text}</error-message></rpc-error>`;
    for (const re of [/statement not found/g, /statement/y, /not found/g]) {
      const n = peer.requests.length;
      const call = session.rpc('<get/>', { warnings: { raise: true, ignore: [{ message: re }] } });
      await peer.waitForRequests(n + 1);
      peer.reply(n, `${warning('statement not found')}${warning('statement not found')}${warning('statement not found')}<ok/>`);
      const reply = await call;
      expect(reply.warnings.map((w) => w.ignored)).toEqual([true, true, true]);
      expect(re.lastIndex).toBe(0);
    }
    session.destroy();
  });
});
