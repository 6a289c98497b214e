import { afterEach, describe, expect, it, vi } from 'vitest';
import { getEventListeners } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ClientError, ConnectionError, HostKeyError, NetconfError, TimeoutError } from '../../src/errors/index.js';
import { type SshChannel, type SshOptions, openSshChannel } from '../../src/transport/ssh-transport.js';
import { type TestServer, clientSocketClosed, rawSshServer, silentServer, tcpSockets, testKey } from './raw-server.js';

const PASSWORD = 'pw-secret-7c1e';
const servers: TestServer[] = [];
const channels: SshChannel[] = [];

const ed25519 = testKey('ed25519');
const rsa = testKey('rsa');

async function serve(server: Promise<TestServer>): Promise<TestServer> {
  const s = await server;
  servers.push(s);
  return s;
}

function base(port: number, extra: Partial<SshOptions> = {}): SshOptions {
  return { host: '127.0.0.1', port, username: 'ops', password: PASSWORD, insecureAcceptAnyHostKey: true, ...extra };
}

async function rejection(p: Promise<SshChannel>): Promise<NetconfError> {
  const result = await p.then((c) => (channels.push(c), null), (err: unknown) => err);
  expect(result).toBeInstanceOf(NetconfError);
  return result as NetconfError;
}

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('openSshChannel: one deadline over the whole set-up', () => {
  it.each([
    ['the netconf subsystem request', { auth: 'accept', request: 'stall' }, {}],
    ['the exec request', { auth: 'accept', request: 'stall' }, { command: 'xml-mode netconf need-trailer' }],
    ['authentication', { auth: 'stall' }, {}],
  ] as const)('a server that never finishes %s gives CONNECT_TIMEOUT naming it', async (stage, behaviour, extra) => {
    const server = await serve(rawSshServer({ hostKeys: [ed25519.private], ...behaviour }));
    const baseline = tcpSockets();
    const started = Date.now();
    const err = await rejection(openSshChannel(base(server.port, extra), { timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('CONNECT_TIMEOUT');
    expect(err.message).toBe(`Connecting to 127.0.0.1:${server.port} timed out after 400 ms: ${stage} did not finish`);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(400 + 2_000);
    await clientSocketClosed(server, baseline);
    await server.drained();
  });

  it('a listener that never speaks gives CONNECT_TIMEOUT naming the SSH handshake', async () => {
    const server = await serve(silentServer());
    const baseline = tcpSockets();
    const err = await rejection(openSshChannel(base(server.port), { timeoutMs: 300 }));
    expect(err.code).toBe('CONNECT_TIMEOUT');
    expect(err.message).toMatch(/: SSH handshake did not finish$/);
    // The server never closes its side: only a destroyed client socket is gone.
    await clientSocketClosed(server, baseline);
  });

  it('takes options.connectTimeoutMs when no timeoutMs is given', async () => {
    const server = await serve(silentServer());
    const err = await rejection(openSshChannel(base(server.port, { connectTimeoutMs: 200 })));
    expect(err.message).toContain('timed out after 200 ms');
  });

  it('refuses a deadline that is not a number of ms >= 0', async () => {
    for (const timeoutMs of [-1, Number.NaN]) {
      const err = await rejection(openSshChannel(base(1), { timeoutMs }));
      expect(err).toBeInstanceOf(ClientError);
      expect(err.code).toBe('INVALID_ARGUMENT');
    }
  });

  it('leaves no timer or abort listener behind once the channel is open', async () => {
    const server = await serve(rawSshServer({ hostKeys: [ed25519.private] }));
    const controller = new AbortController();
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    const channel = await openSshChannel(base(server.port), { signal: controller.signal, timeoutMs: 4_321 });
    channels.push(channel);
    // The deadline's timer (found by its odd delay) was cleared once the channel opened.
    const deadlines = set.mock.calls.flatMap((call, i) => (call[1] === 4_321 ? [set.mock.results[i]?.value] : []));
    expect(deadlines).toHaveLength(1);
    expect(clear.mock.calls.map((call) => call[0])).toContain(deadlines[0]);
    vi.restoreAllMocks();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // Aborting after the fact changes nothing: the channel stays open.
    controller.abort();
    expect(server.open).toBe(1);
    channel.close();
    await server.drained();
  });
});

describe('openSshChannel: abort', () => {
  it.each([
    ['SSH handshake', () => silentServer(), 'connection'],
    ['authentication', () => rawSshServer({ hostKeys: [ed25519.private], auth: 'stall' }), 'authentication'],
    ['the netconf subsystem request', () => rawSshServer({ hostKeys: [ed25519.private], request: 'stall' }), 'request'],
  ] as const)('aborting during %s rejects with ABORTED and tears the connection down', async (stage, start, reached) => {
    const server = await serve(start());
    const controller = new AbortController();
    const baseline = tcpSockets();
    const pending = rejection(openSshChannel(base(server.port), { signal: controller.signal, timeoutMs: 10_000 }));
    await expect.poll(() => server.events.includes(reached), { timeout: 2_000 }).toBe(true);
    const reason = new Error('operator gave up');
    controller.abort(reason);
    const err = await pending;
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('ABORTED');
    expect(err.message).toBe(`Connecting to 127.0.0.1:${server.port} was aborted during ${stage}`);
    expect(err.cause).toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await clientSocketClosed(server, baseline);
  });

  it('an already aborted signal rejects with ABORTED without connecting', async () => {
    const server = await serve(rawSshServer({ hostKeys: [ed25519.private] }));
    const reason = new Error('cancelled before start');
    const err = await rejection(openSshChannel(base(server.port), { signal: AbortSignal.abort(reason) }));
    expect(err.code).toBe('ABORTED');
    expect(err.message).toContain('aborted before connecting');
    expect(err.cause).toBe(reason);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.events).toEqual([]);
  });
});

describe('openSshChannel: host keys as OpenSSH checks them', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-known-hosts-'));
  let file = 0;
  const knownHosts = (port: number, ...lines: string[]) => {
    const name = path.join(dir, `known_hosts.${++file}`);
    writeFileSync(name, lines.map((l) => l.replace('HOST', `[127.0.0.1]:${port}`)).join('\n'));
    return name;
  };
  const twoKeys = () => serve(rawSshServer({ hostKeys: [rsa.private, ed25519.private] }));
  const open = async (port: number, file: string, extra: Partial<SshOptions> = {}) => {
    const channel = await openSshChannel(base(port, { insecureAcceptAnyHostKey: false, knownHosts: file, ...extra }), { timeoutMs: 5_000 });
    channels.push(channel);
    return channel;
  };

  it('connects to a device offering RSA and ed25519 when known_hosts lists only its RSA key', async () => {
    const server = await twoKeys();
    await open(server.port, knownHosts(server.port, `HOST ${rsa.known}`));
  });

  it('connects when known_hosts lists only its ed25519 key', async () => {
    const server = await twoKeys();
    await open(server.port, knownHosts(server.port, `HOST ${ed25519.known}`));
  });

  it('orders a caller-given exact algorithm list the same way', async () => {
    const server = await twoKeys();
    await open(server.port, knownHosts(server.port, `HOST ${rsa.known}`), { algorithms: { serverHostKey: ['ssh-ed25519', 'rsa-sha2-256'] } });
  });

  it('fails with HOST_KEY_MISMATCH when the listed RSA key is another one', async () => {
    const server = await twoKeys();
    const other = testKey('rsa');
    const err = await rejection(open(server.port, knownHosts(server.port, `HOST ${other.known}`)));
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.message).toContain('ssh-rsa host key');
    await server.drained();
  });

  it('fails with HOST_KEY_UNKNOWN, naming the listed types, when the device has none of them', async () => {
    const server = await twoKeys();
    const ecdsa = testKey('ecdsa');
    const err = await rejection(open(server.port, knownHosts(server.port, `HOST ${ecdsa.known}`)));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.message).toContain(`known_hosts holds other key types for this host (${ecdsa.type})`);
    expect((err as HostKeyError).fingerprint).toMatch(/^SHA256:/);
    await server.drained();
  });

  it('says certificate authorities are not supported when only an @cert-authority line covers the host', async () => {
    const server = await twoKeys();
    const err = await rejection(open(server.port, knownHosts(server.port, `@cert-authority HOST ${ed25519.known}`)));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.message).toMatch(/certificate authorities are not supported: pin the fingerprint .* or add the host key/);
  });

  it('still refuses a revoked key', async () => {
    const server = await twoKeys();
    const err = await rejection(open(server.port, knownHosts(server.port, `@revoked HOST ${rsa.known}`, `HOST ${rsa.known}`)));
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.message).toContain('@revoked');
  });
});

describe('openSshChannel: the host option and credentials', () => {
  it.each([
    ['admin:secret@127.0.0.1', '***@127.0.0.1'],
    ['ssh://admin:secret@r1:830', 'ssh://***@r1:830'],
    ['netconf://r1', 'netconf://r1'],
    ['r1/secret-path', 'r1/secret-path'],
  ])('refuses host %s with INVALID_ARGUMENT and no user-info in the error', async (host, shown) => {
    const err = await rejection(openSshChannel({ host, username: 'admin', password: 'secret' }));
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(`"${shown}"`);
    if (host.includes('@')) {
      expect(err.message).toContain('put the user in `username` and the password in `password`');
      for (const text of [err.message, String(err.stack), JSON.stringify(err.toJSON()), inspect(err, { depth: 8 })]) {
        expect(text).not.toContain('secret');
      }
    }
  });

  it('takes an IPv6 literal bare or in brackets, and names it in brackets', async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    for (const host of ['::1', '[::1]']) {
      const err = await rejection(openSshChannel(base(free, { host }), { timeoutMs: 5_000 }));
      // It got as far as the socket: refused (nothing listens there), not a bad argument.
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toContain(`[::1]:${free}`);
    }
  });

  it('puts no password, passphrase or private key in any transport error', async () => {
    const passphrase = 'pp-secret-91b4';
    const key = testKey('ed25519');
    const keyBody = key.private.split('\n').filter((l) => l && !l.startsWith('-----'));
    const secrets = [PASSWORD, passphrase, ...keyBody];
    const rejecting = await serve(rawSshServer({ hostKeys: [ed25519.private], auth: 'reject' }));
    const stalling = await serve(rawSshServer({ hostKeys: [ed25519.private], request: 'stall' }));
    const withSecrets = (port: number, extra: Partial<SshOptions> = {}) => base(port, { privateKey: key.private, passphrase, ...extra });
    const errors = [
      await rejection(openSshChannel(withSecrets(rejecting.port))),
      await rejection(openSshChannel(withSecrets(stalling.port), { timeoutMs: 300 })),
      await rejection(openSshChannel(withSecrets(stalling.port), { signal: AbortSignal.timeout(300) })),
      await rejection(openSshChannel(withSecrets(rejecting.port, { insecureAcceptAnyHostKey: false, hostKey: 'SHA256:AAAA' }))),
      await rejection(openSshChannel(withSecrets(rejecting.port, { privateKey: 'not a key' }))),
    ];
    expect(errors.map((e) => e.code)).toEqual(['AUTH_FAILED', 'CONNECT_TIMEOUT', 'ABORTED', 'HOST_KEY_MISMATCH', 'INVALID_ARGUMENT']);
    for (const err of errors) {
      const texts = [err.message, String(err.stack), JSON.stringify(err.toJSON()), inspect(err, { depth: 8 })];
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
