import { readFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { AuthenticationError, ClientError, ConnectionError, HostKeyError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { serverHostKeyOrder } from './algorithms.js';
import { type HostKeyVerdict, fingerprint, knownKeyTypes, parseKnownHosts, verifyKnownHost, verifyPinned } from './host-keys.js';
import { checkHost, targetName } from './host-name.js';
import { type AuthPlan, type KeyboardInteractiveHandler, planAuth } from './auth.js';
import { applySshConfig, hostKeyNote } from './route.js';
import { localUser } from './ssh-config.js';
import { WholeIdentLine } from './ident-line.js';
import { mapSshError } from './ssh-errors.js';

/**
 * Who to log in as, with what, and how the host key is checked: the same fields for a device
 * and for each jump host on the way to it.
 */
export interface SshLogin {
  /** Default: ssh_config's `User` (with `sshConfig`), else the local user name, as OpenSSH. */
  username?: string;
  password?: string;
  /** A private key's text (OpenSSH, PEM or PuTTY format); to give a file, use `identityFiles`. */
  privateKey?: string | Buffer;
  /** Decrypts `privateKey` (and encrypted `identityFiles`). A wrong one is INVALID_ARGUMENT. */
  passphrase?: string;
  /** Private key files, tried after `privateKey`; a missing file or an encrypted one without passphrase is skipped. */
  identityFiles?: string[];
  /**
   * Path of an ssh-agent socket. Default: `SSH_AUTH_SOCK` when neither `password` nor
   * `privateKey` is given (as OpenSSH); `false` never uses an agent.
   */
  agent?: string | false;
  /** Also try keyboard-interactive (devices that ask for the password that way). */
  tryKeyboard?: boolean;
  /**
   * Answers keyboard-interactive prompts that are not a password prompt with echo off (a
   * one-time code, a banner to acknowledge). Giving it turns keyboard-interactive on. Without
   * it such a prompt fails the login with AUTH_FAILED naming the prompt.
   */
  onKeyboardInteractive?: KeyboardInteractiveHandler;
  /** known_hosts file(s) to verify the host key against. Default: ~/.ssh/known_hosts (for a jump host, the device's). */
  knownHosts?: string | string[];
  /** Pinned host key fingerprint(s), `SHA256:…` as `ssh-keygen -l` prints them. */
  hostKey?: string | string[];
  /** Turns host key verification off. Only for labs: anyone in the path can read the session. */
  insecureAcceptAnyHostKey?: boolean;
}

/** How to reach a device over SSH: host, port, login, host-key checking, jump hosts, timeouts. */
export interface SshOptions extends SshLogin {
  /**
   * A bare host name or address (IPv6 as `::1` or `[::1]`); never `user@host` or a URL. With
   * `sshConfig`, a Host alias of the file.
   */
  host: string;
  /** Default: ssh_config's `Port` (with `sshConfig`), else 830, the NETCONF port. */
  port?: number;
  /**
   * Jump hosts (bastions), first to last: the device is reached through a forwarded channel of
   * the last one. Each is verified and authenticated on its own (its `knownHosts` defaults to
   * the device's). Overrides ssh_config's ProxyJump; `[]` connects directly.
   */
  jump?: JumpHost[];
  /**
   * Read OpenSSH's client configuration: `true` for ~/.ssh/config, or a file. Off by default.
   * Options given here always win over the file.
   */
  sshConfig?: boolean | string;
  /**
   * One deadline, in ms, for TCP connect, SSH handshake, authentication and the subsystem request;
   * `connect()` counts the `<hello>` in it too (default 30 000).
   */
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

/** One jump host: its own address, login and host key check. */
export interface JumpHost extends SshLogin {
  host: string;
  /** Default: ssh_config's `Port` (with `sshConfig`), else 22. */
  port?: number;
}

/**
 * ssh2's algorithm settings, declared here so the published types do not need @types/ssh2.
 * Each list is exact (in order of preference) or changes ssh2's default list; a RegExp
 * matches the algorithms ssh2 supports.
 */
export type SshAlgorithmList = string[] | { append?: string | RegExp | (string | RegExp)[]; prepend?: string | RegExp | (string | RegExp)[]; remove?: string | RegExp | (string | RegExp)[] };
/** SSH algorithm lists, as ssh2 takes them. */
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
  /** The `SHA256:…` fingerprint of the host key the device presented. */
  readonly hostKeyFingerprint: string | null;
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
   * `options.connectTimeoutMs ?? 30 000`; `Infinity` waits for ever.
   */
  timeoutMs?: number;
  /**
   * Run SSH over this connected socket instead of connecting (Call Home: the device dialled
   * us). No jump hosts then.
   */
  socket?: net.Socket;
  /** Checks the device's host key instead of `options` (Call Home: by the names a device announced). */
  hostKeys?: HostKeyPolicy;
}

/**
 * The set-up stages, in order, as CONNECT_TIMEOUT and ABORTED messages name them. Through jump
 * hosts, a jump host's stages name it (`authentication at jump host b1:22`), and so does the
 * forwarded channel to the next hop.
 */
export type ConnectStage =
  | 'TCP connect'
  | 'SSH handshake'
  | 'authentication'
  | `the ${string} request`
  | `${'TCP connect to' | 'SSH handshake with' | 'authentication at'} jump host ${string}`
  | `the forwarded connection from jump host ${string} to ${string}`;

// setTimeout fires at once for delays past 2^31 - 1 ms: longer deadlines mean none.
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * How long close() lets the connection take to end by the book (our goodbye answered, every
 * jump host passing the inner one's on). A dead path never answers: then the socket is
 * destroyed, and every hop with it.
 */
export const CLOSE_GRACE_MS = 2_000;

/** One SSH login on the way: a jump host or the device. */
interface Hop {
  host: string;
  port: number;
  /** `host:port`, or `jump host host:port`, as messages name it. */
  label: string;
  jump: boolean;
  auth: AuthPlan;
  hostKeys: HostKeyPolicy;
  note: string | undefined;
  algorithms: SshAlgorithms | undefined;
}

/**
 * Opens an SSH connection (through any jump hosts), verifies every host key, authenticates
 * and starts the NETCONF subsystem (or `command`), within one deadline. Every failure is a
 * typed NetconfError naming the hop it happened at, and every failure path tears every
 * connection down.
 */
export async function openSshChannel(options: SshOptions, control: ConnectControl = {}): Promise<SshChannel> {
  const resolved = applySshConfig(options);
  const host = checkHost(resolved.host);
  const port = resolved.port ?? 830;
  const target = targetName(host, port);
  const timeoutMs = control.timeoutMs ?? resolved.connectTimeoutMs ?? 30_000;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new ClientError('INVALID_ARGUMENT', `timeoutMs must be a number of milliseconds >= 0, got ${String(timeoutMs)}`);
  }
  const { signal } = control;
  if (signal?.aborted) throw aborted(target, 'before connecting', signal.reason);
  // fail() is bound once the attempt starts; a keyboard-interactive failure before that cannot happen.
  let failNow: (err: NetconfError) => void = () => {};
  const failFromAuth = (err: NetconfError) => failNow(err);
  const jumps = control.socket ? [] : resolved.jump ?? [];
  const device = hopOf(resolved, 830, false, failFromAuth, resolved.algorithms, control.hostKeys);
  const hops: Hop[] = [...jumps.map((j) => hopOf({ knownHosts: resolved.knownHosts, ...j }, 22, true, failFromAuth, undefined)), device];
  const requestStage: ConnectStage = resolved.command ? 'the exec request' : `the ${resolved.subsystem ?? 'netconf'} subsystem request`;

  return new Promise((resolve, reject) => {
    const clients: Client[] = [];
    let socket: net.Socket | undefined;
    let stage: ConnectStage = control.socket ? 'SSH handshake' : hops[0]!.jump ? `TCP connect to ${hops[0]!.label as `jump host ${string}`}` : 'TCP connect';
    let presentedByDevice: Buffer | null = null;
    let settled = false;
    let closedByUs = false;
    let closeListeners: ((error: NetconfError | null) => void)[] = [];
    const lastErrors: (NetconfError | null)[] = hops.map(() => null);
    let hopDown: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    let closeTimer: NodeJS.Timeout | undefined;

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
      for (const c of [...clients].reverse()) c.end();
      // Our own socket, so it can always be destroyed: ssh2's destroy() does nothing once ssh2
      // has end()ed it, and a peer that never closes its side would keep it half-open.
      socket?.destroy();
      reject(err);
    };
    failNow = fail;

    if (Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        fail(new TimeoutError('CONNECT_TIMEOUT', `Connecting to ${target} timed out after ${timeoutMs} ms: ${stage} did not finish`));
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    const connectHop = (index: number, sock: Duplex) => {
      const hop = hops[index]!;
      const last = index === hops.length - 1;
      const client = new Client();
      clients.push(client);
      let verdict: HostKeyVerdict = { ok: true };
      let presented: Buffer | null = null;
      let ready = false;
      const named = (s: 'SSH handshake' | 'authentication'): ConnectStage => {
        if (!hop.jump) return s;
        const label = hop.label as `jump host ${string}`;
        return s === 'SSH handshake' ? `SSH handshake with ${label}` : `authentication at ${label}`;
      };

      client.on('connect', () => {
        stage = named('SSH handshake');
      });
      client.on('handshake', () => {
        // 'handshake' comes again on every re-key; only the first moves the stage on.
        if (stage === named('SSH handshake')) stage = named('authentication');
      });
      // ssh2 can finish without 'ready' and without 'error': 'close' settles the promise too.
      client.on('error', (err: Error & { level?: string }) => {
        // An agent that cannot be reached (a stale SSH_AUTH_SOCK): ssh2 goes on with the next method.
        if (err.level === 'agent') return;
        if (!verdict.ok) {
          const v = verdict;
          return fail(new HostKeyError(v.code, `Host key check failed for ${hop.label}: ${v.reason}${hop.note ? `. ${hop.note}` : ''}`, {
            cause: err, fingerprint: presented ? fingerprint(presented) : null,
          }));
        }
        let mapped = mapSshError(err, hop.label, ready ? 'session' : 'connect');
        if (mapped.code === 'AUTH_FAILED') {
          const tried = hop.auth.order.length ? hop.auth.order.join(', ') : 'none: give a password, a key or an agent';
          mapped = new AuthenticationError('AUTH_FAILED', `Authentication to ${hop.label} as the given user failed: every method tried was rejected (tried: ${tried})`, { cause: err });
        }
        if (!settled) return fail(mapped);
        lastErrors[index] = mapped;
      });
      client.on('close', () => {
        if (!settled) return fail(new ConnectionError('CONNECTION_LOST', `The connection to ${hop.label} closed during ${stage}`));
        // Inside out: the hop this one ran over goes next, once this one's goodbye has passed through it.
        clients[index - 1]?.end();
        if (!last) {
          if (!closedByUs) hopDown ??= hop.label;
          return;
        }
        const reason = closedByUs ? null : lastErrors[index] ?? new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed${hopDown ? ` (${hopDown} closed first)` : ''}`);
        const listeners = closeListeners;
        closeListeners = [];
        for (const l of listeners) l(reason);
      });
      client.on('ready', () => {
        if (settled) return;
        ready = true;
        if (last) openRequest(client);
        else forward(index, client);
      });

      const config: ConnectConfig = {
        // host and port go to our own socket (below), not to ssh2.
        username: hop.auth.username,
        // Our own timer covers the whole set-up; ssh2's would stop at 'ready'.
        readyTimeout: 0,
        keepaliveInterval: resolved.keepaliveIntervalMs ?? 0,
        keepaliveCountMax: resolved.keepaliveCountMax ?? 3,
        authHandler: hop.auth.handler,
        hostVerifier: (key: Buffer) => {
          presented = key;
          if (last) presentedByDevice = key;
          verdict = hop.hostKeys.verify(key);
          return verdict.ok;
        },
        // ssh2 loses the server's identification line when it comes in three reads or more.
        sock: new WholeIdentLine(sock),
      };
      const serverHostKey = serverHostKeyOrder(hop.algorithms?.serverHostKey, hop.hostKeys.knownTypes);
      // Our own type mirrors ssh2's (with RegExps, which ssh2 takes but @types/ssh2 leaves out).
      if (hop.algorithms || serverHostKey) {
        const algorithms: SshAlgorithms = { ...hop.algorithms };
        if (serverHostKey) algorithms.serverHostKey = serverHostKey;
        config.algorithms = algorithms as ConnectConfig['algorithms'];
      }
      try {
        client.connect(config);
      } catch (err) {
        // ssh2 throws synchronously for unusable options.
        fail(new ClientError('INVALID_ARGUMENT', `Cannot connect to ${hop.label}: ${(err as Error).message}`, { cause: err }));
      }
    };

    const forward = (index: number, client: Client) => {
      const from = hops[index]!;
      const to = hops[index + 1]!;
      stage = `the forwarded connection from ${from.label as `jump host ${string}`} to ${to.label}`;
      try {
        client.forwardOut('127.0.0.1', 0, to.host, to.port, (err, channel) => {
          if (settled) {
            channel?.close();
            return;
          }
          if (err) return fail(forwardError(err, from.label, to.label));
          connectHop(index + 1, channel);
        });
      } catch (err) {
        fail(mapSshError(err, from.label, 'connect'));
      }
    };

    const openRequest = (client: Client) => {
      stage = requestStage;
      const onChannel = (err: Error | undefined, channel: ClientChannel) => {
        if (settled) {
          // Timed out or aborted while the request was on its way: the connection is gone already.
          channel?.close();
          return;
        }
        if (err) {
          const what = resolved.command ? `the command "${resolved.command}"` : `the ${resolved.subsystem ?? 'netconf'} subsystem`;
          return fail(new ConnectionError('SUBSYSTEM_UNAVAILABLE', `${target} refused ${what}`, { cause: err }));
        }
        settled = true;
        release();
        // A server that closes only the channel leaves a useless connection: end it too.
        channel.on('close', () => client.end());
        resolve({
          stream: channel,
          hostKeyFingerprint: presentedByDevice ? fingerprint(presentedByDevice) : null,
          close() {
            closedByUs = true;
            channel.end();
            client.end();
            // ssh2 only half-closes: on a path that went dead (a firewall that drops everything
            // without a reset) the socket would stay open, with what it still had to send, for
            // as long as the path stays dead. Each hop ends when the one inside it has closed.
            if (closeTimer || !socket || socket.destroyed) return;
            const raw = socket;
            closeTimer = setTimeout(() => raw.destroy(), CLOSE_GRACE_MS);
            closeTimer.unref();
            raw.once('close', () => clearTimeout(closeTimer));
          },
          onClose(listener) {
            closeListeners.push(listener);
          },
        });
      };
      try {
        if (resolved.command) client.exec(resolved.command, onChannel);
        else client.subsys(resolved.subsystem ?? 'netconf', onChannel);
      } catch (err) {
        // ssh2 throws 'Not connected' when the socket went away in between.
        fail(mapSshError(err, target, 'connect'));
      }
    };

    const first = hops[0]!;
    if (control.socket) {
      socket = control.socket;
      connectHop(0, socket);
      // ssh2 reads it now; a socket a listener accepted (or one paused after a preamble) waits until resumed.
      socket.resume();
      return;
    }
    try {
      socket = net.connect({ host: first.host, port: first.port });
      // ssh2 listens for the socket's errors from connect() on; this one only covers a
      // connect() that throws first, when the socket is destroyed at once.
      socket.on('error', () => {});
      connectHop(0, socket);
    } catch (err) {
      fail(new ClientError('INVALID_ARGUMENT', `Cannot connect to ${first.label}: ${(err as Error).message}`, { cause: err }));
    }
  });
}

/** Checks one hop's host, reads its known_hosts and keys: every caller mistake shows before connecting. */
function hopOf(
  options: JumpHost | SshOptions,
  defaultPort: number,
  jump: boolean,
  fail: (err: NetconfError) => void,
  algorithms: SshAlgorithms | undefined,
  hostKeys?: HostKeyPolicy,
): Hop {
  const host = checkHost(options.host);
  const port = options.port ?? defaultPort;
  const label = jump ? `jump host ${targetName(host, port)}` : targetName(host, port);
  const auth = planAuth({
    username: options.username ?? localUser(),
    password: options.password,
    privateKey: options.privateKey,
    passphrase: options.passphrase,
    identityFiles: options.identityFiles,
    agent: options.agent,
    tryKeyboard: options.tryKeyboard,
    onKeyboardInteractive: options.onKeyboardInteractive,
  }, label, fail);
  return { host, port, label, jump, auth, hostKeys: hostKeys ?? hostKeyPolicy(options, host, port), note: hostKeyNote(options), algorithms };
}

/** A jump host that could not open the forwarded channel to the next hop. */
function forwardError(err: Error & { reason?: number }, from: string, to: string): NetconfError {
  // RFC 4254 channel open failure reasons: 1 administratively prohibited, 2 connect failed.
  const said = err.message.replace(/^\(SSH\) Channel open failure: ?/, '') || 'no reason given';
  if (err.reason === 1) {
    return new ConnectionError('CONNECTION_REFUSED', `${cap(from)} refused to forward to ${to} (${said}): check its AllowTcpForwarding and PermitOpen`, { cause: err, retryable: false });
  }
  if (err.reason === 2) return new ConnectionError('CONNECTION_REFUSED', `${cap(from)} could not connect to ${to}: ${said}`, { cause: err });
  return new ConnectionError('SSH_ERROR', `${cap(from)} could not open a channel to ${to}: ${said}`, { cause: err });
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function aborted(target: string, when: string, reason: unknown): ClientError {
  return new ClientError('ABORTED', `Connecting to ${target} was aborted ${when}`, { cause: reason });
}

/** How a host key is checked: known_hosts, pins, or not at all. */
export interface HostKeyPolicy {
  verify(key: Buffer): HostKeyVerdict;
  /** Key types known_hosts lists for this host, to offer first (empty for pins or no check). */
  knownTypes: string[];
}

/** The host key check `options` asks for, for a device known as `host:port`. */
export function hostKeyPolicy(options: SshLogin, host: string, port: number): HostKeyPolicy {
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
