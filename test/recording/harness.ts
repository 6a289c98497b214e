import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { type ConnectOptions, connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

type Reachable = { host: string; port: number; hostKeyFingerprint: string };

/**
 * What the recording tests share: a scratch folder removed after the file, a list of devices
 * and sessions closed (last first) after each test, and a session to a device as netconf/netconf.
 */
export function recordingHarness(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  async function session(device: Reachable, extra: Partial<ConnectOptions> = {}): Promise<Session> {
    const s = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, ...extra });
    open.push(s);
    return s;
  }
  return { dir, open, session };
}
