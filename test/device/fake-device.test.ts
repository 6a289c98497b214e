import net from 'node:net';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { generateEd25519KeyPair } from '../../src/device/host-key.js';
import { type CallHomeListener, type CallHomeOptions, listenCallHome } from '../../src/session/call-home.js';
import type { Session } from '../../src/session/session.js';
import { makeTestPki } from '../support/certificates.js';
import { BASE_10, BASE_11, NC_NS, RawNetconf, cleanup, connect, messageIdOf, session, startDevice } from './raw-client.js';

afterEach(cleanup);

const EOM = ']]>]]>';

describe('hello and framing', () => {
  it('sends its hello with a session-id at once, eom framed, and reads the client hello', async () => {
    const device = await startDevice();
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client, { caps: [BASE_10] });
    const hello = await nc.next();
    expect(nc.rawText().endsWith(EOM)).toBe(true);
    expect(hello).toContain('<session-id>1</session-id>');
    expect(hello).toContain(`<capability>${BASE_10}</capability>`);
    expect(hello).toContain(`<capability>${BASE_11}</capability>`);
    expect(hello).toContain('with-defaults:1.0?basic-mode=explicit');
    nc.sendHello();
    await expect.poll(() => device.clientHellos.length, { timeout: 3000 }).toBe(1);
    expect(device.clientHellos[0]).toContain(BASE_10);
    expect(device.sessionCount).toBe(1);
  });

  it('uses eom framing when the client only speaks base:1.0', async () => {
    const device = await startDevice();
    const { nc } = await session(device, { caps: [BASE_10] });
    const at = nc.receivedBytes;
    const reply = await nc.call('1', '<get-config><source><running/></source></get-config>');
    expect(reply).toContain('<data/>');
    const wire = nc.rawText(at);
    expect(wire.endsWith(EOM)).toBe(true);
    expect(wire.startsWith('\n#')).toBe(false);
  });

  it('uses chunked framing in both directions when both sides speak base:1.1', async () => {
    const device = await startDevice();
    const { nc } = await session(device, { caps: [BASE_10, BASE_11] });
    expect(nc.mode).toBe('chunked');
    const at = nc.receivedBytes;
    const reply = await nc.call('7', '<get/>');
    expect(messageIdOf(reply)).toBe('7');
    const wire = nc.rawText(at);
    expect(wire).toMatch(/^\n#\d+\n/);
    expect(wire.endsWith('\n##\n')).toBe(true);
    expect(wire).not.toContain(EOM);
  });

  it('advertises only the base versions asked for, so base:1.0 devices stay on eom', async () => {
    const device = await startDevice({ base: '1.0' });
    const { nc, hello } = await session(device, { caps: [BASE_10, BASE_11] });
    expect(hello).not.toContain(BASE_11);
    const at = nc.receivedBytes;
    await nc.call('1', '<get/>');
    expect(nc.rawText(at).endsWith(EOM)).toBe(true);
  });

  it('advertises exactly the capabilities given, escaped', async () => {
    const device = await startDevice({ capabilities: [BASE_11, 'urn:x?module=a&revision=2020-01-01'] });
    const { hello } = await session(device);
    expect(hello).toContain('<capability>urn:x?module=a&amp;revision=2020-01-01</capability>');
    expect(hello).not.toContain(BASE_10);
  });

  it('ends a session whose client shares no base version', async () => {
    const device = await startDevice({ base: '1.1' });
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client, { caps: [BASE_10] });
    await nc.handshake();
    await nc.closed;
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(0);
  });

  it('ends a session whose first message is not a hello, without answering', async () => {
    const device = await startDevice();
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client);
    await nc.next();
    nc.channel.write(encodeRpcEom('1', '<get/>'));
    await nc.closed;
    expect(nc.messages).toEqual([]);
  });

  it('writes preHello text before the hello', async () => {
    const device = await startDevice({ preHello: 'warning: restricted user\n' });
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client);
    const first = await nc.next();
    expect(first.startsWith('warning: restricted user\n<?xml')).toBe(true);
    expect(first).toContain('<hello');
  });

  it('delays the hello by helloDelayMs, and sends none when sendHello is false', async () => {
    const delayed = await startDevice({ helloDelayMs: 150 });
    const { client } = await connect(delayed);
    const nc = await RawNetconf.open(client);
    const t0 = Date.now();
    await nc.next();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);

    const silent = await startDevice({ sendHello: false });
    const other = await connect(silent);
    const quiet = await RawNetconf.open(other.client, { caps: [BASE_10] });
    expect(await quiet.silentFor(150)).toBe(true);
    // It still serves a client that says hello first.
    quiet.sendHello();
    expect(await quiet.call('1', '<get/>')).toContain('<data/>');
  });

  it('presents the host key it reports', async () => {
    const device = await startDevice();
    const { hostFingerprint } = await connect(device);
    expect(hostFingerprint).toBe(device.hostKeyFingerprint);
    expect(device.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const [name, type, blob] = device.knownHostsLine.split(' ');
    expect(name).toBe(`[127.0.0.1]:${device.port}`);
    expect(type).toBe('ssh-ed25519');
    expect(blob).toMatch(/^AAAA/);
  });

  it('uses a given host key', async () => {
    const keys = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
    const device = await startDevice({ hostKey: keys.private });
    const { hostFingerprint } = await connect(device);
    expect(hostFingerprint).toBe(device.hostKeyFingerprint);
    expect(device.knownHostsLine).toContain(' ecdsa-sha2-nistp256 ');
  });
});

describe('requests', () => {
  it('records each rpc with its message-id, operation, text and session, including prefixed <nc:rpc>', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    const prefixed = `<nc:rpc xmlns:nc="${NC_NS}" message-id="p&amp;1"><nc:get-config><nc:source><nc:running/></nc:source></nc:get-config></nc:rpc>`;
    nc.send(prefixed);
    const reply = await nc.next();
    expect(messageIdOf(reply)).toBe('p&amp;1');
    expect(device.requests).toEqual([{ messageId: 'p&1', operation: 'get-config', xml: prefixed, sessionId: 1 }]);
  });

  it('reads the operation past comments and whitespace', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    nc.send(`<?xml version="1.0"?><!-- hi --><rpc message-id="9" xmlns="${NC_NS}">\n  <!-- <lock/> -->\n  <commit/></rpc>`);
    expect(await nc.next()).toContain('<ok/>');
    expect(device.requests[0]!.operation).toBe('commit');
  });

  it('answers the defaults', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    for (const op of ['edit-config', 'commit', 'discard-changes', 'validate', 'copy-config', 'delete-config']) {
      expect(await nc.call(op, `<${op}/>`)).toBe(`<rpc-reply xmlns="${NC_NS}" message-id="${op}"><ok/></rpc-reply>`);
    }
    expect(await nc.call('g', '<get/>')).toContain('<data/>');
    const unknown = await nc.call('u', '<frobnicate xmlns="urn:x"/>');
    expect(unknown).toContain('<error-type>protocol</error-type>');
    expect(unknown).toContain('<error-tag>operation-not-supported</error-tag>');
    expect(unknown).toContain('<error-severity>error</error-severity>');
    expect(unknown).toContain('frobnicate');
    expect(messageIdOf(unknown)).toBe('u');
  });

  it('answers close-session with <ok/> and closes the channel, not the connection', async () => {
    const device = await startDevice();
    const { client, nc } = await session(device);
    expect(await nc.call('1', '<close-session/>')).toContain('<ok/>');
    await nc.closed;
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(0);
    const again = await RawNetconf.open(client);
    expect(await again.handshake()).toContain('<session-id>2</session-id>');
  });

  it('answers a malformed message with malformed-message, no message-id, then closes the session', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    nc.send('<rpc message-id="1"><get></rpc>');
    const reply = await nc.next();
    expect(reply).toContain('<error-tag>malformed-message</error-tag>');
    expect(reply).toContain('<error-type>rpc</error-type>');
    expect(messageIdOf(reply)).toBeNull();
    await nc.closed;
  });

  it('treats a message with another root as malformed', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    nc.send('<get message-id="1"/>');
    expect(await nc.next()).toContain('malformed-message');
    await nc.closed;
  });

  it('treats broken chunked framing as malformed', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    nc.channel.write('\n#abc\n');
    expect(await nc.next()).toContain('malformed-message');
    await nc.closed;
    expect(device.requests).toEqual([]);
  });
});

describe('rules and handlers', () => {
  it('matches by operation name, RegExp on the xml, and predicate; the first match wins', async () => {
    const device = await startDevice({
      rules: [
        { match: 'get-config', reply: '<data><a/></data>' },
        { match: /<running\/>/, reply: '<data><b/></data>' },
        { match: (r) => r.messageId === 'fn', reply: '<data><c/></data>' },
        { match: 'get', reply: '<data><never/></data>' },
      ],
    });
    const { nc } = await session(device);
    expect(await nc.call('1', '<get-config><source><running/></source></get-config>')).toContain('<a/>');
    expect(await nc.call('2', '<lock><target><running/></target></lock>')).toContain('<b/>');
    expect(await nc.call('fn', '<get/>')).toContain('<c/>');
    expect(await nc.call('3', '<get/>')).toContain('<never/>');
  });

  it('uses a rule at most `times` times, across sessions', async () => {
    const device = await startDevice({ rules: [{ match: 'commit', times: 2, reply: '<rpc-error><error-tag>in-use</error-tag></rpc-error>' }] });
    const a = await session(device);
    const b = await session(device);
    expect(await a.nc.call('1', '<commit/>')).toContain('in-use');
    expect(await b.nc.call('1', '<commit/>')).toContain('in-use');
    expect(await a.nc.call('2', '<commit/>')).toContain('<ok/>');
  });

  it('keeps a stateful RegExp usable', async () => {
    const device = await startDevice({ rules: [{ match: /commit/g, reply: '<x/>' }] });
    const { nc } = await session(device);
    expect(await nc.call('1', '<commit/>')).toContain('<x/>');
    expect(await nc.call('2', '<commit/>')).toContain('<x/>');
  });

  it('wraps content with the escaped message-id, and fills {{message-id}} in complete replies', async () => {
    const device = await startDevice({
      rules: [
        { match: 'get', reply: '<data/>' },
        { match: 'commit', reply: '<rpc-reply xmlns:junos="urn:j" message-id="{{message-id}}"><ok/></rpc-reply>' },
      ],
    });
    const { nc } = await session(device);
    nc.rpc('a&amp;b&quot;c', '<get/>');
    expect(await nc.next()).toBe(`<rpc-reply xmlns="${NC_NS}" message-id="a&amp;b&quot;c"><data/></rpc-reply>`);
    expect(await nc.call('42', '<commit/>')).toBe('<rpc-reply xmlns:junos="urn:j" message-id="42"><ok/></rpc-reply>');
  });

  it('falls back to the handler, then to the defaults when it returns undefined; async handlers work', async () => {
    const seen: string[] = [];
    const device = await startDevice({
      rules: [{ match: 'get', reply: async (r) => (r.messageId === 'pass' ? undefined : '<data><rule/></data>') }],
      handler: async (request, dev) => {
        seen.push(`${request.operation}@${request.sessionId}`);
        expect(dev).toBeInstanceOf(FakeDevice);
        return request.operation === 'commit' ? { reply: '<ok/>', delayMs: 10 } : undefined;
      },
    });
    const { nc } = await session(device);
    expect(await nc.call('1', '<get/>')).toContain('<rule/>');
    expect(await nc.call('pass', '<get/>')).toContain('<data/>');
    expect(await nc.call('2', '<commit/>')).toContain('<ok/>');
    expect(await nc.call('3', '<get-config/>')).toContain('<data/>');
    expect(seen).toEqual(['get@1', 'commit@1', 'get-config@1']);
  });

  it('answers operation-failed when a handler throws, and keeps serving', async () => {
    const device = await startDevice({
      handler: (r) => {
        if (r.operation === 'commit') throw new Error('boom');
        return undefined;
      },
    });
    const { nc } = await session(device);
    const reply = await nc.call('1', '<commit/>');
    expect(reply).toContain('<error-tag>operation-failed</error-tag>');
    expect(reply).toContain('boom');
    expect(await nc.call('2', '<get/>')).toContain('<data/>');
  });
});

describe('locks and sessions', () => {
  const lock = (ds = 'candidate') => `<lock><target><${ds}/></target></lock>`;
  const unlock = (ds = 'candidate') => `<unlock><target><${ds}/></target></unlock>`;

  it('denies a second locker with the holder in error-info, per datastore', async () => {
    const device = await startDevice();
    const a = await session(device);
    const b = await session(device);
    expect(await a.nc.call('1', lock())).toContain('<ok/>');
    const denied = await b.nc.call('1', lock());
    expect(denied).toContain('<error-tag>lock-denied</error-tag>');
    expect(denied).toContain('<error-type>protocol</error-type>');
    expect(denied).toContain('<error-info><session-id>1</session-id></error-info>');
    expect(await b.nc.call('2', lock('running'))).toContain('<ok/>');
    expect(await b.nc.call('3', unlock())).toContain('operation-failed');
    expect(await a.nc.call('2', unlock())).toContain('<ok/>');
    expect(await b.nc.call('4', lock())).toContain('<ok/>');
  });

  it('releases the locks of a session that ends', async () => {
    const device = await startDevice();
    const a = await session(device);
    const b = await session(device);
    expect(await a.nc.call('1', lock())).toContain('<ok/>');
    a.client.end();
    await a.closed;
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(1);
    expect(await b.nc.call('1', lock())).toContain('<ok/>');
  });

  it('kill-session ends another session and releases its locks', async () => {
    const device = await startDevice();
    const a = await session(device);
    const b = await session(device);
    expect(await a.nc.call('1', lock())).toContain('<ok/>');
    expect(await b.nc.call('1', '<kill-session><session-id>1</session-id></kill-session>')).toContain('<ok/>');
    expect(await b.nc.call('2', lock())).toContain('<ok/>');
    await a.nc.closed;
    expect(device.sessionCount).toBe(1);
    const self = await b.nc.call('3', '<kill-session><session-id>2</session-id></kill-session>');
    expect(self).toContain('<error-tag>invalid-value</error-tag>');
    expect(await b.nc.call('4', '<kill-session><session-id>99</session-id></kill-session>')).toContain('invalid-value');
  });

  it('numbers sessions from 1 per device', async () => {
    const one = await startDevice();
    const two = await startDevice();
    expect((await session(one)).hello).toContain('<session-id>1</session-id>');
    expect((await session(one)).hello).toContain('<session-id>2</session-id>');
    expect((await session(two)).hello).toContain('<session-id>1</session-id>');
  });
});

describe('faults', () => {
  it('delayMs lets a later reply overtake an earlier one', async () => {
    const device = await startDevice({ rules: [{ match: 'get-config', reply: { reply: '<data><slow/></data>', delayMs: 150 } }] });
    const { nc } = await session(device);
    nc.rpc('1', '<get-config/>');
    nc.rpc('2', '<get/>');
    expect(messageIdOf(await nc.next())).toBe('2');
    const late = await nc.next();
    expect(messageIdOf(late)).toBe('1');
    expect(late).toContain('<slow/>');
  });

  it('delays the default reply when the rule gives no reply', async () => {
    const device = await startDevice({ rules: [{ match: 'lock', reply: { delayMs: 50 } }] });
    const { nc } = await session(device);
    expect(await nc.call('1', '<lock><target><running/></target></lock>')).toContain('<ok/>');
  });

  it('stall never answers, and later requests are still served', async () => {
    const device = await startDevice({ rules: [{ match: 'commit', reply: { stall: true } }] });
    const { nc } = await session(device);
    nc.rpc('1', '<commit/>');
    expect(messageIdOf(await nc.call('2', '<get/>'))).toBe('2');
    expect(await nc.silentFor(150)).toBe(true);
    expect(device.requests.map((r) => r.messageId)).toEqual(['1', '2']);
  });

  it('dropAfterBytes writes part of the framed reply, then destroys the connection', async () => {
    const device = await startDevice({ rules: [{ match: 'get', reply: { reply: '<data>0123456789</data>', dropAfterBytes: 30 } }] });
    const { nc, closed } = await session(device, { caps: [BASE_10] });
    const at = nc.receivedBytes;
    nc.rpc('1', '<get/>');
    await closed;
    const wire = nc.rawText(at);
    expect(wire).toBe(`<rpc-reply xmlns="${NC_NS}" message-id="1"><data>0123456789</data></rpc-reply>${EOM}`.slice(0, 30));
    await expect(nc.next()).rejects.toThrow('channel closed');
    await expect.poll(() => device.connectionCount === 0 && device.sessionCount === 0, { timeout: 3000 }).toBe(true);
  });

  it('closeChannel sends the reply, then closes only the channel', async () => {
    const device = await startDevice({ rules: [{ match: 'get', reply: { reply: '<data/>', closeChannel: true } }] });
    const { client, nc } = await session(device);
    expect(await nc.call('1', '<get/>')).toContain('<data/>');
    await nc.closed;
    expect(device.connectionCount).toBe(1);
    const again = await RawNetconf.open(client);
    expect(await again.handshake()).toContain('<session-id>2</session-id>');
  });

  it('stall with closeChannel closes the channel without answering', async () => {
    const device = await startDevice({ rules: [{ match: 'commit', reply: { stall: true, closeChannel: true } }] });
    const { nc } = await session(device);
    nc.rpc('1', '<commit/>');
    await nc.closed;
    expect(nc.messages).toEqual([]);
  });

  it('close ends the whole connection after the reply', async () => {
    const device = await startDevice({ rules: [{ match: 'commit', reply: { reply: '<ok/>', close: true } }] });
    const { nc, closed } = await session(device);
    expect(await nc.call('1', '<commit/>')).toContain('<ok/>');
    await closed;
    await expect.poll(() => device.connectionCount, { timeout: 3000 }).toBe(0);
  });

  it('raw bytes go out as is, framing garbage included', async () => {
    const device = await startDevice({ rules: [{ match: 'get', reply: { raw: '\n#zz\ngarbage' } }] });
    const { nc } = await session(device);
    const at = nc.receivedBytes;
    nc.rpc('1', '<get/>');
    await expect(nc.next()).rejects.toMatchObject({ code: 'FRAMING_ERROR' });
    await expect.poll(() => nc.rawText(at).length, { timeout: 3000 }).toBe(12);
    expect(nc.rawText(at)).toBe('\n#zz\ngarbage');
  });

  it('hugeBytes pads <data> to that size with whitespace-separated elements', async () => {
    const huge = 3 * 1024 * 1024;
    const device = await startDevice({ rules: [{ match: 'get', reply: { hugeBytes: huge } }, { match: 'get-config', reply: { reply: '<data><x/></data>', hugeBytes: 100 } }] });
    const { nc } = await session(device);
    const reply = await nc.call('1', '<get/>');
    const empty = `<rpc-reply xmlns="${NC_NS}" message-id="1"><data></data></rpc-reply>`;
    expect(Buffer.byteLength(reply)).toBe(empty.length + huge);
    expect(reply.startsWith(`<rpc-reply xmlns="${NC_NS}" message-id="1"><data><filler>`)).toBe(true);
    expect(reply.endsWith('</data></rpc-reply>')).toBe(true);
    const small = await nc.call('2', '<get-config/>');
    expect(small).toMatch(/^<rpc-reply [^>]*><data><x\/><filler>x+<\/filler>\n *<\/data><\/rpc-reply>$/);
  });

  it('dropAll destroys every connection', async () => {
    const device = await startDevice();
    const a = await session(device);
    const b = await session(device);
    device.dropAll();
    await Promise.all([a.closed, b.closed]);
    await expect.poll(() => device.connectionCount === 0 && device.sessionCount === 0, { timeout: 3000 }).toBe(true);
  });
});

describe('capture replay', () => {
  it('writes the capture after the client hello, then only answers close-session', async () => {
    const capture = '<rpc-reply message-id="101"><ok/></rpc-reply>]]>]]>\n<rpc-reply message-id="102"><data/></rpc-reply>]]>]]>';
    const device = await startDevice({ capture, base: '1.0' });
    const { nc } = await session(device, { caps: [BASE_10] });
    expect(messageIdOf(await nc.next())).toBe('101');
    expect(messageIdOf(await nc.next())).toBe('102');
    nc.rpc('103', '<get/>');
    expect(await nc.silentFor(100)).toBe(true);
    expect(await nc.call('104', '<close-session/>')).toContain('<ok/>');
    await nc.closed;
    expect(device.requests.map((r) => r.operation)).toEqual(['get', 'close-session']);
  });

  it('replays a capture holding its own hello when sendHello is false', async () => {
    const capture = Buffer.from(`<hello xmlns="${NC_NS}"><capabilities><capability>${BASE_10}</capability></capabilities><session-id>77</session-id></hello>]]>]]><notification/>]]>]]>`);
    const device = await startDevice({ capture, sendHello: false });
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client, { caps: [BASE_10] });
    nc.sendHello();
    expect(await nc.next()).toContain('<session-id>77</session-id>');
    expect(await nc.next()).toBe('<notification/>');
  });
});

describe('notifications', () => {
  it('notify with all wraps content and sends it to every session past its hello, subscribed or not', async () => {
    const device = await startDevice();
    const a = await session(device);
    const b = await session(device, { caps: [BASE_10] });
    const { client } = await connect(device);
    const early = await RawNetconf.open(client); // has not sent its hello
    await early.next();
    device.notify('<event xmlns="urn:x"/>', { all: true });
    for (const nc of [a.nc, b.nc]) {
      const n = await nc.next();
      expect(n).toMatch(/^<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>\d{4}-\d\d-\d\dT[^<]+Z<\/eventTime><event xmlns="urn:x"\/><\/notification>$/);
    }
    device.notify('<notification xmlns="urn:y"><eventTime>t</eventTime></notification>', { all: true });
    expect(await a.nc.next()).toBe('<notification xmlns="urn:y"><eventTime>t</eventTime></notification>');
    expect(await early.silentFor(50)).toBe(true);
  });
});

describe('SSH', () => {
  it('rejects the netconf subsystem when told to', async () => {
    const device = await startDevice({ subsystem: false });
    const { client } = await connect(device);
    await expect(RawNetconf.open(client)).rejects.toThrow(/Unable to start subsystem/);
    expect(device.sessionCount).toBe(0);
  });

  it('rejects other subsystems', async () => {
    const device = await startDevice();
    const { client } = await connect(device);
    await expect(new Promise((resolve, reject) => client.subsys('sftp-ish', (err) => (err ? reject(err) : resolve(null))))).rejects.toThrow(/Unable to start subsystem/);
  });

  it('starts a session over exec for the configured commands only', async () => {
    const device = await startDevice({ exec: ['xml-mode netconf need-trailer'], subsystem: false });
    const { client } = await connect(device);
    const nc = await RawNetconf.open(client, { exec: 'xml-mode netconf need-trailer', caps: [BASE_10] });
    expect(await nc.handshake()).toContain('<session-id>1</session-id>');
    expect(await nc.call('1', '<get/>')).toContain('<data/>');
    const exit = new Promise((resolve) => nc.channel.once('exit', resolve));
    expect(await nc.call('2', '<close-session/>')).toContain('<ok/>');
    expect(await exit).toBe(0);
    await expect(RawNetconf.open(client, { exec: 'show version' })).rejects.toThrow('Unable to exec');
    await expect(RawNetconf.open(client, { exec: 'netconf' })).rejects.toThrow('Unable to exec');
  });

  it('rejects a wrong password and an unknown user', async () => {
    const logs: string[] = [];
    const device = await startDevice({ logger: (l) => logs.push(l) });
    await expect(connect(device, { password: 'wrong' })).rejects.toMatchObject({ level: 'client-authentication' });
    await expect(connect(device, { username: 'root' })).rejects.toMatchObject({ level: 'client-authentication' });
    expect(logs.some((l) => l.includes('auth none'))).toBe(true);
    expect(logs.some((l) => l.includes('auth password') && l.includes('rejected'))).toBe(true);
    expect(logs.join('\n')).not.toContain('wrong');
  });

  it('accepts public-key authentication with the user key and no other', async () => {
    const user = generateEd25519KeyPair();
    const other = generateEd25519KeyPair();
    const device = await startDevice({ users: [{ username: 'ops', publicKey: user.public }] });
    const { client } = await connect(device, { username: 'ops', password: undefined, privateKey: user.private });
    const nc = await RawNetconf.open(client);
    expect(await nc.handshake()).toContain('<session-id>1</session-id>');
    await expect(connect(device, { username: 'ops', password: undefined, privateKey: other.private })).rejects.toMatchObject({
      level: 'client-authentication',
    });
    await expect(connect(device, { username: 'ops', password: 'netconf' })).rejects.toMatchObject({ level: 'client-authentication' });
  });

  it('refuses a bad user key at start', async () => {
    await expect(FakeDevice.start({ users: [{ username: 'x', publicKey: 'not a key' }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('close', () => {
  it('ends every connection, resolves once they are closed, is idempotent and leaves nothing running', async () => {
    // Timers and sockets alive now, to compare with afterwards (vitest has its own).
    const handles = () => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return { timers: counts['Timeout'] ?? 0, sockets: (counts['TCPSocketWrap'] ?? 0) + (counts['TCPServerWrap'] ?? 0) };
    };
    const before = handles();
    const device = await FakeDevice.start({ rules: [{ match: 'commit', reply: { reply: '<ok/>', delayMs: 60_000 } }] });
    const a = await session(device);
    const b = await session(device);
    b.nc.rpc('1', '<commit/>'); // leaves a pending 60 s reply timer on the device
    await expect.poll(() => device.requests.length, { timeout: 3000 }).toBe(1);
    const { closed: authenticatedOnly } = await connect(device); // a connection without a session
    expect(device.connectionCount).toBe(3);
    const first = device.close();
    expect(device.close()).toBe(first);
    await first;
    expect(device.connectionCount).toBe(0);
    expect(device.sessionCount).toBe(0);
    await Promise.all([a.closed, b.closed, authenticatedOnly, a.nc.closed, b.nc.closed]);
    await expect(connect(device)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await new Promise((r) => setImmediate(r));
    const after = handles();
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    await device.close(); // still fine afterwards
  });

  it('works with await using: leaving the block ends its sessions and stops it listening', async () => {
    let closed: Promise<void>;
    let port = 0;
    {
      await using device = await FakeDevice.start();
      port = device.port;
      ({ closed } = await session(device));
    }
    await closed;
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe('call home', () => {
  /** One device dials one manager twice at once: every dial has the manager's port as its remote port. */
  async function twoCallsHome(device: FakeDevice, options: Omit<CallHomeOptions, 'port' | 'host'>): Promise<[Session, Session]> {
    const listener = await listenCallHome({ port: 0, host: '127.0.0.1', ...options });
    onTestFinished(() => listener.close());
    const accepted = [listener.accept(), listener.accept()];
    await Promise.all([device.callHome({ port: listener.port }), device.callHome({ port: listener.port })]);
    const sessions = await Promise.all(accepted);
    for (const s of sessions) onTestFinished(() => s.close());
    return sessions as [Session, Session];
  }

  /** Both sessions serve requests on their own link, and ending one leaves the other whole. */
  async function independent(device: FakeDevice, [a, b]: [Session, Session]): Promise<void> {
    expect(device.connectionCount).toBe(2);
    expect(device.sessionCount).toBe(2);
    expect(new Set([a.sessionId, b.sessionId]).size).toBe(2);
    await Promise.all([a.rpc('<get-config><source><running/></source></get-config>'), b.rpc('<get-config><source><running/></source></get-config>')]);
    expect(device.requests.map((r) => r.sessionId).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(device.sessionUser(a.sessionId!)).toBe('netconf');
    expect(device.sessionUser(b.sessionId!)).toBe('netconf');
    await a.close();
    await expect.poll(() => device.connectionCount, { timeout: 3000 }).toBe(1);
    expect(device.sessionCount).toBe(1);
    expect(b.state).toBe('open');
    await b.rpc('<get-config><source><running/></source></get-config>');
    expect(device.requests.at(-1)!.sessionId).toBe(b.sessionId);
    expect(device.sessionUser(b.sessionId!)).toBe('netconf');
  }

  it('over SSH: two calls home to one manager at once are two independent sessions', async () => {
    const device = await startDevice();
    await independent(device, await twoCallsHome(device, { ssh: { username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint } }));
  });

  it('over TLS: two calls home to one manager at once are two independent sessions', async () => {
    const pki = makeTestPki();
    onTestFinished(() => pki.remove());
    const device = await startDevice({ tls: { cert: pki.device.cert, key: pki.device.key, ca: pki.ca } });
    await independent(device, await twoCallsHome(device, { tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } }));
  });
});

function encodeRpcEom(id: string, body: string): string {
  return `<rpc xmlns="${NC_NS}" message-id="${id}">${body}</rpc>${EOM}`;
}
