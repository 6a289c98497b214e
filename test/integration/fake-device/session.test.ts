import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { FakeDevice, type FakeDeviceOptions } from '../../../src/device/index.js';
import { connect, type ConnectOptions } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { NetconfError, RpcError } from '../../../src/errors/index.js';

const PASSWORD = 'fake-device-secret-5f2a';
const devices: FakeDevice[] = [];
const sessions: Session[] = [];
const servers: net.Server[] = [];

async function device(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  const d = await FakeDevice.start({ users: [{ username: 'automation', password: PASSWORD }], ...options });
  devices.push(d);
  return d;
}

function options(d: FakeDevice, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: d.host, port: d.port, username: 'automation', password: PASSWORD, hostKey: d.hostKeyFingerprint, ...extra };
}

async function session(d: FakeDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const s = await connect(options(d, extra));
  sessions.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<NetconfError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NetconfError);
    const e = err as NetconfError;
    // No error anywhere may carry the password.
    expect(`${e.message} ${JSON.stringify(e.toJSON())} ${String(e.stack)}`).not.toContain(PASSWORD);
    return e;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(devices.splice(0).map((d) => d.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('connect() against the fake device over real SSH', () => {
  it('verifies the pinned host key, authenticates and exchanges hellos', async () => {
    const d = await device();
    const s = await session(d);
    expect(s.sessionId).toBe(1);
    expect(s.framingMode).toBe('chunked');
    expect((await s.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
    expect(d.clientHellos[0]).toContain('urn:ietf:params:netconf:base:1.1');
  });

  it('the session object holds no credential: connect() keeps them to itself', async () => {
    const d = await device();
    const s = await session(d, { passphrase: 'a-passphrase-never-kept' });
    const seen = inspect(s, { depth: 20, showHidden: true, getters: true });
    expect(seen).not.toContain(PASSWORD);
    expect(seen).not.toContain('a-passphrase-never-kept');
  });

  it('accepts the host key from a known_hosts file, and tells an unknown key from a wrong one', async () => {
    const d = await device();
    const dir = mkdtempSync(path.join(tmpdir(), 'nk-'));
    const good = path.join(dir, 'good');
    writeFileSync(good, `${d.knownHostsLine}\n`);
    expect((await session(d, { hostKey: undefined, knownHosts: good })).sessionId).toBe(1);
    const other = await device();
    const wrong = path.join(dir, 'wrong');
    writeFileSync(wrong, `${other.knownHostsLine.replace(String(other.port), String(d.port))}\n`);
    const mismatch = await rejection(connect(options(d, { hostKey: undefined, knownHosts: wrong })));
    expect(mismatch.code).toBe('HOST_KEY_MISMATCH');
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    expect((await rejection(connect(options(d, { hostKey: undefined, knownHosts: empty })))).code).toBe('HOST_KEY_UNKNOWN');
    expect((await rejection(connect(options(d, { hostKey: other.hostKeyFingerprint })))).code).toBe('HOST_KEY_MISMATCH');
    // Only an explicit, loudly named option turns the check off.
    expect((await session(d, { hostKey: undefined, knownHosts: empty, insecureAcceptAnyHostKey: true })).sessionId).toBeGreaterThan(0);
  });

  it('gives each connection failure its own code, without the password', async () => {
    const d = await device();
    const auth = await rejection(connect(options(d, { password: `${PASSWORD}-wrong` })));
    expect([auth.code, auth.retryable]).toEqual(['AUTH_FAILED', false]);

    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const refused = await rejection(connect(options(d, { port: closedPort })));
    expect([refused.code, refused.retryable]).toEqual(['CONNECTION_REFUSED', true]);

    // A dead address: the TCP connection opens but nothing ever answers.
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dead = await rejection(connect(options(d, { port: (silent.address() as net.AddressInfo).port, connectTimeoutMs: 300 })));
    expect([dead.code, dead.retryable]).toEqual(['CONNECT_TIMEOUT', true]);
    for (const h of held) h.destroy();

    const noSubsystem = await device({ subsystem: false });
    expect((await rejection(connect(options(noSubsystem)))).code).toBe('SUBSYSTEM_UNAVAILABLE');
  });

  it('falls back to a command for devices that only offer NETCONF through exec', async () => {
    const d = await device({ subsystem: false, exec: ['xml-mode netconf need-trailer'] });
    const s = await session(d, { command: 'xml-mode netconf need-trailer' });
    expect((await s.rpc('<lock><target><candidate/></target></lock>')).hasOk).toBe(true);
  });

  it('shows what a device printed before a missing hello', async () => {
    const d = await device({ preHello: 'error: netconf is not allowed for this user class\n', sendHello: false });
    const err = await rejection(connect(options(d, { helloTimeoutMs: 300 })));
    expect(err.code).toBe('HELLO_TIMEOUT');
    expect(err.message).toContain('netconf is not allowed for this user class');
  });

  it('gives lock-denied with the holder session-id to a second session', async () => {
    const d = await device();
    const a = await session(d);
    const b = await session(d);
    await a.rpc('<lock><target><candidate/></target></lock>');
    const denied = (await rejection(b.rpc('<lock><target><candidate/></target></lock>'))) as RpcError;
    expect(denied.code).toBe('LOCK_DENIED');
    expect(denied.errors[0]!.sessionId).toBe(a.sessionId);
  });

  it('rejects 1,000 calls in flight with CONNECTION_LOST within a second of the connection dropping', async () => {
    const d = await device({ rules: [{ match: 'get', reply: { stall: true } }] });
    const s = await session(d);
    const calls = Array.from({ length: 1000 }, () => s.rpc('<get/>').then(() => null, (e: unknown) => e as NetconfError));
    while (d.requests.length < 1000) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    d.dropAll();
    const errors = await Promise.all(calls);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors.every((e) => e?.code === 'CONNECTION_LOST' && e.retryable)).toBe(true);
    expect(s.closed).toBe(true);
  });

  it('times out each stalled call with RPC_TIMEOUT and keeps the session usable', async () => {
    const d = await device({ rules: [{ match: 'get', reply: { stall: true } }] });
    const s = await session(d);
    const stalled = await Promise.all([1, 2, 3].map(() => rejection(s.rpc('<get/>', { timeoutMs: 100 }))));
    expect(stalled.map((e) => e.code)).toEqual(['RPC_TIMEOUT', 'RPC_TIMEOUT', 'RPC_TIMEOUT']);
    expect((await s.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
    expect(s.closed).toBe(false);
  });

  it('matches replies that come back out of order', async () => {
    const d = await device({ rules: [{ match: (r) => r.xml.includes('slow'), reply: { delayMs: 150, reply: '<data>slow</data>' } }, { match: 'get', reply: '<data>fast</data>' }] });
    const s = await session(d);
    const slow = s.rpc('<get><filter type="subtree"><slow/></filter></get>');
    const fast = s.rpc('<get/>');
    const first = await Promise.race([slow.then(() => 'slow'), fast.then(() => 'fast')]);
    expect(first).toBe('fast');
    expect((await slow).xml).toContain('slow');
  });

  it('closes cleanly and the device sees the session end', async () => {
    const d = await device();
    const s = await connect(options(d));
    expect(d.sessionCount).toBe(1);
    await s.close();
    expect(d.requests.at(-1)?.operation).toBe('close-session');
    for (let i = 0; i < 50 && d.sessionCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(d.sessionCount).toBe(0);
  });
});
