import { afterEach, expect } from 'vitest';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

/** What a test needs of a fake device (FakeDevice or JunosDevice) to reach and close it. */
interface Reachable {
  host: string;
  port: number;
  hostKeyFingerprint: string;
  close(): Promise<void>;
}

/**
 * Tracks fake devices and the sessions opened to them (as the default netconf/netconf user),
 * and closes all of them after each test.
 */
export function deviceHarness() {
  const open: { device: Reachable; sessions: Session[] }[] = [];
  afterEach(async () => {
    for (const { device, sessions } of open.splice(0)) {
      await Promise.all(sessions.map((s) => s.close()));
      await device.close();
    }
  });
  return async function attach<D extends Reachable>(device: D): Promise<{ device: D; session: Session; another: () => Promise<Session> }> {
    const sessions: Session[] = [];
    open.push({ device, sessions });
    const another = async () => {
      const s = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
      sessions.push(s);
      return s;
    };
    return { device, session: await another(), another };
  };
}

/** The body of the last request a fake device received, without its <rpc> wrapper. */
export function lastBody(device: { requests: readonly { xml: string }[] }): string {
  const xml = device.requests.at(-1)!.xml;
  const m = /^<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1\.0" message-id="\d+">([\s\S]*)<\/rpc>$/.exec(xml);
  expect(m, xml).not.toBeNull();
  return m![1]!;
}
