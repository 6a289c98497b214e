import { spawn } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, CertificateError, ClientError, ConnectionError, NetconfError } from '../../src/errors/index.js';
import { FakeDevice } from '../../src/device/fake-device.js';
import { connect, type ConnectOptions } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { type TestPki, makeTestPki } from '../support/certificates.js';
import { failure } from '../support/failure.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

const devices: FakeDevice[] = [];
const sessions: Session[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(devices.splice(0).map((d) => d.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function tlsDevice(identity: { cert: string; key: string } = pki.device): Promise<FakeDevice> {
  const device = await FakeDevice.start({ tls: { cert: identity.cert, key: identity.key, ca: pki.ca } });
  devices.push(device);
  return device;
}

function options(device: { host: string; port: number }, over: Partial<ConnectOptions['tls']> = {}): ConnectOptions {
  return { host: device.host, port: device.port, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key, ...over } };
}

async function open(o: ConnectOptions): Promise<Session> {
  const session = await connect(o);
  sessions.push(session);
  return session;
}

/** No private key, in any form, in what an error shows or serialises. */
function expectNoKey(err: NetconfError): void {
  const shown = `${err.message} ${JSON.stringify(err)} ${String(err.stack)}`;
  expect(shown).not.toContain('PRIVATE KEY');
  for (const key of [pki.client.key, pki.device.key]) {
    const body = key.split('\n').slice(1, -2).join('');
    expect(shown).not.toContain(body.slice(0, 24));
  }
}

describe('NETCONF over TLS (RFC 7589)', () => {
  it('runs a session with both certificates verified, chunked after the hellos, the client certificate as the login', async () => {
    const device = await tlsDevice();
    const session = await open(options(device));
    expect(session.framingMode).toBe('chunked');
    expect(session.name).toBe(`127.0.0.1:${device.port}`);
    const reply = await session.rpc('<get-config><source><running/></source></get-config>');
    expect(reply.xml).toContain('<data');
    expect(device.requests.map((r) => r.operation)).toEqual(['get-config']);
    expect(device.sessionUser(session.sessionId!)).toBe('netconf');
  });

  it('checks the certificate against servername when given (a DNS name the certificate carries)', async () => {
    const device = await tlsDevice();
    const session = await open(options(device, { servername: 'localhost' }));
    expect(session.state).toBe('open');
  });

  it('rejects a certificate from another CA: CERTIFICATE_REJECTED, untrusted, not retryable, naming its issuer', async () => {
    const device = await tlsDevice(pki.strangerDevice);
    const err = await failure<CertificateError>(connect(options(device)));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.code).toBe('CERTIFICATE_REJECTED');
    expect(err.problem).toBe('untrusted');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('not signed by a CA in tls.ca');
    expect(err.message).toContain('CN=other-ca');
    expect(err.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expectNoKey(err);
    // nothing was left open on the device
    await expect.poll(() => device.connectionCount).toBe(0);
  });

  it('rejects a certificate for another name, saying which names it carries', async () => {
    const device = await tlsDevice(pki.wrongNameDevice);
    const err = await failure<CertificateError>(connect(options(device)));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.problem).toBe('name');
    expect(err.message).toContain('not valid for the name 127.0.0.1');
    expect(err.message).toContain('DNS:router9.example');
    expectNoKey(err);
  });

  it('rejects an expired certificate, saying when it expired', async () => {
    const device = await tlsDevice(pki.expiredDevice);
    const err = await failure<CertificateError>(connect(options(device)));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.problem).toBe('expired');
    expect(err.message).toMatch(/expired on \w{3} +\d+ [\d:]+ \d{4} GMT/);
  });

  it('a servername the certificate does not carry is a name mismatch', async () => {
    const device = await tlsDevice();
    const err = await failure<CertificateError>(connect(options(device, { servername: 'router2.example' })));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.problem).toBe('name');
    expect(err.message).toContain('router2.example');
  });

  it('insecureAcceptAnyCertificate skips the checks, and nothing else', async () => {
    const device = await tlsDevice(pki.strangerDevice);
    const session = await open(options(device, { insecureAcceptAnyCertificate: true }));
    expect(session.state).toBe('open');
  });

  it('a device that drops a client certificate it does not trust leaves no session (the fake device closes without an alert)', async () => {
    const device = await tlsDevice();
    const err = await failure<ConnectionError>(connect(options(device, { cert: pki.strangerClient.cert, key: pki.strangerClient.key })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('CONNECTION_LOST');
    expectNoKey(err);
    expect(device.sessionCount).toBe(0);
  });

  it('a device whose TLS stack refuses our client certificate with an alert is AUTH_FAILED, not retryable (openssl s_server)', async () => {
    const server = await opensslServer(pki);
    try {
      const err = await failure<AuthenticationError>(connect(options({ host: '127.0.0.1', port: server.port }, { cert: pki.strangerClient.cert, key: pki.strangerClient.key })));
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('refused our TLS client certificate');
      expectNoKey(err);
    } finally {
      server.stop();
    }
  });

  it('a key that does not fit, or is not PEM, is INVALID_ARGUMENT before connecting, and the key is not shown', async () => {
    const mismatch = await failure<ClientError>(connect({ host: '127.0.0.1', port: 1, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.device.key } }));
    expect(mismatch).toBeInstanceOf(ClientError);
    expect(mismatch.code).toBe('INVALID_ARGUMENT');
    expectNoKey(mismatch);
    const garbage = await failure<ClientError>(connect({ host: '127.0.0.1', port: 1, tls: { ca: pki.ca, cert: pki.client.cert, key: 'not a key' } }));
    expect(garbage).toBeInstanceOf(ClientError);
    expect(garbage.code).toBe('INVALID_ARGUMENT');
    expect(garbage.message).not.toContain('not a key');
  });

  it('SSH login options with tls are INVALID_ARGUMENT, naming them', async () => {
    const err = await failure<ClientError>(connect({ host: '127.0.0.1', port: 1, password: 'secret', jump: [], tls: { cert: pki.client.cert, key: pki.client.key } }));
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('password, jump');
    expect(err.message).not.toContain('secret');
  });

  it('TLS to a port that speaks SSH is TLS_ERROR, not retryable', async () => {
    const ssh = await FakeDevice.start();
    devices.push(ssh);
    const err = await failure<ConnectionError>(connect(options(ssh)));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('TLS_ERROR');
    expect(err.retryable).toBe(false);
  });

  it('a device that offers only TLS 1.1 is TLS_ERROR (TLS 1.2 is the minimum)', async () => {
    const server = tls.createServer({ cert: pki.device.cert, key: pki.device.key, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    servers.push(server);
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const err = await failure<ConnectionError>(connect(options({ host: '127.0.0.1', port })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('TLS_ERROR');
  });

  it('nothing listening is CONNECTION_REFUSED (retryable); port 6513 is the default', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const err = await failure<ConnectionError>(connect(options({ host: '127.0.0.1', port })));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('CONNECTION_REFUSED');
    expect(err.retryable).toBe(true);
  });

  it('a device that accepts TCP but never answers the handshake is CONNECT_TIMEOUT naming the TLS handshake', async () => {
    // it reads (so it sees our close) but never answers
    const server = net.createServer((socket) => socket.resume());
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const err = await failure<NetconfError>(connect({ ...options({ host: '127.0.0.1', port }), connectTimeoutMs: 200 }));
    expect(err).toBeInstanceOf(NetconfError);
    expect(err.code).toBe('CONNECT_TIMEOUT');
    expect(err.message).toContain('TLS handshake did not finish');
  });
});

/** `openssl s_server` asking for a client certificate signed by the test CA, as OpenSSL-based devices do. */
async function opensslServer(p: TestPki): Promise<{ port: number; stop(): void }> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const child = spawn('openssl', [
    's_server', '-accept', `127.0.0.1:${port}`, '-cert', p.device.certFile, '-key', p.device.keyFile, '-CAfile', p.caFile,
    '-Verify', '1', '-verify_return_error', '-naccept', '1',
  ], { stdio: ['pipe', 'pipe', 'pipe'] });
  // s_server prints ACCEPT once it listens
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ACCEPT')) resolve();
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${seen}`)));
  });
  return { port, stop: () => child.kill() };
}
