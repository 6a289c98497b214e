import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { hostMatches } from './host-patterns.js';

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of sha256 over the key blob. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyVerdict = { ok: true } | { ok: false; code: 'HOST_KEY_MISMATCH' | 'HOST_KEY_UNKNOWN'; reason: string };

export interface KnownHostEntry {
  matches(host: string): boolean;
  keyType: string;
  key: Buffer;
  revoked: boolean;
  /** An `@cert-authority` line: kept only to say why a host it covers is still unknown. */
  certAuthority: boolean;
}

/** The names a host is listed under in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Parses an OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) host patterns,
 * comma-separated names, `*`/`?` wildcards, `!` negation, and the `@revoked` marker.
 * `@cert-authority` lines are kept but marked: certificates are not supported, so they never
 * vouch for a key.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    entries.push({
      matches: hostMatcher(hosts),
      keyType,
      key: Buffer.from(keyBase64, 'base64'),
      revoked: marker === '@revoked',
      certAuthority: marker === '@cert-authority',
    });
  }
  return entries;
}

function hostMatcher(patterns: string): (host: string) => boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    const saltBytes = Buffer.from(salt ?? '', 'base64');
    const expected = Buffer.from(hash ?? '', 'base64');
    return (host) => {
      const actual = createHmac('sha1', saltBytes).update(host).digest();
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    };
  }
  return (host) => hostMatches([patterns], host);
}

/** The SSH key type a key blob names: its first SSH string (uint32 length, then the name). */
export function keyTypeOf(keyBlob: Buffer): string | null {
  if (keyBlob.length < 4) return null;
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > 64 || keyBlob.length < 4 + length) return null;
  return keyBlob.toString('latin1', 4, 4 + length);
}

/** The plain (not revoked, not CA) entries that vouch for `host:port`. */
function trustedFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((e) => !e.revoked && !e.certAuthority && e.matches(name));
}

/** The key types known_hosts lists for `host:port`, in file order, each once. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  return [...new Set(trustedFor(entries, knownHostsName(host, port)).map((e) => e.keyType))];
}

/**
 * Checks a presented key against known_hosts entries for `host:port`, as OpenSSH does: a key
 * of a type listed for the host must be that key (else MISMATCH); a key of a type not listed
 * is UNKNOWN, even when the host has keys of other types (OpenSSH asks for the listed types
 * first, so a device only shows another type when it has none of those).
 */
export function verifyKnownHost(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const fp = fingerprint(keyBlob);
  if (entries.some((e) => e.revoked && e.matches(name) && e.key.equals(keyBlob))) {
    return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key of ${name} is marked @revoked in known_hosts` };
  }
  const trusted = trustedFor(entries, name);
  if (trusted.some((e) => e.key.equals(keyBlob))) return { ok: true };
  const type = keyTypeOf(keyBlob) ?? 'unreadable';
  if (trusted.some((e) => e.keyType === type)) {
    return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the ${type} host key of ${name} (${fp}) differs from the one in known_hosts` };
  }
  if (trusted.length > 0) {
    const others = [...new Set(trusted.map((e) => e.keyType))].join(', ');
    return {
      ok: false,
      code: 'HOST_KEY_UNKNOWN',
      reason: `${name} presented a ${type} key (${fp}), a type not in known_hosts; known_hosts holds other key types for this host (${others}), and the device offered none of them`,
    };
  }
  if (entries.some((e) => e.certAuthority && e.matches(name))) {
    return {
      ok: false,
      code: 'HOST_KEY_UNKNOWN',
      reason: `${name} is covered only by an @cert-authority line in known_hosts, and certificate authorities are not supported: pin the fingerprint (hostKey: '${fp}') or add the host key to known_hosts`,
    };
  }
  return { ok: false, code: 'HOST_KEY_UNKNOWN', reason: `${name} is not in known_hosts (its key is ${fp})` };
}

/** Checks a presented key against pinned `SHA256:…` fingerprints. */
export function verifyPinned(pins: readonly string[], keyBlob: Buffer): HostKeyVerdict {
  const actual = fingerprint(keyBlob);
  const normalised = pins.map((p) => (p.startsWith('SHA256:') ? p : `SHA256:${p}`).replace(/=+$/, ''));
  if (normalised.includes(actual)) return { ok: true };
  return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key fingerprint ${actual} is not the pinned ${normalised.join(' or ')}` };
}
