import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { CertificateError, ClientError, HostKeyError, type NetconfError } from '../../src/errors/index.js';
import { type CallHomeListener, type CallHomeOptions, listenCallHome } from '../../src/session/call-home.js';
import type { Session } from '../../src/session/session.js';
import { type TestPki, makeTestPki } from '../support/certificates.js';
import { failure } from '../support/failure.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

const devices: FakeDevice[] = [];
const listeners: CallHomeListener[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function listen(options: Omit<CallHomeOptions, 'port' | 'host'>): Promise<CallHomeListener> {
  const listener = await listenCallHome({ port: 0, host: '127.0.0.1', ...options });
  listeners.push(listener);
  return listener;
}

async function device(options: Parameters<typeof FakeDevice.start>[0] = {}): Promise<FakeDevice> {
  const d = await FakeDevice.start(options);
  devices.push(d);
  return d;
}

async function next(listener: CallHomeListener): Promise<Session> {
  const session = await listener.accept();
  sessions.push(session);
  return session;
}

/** The next device the listener refused. */
function nextRejection(listener: CallHomeListener): Promise<NetconfError> {
  return new Promise((resolve) => listener.once('rejected', (err) => resolve(err)));
}

const login = { username: 'netconf', password: 'netconf' };

describe('listenCallHome over SSH (RFC 8071)', () => {
  it('accepts a device that dials in, verified by its pinned host key, as an open session', async () => {
    const d = await device();
    const listener = await listen({ ssh: { ...login, hostKey: d.hostKeyFingerprint } });
    const accepted = next(listener);
    await d.callHome({ port: listener.port });
    const session = await accepted;
    expect(session.state).toBe('open');
    expect(session.callHome).toMatchObject({ transport: 'ssh', address: '127.0.0.1', deviceId: null, hostKeyFingerprint: d.hostKeyFingerprint, certificate: null });
    await session.rpc('<get-config><source><running/></source></get-config>');
    expect(d.requests.map((r) => r.operation)).toEqual(['get-config']);
  });

  it('a wrong host key is a typed rejection, and the listener keeps listening for the next device', async () => {
    const trusted = await device();
    const stranger = await device();
    const listener = await listen({ ssh: { ...login, hostKey: trusted.hostKeyFingerprint } });
    const rejected = nextRejection(listener);
    await stranger.callHome({ port: listener.port });
    const err = await rejected;
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.retryable).toBe(false);
    const accepted = next(listener);
    await trusted.callHome({ port: listener.port });
    expect((await accepted).callHome?.hostKeyFingerprint).toBe(trusted.hostKeyFingerprint);
  });

  it('looks host keys up in known_hosts under the address the device dialled from', async () => {
    const d = await device();
    const { writeFileSync } = await import('node:fs');
    const file = `${pki.dir}/known_hosts`;
    writeFileSync(file, `127.0.0.1 ${d.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
    const listener = await listen({ ssh: { ...login, knownHosts: file } });
    const accepted = next(listener);
    await d.callHome({ port: listener.port });
    expect((await accepted).state).toBe('open');
  });

  it('serves many devices at once, each its own session, handed out in turn and by async iteration', async () => {
    const fleet = await Promise.all([device(), device(), device()]);
    const listener = await listen({ ssh: { ...login, hostKey: fleet.map((d) => d.hostKeyFingerprint) } });
    await Promise.all(fleet.map((d) => d.callHome({ port: listener.port })));
    const seen: string[] = [];
    for await (const session of listener) {
      sessions.push(session);
      seen.push(session.callHome!.hostKeyFingerprint!);
      if (seen.length === 3) break;
    }
    expect(seen.sort()).toEqual(fleet.map((d) => d.hostKeyFingerprint).sort());
  });

  it('drops a device that connects and says nothing once the connect deadline passes, and goes on', async () => {
    const listener = await listen({ ssh: { ...login, insecureAcceptAnyHostKey: true }, connectTimeoutMs: 300 });
    const rejected = nextRejection(listener);
    const silent = net.connect({ host: '127.0.0.1', port: listener.port });
    silent.on('error', () => {});
    const closed = new Promise((r) => silent.once('close', r));
    const err = await rejected;
    expect(err.code).toBe('CONNECT_TIMEOUT');
    await closed;
    const d = await device();
    const accepted = next(listener);
    await d.callHome({ port: listener.port });
    expect((await accepted).state).toBe('open');
  });

  it('close() rejects a pending accept() with LISTENER_CLOSED and frees the port', async () => {
    const listener = await listenCallHome({ port: 0, host: '127.0.0.1', ssh: { ...login, insecureAcceptAnyHostKey: true } });
    const port = listener.port;
    const pending = listener.accept();
    await listener.close();
    const err = await failure<ClientError>(pending);
    expect(err).toBeInstanceOf(ClientError);
    expect(err.code).toBe('LISTENER_CLOSED');
    expect((await failure<ClientError>(listener.accept())).code).toBe('LISTENER_CLOSED');
    const again = await listenCallHome({ port, host: '127.0.0.1', ssh: { ...login, insecureAcceptAnyHostKey: true } });
    expect(again.port).toBe(port);
    await again.close();
  });

  it('accept({ signal }) rejects ABORTED when the signal fires', async () => {
    const listener = await listen({ ssh: { ...login, insecureAcceptAnyHostKey: true } });
    const controller = new AbortController();
    const pending = listener.accept({ signal: controller.signal });
    controller.abort();
    expect((await failure<ClientError>(pending)).code).toBe('ABORTED');
  });

  it('refuses bad options up front: neither or both transports, a bad port', async () => {
    await expect(listenCallHome({ port: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(listenCallHome({ port: 0, ssh: {}, tls: { cert: pki.client.cert, key: pki.client.key } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(listenCallHome({ port: 70000, ssh: {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('listenCallHome over TLS (RFC 8071)', () => {
  const tlsDevice = (identity = pki.device) => device({ tls: { cert: identity.cert, key: identity.key, ca: pki.ca } });
  const tls = () => ({ ca: pki.ca, cert: pki.client.cert, key: pki.client.key });

  it('accepts a device whose certificate chains to the CA; we are the TLS client on its connection', async () => {
    const d = await tlsDevice();
    const listener = await listen({ tls: tls() });
    const accepted = next(listener);
    await d.callHome({ port: listener.port });
    const session = await accepted;
    expect(session.framingMode).toBe('chunked');
    expect(session.callHome).toMatchObject({ transport: 'tls', address: '127.0.0.1', certificate: { subject: 'router1' } });
    expect(d.sessionUser(session.sessionId!)).toBe('netconf');
  });

  it('a certificate from another CA is CERTIFICATE_REJECTED, and the listener keeps listening', async () => {
    const stranger = await tlsDevice(pki.strangerDevice);
    const listener = await listen({ tls: tls() });
    const rejected = nextRejection(listener);
    await stranger.callHome({ port: listener.port });
    const err = await rejected;
    expect(err).toBeInstanceOf(CertificateError);
    expect((err as CertificateError).problem).toBe('untrusted');
    const good = await tlsDevice();
    const accepted = next(listener);
    await good.callHome({ port: listener.port });
    expect((await accepted).state).toBe('open');
  });

  it('with servername, the certificate must carry that name', async () => {
    const d = await tlsDevice();
    const listener = await listen({ tls: { ...tls(), servername: 'router7.example' } });
    const rejected = nextRejection(listener);
    await d.callHome({ port: listener.port });
    const err = await rejected;
    expect((err as CertificateError).problem).toBe('name');
  });
});

describe('Junos outbound-ssh on the same listener', () => {
  it('reads the DEVICE-CONN-INFO preamble, checks its HMAC and the announced host key, and names the session by DEVICE-ID', async () => {
    const d = await device();
    const listener = await listen({ ssh: { ...login, hostKey: d.hostKeyFingerprint, junosSecret: 's3cret' } });
    const accepted = next(listener);
    await d.callHome({ port: listener.port, junos: { deviceId: 'vsrx-lab-1', secret: 's3cret' } });
    const session = await accepted;
    expect(session.name).toBe('vsrx-lab-1');
    expect(session.callHome).toMatchObject({ transport: 'ssh', deviceId: 'vsrx-lab-1', hmacVerified: true, hostKeyFingerprint: d.hostKeyFingerprint });
  });

  it('an HMAC made with another secret is CALL_HOME_REJECTED, and the secret is not in the error', async () => {
    const d = await device();
    const listener = await listen({ ssh: { ...login, hostKey: d.hostKeyFingerprint, junosSecret: 's3cret' } });
    const rejected = nextRejection(listener);
    await d.callHome({ port: listener.port, junos: { deviceId: 'vsrx-lab-1', secret: 'other' } });
    const err = await rejected;
    expect(err.code).toBe('CALL_HOME_REJECTED');
    expect(err.message).toContain('vsrx-lab-1');
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });

  it('the announced host key is checked like any other: not pinned is a host key error', async () => {
    const d = await device();
    const other = await device();
    const listener = await listen({ ssh: { ...login, hostKey: other.hostKeyFingerprint } });
    const rejected = nextRejection(listener);
    await d.callHome({ port: listener.port, junos: { deviceId: 'vsrx-lab-1', secret: 'x' } });
    expect((await rejected).code).toBe('HOST_KEY_MISMATCH');
  });

  it('reads the preamble as Juniper documents it, the stray colon in its DEVICE-ID line included', async () => {
    // Juniper, "Receiving and Managing the Outbound SSH Initiation Sequence on the Client"
    // (JUNOS 9.4 NETCONF guide): MSG-ID: DEVICE-CONN-INFO, MSG-VER: V1, DEVICE-ID: : <device-id>, CRLF line ends.
    // https://www.juniper.net/documentation/en_US/release-independent/downloads/juniper-dvd-junos94.tgz (netconf-guide/recieving-and-managing-the-outbound-ssh-initiation-sequence-on-the-client.html)
    const d = await device();
    const listener = await listen({ ssh: { ...login, hostKey: d.hostKeyFingerprint } });
    const accepted = next(listener);
    await d.callHome({ port: listener.port, junos: { deviceId: 'ignored', preamble: 'MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: : router-7\r\n' } });
    const session = await accepted;
    expect(session.callHome).toMatchObject({ deviceId: 'router-7', hmacVerified: false });
  });

  it('a preamble that is not DEVICE-CONN-INFO V1 is CALL_HOME_REJECTED', async () => {
    const d = await device();
    const listener = await listen({ ssh: { ...login, hostKey: d.hostKeyFingerprint } });
    const rejected = nextRejection(listener);
    await d.callHome({ port: listener.port, junos: { deviceId: 'x', preamble: 'MSG-ID: SOMETHING-ELSE\r\nMSG-VER: V1\r\nDEVICE-ID: r1\r\nHOST-KEY: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA\r\nHMAC: 00\r\n' } });
    const err = await rejected;
    expect(err.code).toBe('CALL_HOME_REJECTED');
    expect(err.message).toContain('not DEVICE-CONN-INFO');
  });
});
