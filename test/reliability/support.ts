/** Shared by the reliability tests: devices, sessions, settling and the resource check. */
import { expect } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import type { FakeDeviceOptions } from '../../src/device/types.js';
import { connect, type ConnectOptions } from '../../src/session/connect.js';
import type { RpcReply, Session } from '../../src/session/session.js';
import { NetconfError } from '../../src/errors/netconf-error.js';

export const NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
export const USER = 'netconf';
export const PASSWORD = 'netconf';

/** Devices and sessions opened by a test, closed by `closeAll()`. */
export class Harness {
  readonly devices: FakeDevice[] = [];
  readonly sessions: Session[] = [];

  async device(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
    const d = await FakeDevice.start(options);
    this.devices.push(d);
    return d;
  }

  async session(d: FakeDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
    const s = await connect(options(d, extra));
    this.sessions.push(s);
    return s;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((s) => s.close()));
    await Promise.all(this.devices.splice(0).map((d) => d.close()));
  }
}

export function options(d: FakeDevice, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: d.host, port: d.port, username: USER, password: PASSWORD, hostKey: d.hostKeyFingerprint, ...extra };
}

export type Settled = { ok: true; reply: RpcReply } | { ok: false; error: NetconfError };

/** What a call ended in: a reply, or a NetconfError (anything else fails the test). */
export function settle(p: Promise<RpcReply>): Promise<Settled> {
  return p.then(
    (reply) => ({ ok: true as const, reply }),
    (error: unknown) => {
      expect(error).toBeInstanceOf(NetconfError);
      return { ok: false as const, error: error as NetconfError };
    },
  );
}

/** `settle` for many calls, failing the test if any is still pending after `ms`. */
export async function settleAll(calls: Promise<RpcReply>[], ms = 10_000): Promise<Settled[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${calls.length} calls: not all settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.all(calls.map(settle)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The code each call ended with (`ok` for a reply). */
export function codes(settled: Settled[]): string[] {
  return settled.map((s) => (s.ok ? 'ok' : s.error.code));
}

/**
 * Handles (sockets, servers, timers) alive now, by type. Vitest's own worker has some
 * (its IPC pipe, a timer or two); the check compares against a count taken before the test.
 */
export function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ConnectWrap', 'ShutdownWrap', 'WriteWrap', 'Immediate'];

/** Waits (up to `ms`) until no watched kind of handle is more numerous than in `before`. */
export async function expectResourcesBack(before: Map<string, number>, ms = 5_000): Promise<Record<string, number>> {
  const extra = () => {
    const now = resources();
    const out: Record<string, number> = {};
    for (const kind of WATCHED) {
      const n = (now.get(kind) ?? 0) - (before.get(kind) ?? 0);
      if (n > 0) out[kind] = n;
    }
    return out;
  };
  await expect.poll(extra, { timeout: ms, interval: 20, message: 'handles left open after everything was closed' }).toEqual({});
  return extra();
}
