import { EventEmitter } from 'node:events';
import net from 'node:net';
import { ClientError, ConnectionError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { HostKeyVerdict } from '../transport/host-keys.js';
import { type OutboundSshPreamble, checkPreambleHmac, readOutboundPreamble } from '../transport/outbound-ssh.js';
import { type HostKeyPolicy, type SshAlgorithms, type SshLogin, hostKeyPolicy, openSshChannel } from '../transport/ssh-transport.js';
import { type TlsOptions, openTlsChannel, secureContext } from '../transport/tls-transport.js';
import { sessionSettings } from './connect.js';
import { Session, type SessionOptions } from './session.js';
import type { CallHomeInfo, SessionTransport } from './types.js';

/** How devices that dial in over SSH are logged in to and verified: as connect() would. */
export interface CallHomeSsh extends SshLogin {
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** SSH subsystem (default `netconf`). */
  subsystem?: string;
  algorithms?: SshAlgorithms;
  /**
   * Junos outbound-ssh: the `secret` configured on the devices. Each preamble must then carry
   * the device's host key and an HMAC of it under this secret, or the device is refused
   * (CALL_HOME_REJECTED). The announced key is still checked against known_hosts or pins.
   */
  junosSecret?: string;
}

/** Where to listen and how to verify the devices that dial in. */
export interface CallHomeOptions extends SessionOptions {
  /** The port to listen on (RFC 8071: 4334 for SSH, 4335 for TLS); 0 picks a free one. */
  port: number;
  /** The address to listen on (default: every interface). */
  host?: string;
  /**
   * Devices dial in over SSH (we are the SSH client on their connection). Host keys are
   * looked up in known_hosts under the address a device connects from, and under the
   * DEVICE-ID a Junos device announces; pins (`hostKey`) match any device.
   */
  ssh?: CallHomeSsh;
  /**
   * Devices dial in over TLS (we are the TLS client on their connection). Their certificate
   * must chain to `ca`; with `servername`, it must also carry that name (without, any
   * certificate the CA signed is accepted: a device that dials in is known by its certificate).
   */
  tls?: TlsOptions;
  /**
   * From a device's TCP connection to its `<hello>`: a device that is not done by then
   * (one that connects and says nothing) is dropped (default 30 000 ms).
   */
  connectTimeoutMs?: number;
}

/** The listener's events. */
export interface CallHomeEvents {
  /** A device dialled in but was refused (host key, certificate, HMAC, login, timeout): the listener goes on. */
  rejected: [error: NetconfError, peer: { address: string; port: number }];
}

interface Waiter {
  resolve(session: Session): void;
  reject(error: NetconfError): void;
}

/**
 * Listens for devices that dial in (RFC 8071 Call Home over SSH or TLS; Junos outbound-ssh)
 * and hands out a verified, open Session for each. `accept()` takes the next one; `for await`
 * takes them all until `close()`.
 */
export class CallHomeListener extends EventEmitter<CallHomeEvents> implements AsyncIterable<Session> {
  private readonly ready: Session[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Connections still being set up: destroyed by close(). */
  private readonly arriving = new Set<net.Socket>();
  private closing: Promise<void> | null = null;

  /** @internal */
  constructor(private readonly server: net.Server, private readonly options: CallHomeOptions) {
    super();
    server.on('connection', (socket) => void this.arrive(socket));
  }

  /** The port listened on. */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /**
   * The next device to dial in, as an open Session (one that dialled in while nobody waited
   * is handed out first). Rejects with LISTENER_CLOSED once the listener is closed, ABORTED
   * when `signal` fires.
   */
  accept(options: { signal?: AbortSignal } = {}): Promise<Session> {
    const { signal } = options;
    if (this.closing) return Promise.reject(listenerClosed());
    if (signal?.aborted) return Promise.reject(new ClientError('ABORTED', 'accept() was aborted', { cause: signal.reason }));
    const next = this.ready.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(new ClientError('ABORTED', 'accept() was aborted', { cause: signal?.reason }));
      };
      const waiter: Waiter = {
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every device that dials in, until close(). */
  async *[Symbol.asyncIterator](): AsyncIterator<Session> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (err) {
        if ((err as NetconfError).code === 'LISTENER_CLOSED') return;
        throw err;
      }
    }
  }

  /**
   * Stops listening and frees the port: a pending accept() rejects with LISTENER_CLOSED,
   * devices still being set up are dropped, sessions nobody accepted are closed. Sessions
   * already handed out stay open. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const waiter of this.waiters) waiter.reject(listenerClosed());
      this.waiters.clear();
      for (const socket of this.arriving) socket.destroy();
      await Promise.all([stopped, ...this.ready.splice(0).map((s) => s.close())]);
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async arrive(socket: net.Socket): Promise<void> {
    const address = plainAddress(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    const peer = { address, port };
    if (this.closing) return void socket.destroy();
    this.arriving.add(socket);
    socket.on('error', () => {}); // reported by the transport that runs on it
    try {
      const session = await this.setUp(socket, address, port);
      this.arriving.delete(socket);
      this.deliver(session);
    } catch (err) {
      this.arriving.delete(socket);
      socket.destroy();
      if (!this.closing) this.emit('rejected', toNetconfError(err), peer);
    }
  }

  private async setUp(socket: net.Socket, address: string, port: number): Promise<Session> {
    const o = this.options;
    const started = Date.now();
    const deadlineMs = o.connectTimeoutMs ?? 30_000;
    const left = () => Math.max(1, deadlineMs - (Date.now() - started));
    const label = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
    let transport: SessionTransport;
    let name = label;
    if (o.tls) {
      const channel = await openTlsChannel(address, port, o.tls, { socket, timeoutMs: left(), verifyName: o.tls.servername ?? null });
      const callHome: CallHomeInfo = {
        transport: 'tls', address, port, deviceId: null, hmacVerified: false, hostKeyFingerprint: null,
        certificate: { subject: channel.peer.subject, altNames: channel.peer.altNames, fingerprint: channel.peer.fingerprint },
      };
      transport = { stream: channel.stream, close: () => channel.close(), onClose: (l) => channel.onClose(l), callHome };
    } else {
      const ssh = o.ssh!;
      const preamble = await withDeadline(readOutboundPreamble(socket, label), left(), socket, () =>
        new TimeoutError('CONNECT_TIMEOUT', `${label} dialled in but sent nothing within ${deadlineMs} ms`));
      const hmacVerified = preamble !== null && ssh.junosSecret !== undefined && checkPreambleHmac(preamble, ssh.junosSecret);
      if (ssh.junosSecret !== undefined && preamble !== null && !hmacVerified) {
        const why = preamble.hmac === null ? 'carries no HOST-KEY and HMAC' : 'has an HMAC that does not match the host key under the configured secret';
        throw new ConnectionError('CALL_HOME_REJECTED', `The outbound-ssh preamble of ${preamble.deviceId} (${label}) ${why}`);
      }
      if (preamble) name = preamble.deviceId;
      const channel = await openSshChannel(
        { ...ssh, host: address, port },
        { socket, timeoutMs: left(), hostKeys: callHomeHostKeys(ssh, address, preamble) },
      );
      const callHome: CallHomeInfo = {
        transport: 'ssh', address, port, deviceId: preamble?.deviceId ?? null, hmacVerified, hostKeyFingerprint: channel.hostKeyFingerprint, certificate: null,
      };
      transport = { stream: channel.stream, close: () => channel.close(), onClose: (l) => channel.onClose(l), callHome };
    }
    const settings = sessionSettings(o);
    return Session.start(transport, { ...settings, name: o.name ?? name, helloTimeoutMs: Math.min(o.helloTimeoutMs ?? left(), left()) });
  }

  private deliver(session: Session): void {
    if (this.closing) return void session.close();
    const [waiter] = this.waiters;
    if (waiter) {
      this.waiters.delete(waiter);
      return waiter.resolve(session);
    }
    this.ready.push(session);
    // One that goes away while nobody has taken it is not handed out.
    session.once('close', () => {
      const at = this.ready.indexOf(session);
      if (at >= 0) this.ready.splice(at, 1);
    });
  }
}

/**
 * Listens for devices that dial in (RFC 8071 Call Home over SSH or TLS, Junos outbound-ssh).
 * Each is verified exactly as connect() would verify it; one that fails is reported on the
 * `rejected` event and the listener keeps listening.
 */
export async function listenCallHome(options: CallHomeOptions): Promise<CallHomeListener> {
  if (!options || typeof options !== 'object') throw new ClientError('INVALID_ARGUMENT', 'listenCallHome needs options with port and ssh or tls');
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ClientError('INVALID_ARGUMENT', `port must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  if ((options.ssh === undefined) === (options.tls === undefined)) {
    throw new ClientError('INVALID_ARGUMENT', 'Give ssh or tls, not both and not neither: a listener serves one transport (RFC 8071: 4334 for SSH, 4335 for TLS)');
  }
  // Unusable certificates or keys show now, not when the first device dials in.
  if (options.tls) secureContext(options.tls);
  if (options.ssh) hostKeyPolicy(options.ssh, '127.0.0.1', 22);
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error & { code?: string }) => {
      reject(new ClientError('INVALID_ARGUMENT', `Cannot listen on ${options.host ?? '*'}:${options.port}: ${err.code ?? err.message}`, { cause: err }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', () => {});
  return new CallHomeListener(server, options);
}

function listenerClosed(): ClientError {
  return new ClientError('LISTENER_CLOSED', 'The call-home listener is closed');
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * The host key check for a device that dialled in: known_hosts under each name it goes by
 * (its DEVICE-ID, its address), or the pins; a key that is not the one its preamble announced
 * is a mismatch.
 */
function callHomeHostKeys(ssh: SshLogin, address: string, preamble: OutboundSshPreamble | null): HostKeyPolicy {
  const names = preamble ? [preamble.deviceId, address] : [address];
  const policies = names.map((n) => hostKeyPolicy(ssh, n, 22));
  return {
    knownTypes: [...new Set(policies.flatMap((p) => p.knownTypes))],
    verify(key: Buffer): HostKeyVerdict {
      if (preamble?.hostKeyBlob && !preamble.hostKeyBlob.equals(key)) {
        return { ok: false, code: 'HOST_KEY_MISMATCH', reason: `the host key ${preamble.deviceId} presented is not the one its outbound-ssh preamble announced` };
      }
      let first: HostKeyVerdict | null = null;
      for (const policy of policies) {
        const verdict = policy.verify(key);
        if (verdict.ok) return verdict;
        first ??= verdict;
      }
      return first!;
    },
  };
}

/** Bounds a wait on a socket: past the deadline the socket is destroyed and the wait fails. */
function withDeadline<T>(promise: Promise<T>, ms: number, socket: net.Socket, error: () => NetconfError): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(error());
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
