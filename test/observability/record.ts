import { type TracingChannel, channel, tracingChannel } from 'node:diagnostics_channel';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { type ConnectOptions, connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

export const PASSWORD = 'observed-secret-7d1c';

export const TRACING = ['netconfkit:connect', 'netconfkit:rpc', 'netconfkit:commitFlow', 'netconfkit:commitFlow:step'] as const;
export const PLAIN = ['netconfkit:item', 'netconfkit:notification', 'netconfkit:session:close', 'netconfkit:wire'] as const;
const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

export interface Recorded {
  /** `netconfkit:rpc:start`, `netconfkit:item`… */
  name: string;
  /** A shallow copy at publish time (contexts are filled in as the call goes on). */
  data: Record<string, unknown>;
  /** The object published (the same one for every event of a traced call). */
  raw: object;
}

/** Subscribes to every netconfkit channel (or those given) and records what is published. */
export function record(names: readonly string[] = [...TRACING, ...PLAIN]) {
  const events: Recorded[] = [];
  const undo: (() => void)[] = [];
  for (const name of names) {
    if ((TRACING as readonly string[]).includes(name)) {
      const tc = tracingChannel(name) as TracingChannel<object, object>;
      const handlers = Object.fromEntries(PHASES.map((phase) => [phase, (m: unknown) => events.push(entry(`${name}:${phase}`, m))]));
      tc.subscribe(handlers as never);
      undo.push(() => tc.unsubscribe(handlers as never));
    } else {
      const handler = (m: unknown) => events.push(entry(name, m));
      channel(name).subscribe(handler);
      undo.push(() => channel(name).unsubscribe(handler));
    }
  }
  return {
    events,
    of: (name: string) => events.filter((e) => e.name === name),
    names: (prefix: string) => events.filter((e) => e.name.startsWith(prefix)).map((e) => e.name),
    stop: () => undo.forEach((u) => u()),
  };
}

function entry(name: string, m: unknown): Recorded {
  const raw = m as object;
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) data[key] = (raw as Record<string, unknown>)[key];
  if (Array.isArray(data.steps)) data.steps = [...data.steps];
  return { name, data, raw };
}

export const devices: FakeDevice[] = [];
export const sessions: Session[] = [];

export async function device(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const d = await FakeDevice.start({ users: [{ username: 'automation', password: PASSWORD }], ...options });
  devices.push(d);
  return d;
}

export function options(d: FakeDevice, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: d.host, port: d.port, username: 'automation', password: PASSWORD, hostKey: d.hostKeyFingerprint, name: 'r1', ...extra };
}

export async function session(d: FakeDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const s = await connect(options(d, extra));
  sessions.push(s);
  return s;
}

export async function cleanUp(): Promise<void> {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(devices.splice(0).map((d) => d.close()));
}
