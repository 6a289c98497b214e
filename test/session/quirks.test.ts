import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import type { QuirkMessage } from '../../src/observability/diagnostics.js';
import type { Quirk } from '../../src/reader/quirks.js';
import { startJunosDevice } from '../../src/device/junos.js';
import { commitConfiguration, loadConfiguration } from '../../src/operations/junos.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { rejection } from '../support/assertions.js';
import { BASE, type ScriptedPeer, openScripted, serverHello } from './scripted-peer.js';

/** A session over a scripted peer, with every quirk it reports collected. */
async function open(options: Parameters<typeof openScripted>[0] = {}, hello?: string): Promise<{ session: Session; peer: ScriptedPeer; quirks: Quirk[] }> {
  const quirks: Quirk[] = [];
  const { session, peer } = await openScripted(options, hello);
  session.on('quirk', (q) => quirks.push(q));
  return { session, peer, quirks };
}

const noId = (body: string) => `<rpc-reply xmlns="${BASE}">${body}</rpc-reply>`;

describe('replies without a message-id', () => {
  it('each call in flight gets its own reply, in request order; reported once', async () => {
    const { session, peer, quirks } = await open();
    const calls = [1, 2, 3].map((n) => session.rpc(`<get><filter type="subtree"><n>${n}</n></filter></get>`));
    await peer.waitForRequests(4);
    for (const n of [1, 2, 3]) peer.send(noId(`<data><n>${n}</n></data>`));
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.messageId)).toEqual(['1', '2', '3']);
    replies.forEach((r, k) => expect(r.xml).toContain(`<n>${k + 1}</n>`));
    expect(quirks).toEqual([{ kind: 'reply-without-message-id', detail: expect.stringMatching(/without message-id: taken as the reply to call 1/) }]);
    expect(session.inFlight).toBe(0);
  });

  it('a reply with a message-id still goes to its call, out of order; the one without goes to the oldest left', async () => {
    const { session, peer } = await open();
    const first = session.rpc('<get/>');
    const second = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.reply(2, '<data><x>two</x></data>');
    peer.send(noId('<data><x>one</x></data>'));
    expect((await second).xml).toContain('two');
    expect((await first).xml).toContain('one');
  });

  it('the late reply of a call that timed out is dropped, so the next reply still reaches the next call', async () => {
    const { session, peer } = await open();
    const slow = session.rpc('<get/>', { timeoutMs: 20 });
    const next = session.rpc('<get/>');
    await peer.waitForRequests(3);
    expect((await rejection(slow)).code).toBe('RPC_TIMEOUT');
    peer.send(noId('<data><x>late</x></data>'));
    peer.send(noId('<data><x>next</x></data>'));
    expect((await next).xml).toContain('next');
  });

  it('a reply without message-id carrying an rpc-error fails the oldest call with it', async () => {
    const { session, peer } = await open();
    const call = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.send(noId('<rpc-error><error-type>rpc</error-type><error-tag>malformed-message</error-tag><error-severity>error</error-severity></rpc-error>'));
    expect((await rejection(call)).code).toBe('MALFORMED_MESSAGE');
  });

  it('is published on netconfkit:quirk with the device and session-id', async () => {
    const seen: QuirkMessage[] = [];
    const listener = (m: unknown) => seen.push(m as QuirkMessage);
    subscribe('netconfkit:quirk', listener);
    try {
      const { session, peer } = await open({ name: 'r1' });
      const call = session.rpc('<get/>');
      await peer.waitForRequests(2);
      peer.send(noId('<ok/>'));
      await call;
      expect(seen).toEqual([{ device: 'r1', sessionId: 42, kind: 'reply-without-message-id', detail: expect.any(String) }]);
    } finally {
      unsubscribe('netconfkit:quirk', listener);
    }
  });
});

describe('replies whose message-id cannot be read', () => {
  it('a root start tag over maxTagBytes fails the oldest call with MALFORMED_XML before the reply ends', async () => {
    const { session, peer, quirks } = await open({ limits: { maxTagBytes: 1024 } }, serverHello({ base: '1.0' }));
    const call = session.rpc('<get/>');
    const next = session.rpc('<get/>');
    await peer.waitForRequests(3);
    // The start of a reply whose root tag never fits: no end of message yet.
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" ${'a="1" '.repeat(400)}`);
    const err = await rejection(call);
    expect(err.code).toBe('MALFORMED_XML');
    expect(quirks.map((q) => q.kind)).toEqual(['unreadable-message-id']);
    // The rest of it is drained; the next call gets its own reply.
    peer.sendRaw(`message-id="1"><ok/></rpc-reply>]]>]]>`);
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="2"><ok/></rpc-reply>]]>]]>`);
    expect((await next).hasOk).toBe(true);
  });

  it('a malformed message-id attribute fails the oldest call at once; a message-id that can be read fails its own call', async () => {
    const { session, peer, quirks } = await open({}, serverHello({ base: '1.0' }));
    const a = session.rpc('<get/>');
    const b = session.rpc('<get/>');
    const c = session.rpc('<get/>');
    await peer.waitForRequests(4);
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="3" bogus><ok/></rpc-reply>]]>]]>`);
    expect((await rejection(c)).code).toBe('MALFORMED_XML');
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id=1><ok/></rpc-reply>]]>]]>`);
    expect((await rejection(a)).code).toBe('MALFORMED_XML');
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="2"><ok/></rpc-reply>]]>]]>`);
    expect((await b).hasOk).toBe(true);
    expect(quirks.map((q) => q.kind)).toEqual(['unreadable-message-id']);
  });
});

describe('NUL padding', () => {
  it('eom: NUL bytes between messages and around the root are skipped, and not in the reply text', async () => {
    const { session, peer, quirks } = await open({}, serverHello({ base: '1.0' }));
    const a = session.rpc('<get/>');
    const b = session.rpc('<get/>');
    await peer.waitForRequests(3);
    peer.sendRaw(`\0\0<rpc-reply xmlns="${BASE}" message-id="1"><data><x>1</x></data></rpc-reply>\0\0]]>]]>\0\0\0`);
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="2"><ok/></rpc-reply>]]>]]>\0`);
    const reply = await a;
    expect(reply.xml).toBe(`<rpc-reply xmlns="${BASE}" message-id="1"><data><x>1</x></data></rpc-reply>`);
    expect((await b).hasOk).toBe(true);
    expect(quirks.map((q) => q.kind)).toEqual(['nul-padding']);
  });

  it('chunked: NUL bytes inside the chunks around the root and between messages are skipped', async () => {
    const { session, peer, quirks } = await open();
    const call = session.rpc('<get/>', { parse: true });
    await peer.waitForRequests(2);
    const body = `\0<rpc-reply xmlns="${BASE}" message-id="1"><data><x>1</x></data></rpc-reply>\0\0`;
    peer.sendRaw(`\0\n#${Buffer.byteLength(body)}\n${body}\n##\n\0\0`);
    const reply = await call;
    expect(reply.parsed).toEqual({ 'rpc-reply': { '@_message-id': '1', data: { x: '1' } } });
    expect(quirks.map((q) => q.kind)).toEqual(['nul-padding']);
    expect(session.state).toBe('open');
  });

  it('a NUL inside the root is still not XML', async () => {
    const { session, peer } = await open({}, serverHello({ base: '1.0' }));
    const call = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="1"><data>\0</data></rpc-reply>]]>]]>`);
    expect((await call).xml).toContain('<data>\0</data>');
  });
});

describe('close without <ok/>', () => {
  it('close() resolves when the device closes the session instead of answering <close-session>', async () => {
    const { session, peer, quirks } = await open();
    const closes: unknown[] = [];
    session.on('close', (e) => closes.push(e));
    const closing = session.close();
    await peer.waitForRequests(2);
    expect(peer.requests[1]).toContain('<close-session/>');
    peer.drop(null);
    await closing;
    expect(session.state).toBe('closed');
    expect(closes).toEqual([null]);
    expect(quirks).toEqual([{ kind: 'close-without-ok', detail: 'the device closed the session without answering <close-session>' }]);
  });

  it('a device that answers <ok/> is no quirk', async () => {
    const { session, peer, quirks } = await open();
    const closing = session.close();
    await peer.waitForRequests(2);
    peer.reply(1, '<ok/>');
    await closing;
    expect(quirks).toEqual([]);
  });
});

describe('capability spellings', () => {
  it('writeable-running counts as :writable-running; the URIs stay as advertised', async () => {
    const spelt = 'urn:ietf:params:netconf:capability:writeable-running:1.0';
    const { session, quirks } = await open({}, serverHello({ extra: [spelt] }));
    expect(session.capabilities.writableRunning).toBe(true);
    expect(session.capabilities.has('urn:ietf:params:netconf:capability:writable-running:1.0')).toBe(true);
    expect(session.capabilities.uris).toContain(spelt);
    expect(session.capabilities.respelt).toEqual([{ as: spelt, means: 'urn:ietf:params:netconf:capability:writable-running:1.0' }]);
    // Seen in the hello, before the session was handed out: listed at once, emitted once listeners could be added.
    expect(session.quirks).toEqual([{ kind: 'capability-spelling', detail: `the device advertised ${spelt} for urn:ietf:params:netconf:capability:writable-running:1.0` }]);
    await new Promise((r) => setImmediate(r));
    expect(quirks).toEqual(session.quirks);
  });

  it('the base namespace URI alone counts as base:1.0; listed beside base:1.0 it is no quirk', async () => {
    const ns = 'urn:ietf:params:xml:ns:netconf:base:1.0';
    const hello = `<hello xmlns="${BASE}"><capabilities><capability>${ns}</capability></capabilities><session-id>9</session-id></hello>`;
    const { session, quirks } = await open({}, hello);
    expect(session.framingMode).toBe('eom');
    expect(session.capabilities.base10).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(quirks.map((q) => q.kind)).toEqual(['capability-spelling']);
    const both = await open({}, serverHello({ base: '1.0', extra: [ns] }));
    await new Promise((r) => setImmediate(r));
    expect(both.session.capabilities.respelt).toEqual([]);
    expect(both.quirks).toEqual([]);
  });
});

describe('unclosed <routing-engine> (Junos rfc-compliant)', () => {
  it('commitConfiguration reads past it and the session reports it', async () => {
    await using junos = await startJunosDevice({ rfcCompliant: true, unclosedRoutingEngine: true });
    const session = await connect({ host: junos.host, port: junos.port, username: 'netconf', password: 'netconf', hostKey: junos.hostKeyFingerprint });
    try {
      const quirks: Quirk[] = [];
      session.on('quirk', (q) => quirks.push(q));
      await loadConfiguration(session, 'set system host-name lab1', { format: 'set' });
      const result = await commitConfiguration(session);
      expect(result.repaired).toBe(true);
      expect(quirks.map((q) => q.kind)).toEqual(['unclosed-routing-engine']);
    } finally {
      session.destroy();
    }
  });
});
