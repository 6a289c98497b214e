/**
 * Every error netconfkit produces has one of these codes. The table is the single source of
 * truth for an error's category and default `retryable` flag; the README renders the same
 * table for users.
 */
export type ErrorCategory = 'transport' | 'protocol' | 'device' | 'client';

/** One row of the code table: the code's category, whether it is retryable by default, and what it means. */
export interface CodeInfo {
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly meaning: string;
}

const transport = (retryable: boolean, meaning: string): CodeInfo => ({ category: 'transport', retryable, meaning });
const protocol = (retryable: boolean, meaning: string): CodeInfo => ({ category: 'protocol', retryable, meaning });
const device = (retryable: boolean, meaning: string): CodeInfo => ({ category: 'device', retryable, meaning });
const client = (retryable: boolean, meaning: string): CodeInfo => ({ category: 'client', retryable, meaning });

/** Codes for failures below the RPC layer: SSH, sockets, framing, XML, session rules. */
export const TRANSPORT_AND_PROTOCOL_CODES = {
  CONNECT_TIMEOUT: transport(true, 'TCP connect, SSH handshake, authentication or the subsystem request did not finish in time (the message names the stage).'),
  CONNECTION_REFUSED: transport(true, 'Nothing listens on that host and port.'),
  HOST_UNREACHABLE: transport(true, 'No route to the host.'),
  HOST_NOT_FOUND: transport(false, 'The host name does not resolve.'),
  AUTH_FAILED: transport(false, 'The device rejected every authentication method offered.'),
  HOST_KEY_MISMATCH: transport(false, "The device's host key differs from the known or pinned one."),
  HOST_KEY_UNKNOWN: transport(false, "The device's host key is in no known_hosts file and no fingerprint was pinned."),
  SSH_ERROR: transport(true, 'An SSH protocol failure (key exchange, disconnect).'),
  SUBSYSTEM_UNAVAILABLE: transport(false, 'The SSH server refused the netconf subsystem.'),
  CERTIFICATE_REJECTED: transport(false, "The device's TLS certificate did not verify: not valid for the name, not signed by the given CA, expired or not yet valid (the message and `problem` say which)."),
  TLS_ERROR: transport(false, 'The TLS handshake failed: no common protocol version or cipher, or the peer does not speak TLS.'),
  CALL_HOME_REJECTED: transport(false, 'A device that dialled in broke the call-home rules: a Junos outbound-ssh preamble that is malformed or whose HMAC does not match.'),
  CONNECTION_LOST: transport(true, 'The connection dropped; the request may not have reached the device.'),
  HELLO_TIMEOUT: protocol(true, 'The device sent no <hello> in time.'),
  RPC_TIMEOUT: protocol(true, "No reply arrived in time (the call's total deadline, or idleTimeoutMs with nothing received); the session stays usable."),
  REPLY_STALLED: protocol(true, 'A reply no call waits for any more stopped partway; the session was closed so later replies do not wait behind it.'),
  FRAMING_ERROR: protocol(false, 'The byte stream breaks RFC 6242 framing; the session cannot continue.'),
  MESSAGE_TOO_LARGE: protocol(false, 'A message (or one error element in it) exceeds the configured size limit.'),
  MALFORMED_XML: protocol(false, 'A message is not well-formed XML, or uses a DOCTYPE or entity declaration.'),
  PROTOCOL_ERROR: protocol(false, 'The device broke a NETCONF rule (bad hello, unknown message-id, no common base).'),
  SESSION_CLOSED: client(false, 'The session was closed before or while the request was made.'),
  ABORTED: client(false, "The caller's AbortSignal fired, the Writable or file a reply was streamed to failed (a full disk) or was closed, or a streamItems loop ended before its reply did."),
  INVALID_ARGUMENT: client(false, 'The caller passed an argument netconfkit cannot use.'),
  CAPABILITY_MISSING: client(false, 'The device does not advertise a capability the operation needs.'),
  COMMIT_OUTCOME_UNKNOWN: transport(false, 'A write was cut off after it was sent and the device could not be asked, or could not tell: it may have applied it. Never retry blindly: resolveCommitOutcome(newSession, err) asks the device by the commitId the error carries.'),
  COMMIT_NOT_APPLIED: transport(true, 'A commit was cut off, and the device, asked afterwards by its commit id, shows it was not applied: nothing changed, so running it again is safe.'),
  HEALTH_CHECK_FAILED: client(false, "The caller's health check failed after a confirmed commit: it was not confirmed, and the flow reverted it (see `reverted`)."),
  CONFIRMED_COMMIT_PENDING: client(false, 'A confirmed commit is pending on the device: the commit flow will not start until it is confirmed or cancelled (option pendingConfirmed).'),
  NOTIFICATION_OVERFLOW: client(false, 'A subscription iterator fell more than maxQueued notifications behind; it stopped receiving after yielding what it held.'),
  CIRCUIT_OPEN: client(true, 'Too many recent failures to this device; calls fail fast until a probe succeeds.'),
  DEVICE_BUSY: client(true, "Another queue worker held the device's write lock (in Redis, with a TTL: a dead worker's lasts until it runs out) for longer than this job would wait; nothing was sent."),
  DEVICE_LOCK_LOST: client(true, "A queue worker lost the device's write lock (its TTL ran out, or a later fencing token was handed out) and stopped before its next write; a retry asks the device about any commit first."),
  LISTENER_CLOSED: client(false, 'The call-home listener was closed while accept() waited, or before it was called.'),
  UNKNOWN: client(false, 'An unexpected failure that netconfkit could not classify.'),
} as const satisfies Record<string, CodeInfo>;

/**
 * Codes for what a device reported: one per RFC 6241 Appendix A error-tag (the tag in upper
 * snake case), plus the Junos ones, the catch-alls for tag-less errors and warnings, and the
 * RFC 8639 subscription outcomes.
 */
export const DEVICE_CODES = {
  IN_USE: device(true, 'error-tag in-use: the resource is in use; try again later.'),
  INVALID_VALUE: device(false, 'error-tag invalid-value: a parameter value is not acceptable.'),
  TOO_BIG: device(false, 'error-tag too-big: the request or reply is too large for the device.'),
  MISSING_ATTRIBUTE: device(false, 'error-tag missing-attribute: an expected attribute is missing.'),
  BAD_ATTRIBUTE: device(false, 'error-tag bad-attribute: an attribute value is wrong.'),
  UNKNOWN_ATTRIBUTE: device(false, 'error-tag unknown-attribute: an attribute is not expected.'),
  MISSING_ELEMENT: device(false, 'error-tag missing-element: an expected element is missing.'),
  BAD_ELEMENT: device(false, 'error-tag bad-element: an element value is wrong.'),
  UNKNOWN_ELEMENT: device(false, 'error-tag unknown-element: an element is not expected.'),
  UNKNOWN_NAMESPACE: device(false, 'error-tag unknown-namespace: a namespace is not expected.'),
  ACCESS_DENIED: device(false, 'error-tag access-denied: authorisation failed.'),
  LOCK_DENIED: device(true, 'error-tag lock-denied: another session holds the lock (see info.session-id).'),
  RESOURCE_DENIED: device(true, 'error-tag resource-denied: the device lacks resources right now.'),
  ROLLBACK_FAILED: device(false, 'error-tag rollback-failed: a rollback did not complete; state unknown.'),
  DATA_EXISTS: device(false, 'error-tag data-exists: create on data that already exists.'),
  DATA_MISSING: device(false, 'error-tag data-missing: delete or replace of data that does not exist.'),
  OPERATION_NOT_SUPPORTED: device(false, 'error-tag operation-not-supported: the device does not implement it.'),
  OPERATION_FAILED: device(false, 'error-tag operation-failed: failed for another reason.'),
  PARTIAL_OPERATION: device(false, 'error-tag partial-operation: partly applied; state unknown.'),
  MALFORMED_MESSAGE: device(false, 'error-tag malformed-message: the device could not parse the request.'),
  CONFIG_REJECTED: device(false, 'Junos rejected a configuration statement (xnm:error, or a tag-less rpc-error in load or commit results).'),
  CONFIG_WARNING: device(false, 'Junos warned about a configuration statement (xnm:warning).'),
  DEVICE_ERROR: device(false, 'The device reported an error with no error-tag, or one that RFC 6241 does not define.'),
  DEVICE_WARNING: device(false, 'The device reported a warning with no error-tag, or one that RFC 6241 does not define.'),
  SUBSCRIPTION_REJECTED: device(false, 'The device refused establish-, modify-, delete- or kill-subscription with an RFC 8639 / RFC 8641 reason (see `reason`: filter-unsupported, period-unsupported, …).'),
  SUBSCRIPTION_TERMINATED: device(false, 'The device ended a subscription (subscription-terminated; see `reason`): its iteration ends with this error.'),
} as const satisfies Record<string, CodeInfo>;

export const ERROR_CODES = { ...TRANSPORT_AND_PROTOCOL_CODES, ...DEVICE_CODES } as const;

/** Every stable error code netconfkit uses: the keys of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether a value is one of the codes of ERROR_CODES. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** The code for an RFC 6241 error-tag, or undefined when the tag is not one of Appendix A's. */
export function codeForTag(tag: string | null): ErrorCode | undefined {
  return tag ? CODE_BY_TAG.get(tag) : undefined;
}

const RFC_TAGS = [
  'in-use', 'invalid-value', 'too-big', 'missing-attribute', 'bad-attribute', 'unknown-attribute',
  'missing-element', 'bad-element', 'unknown-element', 'unknown-namespace', 'access-denied',
  'lock-denied', 'resource-denied', 'rollback-failed', 'data-exists', 'data-missing',
  'operation-not-supported', 'operation-failed', 'partial-operation', 'malformed-message',
] as const;

// Each tag's code (its name in upper snake case), looked up once per item read.
const CODE_BY_TAG = new Map<string, ErrorCode>(RFC_TAGS.map((tag) => [tag, tag.toUpperCase().replace(/-/g, '_') as ErrorCode]));
