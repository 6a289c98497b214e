/**
 * The local NETCONF peer (netconfd behind OpenSSH on 127.0.0.1, see scripts/netconfd.sh) as
 * the global setup (test/setup/netconfd.ts) provides it to tests:
 *
 *   import { inject } from 'vitest';
 *   import type { PeerInfo } from '../setup/peer-info.js';
 *   const peer: PeerInfo = inject('netconfPeer');
 *
 * Importing this module (even `import type`) also brings in the typing of `inject('netconfPeer')`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** peer.json, written by `scripts/netconfd.sh start` into its state directory. */
export interface PeerInfo {
  /** Always 127.0.0.1. */
  host: string;
  /** SSH port (NETCONFKIT_PEER_PORT, default 8830). */
  port: number;
  /** Login user, `netconf`. */
  username: string;
  /** Its password, `netconf`. */
  password: string;
  /** Path of an ed25519 private key (OpenSSH format, no passphrase) authorized for `username`. */
  clientKey: string;
  /** Path of a known_hosts file with the server's host keys as `[127.0.0.1]:PORT` lines. */
  knownHosts: string;
  /** SHA256 fingerprints of the host keys (`SHA256:` + unpadded base64): ed25519, then rsa. */
  hostKeyFingerprints: string[];
  /** The private sshd listener. Stale once the pair was restarted: re-read peer.json then. */
  sshdPid: number;
  /** netconfd (runs as `username`). Stale once the pair was restarted: re-read peer.json then. */
  netconfdPid: number;
  /** The state directory (NETCONFKIT_PEER_DIR, default /tmp/netconfkit-peer). */
  stateDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    netconfPeer: PeerInfo;
  }
}

/** The project's root directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** scripts/netconfd.sh: start | stop | restart | status. */
export const PEER_SCRIPT = join(PROJECT_ROOT, 'scripts', 'netconfd.sh');

/** The state directory the script uses with the current environment. */
export function peerStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NETCONFKIT_PEER_DIR || '/tmp/netconfkit-peer';
}

/** Reads and checks peer.json (e.g. again after a test restarted the pair: new pids). */
export function readPeerInfo(file = join(peerStateDir(), 'peer.json')): PeerInfo {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const p = raw as Record<string, unknown>;
  const str = (k: string) => typeof p[k] === 'string' && (p[k] as string).length > 0;
  const int = (k: string) => Number.isInteger(p[k]) && (p[k] as number) > 0;
  const bad = [
    ...['host', 'username', 'password', 'clientKey', 'knownHosts', 'stateDir'].filter((k) => !str(k)),
    ...['port', 'sshdPid', 'netconfdPid'].filter((k) => !int(k)),
  ];
  const fps = p.hostKeyFingerprints;
  if (!Array.isArray(fps) || fps.length === 0 || !fps.every((f) => typeof f === 'string' && f.startsWith('SHA256:'))) {
    bad.push('hostKeyFingerprints');
  }
  if (typeof raw !== 'object' || raw === null || bad.length > 0) {
    throw new Error(`${file}: missing or invalid ${bad.join(', ') || 'content'}`);
  }
  return raw as PeerInfo;
}
