import { describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { utils } from 'ssh2';
import { generateEd25519KeyPair } from '../../src/device/host-key.js';
import { fingerprint, knownHostsName, parseKnownHosts, verifyKnownHost, verifyPinned } from '../../src/transport/host-keys.js';

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

describe('host keys', () => {
  const a = keyBlob();
  const b = keyBlob();

  it('prints fingerprints the way ssh-keygen -l does', () => {
    const expected = createHash('sha256').update(a.blob).digest('base64').replace(/=+$/, '');
    expect(fingerprint(a.blob)).toBe(`SHA256:${expected}`);
    expect(fingerprint(a.blob)).not.toMatch(/=$/);
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
    const pin = fingerprint(a.blob);
    expect(verifyPinned([pin], a.blob)).toEqual({ ok: true });
    expect(verifyPinned([`${pin.slice(7)}=`], a.blob)).toEqual({ ok: true });
    expect(verifyPinned([pin], b.blob)).toMatchObject({ ok: false, code: 'HOST_KEY_MISMATCH' });
  });
});
