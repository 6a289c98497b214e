import type { Duplex, Writable } from 'node:stream';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { DeviceError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import type { WireLogOptions } from '../observability/wire-log.js';
import type { Quirk } from '../reader/quirks.js';
import type { Limits } from '../xml/extractor.js';
import type { ParseOptions, XmlObject } from '../xml/parse-data.js';
import type { CallbackSource } from '../observability/callbacks.js';
import type { BaseVersions } from './hello.js';
import type { WarningPolicy } from './warning-policy.js';

// The session's public shapes: its options, a call's options and reply, its events.

/** What the session needs of a transport: a byte stream and a way to end it. */
export interface SessionTransport {
  readonly stream: Duplex;
  close(): void;
  onClose(listener: (error: NetconfError | null) => void): void;
  /** Set for a device that dialled in: who it said it was, and how it was verified. */
  readonly callHome?: CallHomeInfo;
}

/** A device that dialled in (RFC 8071 Call Home, or Junos outbound-ssh): where from, and who it is. */
export interface CallHomeInfo {
  transport: 'ssh' | 'tls';
  /** The address and port the device connected from. */
  address: string;
  port: number;
  /** The DEVICE-ID of a Junos outbound-ssh preamble, or null. */
  deviceId: string | null;
  /** Whether a Junos preamble's HMAC was checked against the configured secret and matched. */
  hmacVerified: boolean;
  /** SSH: the `SHA256:…` fingerprint of the device's host key (verified as for connect()), or null. */
  hostKeyFingerprint: string | null;
  /** TLS: the device's certificate (verified as for connect()), or null. */
  certificate: { subject: string | null; altNames: string | null; fingerprint: string } | null;
}

/** Settings of a session: timeouts, limits, warning policy, base versions. */
export interface SessionOptions extends WireLogOptions {
  /** How long to wait for the device's `<hello>` (default 30 000 ms). */
  helloTimeoutMs?: number;
  /**
   * Default total deadline of each call, from when it is sent to the end of its reply
   * (default 120 000 ms); 0 means none. It runs while a big reply streams in: for replies
   * that may take longer, set it to 0 and rely on `idleTimeoutMs`.
   */
  rpcTimeoutMs?: number;
  /**
   * Default idle limit of each call: once its request is sent, the device sending no byte for
   * this long fails the call with RPC_TIMEOUT (its message says idle). A reply that keeps
   * arriving, however slowly, is never idle; time that reading is paused for a slow consumer
   * (`streamTo`, `streamItems`) does not count. Default 0: none (a device may think for
   * minutes before answering a commit).
   */
  idleTimeoutMs?: number;
  /** Bound on `close()`: after it the connection is torn down regardless (default 5 000 ms). */
  closeTimeoutMs?: number;
  /**
   * How long the rest of a reply that no call waits for any more (its call timed out or was
   * aborted while it was being read, or its `streamItems` loop ended early) may take to
   * arrive, counted from the last byte received; the abandoned call's own `timeoutMs` or
   * `idleTimeoutMs`, when smaller, bounds it instead. Past it the session closes with
   * REPLY_STALLED, so later replies never wait behind a message that may never end
   * (default 10 000 ms).
   */
  drainTimeoutMs?: number;
  /** Base versions to offer (default both: chunked framing when the device has 1.1 too). */
  base?: BaseVersions;
  /** Extra client capabilities for the `<hello>`. */
  capabilities?: readonly string[];
  /** Size and depth limits: `maxMessageBytes` (default 512 MiB; more is MESSAGE_TOO_LARGE and the session closes) and the extractor's. */
  limits?: Limits;
  /** Default warning policy for every RPC of the session. */
  warnings?: WarningPolicy;
  /** Names the device in messages (default "the device"). */
  name?: string;
}

/** Options of Session.start over a transport of your own. */
export interface StartOptions extends SessionOptions {
  /** Aborts the hello exchange: ABORTED, and the transport is closed. */
  signal?: AbortSignal;
}

/** An operation to send: XML text, or an xmlbuilder2 node. */
export type RpcRequest = string | XMLBuilder;

/** Options of one call: timeout, abort signal, warning policy, and how the reply is kept. */
export interface RpcOptions {
  /** Overrides the session's total deadline (`rpcTimeoutMs`) for this call; 0 means none. */
  timeoutMs?: number;
  /** Overrides the session's idle limit (`idleTimeoutMs`) for this call; 0 means none. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  warnings?: WarningPolicy;
  /**
   * Marks a write (edit-config, commit, load): if it is cut off after being sent, the call
   * fails with COMMIT_OUTCOME_UNKNOWN (the device may have applied it), never a retryable code.
   */
  write?: boolean;
  /** Keep the reply text (default true). Off for huge replies read only for their errors. */
  collect?: boolean;
  /** Also parse the reply with fast-xml-parser into `parsed`. */
  parse?: boolean | ParseOptions;
  /**
   * Streams the reply's data out as it is read, in constant memory: the content of the
   * reply's `<data>` (or Junos `<configuration>`) element, the root's first such child, is
   * written to this Writable byte for byte as the device sent it (the inner XML, without the
   * element's own tags; prefixes declared above it stay undeclared, as in `data`). The reply's
   * text is then not kept (`xml` null). When the Writable asks to wait, reading from the
   * transport pauses until it drains: other replies on the session wait meanwhile (replies
   * are sequential), and the call's timeout keeps running. The Writable is ended when the call
   * resolves (which it does once the Writable has finished: a Writable that does not finish
   * within the call's timeout fails it with RPC_TIMEOUT) and destroyed with the error when
   * it rejects (an RpcError included); errors and warnings still reach `onItem` as they are
   * read. A Writable that errors or is closed first gives up the call: ABORTED, and the rest
   * of the reply is drained as for an aborted call.
   *
   * A file path instead of a Writable: the file is created (or truncated) as the request is
   * sent (one that cannot be opened: INVALID_ARGUMENT, nothing sent) and written on the
   * session's own thread, 1 MiB at a time with synchronous writes: the cheapest way to a local
   * file, and reading never waits for a thread-pool write. A failed write (a full disk) gives
   * up the call with ABORTED like a failing Writable; the file then holds what was written.
   * On a slow file system (a network mount), pass a Writable: a synchronous write there holds
   * up every session of the process.
   */
  streamTo?: Writable | string;
  /**
   * Each error or warning of this reply, as soon as it is read (before the reply ends). It runs
   * after the reader has finished with the bytes at hand; what it throws goes to the session's
   * `callbackError` event and changes nothing else.
   */
  onItem?(item: DeviceError): void;
}

/** A reply that succeeded (no error-level item): its text, its warnings and, on request, its parsed data. */
export interface RpcReply {
  messageId: string;
  /** The whole `<rpc-reply>` text (null when `collect` was off). */
  xml: string | null;
  /**
   * An `<ok/>` element was in the reply. Not "it worked": a reply with data (get-config) has
   * none. Success is the call resolving; an error-level item rejects it with an RpcError.
   */
  hasOk: boolean;
  /** Every error and warning of the reply, in document order. */
  items: DeviceError[];
  /** The warnings (ignored ones included, marked `ignored`). */
  warnings: DeviceError[];
  /** The reply parsed by fast-xml-parser, when asked for. */
  parsed?: XmlObject;
}

/** An RFC 5277 notification as it arrived. */
export interface Notification {
  xml: string;
  eventTime: string | null;
}

/**
 * The session's events. Listeners run outside the byte-reading path, one at a time; an
 * exception (or rejected promise) from one goes to `callbackError`, never into the session.
 */
export interface SessionEvents {
  /** An error or warning, the moment it is read. */
  item: [item: DeviceError, messageId: string | null];
  notification: [notification: Notification];
  /** A message that could not be matched or read; the session goes on. */
  protocolError: [error: NetconfError];
  /**
   * The device broke the RFC in a way the session reads past (see `QuirkKind`): once per
   * session per kind, with what was seen the first time.
   */
  quirk: [quirk: Quirk];
  close: [error: NetconfError | null];
  /**
   * A listener or `onItem` callback threw. With no listener here, it is reported as a
   * process warning (`process.emitWarning`), never thrown.
   */
  callbackError: [error: unknown, source: CallbackSource];
}

/**
 * The lifecycle, in one field: `hello` (waiting for the device's `<hello>`) → `open` →
 * `closing` (`<close-session>` sent, bounded) → `closed`. Every way out ends in `teardown()`.
 */
export type SessionState = 'hello' | 'open' | 'closing' | 'closed';
