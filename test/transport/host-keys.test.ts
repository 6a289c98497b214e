import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { utils } from 'ssh2';
import { generateEd25519KeyPair } from '../../src/device/host-key.js';
import { fingerprint, keyTypeOf, knownHostsName, knownKeyTypes, parseKnownHosts, verifyKnownHost, verifyPinned } from '../../src/transport/host-keys.js';

function keyBlob(): { blob: Buffer; line: string } {
  // ssh2 now and then makes an ed25519 key it cannot read back; the helper retries.
  const pair = generateEd25519KeyPair();
  const parsed = utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  const blob = parsed.getPublicSSH();
  return { blob, line: `ssh-ed25519 ${blob.toString('base64')}` };
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** Public keys and what `ssh-keygen -lf` (OpenSSH 9) printed for them: values from outside the code. */
const KEYGEN: readonly { line: string; fingerprint: string }[] = [
  { line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0bV0NcNftkAT5MmXWIVfCEsXYC8E6KsP+HXOr0PCSz', fingerprint: 'SHA256:tZPkwNA8H3eKX3gb2JfAc1Ud6cd9yegKyUaQTsohDVY' },
  {
    line: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNReAfUSxmgKlHdv/BHvV5m4hxQGbXvvrOVYEKO1cL01/cJsbox1SbBorwOjqT//4ndG4Ph84Ru0bHpxksgPTho=',
    fingerprint: 'SHA256:QaKxc53SEgwYpG33Rak7fEHsjQOC4jhpDnwPnefferk',
  },
];
const blobOf = (line: string) => Buffer.from(line.split(' ')[1]!, 'base64');

describe('host keys', () => {
  const a = keyBlob();
  const b = keyBlob();

  it.each(KEYGEN)('prints the fingerprint ssh-keygen -l prints: $fingerprint', ({ line, fingerprint: printed }) => {
    expect(fingerprint(blobOf(line))).toBe(printed);
  });

  it('names hosts as known_hosts does', () => {
    expect(knownHostsName('r1', 22)).toBe('r1');
    expect(knownHostsName('127.0.0.1', 830)).toBe('[127.0.0.1]:830');
  });

  it('accepts the listed key, and tells a mismatch from an unknown host', () => {
    const entries = parseKnownHosts(`# comment\n\n[127.0.0.1]:830,other ${a.line}\n@cert-authority * ${b.line}\n`);
    expect(verifyKnownHost(entries, '127.0.0.1', 830, a.blob)).toEqual({ ok: true });
    expect(verifyKnownHost(entries, '127.0.0.1', 830, b.blob)).toMatchObject({ ok: false, code: 'HOST_KEY_MISMATCH' });
    expect(verifyKnownHost(entries, '127.0.0.1', 831, a.blob)).toMatchObject({ ok: false, code: 'HOST_KEY_UNKNOWN' });
    expect(verifyKnownHost(entries, 'other', 22, a.blob)).toEqual({ ok: true });
  });

  it('reads hashed names, wildcards, negations and @revoked', () => {
    const entries = parseKnownHosts([
      `${hashed('[10.0.0.1]:830')} ${a.line}`,
      `*.lab,!bad.lab ${b.line}`,
      `@revoked old.lab ${a.line}`,
      `old.lab ${a.line}`,
    ].join('\n'));
    expect(verifyKnownHost(entries, '10.0.0.1', 830, a.blob)).toEqual({ ok: true });
    expect(verifyKnownHost(entries, '10.0.0.2', 830, a.blob)).toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    expect(verifyKnownHost(entries, 'r1.lab', 22, b.blob)).toEqual({ ok: true });
    expect(verifyKnownHost(entries, 'bad.lab', 22, b.blob)).toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    expect(verifyKnownHost(entries, 'old.lab', 22, a.blob)).toMatchObject({ code: 'HOST_KEY_MISMATCH', reason: expect.stringMatching(/@revoked/) });
  });

  it('checks pinned fingerprints, with or without the SHA256: prefix and padding', () => {
    const [ed, ec] = KEYGEN.map((k) => ({ blob: blobOf(k.line), pin: k.fingerprint }));
    expect(verifyPinned([ed!.pin], ed!.blob)).toEqual({ ok: true });
    expect(verifyPinned([`${ed!.pin.slice('SHA256:'.length)}=`], ed!.blob)).toEqual({ ok: true });
    expect(verifyPinned([ed!.pin], ec!.blob)).toMatchObject({ ok: false, code: 'HOST_KEY_MISMATCH' });
    expect(verifyPinned([ec!.pin, ed!.pin], ec!.blob)).toEqual({ ok: true });
  });
});

describe('host keys by type, as OpenSSH checks them', () => {
  const a = keyBlob();
  const ed = keyBlob();
  const rsaLine = (() => {
    const parsed = utils.parseKey(utils.generateKeyPairSync('rsa', { bits: 1024 }).public);
    if (parsed instanceof Error) throw parsed;
    return { blob: parsed.getPublicSSH(), line: `ssh-rsa ${parsed.getPublicSSH().toString('base64')}` };
  })();

  it('reads the key type from the blob', () => {
    expect(keyTypeOf(ed.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(rsaLine.blob)).toBe('ssh-rsa');
    expect(keyTypeOf(Buffer.from([0, 0, 0]))).toBeNull();
    expect(keyTypeOf(Buffer.from([0, 0, 0, 9, 0x61]))).toBeNull();
  });

  it('lists the key types known for a host, not revoked or CA ones', () => {
    const entries = parseKnownHosts([`r1 ${rsaLine.line}`, `r1,r2 ${ed.line}`, `r1 ${rsaLine.line}`, `@revoked r3 ${ed.line}`, `@cert-authority r3 ${ed.line}`].join('\n'));
    expect(knownKeyTypes(entries, 'r1', 22)).toEqual(['ssh-rsa', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'r2', 22)).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, 'r3', 22)).toEqual([]);
  });

  it('calls a key of an unlisted type UNKNOWN, naming the listed types, never MISMATCH', () => {
    const entries = parseKnownHosts(`r1 ${rsaLine.line}`);
    expect(verifyKnownHost(entries, 'r1', 22, ed.blob)).toMatchObject({
      ok: false,
      code: 'HOST_KEY_UNKNOWN',
      reason: expect.stringContaining('known_hosts holds other key types for this host (ssh-rsa)'),
    });
    expect(verifyKnownHost(entries, 'r1', 22, rsaLine.blob)).toEqual({ ok: true });
  });

  it('calls a different key of a listed type MISMATCH', () => {
    const entries = parseKnownHosts(`r1 ${rsaLine.line}\nr1 ${a.line}`);
    expect(verifyKnownHost(entries, 'r1', 22, ed.blob)).toMatchObject({ code: 'HOST_KEY_MISMATCH', reason: expect.stringContaining('ssh-ed25519 host key') });
  });

  it('says a host covered only by @cert-authority needs a pin or a key', () => {
    const entries = parseKnownHosts(`@cert-authority *.lab ${a.line}`);
    const verdict = verifyKnownHost(entries, 'r1.lab', 22, ed.blob);
    expect(verdict).toMatchObject({ code: 'HOST_KEY_UNKNOWN', reason: expect.stringContaining('certificate authorities are not supported') });
    expect(verdict).toMatchObject({ reason: expect.stringContaining(fingerprint(ed.blob)) });
    expect(verifyKnownHost(entries, 'r1.lab', 22, a.blob)).toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
  });

  it('names an IPv6 literal in brackets on any port but 22', () => {
    expect(knownHostsName('::1', 830)).toBe('[::1]:830');
    const entries = parseKnownHosts(`[::1]:830 ${ed.line}`);
    expect(verifyKnownHost(entries, '::1', 830, ed.blob)).toEqual({ ok: true });
  });
});
