import { diagnostics, traced } from '../observability/diagnostics.js';
import { traceConnect } from '../observability/session-hooks.js';
import { type RecordOption, Recorder } from '../recording/recorder.js';
import { applySshConfig } from '../transport/route.js';
import { ClientError } from '../errors/classes.js';
import { checkHost } from '../transport/host-name.js';
import { type SshOptions, openSshChannel } from '../transport/ssh-transport.js';
import { type TlsOptions, openTlsChannel } from '../transport/tls-transport.js';
import { Session, type SessionOptions, type StartOptions } from './session.js';

/** Everything connect() needs: where and how to reach the device over SSH, and the session settings. */
export interface ConnectOptions extends SshOptions, SessionOptions {
  /**
   * One deadline for the whole of connect(): TCP, SSH handshake, authentication, the
   * subsystem (or exec) request and the `<hello>` (default 30 000 ms). A stage that does not
   * finish in time is CONNECT_TIMEOUT naming it (HELLO_TIMEOUT for the hello).
   */
  connectTimeoutMs?: number;
  /** Aborts connect() at whatever stage it is: ABORTED, and nothing is left open. */
  signal?: AbortSignal;
  /**
   * Records the session (docs/replay-and-recordings.md): a file path, a writable
   * stream, or `{ to, redact }`. The device's hello, then each request with its reply and
   * timing, and each notification, as JSON Lines; secrets masked before anything is written.
   */
  record?: RecordOption;
  /**
   * NETCONF over TLS (RFC 7589) instead of SSH: our certificate and key, the CA that signs the
   * device's, and the name it must carry (docs/reaching-devices.md, "TLS"). The port then
   * defaults to 6513; SSH's login, jump-host and ssh_config options are refused.
   */
  tls?: TlsOptions;
}

/** SSH-only options, refused with `tls`: a TLS session has no SSH login to give them to. */
const SSH_ONLY = ['password', 'privateKey', 'passphrase', 'identityFiles', 'agent', 'tryKeyboard', 'onKeyboardInteractive', 'knownHosts', 'hostKey', 'insecureAcceptAnyHostKey', 'jump', 'sshConfig', 'subsystem', 'command', 'algorithms'] as const;

/**
 * Opens a NETCONF session over SSH (connect, verify the host key, authenticate, start the
 * `netconf` subsystem) or, with `tls`, over TLS (connect, both certificates verified), then
 * exchanges hellos. Every failure is a typed NetconfError.
 */
export function connect(given: ConnectOptions): Promise<Session> {
  // observability: the whole of connect() under `netconfkit:connect` when anyone listens
  return traced(diagnostics.connect) ? traceConnect(given, () => open(given)) : open(given);
}

async function open(given: ConnectOptions): Promise<Session> {
  if (given.tls !== undefined) return openTls(given);
  const started = Date.now();
  // ssh_config (when asked for) first: its ConnectTimeout and HostName count here too.
  const options = applySshConfig(given);
  const deadlineMs = options.connectTimeoutMs ?? 30_000;
  const control = { timeoutMs: deadlineMs, ...(options.signal ? { signal: options.signal } : {}) };
  const channel = await openSshChannel(options, control);
  const left = Math.max(1, deadlineMs - (Date.now() - started));
  const name = options.name ?? `${given.host}:${options.port ?? 830}`;
  const start = () => Session.start(channel, { ...sessionSettings(options), helloTimeoutMs: Math.min(options.helloTimeoutMs ?? left, left), name });
  // recording: the file is opened before the hello, so a bad path fails before any request
  return given.record === undefined ? start() : Recorder.around(given.record, name, start, () => channel.close());
}

async function openTls(options: ConnectOptions): Promise<Session> {
  const started = Date.now();
  const refused = SSH_ONLY.filter((key) => options[key] !== undefined);
  if (refused.length > 0) throw new ClientError('INVALID_ARGUMENT', `${refused.join(', ')}: SSH options, but tls is given (NETCONF over TLS has no SSH login)`);
  const host = checkHost(options.host);
  const port = options.port ?? 6513;
  const deadlineMs = options.connectTimeoutMs ?? 30_000;
  const tls = options.tls!;
  const channel = await openTlsChannel(host, port, tls, { timeoutMs: deadlineMs, ...(options.signal ? { signal: options.signal } : {}) });
  const left = Math.max(1, deadlineMs - (Date.now() - started));
  const name = options.name ?? `${options.host}:${port}`;
  const start = () => Session.start(channel, { ...sessionSettings(options), helloTimeoutMs: Math.min(options.helloTimeoutMs ?? left, left), name });
  return options.record === undefined ? start() : Recorder.around(options.record, name, start, () => channel.close());
}

/**
 * Only the session's own settings go on to the session: the SSH credentials (password,
 * passphrase, keys, jump hosts) stay here, so no session object ever holds them.
 */
export function sessionSettings(options: SessionOptions & { signal?: AbortSignal }): StartOptions {
  const keys = [
    'helloTimeoutMs', 'rpcTimeoutMs', 'idleTimeoutMs', 'closeTimeoutMs', 'drainTimeoutMs', 'base', 'capabilities', 'limits', 'warnings',
    'name', 'logger', 'wireLog', 'signal',
  ] as const satisfies readonly (keyof StartOptions)[];
  const settings: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) settings[key] = options[key];
  return settings as StartOptions;
}
