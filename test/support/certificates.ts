import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate with its key, PEM, and where both are on disk. */
export interface Issued {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** A test PKI: made fresh by the openssl CLI in a temp dir, never committed. */
export interface TestPki {
  dir: string;
  /** The CA that signs the device and the client. */
  ca: string;
  caFile: string;
  /** A device certificate for localhost and 127.0.0.1. */
  device: Issued;
  /** A client certificate (CN=netconf). */
  client: Issued;
  /** Another CA, and a device certificate it signed (valid names): not trusted by `ca`. */
  otherCa: string;
  strangerDevice: Issued;
  /** Signed by `ca` but for another name only (router9.example). */
  wrongNameDevice: Issued;
  /** Signed by `ca`, names right, but expired. */
  expiredDevice: Issued;
  /** A client certificate signed by `otherCa`: a device trusting `ca` refuses it. */
  strangerClient: Issued;
  /** Removes the directory. */
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-days', '2']);
}

function issue(dir: string, ca: string, name: string, cn: string, san: string | null, days: number): Issued {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', `${name}.pem`]);
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** Makes the whole test PKI (about half a second of openssl). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  const names = 'DNS:localhost,IP:127.0.0.1';
  return {
    dir,
    ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    caFile: path.join(dir, 'ca.pem'),
    device: issue(dir, 'ca', 'device', 'router1', names, 2),
    client: issue(dir, 'ca', 'client', 'netconf', null, 2),
    otherCa: readFileSync(path.join(dir, 'other-ca.pem'), 'utf8'),
    strangerDevice: issue(dir, 'other-ca', 'stranger', 'router1', names, 2),
    wrongNameDevice: issue(dir, 'ca', 'wrong-name', 'router9', 'DNS:router9.example', 2),
    expiredDevice: issue(dir, 'ca', 'expired', 'router1', names, -1),
    strangerClient: issue(dir, 'other-ca', 'stranger-client', 'netconf', null, 2),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
