import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ClientError, ConnectionError, HostKeyError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { type HostKeyVerdict, fingerprint, parseKnownHosts, verifyKnownHost, verifyPinned } from './host-keys.js';
import { mapSshError } from './ssh-errors.js';

export interface SshOptions {
  host: string;
  /** Default 830, the NETCONF port. */
  port?: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** Path of an ssh-agent socket (e.g. `process.env.SSH_AUTH_SOCK`). */
  agent?: string;
  /** Answer keyboard-interactive prompts with the password (devices that ask that way). */
  tryKeyboard?: boolean;
  /** known_hosts file(s) to verify the host key against. Default: ~/.ssh/known_hosts. */
  knownHosts?: string | string[];
  /** Pinned host key fingerprint(s), `SHA256:…` as `ssh-keygen -l` prints them. */
  hostKey?: string | string[];
  /** Turns host key verification off. Only for labs: anyone in the path can read the session. */
  insecureAcceptAnyHostKey?: boolean;
  /** TCP connect + SSH handshake + authentication, in ms (default 20 000). */
  connectTimeoutMs?: number;
  /** SSH keepalive interval in ms; 0 turns it off (default 0: some devices never answer it). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** SSH subsystem (default `netconf`). */
  subsystem?: string;
  /** Run this command instead of a subsystem (devices that only offer NETCONF through exec). */
  command?: string;
  /** Passed through to ssh2 for old devices (e.g. `{ kex: { append: ['diffie-hellman-group14-sha1'] } }`). */
  algorithms?: ConnectConfig['algorithms'];
}

/** An open NETCONF channel over SSH. */
export interface SshChannel {
  readonly stream: Duplex;
  /** Closes the channel and the connection. */
  close(): void;
  /** Called once when the connection is gone, with the reason when it was not our own close. */
  onClose(listener: (error: NetconfError | null) => void): void;
}

/** Opens an SSH connection, verifies the host key, and starts the NETCONF subsystem. */
export async function openSshChannel(options: SshOptions): Promise<SshChannel> {
  const port = options.port ?? 830;
  const target = `${options.host}:${port}`;
  const verify = hostKeyVerifier(options, port);
  let verdict: HostKeyVerdict = { ok: true };
  let presented: Buffer | null = null;

  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let ready = false;
    let closedByUs = false;
    let closeListeners: ((error: NetconfError | null) => void)[] = [];
    let lastError: NetconfError | null = null;

    const fail = (err: NetconfError) => {
      if (settled) return;
      settled = true;
      closedByUs = true;
      client.end();
      reject(err);
    };

    // ssh2 can finish without 'ready' and without 'error': 'close' settles the promise too.
    client.on('error', (err) => {
      if (!verdict.ok) {
        const v = verdict;
        return fail(new HostKeyError(v.code, `Host key check failed for ${target}: ${v.reason}`, {
          cause: err, fingerprint: presented ? fingerprint(presented) : null,
        }));
      }
      const mapped = mapSshError(err, target, ready ? 'session' : 'connect');
      if (!settled) return fail(mapped);
      lastError = mapped;
    });
    client.on('close', () => {
      if (!settled) return fail(new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed during set-up`));
      const reason = closedByUs ? null : lastError ?? new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed`);
      const listeners = closeListeners;
      closeListeners = [];
      for (const l of listeners) l(reason);
    });
    if (options.tryKeyboard && options.password !== undefined) {
      const password = options.password;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)));
    }
    client.on('ready', () => {
      ready = true;
      const onChannel = (err: Error | undefined, channel: ClientChannel) => {
        if (err) {
          const what = options.command ? `the command "${options.command}"` : `the ${options.subsystem ?? 'netconf'} subsystem`;
          return fail(new ConnectionError('SUBSYSTEM_UNAVAILABLE', `${target} refused ${what}`, { cause: err }));
        }
        settled = true;
        // A server that closes only the channel leaves a useless connection: end it too.
        channel.on('close', () => client.end());
        resolve({
          stream: channel,
          close() {
            closedByUs = true;
            channel.end();
            client.end();
          },
          onClose(listener) {
            closeListeners.push(listener);
          },
        });
      };
      if (options.command) client.exec(options.command, onChannel);
      else client.subsys(options.subsystem ?? 'netconf', onChannel);
    });

    const config: ConnectConfig = {
      host: options.host,
      port,
      username: options.username,
      readyTimeout: options.connectTimeoutMs ?? 20_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 0,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        presented = key;
        verdict = verify(key);
        return verdict.ok;
      },
    };
    if (options.password !== undefined) config.password = options.password;
    if (options.privateKey !== undefined) config.privateKey = options.privateKey;
    if (options.passphrase !== undefined) config.passphrase = options.passphrase;
    if (options.agent !== undefined) config.agent = options.agent;
    if (options.tryKeyboard) config.tryKeyboard = true;
    if (options.algorithms) config.algorithms = options.algorithms;
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for unusable options, e.g. an unreadable private key.
      fail(new ClientError('INVALID_ARGUMENT', `Cannot connect to ${target}: ${(err as Error).message}`, { cause: err }));
    }
  });
}

function hostKeyVerifier(options: SshOptions, port: number): (key: Buffer) => HostKeyVerdict {
  if (options.insecureAcceptAnyHostKey) return () => ({ ok: true });
  if (options.hostKey !== undefined) {
    const pins = Array.isArray(options.hostKey) ? options.hostKey : [options.hostKey];
    return (key) => verifyPinned(pins, key);
  }
  const files = options.knownHosts === undefined
    ? [path.join(homedir(), '.ssh', 'known_hosts')]
    : Array.isArray(options.knownHosts) ? options.knownHosts : [options.knownHosts];
  const entries = files.flatMap((file) => {
    try {
      return parseKnownHosts(readFileSync(file, 'utf8'));
    } catch (err) {
      // A missing default file just means nothing is known; a named file must exist.
      if (options.knownHosts === undefined && (err as { code?: string }).code === 'ENOENT') return [];
      throw new ClientError('INVALID_ARGUMENT', `Cannot read known_hosts file ${file}`, { cause: err });
    }
  });
  return (key) => verifyKnownHost(entries, options.host, port, key);
}
