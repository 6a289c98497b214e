import { afterEach, describe, expect, it } from 'vitest';
import { startJunosDevice, type JunosDevice } from '../../src/device/junos.js';
import { FAKE_PERSONALITY_NAMES, respellMessageId } from '../../src/device/personalities.js';
import { helloCapabilities } from '../../src/device/requests.js';
import type { FakeDeviceOptions, FakeHandler, FakePersonalityName } from '../../src/device/types.js';
import { RpcError } from '../../src/errors/index.js';
import type { QuirkKind } from '../../src/reader/quirks.js';
import { replay } from '../../src/replay/replayer.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { rejection } from '../support/assertions.js';
import { fixture } from '../support/fixtures.js';
import { RawNetconf, cleanup, connect as rawConnect, startDevice } from './raw-client.js';

const sessions: Session[] = [];
const junos: JunosDevice[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(junos.splice(0).map((d) => d.close()));
  await cleanup();
});

type Target = { host: string; port: number; hostKeyFingerprint: string };

async function open(device: Target): Promise<Session> {
  const s = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, rpcTimeoutMs: 60_000 });
  sessions.push(s);
  return s;
}

const kinds = (s: Session) => s.quirks.map((q) => q.kind);

/** Answers `<get>` with its own message-id in the data, so a test can tell whose reply a call got. */
const echo: FakeHandler = (request) => (request.operation === 'get' ? `<data><echo>${request.messageId}</echo></data>` : undefined);

describe('quirks over SSH: the device reproduces each, the client reports it and reads the right result', () => {
  it('iosxe (omitMessageId): several calls in flight without message-ids each get their own reply', async () => {
    const device = await startDevice({ personality: 'iosxe', handler: echo });
    const session = await open(device);
    const replies = await Promise.all([1, 2, 3].map(() => session.rpc('<get/>')));
    for (const r of replies) {
      expect(r.xml).not.toContain('message-id');
      expect(r.xml).toContain(`<echo>${r.messageId}</echo>`);
    }
    expect(new Set(replies.map((r) => r.messageId)).size).toBe(3);
    expect(session.framingMode).toBe('chunked');
    await session.close();
    expect(kinds(session)).toEqual(['reply-without-message-id']);
  });

  it('unquotedMessageId: each call fails with MALFORMED_XML at once, not at its timeout', async () => {
    const device = await startDevice({ quirks: { unquotedMessageId: true } });
    const session = await open(device);
    const calls = [session.rpc('<get/>'), session.rpc('<get/>')];
    for (const call of calls) expect((await rejection(call)).code).toBe('MALFORMED_XML');
    expect(kinds(session)).toEqual(['unreadable-message-id']);
  });

  for (const options of [{ personality: 'huawei' }, { quirks: { nulPadding: true } }] satisfies FakeDeviceOptions[]) {
    it(`${JSON.stringify(options)} (nulPadding): NUL bytes around every message are skipped, in either framing`, async () => {
      const device = await startDevice({ ...options, handler: echo });
      const session = await open(device);
      expect(session.framingMode).toBe('personality' in options ? 'eom' : 'chunked');
      const [a, b] = await Promise.all([session.rpc('<get/>'), session.rpc('<bogus-op/>').catch((e: unknown) => e)]);
      expect(a.xml).not.toContain('\0');
      expect(a.xml).toContain(`<echo>${a.messageId}</echo>`);
      expect(b).toBeInstanceOf(RpcError);
      await session.close();
      expect(kinds(session)).toEqual(['nul-padding']);
    });
  }

  it('nxos (closeWithoutOk): close() resolves when the device closes the channel without <ok/>', async () => {
    const device = await startDevice({ personality: 'nxos' });
    const session = await open(device);
    expect((await session.rpc('<get/>')).xml).toContain('<data/>');
    await session.close();
    expect(session.state).toBe('closed');
    expect(device.requests.at(-1)?.operation).toBe('close-session');
    // The base namespace listed beside base:1.0 is not a respelling worth reporting.
    expect(kinds(session)).toEqual(['close-without-ok']);
  });

  for (const options of [{ personality: 'ios' }, { quirks: { writeableRunning: true } }] satisfies FakeDeviceOptions[]) {
    it(`${JSON.stringify(options)} (writeableRunning): the old spelling counts as :writable-running`, async () => {
      const device = await startDevice(options);
      const session = await open(device);
      expect(session.capabilities.uris).toContain('urn:ietf:params:netconf:capability:writeable-running:1.0');
      expect(session.capabilities.writableRunning).toBe(true);
      expect((await session.rpc('<edit-config><target><running/></target><config/></edit-config>')).hasOk).toBe(true);
      await session.close();
      expect(kinds(session)).toEqual(['capability-spelling']);
    });
  }

  it('quirks apply to whatever answers: the Junos profile\'s replies too', async () => {
    const device = await startJunosDevice({}, { quirks: { omitMessageId: true, nulPadding: true } });
    junos.push(device);
    const session = await open(device);
    const replies = await Promise.all([1, 2].map(() => session.rpc('<get-configuration/>')));
    for (const r of replies) expect(r.xml).toContain('<host-name>fake-junos</host-name>');
    await session.close();
    expect(kinds(session).sort()).toEqual(['nul-padding', 'reply-without-message-id']);
  });

  it('options given beside a name win, quirks field by field', async () => {
    const device = await startDevice({ personality: 'iosxe', quirks: { omitMessageId: false, nulPadding: true }, capabilities: ['urn:ietf:params:netconf:base:1.0'] });
    const session = await open(device);
    expect(session.capabilities.uris).toEqual(['urn:ietf:params:netconf:base:1.0']);
    await session.rpc('<get/>');
    await session.close();
    expect(kinds(session)).toEqual(['nul-padding']);
  });

  it('an unknown personality name or quirk is INVALID_ARGUMENT', async () => {
    await expect(startDevice({ personality: 'ios-xr' as 'ios' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('iosxe, nxos, huawei, ios') });
    await expect(startDevice({ quirks: { nulPading: true } as FakeDeviceOptions['quirks'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('nulPading') });
  });
});

describe('respellMessageId reads only the root start tag', () => {
  it.each([
    ['<rpc-reply xmlns="u" message-id="7"><ok/></rpc-reply>', '<rpc-reply xmlns="u"><ok/></rpc-reply>', '<rpc-reply xmlns="u" message-id=7><ok/></rpc-reply>'],
    ['<?xml version="1.0"?>\n<!-- c > d --><nc:rpc-reply a=\'x>y\' message-id = \'7\' b="2"/>', '<?xml version="1.0"?>\n<!-- c > d --><nc:rpc-reply a=\'x>y\' b="2"/>', '<?xml version="1.0"?>\n<!-- c > d --><nc:rpc-reply a=\'x>y\' message-id=7 b="2"/>'],
    ['<rpc-reply xmlns="u"><x message-id="7"/></rpc-reply>', '<rpc-reply xmlns="u"><x message-id="7"/></rpc-reply>', '<rpc-reply xmlns="u"><x message-id="7"/></rpc-reply>'],
  ])('%s', (xml, omitted, unquoted) => {
    expect(respellMessageId(xml, 'omit')).toBe(omitted);
    expect(respellMessageId(xml, 'unquote')).toBe(unquoted);
  });
});

/**
 * Each capture in fixtures/quirks against the device that reproduces it: the same capabilities
 * in the hello, and what the device writes (read off the wire by a bare SSH client) replays
 * with the same quirks and the same outcome per call as the capture.
 */
interface Pairing {
  file: string;
  /** The named personality that reproduces it, if one does. */
  name?: FakePersonalityName;
  /** How to start the device that reproduces the capture. */
  start: () => Promise<Target>;
  /** The device's hello lists the capture's capabilities (false: a capture of no one server). */
  sameHello: boolean;
  /** Each call's outcome is the capture's (false: the device breaks every reply alike). */
  sameOutcomes: boolean;
}

const PAIRINGS: Pairing[] = [
  { file: 'iosxe-reply-without-message-id.xml', name: 'iosxe', start: () => startDevice({ personality: 'iosxe' }), sameHello: true, sameOutcomes: true },
  { file: 'unreadable-message-id.xml', start: () => startDevice({ quirks: { unquotedMessageId: true } }), sameHello: false, sameOutcomes: false },
  { file: 'huawei-nul-padding.xml', name: 'huawei', start: () => startDevice({ personality: 'huawei' }), sameHello: true, sameOutcomes: true },
  { file: 'nxos-close-without-ok.xml', name: 'nxos', start: () => startDevice({ personality: 'nxos' }), sameHello: true, sameOutcomes: true },
  { file: 'ios-writeable-running.xml', name: 'ios', start: () => startDevice({ personality: 'ios' }), sameHello: true, sameOutcomes: true },
  {
    file: 'junos-rfc-compliant.xml',
    start: async () => {
      const device = await startJunosDevice({ rfcCompliant: true });
      junos.push(device);
      return device;
    },
    sameHello: false,
    sameOutcomes: true,
  },
];

type Outcome = 'ok' | 'rpc-error' | string;

function outcomesOf(bytes: Buffer): { hello: string; outcomes: Outcome[]; quirks: QuirkKind[] } {
  const r = replay(bytes);
  expect(r.error).toBeNull();
  const hello = r.messages.find((m) => m.root?.local === 'hello');
  const outcomes = r.messages
    .filter((m) => m !== hello)
    .map((m) => m.error?.code ?? (m.items.some((i) => i.level === 'error') ? 'rpc-error' : 'ok'));
  const helloEnd = bytes.indexOf(']]>]]>');
  return { hello: bytes.subarray(0, helloEnd).toString('utf8'), outcomes, quirks: r.quirks.map((q) => q.kind) };
}

describe('the captures in fixtures/quirks are what the reproducing devices write', () => {
  for (const p of PAIRINGS) {
    it(p.file, async () => {
      const captured = outcomesOf(fixture(`quirks/${p.file}`));
      const device = await p.start();
      const { client } = await rawConnect(device as Parameters<typeof rawConnect>[0]);
      const nc = await RawNetconf.open(client);
      await nc.handshake();
      // The same outcomes asked for one by one: `<get/>` is answered with data, an unknown operation with an rpc-error.
      for (const [i, outcome] of captured.outcomes.entries()) {
        nc.rpc(String(i + 1), outcome === 'rpc-error' ? '<bogus-op/>' : '<get/>');
        await nc.next();
      }
      const wrote = outcomesOf(Buffer.concat(nc.received));
      expect(wrote.quirks).toEqual(captured.quirks);
      if (p.sameOutcomes) expect(wrote.outcomes).toEqual(captured.outcomes);
      else expect(wrote.outcomes.every((o) => o === 'MALFORMED_XML')).toBe(true);
      if (p.sameHello) expect(helloCapabilities(wrote.hello)).toEqual(helloCapabilities(captured.hello));
    });
  }

  it('names every personality once', () => {
    const named = PAIRINGS.flatMap((p) => (p.name === undefined ? [] : [p.name]));
    expect(named.sort()).toEqual([...FAKE_PERSONALITY_NAMES].sort());
  });
});
