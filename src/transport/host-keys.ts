import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of sha256 over the key blob. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyVerdict = { ok: true } | { ok: false; code: 'HOST_KEY_MISMATCH' | 'HOST_KEY_UNKNOWN'; reason: string };

interface KnownHostEntry {
  matches(host: string): boolean;
  keyType: string;
  key: Buffer;
  revoked: boolean;
}

/** The names a host is listed under in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Parses an OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) host patterns,
 * comma-separated names, `*`/`?` wildcards, `!` negation, and the `@revoked` marker.
 * `@cert-authority` lines are skipped (certificates are not supported).
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    entries.push({ matches: hostMatcher(hosts), keyType, key: Buffer.from(keyBase64, 'base64'), revoked });
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
  const list = patterns.split(',');
  return (host) => {
    let matched = false;
    for (const p of list) {
      const negated = p.startsWith('!');
      if (wildcard(negated ? p.slice(1) : p).test(host)) {
        if (negated) return false;
        matched = true;
      }
    }
    return matched;
  };
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Checks a presented key against known_hosts entries for `host:port`. */
export function verifyKnownHost(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const listed = entries.filter((e) => e.matches(name));
  if (listed.some((e) => e.revoked && e.key.equals(keyBlob))) {
    return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key of ${name} is marked @revoked in known_hosts` };
  }
  if (listed.some((e) => !e.revoked && e.key.equals(keyBlob))) return { ok: true };
  if (listed.some((e) => !e.revoked)) {
    return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key of ${name} (${fingerprint(keyBlob)}) differs from the one in known_hosts` };
  }
  return { ok: false, code: 'HOST_KEY_UNKNOWN', reason: `${name} is not in known_hosts (its key is ${fingerprint(keyBlob)})` };
}

/** Checks a presented key against pinned `SHA256:…` fingerprints. */
export function verifyPinned(pins: readonly string[], keyBlob: Buffer): HostKeyVerdict {
  const actual = fingerprint(keyBlob);
  const normalised = pins.map((p) => (p.startsWith('SHA256:') ? p : `SHA256:${p}`).replace(/=+$/, ''));
  if (normalised.includes(actual)) return { ok: true };
  return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key fingerprint ${actual} is not the pinned ${normalised.join(' or ')}` };
}
