import { describe, expect, it } from 'vitest';
import { ConnectionError, NetconfError, ProtocolError, RpcError, TimeoutError } from '../../src/errors/index.js';
import { Session, type SessionOptions } from '../../src/session/session.js';
import { BASE, ScriptedPeer, openScripted, serverHello } from './scripted-peer.js';
import { rejection } from '../support/assertions.js';

const open = openScripted;


describe('Session: hello and framing', () => {
  it('offers base 1.0 and 1.1 without a session-id, and goes chunked when the device has 1.1', async () => {
    const { session, peer } = await open();
    expect(peer.requests[0]).toContain('urn:ietf:params:netconf:base:1.1');
    expect(peer.requests[0]).not.toContain('session-id');
    expect(session.sessionId).toBe(42);
    expect(session.capabilities.candidate).toBe(true);
    const call = session.rpc('<get-config><source><running/></source></get-config>');
    await peer.waitForRequests(2);
    expect(peer.requests[1]).toBe(`<rpc xmlns="${BASE}" message-id="1"><get-config><source><running/></source></get-config></rpc>`);
    peer.reply(1, '<data><x>1</x></data>');
    const reply = await call;
    expect(reply).toMatchObject({ messageId: '1', hasOk: false, items: [], warnings: [] });
    expect(reply.xml).toContain('<x>1</x>');
  });

  it('stays with ]]>]]> framing when the device speaks base 1.0 only', async () => {
    const { session, peer } = await open({}, serverHello({ base: '1.0' }));
    const call = session.rpc('<lock><target><candidate/></target></lock>');
    await peer.waitForRequests(2);
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="1"><ok/></rpc-reply>]]>]]>`);
    expect((await call).hasOk).toBe(true);
  });

  it('refuses a hello without a session-id, or with no common base', async () => {
    for (const hello of [serverHello({ sessionId: null }), serverHello({ sessionId: 'abc' })]) {
      const peer = new ScriptedPeer();
      const started = Session.start(peer.transport);
      await peer.waitForRequests(1);
      peer.send(hello);
      const err = await rejection(started);
      expect(err.code).toBe('PROTOCOL_ERROR');
      expect(err.message).toMatch(/session-id/);
    }
    const peer = new ScriptedPeer();
    const started = Session.start(peer.transport, { base: '1.0' });
    await peer.waitForRequests(1);
    peer.send(serverHello({ base: '1.1' }));
    expect((await rejection(started)).message).toMatch(/no base version in common/);
  });

  it('shows the text a device sent before a stray reply instead of timing out', async () => {
    const peer = new ScriptedPeer();
    const started = Session.start(peer.transport, { helloTimeoutMs: 5_000 });
    await peer.waitForRequests(1);
    peer.sendRaw('error: user is not allowed to use netconf\n<rpc-reply><rpc-error><error-message>permission denied</error-message></rpc-error></rpc-reply>]]>]]>');
    const err = await rejection(started);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toMatch(/before its <hello>.*error: user is not allowed to use netconf/);
    expect(peer.closedByClient).toBe(true);
  });

  it('times out a missing hello with HELLO_TIMEOUT, showing what arrived', async () => {
    const peer = new ScriptedPeer();
    const started = Session.start(peer.transport, { helloTimeoutMs: 50 });
    peer.sendRaw('Last login: yesterday\n');
    const err = await rejection(started);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('HELLO_TIMEOUT');
    expect(err.message).toContain('Last login: yesterday');
  });
});

describe('Session: many calls in flight', () => {
  it('matches replies by message-id whatever their order', async () => {
    const { session, peer } = await open();
    const calls = Array.from({ length: 50 }, (_, k) => session.rpc(`<get><filter type="subtree"><n>${k}</n></filter></get>`));
    await peer.waitForRequests(51);
    for (let n = 50; n >= 1; n--) peer.reply(n, `<data><n>${n - 1}</n></data>`);
    const replies = await Promise.all(calls);
    replies.forEach((r, k) => expect(r.xml).toContain(`<n>${k}</n>`));
    expect(session.inFlight).toBe(0);
  });

  it('reports a reply with an unknown message-id, or one without while no call waits, without disturbing the others', async () => {
    const { session, peer } = await open();
    const stray: NetconfError[] = [];
    session.on('protocolError', (e) => stray.push(e));
    const first = new Promise((resolve) => session.once('protocolError', resolve));
    peer.send(`<rpc-reply xmlns="${BASE}"><rpc-error><error-tag>malformed-message</error-tag></rpc-error></rpc-reply>`);
    await first;
    const call = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.send(`<rpc-reply xmlns="${BASE}" message-id="999"><ok/></rpc-reply>`);
    peer.reply(1, '<ok/>');
    expect((await call).hasOk).toBe(true);
    expect(stray.map((e) => e.code)).toEqual(['PROTOCOL_ERROR', 'PROTOCOL_ERROR']);
    expect(stray[0]!.message).toMatch(/without message-id/);
    expect(stray[1]!.message).toMatch(/unknown message-id "999"/);
  });

  it('rejects a reply that is not well-formed, and keeps the session', async () => {
    const { session, peer } = await open();
    const bad = session.rpc('<get/>');
    const good = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.reply(1, '<!DOCTYPE x><data/>');
    peer.reply(2, '<ok/>');
    expect((await rejection(bad)).code).toBe('MALFORMED_XML');
    expect((await good).hasOk).toBe(true);
    expect(session.closed).toBe(false);
  });
});

describe('Session: errors and warnings', () => {
  it('streams each item before the reply ends', async () => {
    const { session, peer } = await open();
    const seen: string[] = [];
    const events: string[] = [];
    session.on('item', (item, id) => events.push(`${id}:${item.code}`));
    const call = session.rpc('<edit-config/>', { onItem: (i) => seen.push(i.code) });
    await peer.waitForRequests(2);
    // A chunked reply whose first chunk holds a whole rpc-error; the rest comes later.
    peer.sendRaw(`\n#200\n${`<rpc-reply xmlns="${BASE}" message-id="1"><rpc-error><error-tag>in-use</error-tag><error-severity>warning</error-severity></rpc-error>`.padEnd(200, ' ')}`);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['IN_USE']);
    expect(events).toEqual(['1:IN_USE']);
    peer.sendRaw('\n#12\n</rpc-reply>\n##\n');
    const reply = await call;
    expect(reply.warnings.map((w) => w.code)).toEqual(['IN_USE']);
  });

  it('resolves with warnings, and rejects with every item when any error is present', async () => {
    const { session, peer } = await open();
    const warned = session.rpc('<load/>');
    const failed = session.rpc('<commit/>');
    await peer.waitForRequests(3);
    const warning = '<rpc-error><error-severity>warning</error-severity><error-message>statement not found</error-message></rpc-error>';
    peer.reply(1, `${warning}<ok/>`);
    peer.reply(2, `${warning}<rpc-error><error-tag>lock-denied</error-tag><error-severity>error</error-severity><error-info><session-id>7</session-id></error-info></rpc-error>`);
    const reply = await warned;
    expect(reply.hasOk).toBe(true);
    expect(reply.warnings[0]!.deviceMessage).toBe('statement not found');
    const err = await rejection(failed);
    expect(err).toBeInstanceOf(RpcError);
    const rpcErr = err as RpcError;
    expect(rpcErr.code).toBe('LOCK_DENIED');
    expect(rpcErr.retryable).toBe(true);
    expect(rpcErr.items.map((i) => i.level)).toEqual(['warning', 'error']);
    expect(rpcErr.errors[0]!.sessionId).toBe(7);
    // The reply itself stays reachable (a multi-RE reply can fail on one RE and carry data from another).
    expect(rpcErr.replyXml).toContain('<error-tag>lock-denied</error-tag>');
    expect(JSON.stringify(rpcErr.toJSON())).not.toContain('replyXml');
  });

  it('applies a warning policy per session and per call, keeping ignored warnings marked', async () => {
    const { session, peer } = await open({ warnings: { ignore: [{ message: /statement not found/ }] } });
    const ignored = session.rpc('<load/>', { warnings: { raise: true } });
    const raised = session.rpc('<load/>', { warnings: { raise: true } });
    await peer.waitForRequests(3);
    peer.reply(1, '<rpc-error><error-severity>warning</error-severity><error-message>statement not found</error-message></rpc-error><ok/>');
    peer.reply(2, '<rpc-error><error-severity>warning</error-severity><source-daemon>mgd</source-daemon><error-message>other</error-message></rpc-error><ok/>');
    const reply = await ignored;
    expect(reply.warnings).toHaveLength(1);
    expect(reply.warnings[0]!.ignored).toBe(true);
    const err = (await rejection(raised)) as RpcError;
    expect(err.items[0]!.deviceMessage).toBe('other');
    expect(err.retryable).toBe(false);
  });
});

describe('Session: a warning policy is the caller\'s code', () => {
  it('a matcher that is not a string or RegExp is INVALID_ARGUMENT before anything is sent', async () => {
    const { session, peer } = await open();
    const bad = { ignore: [{ message: 42 as unknown as string }] };
    const err = await rejection(session.rpc('<get/>', { warnings: bad }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/message must be a string or a RegExp/);
    expect(await rejection(session.rpc('<get/>', { warnings: { ignore: {} as unknown as [] } }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(peer.requests).toHaveLength(1); // the hello only
  });

  it('a RegExp of the caller\'s that throws fails its own call (INVALID_ARGUMENT); the session and the next call go on', async () => {
    const { session, peer } = await open();
    class Broken extends RegExp {
      override test(): boolean {
        throw new Error('matcher broke');
      }
    }
    const first = session.rpc('<load/>', { warnings: { ignore: [{ message: new Broken('x') }] } });
    const second = session.rpc('<load/>');
    await peer.waitForRequests(3);
    const WARNING = '<rpc-error><error-severity>warning</error-severity><error-message>statement not found</error-message></rpc-error><ok/>';
    peer.reply(1, WARNING);
    peer.reply(2, WARNING);
    const err = await rejection(first);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('The warning policy could not be applied: matcher broke');
    expect((await second).warnings).toHaveLength(1);
    expect(session.state).toBe('open');
  });
});

describe('Session: timeouts, aborts and lost connections', () => {
  it('times a call out, drops its late reply quietly, and goes on', async () => {
    const { session, peer } = await open();
    const stray: NetconfError[] = [];
    session.on('protocolError', (e) => stray.push(e));
    const slow = session.rpc('<get/>', { timeoutMs: 30 });
    await peer.waitForRequests(2);
    const err = await rejection(slow);
    expect(err.code).toBe('RPC_TIMEOUT');
    expect(err.retryable).toBe(true);
    const next = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.reply(1, '<data>late</data>');
    peer.reply(2, '<data>fresh</data>');
    expect((await next).xml).toContain('fresh');
    expect(stray).toEqual([]);
  });

  it('aborts with the signal, before or after sending', async () => {
    const { session, peer } = await open();
    const early = new AbortController();
    early.abort();
    expect((await rejection(session.rpc('<get/>', { signal: early.signal }))).code).toBe('ABORTED');
    const late = new AbortController();
    const call = session.rpc('<get/>', { signal: late.signal });
    await peer.waitForRequests(2);
    late.abort();
    expect((await rejection(call)).code).toBe('ABORTED');
  });

  it('rejects every pending call at once with CONNECTION_LOST when the connection drops', async () => {
    const { session, peer } = await open();
    const calls = Array.from({ length: 1000 }, () => session.rpc('<get/>'));
    await peer.waitForRequests(1001);
    const closed = new Promise((r) => session.once('close', r));
    const started = Date.now();
    peer.drop();
    const errors = await Promise.all(calls.map(rejection));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors.every((e) => e.code === 'CONNECTION_LOST' && e.retryable)).toBe(true);
    await closed;
    expect(session.closed).toBe(true);
    expect((await rejection(session.rpc('<get/>'))).code).toBe('SESSION_CLOSED');
  });

  it('reports a write cut off after sending as COMMIT_OUTCOME_UNKNOWN, not retryable', async () => {
    const { session, peer } = await open();
    const commit = session.rpc('<commit/>', { write: true });
    const edit = session.rpc('<edit-config/>', { write: true, timeoutMs: 20 });
    await peer.waitForRequests(3);
    const timedOut = await rejection(edit);
    expect(timedOut.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect((timedOut.cause as NetconfError).code).toBe('RPC_TIMEOUT');
    peer.drop(new ConnectionError('CONNECTION_LOST', 'gone'));
    const lost = await rejection(commit);
    expect(lost.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(lost.retryable).toBe(false);
  });

  it('closes the session on broken framing and rejects every pending call with FRAMING_ERROR', async () => {
    const { session, peer } = await open();
    const calls = [session.rpc('<get/>'), session.rpc('<get/>')];
    await peer.waitForRequests(3);
    peer.sendRaw('\n#abc\n');
    for (const c of calls) expect((await rejection(c)).code).toBe('FRAMING_ERROR');
    expect(session.closed).toBe(true);
  });
});

describe('Session: close', () => {
  it('sends <close-session/>, waits for the reply and tears down', async () => {
    const { session, peer } = await open();
    const closing = session.close();
    await peer.waitForRequests(2);
    expect(peer.requests[1]).toContain('<close-session/>');
    peer.reply(1, '<ok/>');
    await closing;
    expect(session.closed).toBe(true);
    expect(peer.closedByClient).toBe(true);
  });

  it('never hangs on a silent device, and rejects calls still pending with SESSION_CLOSED', async () => {
    const { session, peer } = await open({ closeTimeoutMs: 50 });
    const pending = session.rpc('<get/>');
    await peer.waitForRequests(2);
    await session.close();
    expect((await rejection(pending)).code).toBe('SESSION_CLOSED');
  });

  it('supports await using', async () => {
    const { session, peer } = await open({ closeTimeoutMs: 50 });
    {
      await using s = session;
      void s;
    }
    expect(session.closed).toBe(true);
    expect(peer.requests.some((r) => r.includes('<close-session/>'))).toBe(true);
  });
});
