import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CertificateError, type NetconfError } from '../../../src/errors/index.js';
import { getConfig } from '../../../src/operations/index.js';
import { type CallHomeListener, listenCallHome } from '../../../src/session/call-home.js';
import { type TestPki, makeTestPki } from '../../support/certificates.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// RFC 8071 Call Home against libnetconf2's server side: the device dials our listener, and we
// are the SSH or TLS client on its connection, verifying it exactly as a direct connect would.
let pki: TestPki;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  pki = makeTestPki();
});
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});
afterAll(() => pki?.remove());

async function listener(options: Omit<Parameters<typeof listenCallHome>[0], 'port'>): Promise<CallHomeListener> {
  const l = await listenCallHome({ port: 0, host: '127.0.0.1', connectTimeoutMs: 10_000, ...options });
  cleanup.push(() => l.close());
  return l;
}

async function device(options: Parameters<typeof startLibnetconf2>[1]): Promise<Libnetconf2Server> {
  const d = await startLibnetconf2('base-server', options);
  cleanup.push(() => d.stop());
  return d;
}

const rejection = (l: CallHomeListener) =>
  new Promise<NetconfError>((resolve) => l.once('rejected', (error) => resolve(error)));

const tlsIdentity = () => ({
  cert: pki.device.certFile,
  key: pki.device.keyFile,
  ca: pki.caFile,
  ctn: `04:${new X509Certificate(pki.ca).fingerprint256}`,
});

describe('Call Home against libnetconf2', () => {
  it('over SSH: the device dials in, its host key is checked, and the session serves RPCs', async () => {
    // The device's key is made when it starts; pin it from a first device, then accept it.
    const l = await listener({ ssh: { username: 'netconf', password: 'netconf', insecureAcceptAnyHostKey: true } });
    const d = await device({ callHome: { ssh: l.port } });
    const s = await l.accept({ signal: AbortSignal.timeout(20_000) });
    try {
      expect(s.capabilities.base11).toBe(true);
      expect(s.callHome?.transport).toBe('ssh');
      expect(s.callHome?.hostKeyFingerprint).toBe(d.login.hostKey);
      await expect(getConfig(s, 'running')).resolves.toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('over SSH with a pinned host key: a device with another key is refused, typed, and the listener keeps listening', async () => {
    const l = await listener({ ssh: { username: 'netconf', password: 'netconf', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    const refused = rejection(l);
    await device({ callHome: { ssh: l.port } });
    const err = await refused;
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.retryable).toBe(false);
    expect(l.port).toBeGreaterThan(0);
  });

  it('over TLS: mutual authentication on the connection the device opened, and the session serves RPCs', async () => {
    const l = await listener({ tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
    await device({ tls: tlsIdentity(), callHome: { tls: l.port } });
    const s = await l.accept({ signal: AbortSignal.timeout(20_000) });
    try {
      expect(s.callHome?.transport).toBe('tls');
      await expect(getConfig(s, 'running')).resolves.toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('over TLS: a device whose certificate does not chain to our CA is refused as CERTIFICATE_REJECTED', async () => {
    const l = await listener({ tls: { ca: pki.otherCa, cert: pki.client.cert, key: pki.client.key } });
    const refused = rejection(l);
    await device({ tls: tlsIdentity(), callHome: { tls: l.port } });
    const err = await refused;
    expect(err).toBeInstanceOf(CertificateError);
    expect((err as CertificateError).problem).toBe('untrusted');
  });
});
