import { homedir } from 'node:os';
import path from 'node:path';
import { ClientError } from '../errors/classes.js';
import { redactHost } from './host-name.js';
import { type SshConfig, type SshConfigValues, expandTokens, localUser, parseSshConfig, readSshConfig } from './ssh-config.js';
import type { JumpHost, SshOptions } from './ssh-transport.js';

/** Why host key checking stays on although ssh_config says otherwise, by options object. */
const notes = new WeakMap<object, string>();

/** The note to add to a host key failure for these (resolved) options, if any. */
export function hostKeyNote(options: object): string | undefined {
  return notes.get(options);
}

const MAX_JUMP_DEPTH = 8;

/**
 * Folds ssh_config into the options, when `sshConfig` asks for it: the device's and every jump
 * host's HostName, User, Port, IdentityFile, IdentitiesOnly, UserKnownHostsFile, and the
 * device's ProxyJump, ConnectTimeout and ServerAlive settings. What the caller set explicitly
 * always wins. The result has no `sshConfig`, so applying it again changes nothing.
 */
export function applySshConfig<T extends SshOptions>(options: T): T {
  if (!options.sshConfig) return options;
  const config = loadConfig(options.sshConfig);
  const { sshConfig: _, ...rest } = options;
  const out = { ...rest } as T;
  const v = config.lookup(options.host);
  fillHost(out, v, options.host, 830);
  if (options.connectTimeoutMs === undefined && v.connectTimeout !== undefined) out.connectTimeoutMs = v.connectTimeout * 1000;
  if (options.keepaliveIntervalMs === undefined && v.serverAliveInterval !== undefined) out.keepaliveIntervalMs = v.serverAliveInterval * 1000;
  if (options.keepaliveCountMax === undefined && v.serverAliveCountMax !== undefined) out.keepaliveCountMax = v.serverAliveCountMax;
  if (options.jump !== undefined) {
    out.jump = options.jump.map((hop) => {
      const filled = { ...hop };
      fillHost(filled, config.lookup(hop.host), hop.host, 22);
      return filled;
    });
  } else if (v.proxyJump !== undefined && v.proxyJump.toLowerCase() !== 'none') {
    out.jump = jumpChain(config, v.proxyJump, 0, [options.host]);
  } else if (v.proxyCommand !== undefined && v.proxyCommand.toLowerCase() !== 'none') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `ssh_config gives ${redactHost(options.host)} a ProxyCommand, which netconfkit does not run: use ProxyJump in ssh_config, or the jump option (--jump in the CLI)`,
    );
  }
  return out;
}

function loadConfig(setting: true | string): SshConfig {
  if (setting === true) {
    const file = path.join(homedir(), '.ssh', 'config');
    try {
      return readSshConfig(file);
    } catch (err) {
      // No ~/.ssh/config is no settings; a file named by the caller must exist.
      if ((err as { cause?: { code?: string } }).cause?.code === 'ENOENT') return parseSshConfig('');
      throw err;
    }
  }
  return readSshConfig(setting);
}

type HostFields = Pick<SshOptions, 'host' | 'port' | 'username' | 'privateKey' | 'identityFiles' | 'agent' | 'knownHosts'>;

/** Fills what ssh_config says about one host into its options (device or jump host). */
function fillHost(out: HostFields, v: SshConfigValues, alias: string, defaultPort: number): void {
  if (v.hostName !== undefined) out.host = expandTokens(v.hostName, { host: alias, alias }, 'HostName');
  out.port ??= v.port ?? defaultPort;
  out.username ??= v.user ?? localUser();
  const tokens = { host: out.host, alias, port: out.port, user: out.username };
  if (out.privateKey === undefined && out.identityFiles === undefined && v.identityFile !== undefined) {
    out.identityFiles = v.identityFile.filter((f) => f.toLowerCase() !== 'none').map((f) => expandTokens(f, tokens, 'IdentityFile'));
  }
  if (out.agent === undefined && v.identitiesOnly) out.agent = false;
  if (out.knownHosts === undefined && v.userKnownHostsFile !== undefined) {
    out.knownHosts = v.userKnownHostsFile.filter((f) => f.toLowerCase() !== 'none').map((f) => expandTokens(f, tokens, 'UserKnownHostsFile'));
  }
  const strict = v.strictHostKeyChecking;
  if (strict === 'no' || strict === 'off') {
    notes.set(out, `ssh_config sets StrictHostKeyChecking ${strict} for ${alias}, but netconfkit still checks host keys: only insecureAcceptAnyHostKey: true (--insecure-accept-any-host-key) turns the check off`);
  }
}

/** The hops of a ProxyJump value, each with its own ssh_config, its own ProxyJump first. */
function jumpChain(config: SshConfig, proxyJump: string, depth: number, seen: string[]): JumpHost[] {
  if (depth >= MAX_JUMP_DEPTH) throw new ClientError('INVALID_ARGUMENT', `ssh_config ProxyJump chains more than ${MAX_JUMP_DEPTH} jump hosts (${seen.map(redactHost).join(' → ')})`);
  return parseJumpList(proxyJump).flatMap((hop) => {
    if (seen.includes(hop.host)) throw new ClientError('INVALID_ARGUMENT', `ssh_config ProxyJump loops: ${[...seen, hop.host].map(redactHost).join(' → ')}`);
    const v = config.lookup(hop.host);
    const inner = v.proxyJump !== undefined && v.proxyJump.toLowerCase() !== 'none' ? jumpChain(config, v.proxyJump, depth + 1, [...seen, hop.host]) : [];
    const alias = hop.host;
    fillHost(hop, v, alias, 22);
    return [...inner, hop];
  });
}

/** A comma-separated ProxyJump / --jump list. */
export function parseJumpList(list: string): JumpHost[] {
  return list.split(',').map((s) => parseJumpSpec(s.trim()));
}

/**
 * One jump host as OpenSSH writes it: `[user@]host[:port]`, `[user@][v6addr]:port`, or
 * `ssh://[user@]host[:port]`. A password in it is refused (and masked in the message).
 */
export function parseJumpSpec(spec: string): JumpHost {
  const refuse = (why: string) => new ClientError('INVALID_ARGUMENT', `a jump host is [user@]host[:port]; ${why} (got "${redactHost(spec)}")`);
  let rest = spec.replace(/^ssh:\/\//i, '');
  if (rest === '') throw refuse('it is empty');
  if (/[\s/]/.test(rest)) throw refuse('no spaces or paths');
  const hop: JumpHost = { host: '' };
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const user = rest.slice(0, at);
    if (user.includes(':')) throw refuse('a password does not go in it');
    if (user === '') throw refuse('the user before @ is empty');
    hop.username = user;
    rest = rest.slice(at + 1);
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  const m = bracketed ?? plain;
  if (!m) throw refuse('put an IPv6 address in brackets');
  hop.host = m[1]!;
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (!(port >= 1 && port <= 65535)) throw refuse(`the port must be 1-65535`);
    hop.port = port;
  }
  return hop;
}
