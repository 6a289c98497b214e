import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { type TestPki, makeTestPki } from '../support/certificates.js';
import { runCli } from '../support/cli.js';

// The built CLI over NETCONF over TLS (--tls-cert, --tls-key, --tls-ca), against the fake
// device serving TLS with the test PKI.

let pki: TestPki;
let device: FakeDevice;

beforeAll(async () => {
  pki = makeTestPki();
  device = await FakeDevice.start({ tls: { cert: pki.device.cert, key: pki.device.key, ca: pki.ca } });
});
afterAll(async () => {
  await device?.close();
  pki?.remove();
});

// A password in the environment must not turn a TLS session into an SSH one.
const run = (args: string[]) => runCli(args, { NETCONF_PASSWORD: 'secret-pw' });

const tls = (ca = pki.caFile) => ['--host', '127.0.0.1', '--port', String(device.port), '--tls-ca', ca, '--tls-cert', pki.client.certFile, '--tls-key', pki.client.keyFile];

describe('netconfkit over TLS', () => {
  it('rpc with --tls-cert, --tls-key and --tls-ca: mutual authentication, the reply on stdout, exit 0', async () => {
    const r = await run(['rpc', ...tls(), '<get-config><source><running/></source></get-config>']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<data');
  });

  it('a device certificate that does not chain to --tls-ca: CERTIFICATE_REJECTED, exit 3, no key printed', async () => {
    const r = await run(['rpc', ...tls(path.join(pki.dir, 'other-ca.pem')), '<get/>']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('CERTIFICATE_REJECTED');
    expect(r.stderr).not.toContain('PRIVATE KEY');
  });

  it('SSH options with --tls-cert, or half a TLS identity, are usage errors (exit 2) before anything connects', async () => {
    const mixed = await run(['rpc', ...tls(), '--known-hosts', '/dev/null', '<get/>']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('--known-hosts');
    const half = await run(['rpc', '--host', '127.0.0.1', '--tls-cert', pki.client.certFile, '<get/>']);
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('--tls-key');
  });
});
