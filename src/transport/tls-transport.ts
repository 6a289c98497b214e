import net from 'node:net';
import tls, { type PeerCertificate, type SecureContext } from 'node:tls';
import { AuthenticationError, CertificateError, type CertificateProblem, ClientError, ConnectionError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { socketError } from './socket-errors.js';

/** One PEM text (or several), as node:tls takes them. */
export type PemInput = string | Buffer | (string | Buffer)[];

/**
 * NETCONF over TLS (RFC 7589): both sides show a certificate. The device's is verified against
 * `ca` (chain and validity) and against the name it is reached by, unless
 * `insecureAcceptAnyCertificate` turns that off.
 */
export interface TlsOptions {
  /** The CA certificate(s), PEM, that sign device certificates. Default: Node's bundled public roots. */
  ca?: PemInput;
  /** Our client certificate (PEM, with any intermediates after it): the device maps it to a user. */
  cert: string | Buffer;
  /** The private key of `cert` (PEM). */
  key: string | Buffer;
  /** Decrypts an encrypted `key`. A wrong one is INVALID_ARGUMENT. */
  passphrase?: string;
  /**
   * The name the device's certificate must be valid for (DNS or IP subject alternative name).
   * Default: the host connected to. Also sent as SNI when it is a DNS name.
   */
  servername?: string;
  /** Turns certificate verification off (chain, dates and name). Only for labs: anyone in the path can read the session. */
  insecureAcceptAnyCertificate?: boolean;
}

/** The device's certificate, as a TLS session saw it. */
export interface TlsPeer {
  /** The subject's common name, or null. */
  subject: string | null;
  /** Subject alternative names as openssl prints them (`DNS:router1, IP Address:10.0.0.1`), or null. */
  altNames: string | null;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint: string;
  /** Whether the certificate verified (false only with `insecureAcceptAnyCertificate`). */
  verified: boolean;
}

/** An open NETCONF stream over TLS. */
export interface TlsChannel {
  readonly stream: tls.TLSSocket;
  readonly peer: TlsPeer;
  close(): void;
  onClose(listener: (error: NetconfError | null) => void): void;
}

/** How one TLS set-up is bounded, and over what it runs. */
export interface TlsControl {
  signal?: AbortSignal;
  /** TCP connect and TLS handshake together (default 30 000 ms); Infinity waits for ever. */
  timeoutMs?: number;
  /** A connected socket to run TLS over (Call Home: the device dialled us); default: connect to host:port. */
  socket?: net.Socket;
  /**
   * The name the certificate must be valid for; null checks only chain and dates (a device
   * that dialled in is known by its certificate, not by where it came from).
   */
  verifyName?: string | null;
}

type TlsStage = 'TCP connect' | 'TLS handshake';

const MAX_TIMER_MS = 2 ** 31 - 1;
const CLOSE_GRACE_MS = 2_000;

/**
 * Opens a TLS connection to a NETCONF server (or runs TLS over a socket a device opened to
 * us), verifies the device's certificate, and hands back the byte stream the session runs on.
 * Every failure is a typed NetconfError; no key or passphrase ever appears in one.
 */
export function openTlsChannel(host: string, port: number, options: TlsOptions, control: TlsControl = {}): Promise<TlsChannel> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const context = secureContext(options);
  const timeoutMs = control.timeoutMs ?? 30_000;
  const verifyName = control.verifyName === undefined ? (options.servername ?? host) : control.verifyName;
  const { signal } = control;
  if (signal?.aborted) return Promise.reject(new ClientError('ABORTED', `Connecting to ${target} was aborted before connecting`, { cause: signal.reason }));

  return new Promise((resolve, reject) => {
    let stage: TlsStage = control.socket ? 'TLS handshake' : 'TCP connect';
    let settled = false;
    let closedByUs = false;
    let listeners: ((error: NetconfError | null) => void)[] = [];
    let timer: NodeJS.Timeout | undefined;

    const onAbort = () => fail(new ClientError('ABORTED', `Connecting to ${target} was aborted during ${stage}`, { cause: signal?.reason }));
    const fail = (err: NetconfError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      // Our own TCP socket too: a TLS socket destroyed mid-handshake can leave it open.
      raw.destroy();
      reject(err);
    };

    // SNI carries DNS names only (RFC 6066): an address is checked, not sent.
    const sni = options.servername ?? host;
    const raw = control.socket ?? net.connect({ host, port });
    const socket = tls.connect({
      socket: raw,
      secureContext: context,
      ...(net.isIP(sni) === 0 ? { servername: sni } : {}),
      // Verified below, so the error can say what did not match.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    raw.once('connect', () => {
      stage = 'TLS handshake';
    });
    // A refused or reset TCP connection is reported on the TLS socket too; this covers the gap before.
    raw.on('error', (err: Error) => fail(mapTlsError(err, target, 'connect')));
    if (Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => fail(new TimeoutError('CONNECT_TIMEOUT', `Connecting to ${target} timed out after ${timeoutMs} ms: ${stage} did not finish`)), timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    // The session learns why at once: the socket's 'close' can come after the session has
    // read the bare stream error.
    const report = (reason: NetconfError | null) => {
      const waiting = listeners;
      listeners = [];
      for (const l of waiting) l(reason);
    };
    socket.on('error', (err: Error) => {
      const mapped = mapTlsError(err, target, settled ? 'session' : 'connect');
      if (!settled) return fail(mapped);
      if (!closedByUs) report(mapped);
    });
    socket.on('close', () => {
      if (!settled) return fail(new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed during ${stage}`));
      report(closedByUs ? null : new ConnectionError('CONNECTION_LOST', `The connection to ${target} closed`));
    });
    socket.once('secureConnect', () => {
      if (settled) return;
      const cert = socket.getPeerCertificate();
      const problem = options.insecureAcceptAnyCertificate ? null : verify(socket, cert, verifyName, target);
      if (problem) return fail(problem);
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      let closeTimer: NodeJS.Timeout | undefined;
      resolve({
        stream: socket,
        peer: peerOf(cert, !options.insecureAcceptAnyCertificate),
        close() {
          closedByUs = true;
          if (socket.destroyed || closeTimer) return;
          socket.end();
          // A peer that never answers our close_notify must not keep the socket open.
          closeTimer = setTimeout(() => {
            socket.destroy();
            raw.destroy();
          }, CLOSE_GRACE_MS);
          closeTimer.unref();
          socket.once('close', () => clearTimeout(closeTimer));
        },
        onClose(listener) {
          listeners.push(listener);
        },
      });
    });
  });
}

/** Builds the TLS context up front, so a bad certificate, key or passphrase fails before any connection. */
export function secureContext(options: TlsOptions): SecureContext {
  if (!options || typeof options !== 'object') throw new ClientError('INVALID_ARGUMENT', 'tls must be an object with cert and key');
  for (const field of ['cert', 'key'] as const) {
    const value = options[field];
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) throw new ClientError('INVALID_ARGUMENT', `tls.${field} must be PEM text (a string or Buffer)`);
  }
  try {
    return tls.createSecureContext({
      cert: options.cert,
      key: options.key,
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      minVersion: 'TLSv1.2',
    });
  } catch (err) {
    // OpenSSL's reason names what was wrong ("bad decrypt", "no start line"), never the key itself.
    const e = err as Error & { code?: string; reason?: string };
    throw new ClientError('INVALID_ARGUMENT', `The TLS certificate, key or CA could not be used: ${e.reason ?? e.code ?? 'unreadable'}`, { cause: new Error(e.code ?? 'TLS context') });
  }
}

function verify(socket: tls.TLSSocket, cert: PeerCertificate, name: string | null, target: string): CertificateError | null {
  const fingerprint = cert.fingerprint256 || null;
  const who = `The TLS certificate of ${target}${cert.subject?.CN ? ` (CN=${String(cert.subject.CN)})` : ''}`;
  const chain = socket.authorizationError as unknown as string | Error | null | undefined;
  if (chain) {
    const code = typeof chain === 'string' ? chain : (chain as Error & { code?: string }).code ?? chain.message;
    const [problem, why] = chainProblem(code, cert);
    return new CertificateError(`${who} was rejected: ${why} (${code})`, { problem, fingerprint });
  }
  if (name === null) return null;
  const mismatch = tls.checkServerIdentity(name, cert);
  if (!mismatch) return null;
  const names = cert.subjectaltname ? `it names ${cert.subjectaltname}` : 'it has no subject alternative names';
  return new CertificateError(`${who} was rejected: it is not valid for the name ${name}; ${names} (set tls.servername to the name it carries)`, { problem: 'name', fingerprint });
}

function chainProblem(code: string, cert: PeerCertificate): [CertificateProblem, string] {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return ['expired', `it expired on ${cert.valid_to}`];
    case 'CERT_NOT_YET_VALID':
      return ['not-yet-valid', `it is not valid before ${cert.valid_from}`];
    case 'CERT_REVOKED':
      return ['revoked', 'it is revoked'];
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_UNTRUSTED':
    case 'CERT_SIGNATURE_FAILURE':
      return ['untrusted', `it is not signed by a CA in tls.ca${cert.issuer?.CN ? ` (its issuer is CN=${String(cert.issuer.CN)})` : ''}`];
    default:
      return ['invalid', 'it does not verify'];
  }
}

function peerOf(cert: PeerCertificate, verified: boolean): TlsPeer {
  return {
    subject: cert.subject?.CN ? String(cert.subject.CN) : null,
    altNames: cert.subjectaltname || null,
    fingerprint: cert.fingerprint256,
    verified,
  };
}

/** TLS alerts by which a device says it will not have our certificate. */
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/** Maps a TLS or socket failure by its code, never by its text. */
export function mapTlsError(err: unknown, target: string, phase: 'connect' | 'session'): NetconfError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: string; reason?: string };
  const socket = socketError(e, target, phase);
  if (socket) return socket;
  const code = typeof e.code === 'string' ? e.code : '';
  if (CLIENT_CERT_REFUSED.has(code)) {
    return new AuthenticationError('AUTH_FAILED', `${target} refused our TLS client certificate (${e.reason ?? code})`, { cause: e });
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new ConnectionError('TLS_ERROR', `TLS with ${target} failed: ${e.reason ?? code}`, { cause: e });
  }
  return new ConnectionError('CONNECTION_LOST', `The connection to ${target} failed: ${code || e.message}`, { cause: e });
}
