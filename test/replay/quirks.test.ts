import { afterEach, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { helloCapabilities } from '../../src/device/requests.js';
import { type NetconfError, RpcError } from '../../src/errors/index.js';
import type { QuirkKind } from '../../src/reader/quirks.js';
import { replay } from '../../src/replay/replayer.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { fixture } from '../support/fixtures.js';

/**
 * Each quirk capture in fixtures/quirks, read twice: replayed, and served over SSH by a
 * FakeDevice to a live session that sends one call per reply in it. Both must read every
 * reply the same way and see the same quirks.
 */

interface Capture {
  file: string;
  quirks: QuirkKind[];
  /** What a live session also sees, that a capture of the device's side cannot show. */
  liveOnly?: QuirkKind[];
  /** The device closes the session instead of answering `<close-session>`. */
  closeWithoutOk?: boolean;
}

const CAPTURES: Capture[] = [
  { file: 'quirks/iosxe-reply-without-message-id.xml', quirks: ['reply-without-message-id'] },
  { file: 'quirks/unreadable-message-id.xml', quirks: ['unreadable-message-id'] },
  { file: 'quirks/huawei-nul-padding.xml', quirks: ['nul-padding'] },
  { file: 'quirks/nxos-close-without-ok.xml', quirks: [], liveOnly: ['close-without-ok'], closeWithoutOk: true },
  { file: 'quirks/ios-writeable-running.xml', quirks: ['capability-spelling'] },
  { file: 'quirks/junos-rfc-compliant.xml', quirks: [] },
];

const devices: FakeDevice[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

/** A reply's outcome, as replay and a live call both tell it. */
type Outcome = { result: string; items: number };

function replayed(bytes: Buffer): { outcomes: Outcome[]; quirks: QuirkKind[] } {
  const r = replay(bytes);
  expect(r.error).toBeNull();
  const outcomes = r.messages
    .filter((m) => m.root?.local !== 'hello')
    .map((m) => ({ result: m.error?.code ?? (m.items.some((i) => i.level === 'error') ? 'rpc-error' : 'ok'), items: m.items.length }));
  return { outcomes, quirks: r.quirks.map((q) => q.kind) };
}

/**
 * Serves the capture: its hello as the device's, then, at the first request, every reply in it
 * at once. The calls are all in flight by then, so they are answered in order.
 */
async function live(bytes: Buffer, calls: number, closeWithoutOk: boolean): Promise<{ outcomes: Outcome[]; quirks: QuirkKind[] }> {
  const helloEnd = bytes.indexOf(']]>]]>') + 6;
  const hello = bytes.subarray(0, helloEnd).toString('utf8');
  let served = false;
  const device = await FakeDevice.start({
    capabilities: helloCapabilities(hello),
    personality: { hello: () => hello },
    rules: [
      { match: 'close-session', reply: closeWithoutOk ? { stall: true, closeChannel: true } : '<ok/>' },
      { match: () => true, reply: () => (served ? { stall: true } : ((served = true), { raw: bytes.subarray(helloEnd) })) },
    ],
  });
  devices.push(device);
  const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, rpcTimeoutMs: 5_000 });
  sessions.push(session);
  const settled = await Promise.allSettled(Array.from({ length: calls }, () => session.rpc('<get/>')));
  const outcomes = settled.map((s) => {
    if (s.status === 'fulfilled') return { result: 'ok', items: s.value.items.length };
    const err = s.reason as Error;
    return err instanceof RpcError ? { result: 'rpc-error', items: err.items.length } : { result: (err as NetconfError).code, items: 0 };
  });
  await session.close();
  return { outcomes, quirks: session.quirks.map((q) => q.kind) };
}

describe('quirk captures: replay reads them as a live session over SSH does', () => {
  for (const c of CAPTURES) {
    it(c.file, async () => {
      const bytes = fixture(c.file);
      const r = replayed(bytes);
      expect(r.quirks).toEqual(c.quirks);
      const l = await live(bytes, r.outcomes.length, c.closeWithoutOk ?? false);
      expect(l.outcomes).toEqual(r.outcomes);
      expect(l.quirks).toEqual([...c.quirks, ...(c.liveOnly ?? [])]);
    });
  }
});
