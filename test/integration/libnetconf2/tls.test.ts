import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, CertificateError, NetconfError } from '../../../src/errors/index.js';
import { getConfig } from '../../../src/operations/index.js';
import { connect } from '../../../src/session/connect.js';
import { type TestPki, makeTestPki } from '../../support/certificates.js';
import { failure } from '../../support/failure.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// NETCONF over TLS (RFC 7589) against libnetconf2's server side (OpenSSL): mutual
// authentication, the client's certificate mapped to a user by cert-to-name (RFC 7407: the
// fingerprint of a certificate in the client's chain, here the CA's, "04:" for SHA-256).
let pki: TestPki;
let server: Libnetconf2Server;

beforeAll(async () => {
  pki = makeTestPki();
  const ctn = `04:${new X509Certificate(pki.ca).fingerprint256}`;
  server = await startLibnetconf2('base-server', {
    tls: { cert: pki.device.certFile, key: pki.device.keyFile, ca: pki.caFile, ctn },
  });
});

afterAll(async () => {
  await server?.stop();
  pki?.remove();
});

const options = (tls: Partial<{ ca: string; cert: string; key: string; servername: string }> = {}) => ({
  host: '127.0.0.1',
  port: server.tlsPort,
  tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key, ...tls },
});

describe('NETCONF over TLS against libnetconf2', () => {
  it('authenticates both ways, says hello with base:1.1 and serves RPCs', async () => {
    const s = await connect(options());
    try {
      expect(s.capabilities.base11).toBe(true);
      expect(s.sessionId).toBeGreaterThan(0);
      await expect(getConfig(s, 'running')).resolves.toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('refuses a device whose certificate does not chain to our CA: typed, not retryable', async () => {
    const err = await failure<CertificateError>(connect(options({ ca: pki.otherCa })));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.code).toBe('CERTIFICATE_REJECTED');
    expect(err.retryable).toBe(false);
    expect(err.problem).toBe('untrusted');
  });

  it('refuses a device that is not the name we asked for', async () => {
    const err = await failure<CertificateError>(connect(options({ servername: 'router9.example' })));
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.problem).toBe('name');
  });

  it('is refused by the device with a client certificate from another CA: typed, and no key in the error', async () => {
    const err = await failure<NetconfError>(connect(options({ cert: pki.strangerClient.cert, key: pki.strangerClient.key })));
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(err.toJSON())).not.toContain('PRIVATE KEY');
  });
});
