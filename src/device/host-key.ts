import { createHash } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';
import { ClientError } from '../errors/classes.js';

// Node's ESM loader does not see `utils` among ssh2's (CommonJS) names: use the default export.
const { utils } = ssh2;

/** The device's host key, with what a client needs to trust it. */
export interface HostKey {
  /** What ssh2's Server takes in `hostKeys`. */
  privateKey: string | Buffer;
  /** SSH key type, e.g. `ssh-ed25519`. */
  type: string;
  /** The public key blob, as sent in the key exchange. */
  blob: Buffer;
  /** OpenSSH style: `SHA256:` + unpadded base64 of sha256(blob). */
  fingerprint: string;
}

/** Loads the given private key, or makes a fresh ed25519 one (fast, and what most test clients accept). */
export function loadHostKey(privateKey?: string | Buffer): HostKey {
  const key = privateKey ?? generateEd25519KeyPair().private;
  const parsed = parseOne(key, 'hostKey');
  if (!parsed.isPrivateKey()) throw new ClientError('INVALID_ARGUMENT', 'hostKey must be a private key');
  const blob = parsed.getPublicSSH();
  return { privateKey: key, type: parsed.type, blob, fingerprint: fingerprint(blob) };
}

/**
 * `utils.generateKeyPairSync('ed25519')`, retried until ssh2 can read both halves back: in
 * ssh2 1.17 about one key in 256 has a public key starting with a zero byte, which keygen
 * strips, and parseKey then rejects the key as malformed (mscdex/ssh2#1390, #1513).
 */
export function generateEd25519KeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

/** OpenSSH's `SHA256:…` fingerprint of a public key blob. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** A known_hosts line. OpenSSH writes `[host]:port` for any port but 22. */
export function knownHostsLine(host: string, port: number, key: HostKey): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${key.type} ${key.blob.toString('base64')}`;
}

/** Parses a user's public key (or a private key, whose public half is used). */
export function parseUserKey(key: string | Buffer, username: string): ParsedKey {
  return parseOne(key, `publicKey of user ${JSON.stringify(username)}`);
}

function parseOne(key: string | Buffer, what: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new ClientError('INVALID_ARGUMENT', `Cannot parse ${what}: ${parsed.message}`, { cause: parsed });
  // parseKey's declared type hides that an OpenSSH file may hold several keys: use the first.
  const one = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | undefined;
  if (!one) throw new ClientError('INVALID_ARGUMENT', `Cannot parse ${what}: no key found`);
  return one;
}
