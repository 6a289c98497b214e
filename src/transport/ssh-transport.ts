import { readFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ClientError, ConnectionError, HostKeyError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { serverHostKeyOrder } from './algorithms.js';
import { type HostKeyVerdict, fingerprint, knownKeyTypes, parseKnownHosts, verifyKnownHost, verifyPinned } from './host-keys.js';
import { checkHost, targetName } from './host-name.js';
import { mapSshError } from './ssh-errors.js';

export interface SshOptions {
  /** A bare host name or address (IPv6 as `::1` or `[::1]`); never `user@host` or a URL. */
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
  /** TCP connect + SSH handshake + authentication + subsystem request, in ms (default 20 000). */
  connectTimeoutMs?: number;
  /** SSH keepalive interval in ms; 0 turns it off (default 0: some devices never answer it). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** SSH subsystem (default `netconf`). */
  subsystem?: string;
  /** Run this command instead of a subsystem (devices that only offer NETCONF through exec). */
  command?: string;
  /** Passed through to ssh2 for old devices (e.g. `{ kex: { append: ['diffie-hellman-group14-sha1'] } }`). */
  algorithms?: SshAlgorithms;
}

/**
 * ssh2's algorithm settings, declared here so the published types do not need @types/ssh2.
 * Each list is exact (in order of preference) or changes ssh2's default list; a RegExp
 * matches the algorithms ssh2 supports.
 */
export type SshAlgorithmList = string[] | { append?: string | RegExp | (string | RegExp)[]; prepend?: string | RegExp | (string | RegExp)[]; remove?: string | RegExp | (string | RegExp)[] };
export interface SshAlgorithms {
  kex?: SshAlgorithmList;
  cipher?: SshAlgorithmList;
  serverHostKey?: SshAlgorithmList;
  hmac?: SshAlgorithmList;
  compress?: SshAlgorithmList;
}

/** An open NETCONF channel over SSH. */
export interface SshChannel {
  readonly stream: Duplex;
  /** Closes the channel and the connection. */
  close(): void;
  /** Called once when the connection is gone, with the reason when it was not our own close. */
  onClose(listener: (error: NetconfError | null) => void): void;
}

/** How one `openSshChannel` call is bounded and cancelled. */
export interface ConnectControl {
  /** Aborting tears the connection down; the call rejects with `ABORTED` (cause: `signal.reason`). */
  signal?: AbortSignal;
  /**
   * One deadline, in ms, for TCP connect, SSH handshake, authentication and the subsystem (or
   * exec) request together; `CONNECT_TIMEOUT` names the stage that did not finish. Default
   * `options.connectTimeoutMs ?? 20 000`; `Infinity` waits for ever.
   */
  timeoutMs?: number;
}

/** The set-up stages, in order, as CONNECT_TIMEOUT and ABORTED messages name them. */
export type ConnectStage = 'TCP connect' | 'SSH handshake' | 'authentication' | `the ${string} request`;

// setTimeout fires at once for delays past 2^31 - 1 ms: longer deadlines mean none.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Opens an SSH connection, verifies the host key, authenticates and starts the NETCONF
 * subsystem (or `command`), within one deadline. Every failure is a typed NetconfError, and
 * every failure path tears the connection down.
 */
export async function openSshChannel(options: SshOptions, control: ConnectControl = {}): Promise<SshChannel> {
  const host = checkHost(options.host);
  const port = options.port ?? 830;
  const target = targetName(host, port);
  const timeoutMs = control.timeoutMs ?? options.connectTimeoutMs ?? 20_000;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new ClientError('INVALID_ARGUMENT', `timeoutMs must be a number of milliseconds >= 0, got ${String(timeoutMs)}`);
  }
  const { signal } = control;
  if (signal?.aborted) throw aborted(target, 'before connecting', signal.reason);
  const hostKeys = hostKeyPolicy(options, host, port);
  const requestStage: ConnectStage = options.command ? 'the exec request' : `the ${options.subsystem ?? 'netconf'} subsystem request`;
  let verdict: HostKeyVerdict = { ok: true };
  let presented: Buffer | null = null;

  return new Promise((resolve, reject) => {
    const client = new Client();
    let socket: net.Socket | undefined;
    let stage: ConnectStage = 'TCP connect';
    let settled = false;
    let ready = false;
    let closedByUs = false;
    let closeListeners: ((error: NetconfError | null) => void)[] = [];
    let lastError: NetconfError | null = null;
    let timer: NodeJS.Timeout | undefined;

    const onAbort = () => fail(aborted(target, `during ${stage}`, signal?.reason));
    // Runs once the promise settles, either way: the open channel keeps no timer or listener.
    const release = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: NetconfError) => {
      if (settled) return;
      settled = true;
      closedByUs = true;
      release();
      // Our own socket, so it can always be destroyed: ssh2's destroy() does nothing once ssh2
      // has end()ed it, and a peer that never closes its side would keep it half-open.
      socket?.destroy();
      reject(err);
    };

    if (Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        fail(new TimeoutError('CONNECT_TIMEOUT', `Connecting to ${target} timed out after ${timeoutMs} ms: ${stage} did not finish`));
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    client.on('connect', () => {
      stage = 'SSH handshake';
    });
    client.on('handshake', () => {
      // 'handshake' comes again on every re-key; only the first moves the stage on.
      if (stage === 'SSH handshake') stage = 'authentication';
    });
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
      if (!settled) return fail(new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed during ${stage}`));
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
      if (settled) return;
      ready = true;
      stage = requestStage;
      const onChannel = (err: Error | undefined, channel: ClientChannel) => {
        if (settled) {
          // Timed out or aborted while the request was on its way: the connection is gone already.
          channel?.close();
          return;
        }
        if (err) {
          const what = options.command ? `the command "${options.command}"` : `the ${options.subsystem ?? 'netconf'} subsystem`;
          return fail(new ConnectionError('SUBSYSTEM_UNAVAILABLE', `${target} refused ${what}`, { cause: err }));
        }
        settled = true;
        release();
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
      try {
        if (options.command) client.exec(options.command, onChannel);
        else client.subsys(options.subsystem ?? 'netconf', onChannel);
      } catch (err) {
        // ssh2 throws 'Not connected' when the socket went away in between.
        fail(mapSshError(err, target, 'connect'));
      }
    });

    const config: ConnectConfig = {
      // host and port go to our own socket (below), not to ssh2.
      username: options.username,
      // Our own timer covers the whole set-up; ssh2's would stop at 'ready'.
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? 0,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        presented = key;
        verdict = hostKeys.verify(key);
        return verdict.ok;
      },
    };
    if (options.password !== undefined) config.password = options.password;
    if (options.privateKey !== undefined) config.privateKey = options.privateKey;
    if (options.passphrase !== undefined) config.passphrase = options.passphrase;
    if (options.agent !== undefined) config.agent = options.agent;
    if (options.tryKeyboard) config.tryKeyboard = true;
    const serverHostKey = serverHostKeyOrder(options.algorithms?.serverHostKey, hostKeys.knownTypes);
    // Our own type mirrors ssh2's (with RegExps, which ssh2 takes but @types/ssh2 leaves out).
    if (options.algorithms || serverHostKey) {
      const algorithms: SshAlgorithms = { ...options.algorithms };
      if (serverHostKey) algorithms.serverHostKey = serverHostKey;
      config.algorithms = algorithms as ConnectConfig['algorithms'];
    }
    try {
      socket = net.connect({ host, port });
      // ssh2 listens for the socket's errors from connect() on; this one only covers a
      // connect() that throws first, when the socket is destroyed at once.
      socket.on('error', () => {});
      config.sock = socket;
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for unusable options, e.g. an unreadable private key.
      fail(new ClientError('INVALID_ARGUMENT', `Cannot connect to ${target}: ${(err as Error).message}`, { cause: err }));
    }
  });
}

function aborted(target: string, when: string, reason: unknown): ClientError {
  return new ClientError('ABORTED', `Connecting to ${target} was aborted ${when}`, { cause: reason });
}

interface HostKeyPolicy {
  verify(key: Buffer): HostKeyVerdict;
  /** Key types known_hosts lists for this host, to offer first (empty for pins or no check). */
  knownTypes: string[];
}

function hostKeyPolicy(options: SshOptions, host: string, port: number): HostKeyPolicy {
  if (options.insecureAcceptAnyHostKey) return { verify: () => ({ ok: true }), knownTypes: [] };
  if (options.hostKey !== undefined) {
    const pins = Array.isArray(options.hostKey) ? options.hostKey : [options.hostKey];
    return { verify: (key) => verifyPinned(pins, key), knownTypes: [] };
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
  return { verify: (key) => verifyKnownHost(entries, host, port, key), knownTypes: knownKeyTypes(entries, host, port) };
}
