import type { ErrorCode } from './codes.js';
import { NetconfError, type NetconfErrorOptions, causeFromJSON, registerReviver } from './netconf-error.js';

/**
 * The families callers `catch`. Each is a plain subclass with a brand; the code says exactly
 * what happened, the class says which family it belongs to.
 */

/** SSH and socket failures: refused, unreachable, lost, SSH protocol errors. */
export class ConnectionError extends NetconfError {
  static override brand = 'ConnectionError';
}

/** The device rejected the credentials. Never retryable; never carries the credentials. */
export class AuthenticationError extends ConnectionError {
  static override brand = 'AuthenticationError';
}

/** The device's host key did not match, or could not be checked. */
export class HostKeyError extends ConnectionError {
  static override brand = 'HostKeyError';
  /** The OpenSSH-style `SHA256:…` fingerprint the device presented. */
  readonly fingerprint: string | null;
  constructor(code: ErrorCode, message: string, options: NetconfErrorOptions & { fingerprint?: string | null } = {}) {
    super(code, message, options);
    this.fingerprint = options.fingerprint ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { fingerprint: this.fingerprint };
  }
}

/** What about a TLS certificate did not verify. */
export type CertificateProblem = 'name' | 'untrusted' | 'expired' | 'not-yet-valid' | 'revoked' | 'invalid';

/**
 * The device's TLS certificate did not verify (CERTIFICATE_REJECTED): `problem` says what did
 * not match, `fingerprint` which certificate it was. Never retryable.
 */
export class CertificateError extends ConnectionError {
  static override brand = 'CertificateError';
  /** What did not verify: the name, the chain (`untrusted`), the validity dates, a revocation. */
  readonly problem: CertificateProblem;
  /** SHA-256 fingerprint of the certificate the device presented (`AB:CD:…`, as openssl prints it). */
  readonly fingerprint: string | null;
  constructor(message: string, options: NetconfErrorOptions & { problem: CertificateProblem; fingerprint?: string | null }) {
    super('CERTIFICATE_REJECTED', message, options);
    this.problem = options.problem;
    this.fingerprint = options.fingerprint ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { problem: this.problem, fingerprint: this.fingerprint };
  }
}

/** Connect, hello or RPC timeouts. */
export class TimeoutError extends NetconfError {
  static override brand = 'TimeoutError';
}

/** The peer broke NETCONF: framing, XML, hello, message-id rules. */
export class ProtocolError extends NetconfError {
  static override brand = 'ProtocolError';
}

/** RFC 6242 framing could not be decoded, or a message was over the size limit. */
export class FramingError extends ProtocolError {
  static override brand = 'FramingError';
}

/** A message is not well-formed XML, or carries a DOCTYPE / entity declaration. */
export class MalformedXmlError extends ProtocolError {
  static override brand = 'MalformedXmlError';
  /** Byte offset in the message where the problem was found, when known. */
  readonly offset: number | null;
  /** When an end tag named another element than the one open: both names as written; null otherwise. */
  readonly tagMismatch: TagMismatch | null;
  constructor(message: string, options: NetconfErrorOptions & { offset?: number | null; tagMismatch?: TagMismatch | null } = {}) {
    super('MALFORMED_XML', message, options);
    this.offset = options.offset ?? null;
    this.tagMismatch = options.tagMismatch ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { offset: this.offset, tagMismatch: this.tagMismatch };
  }
}

/** The element left open (`start`) and the end tag that came instead (`end`), qualified names as written. */
export interface TagMismatch {
  /** The open element's name (`junos:routing-engine`). */
  readonly start: string;
  /** The name in the end tag that came instead (`commit-results`). */
  readonly end: string;
}

/** Misuse, a missing capability, a closed session, an abort. */
export class ClientError extends NetconfError {
  static override brand = 'ClientError';
}

/**
 * A write was cut off after it was sent: the device may or may not have applied it. A commit
 * carries its `commitId`, the id it left on the device, which `resolveCommitOutcome` asks about.
 */
export class CommitOutcomeUnknownError extends NetconfError {
  static override brand = 'CommitOutcomeUnknownError';
  /** The id of the commit that was cut off; null for any other write. */
  readonly commitId: string | null;
  constructor(message: string, options: NetconfErrorOptions & { commitId?: string | null } = {}) {
    super('COMMIT_OUTCOME_UNKNOWN', message, options);
    this.commitId = options.commitId ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { commitId: this.commitId };
  }
}

/** A commit was cut off, and the device, asked afterwards, shows it was not applied: safe to retry. */
export class CommitNotAppliedError extends NetconfError {
  static override brand = 'CommitNotAppliedError';
  /** The id of the commit the device shows was not applied. */
  readonly commitId: string;
  constructor(message: string, options: NetconfErrorOptions & { commitId: string }) {
    super('COMMIT_NOT_APPLIED', message, options);
    this.commitId = options.commitId;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { commitId: this.commitId };
  }
}

/**
 * The caller's health check failed (returned false, threw, or ran past the confirm timeout)
 * after a confirmed commit. `reverted` says whether the flow undid the commit at once; when it
 * could not, the device still rolls it back at the confirm timeout.
 */
export class HealthCheckFailedError extends ClientError {
  static override brand = 'HealthCheckFailedError';
  /** Whether the flow undid the commit at once (Junos: rollback 1 and commit; RFC: cancel-commit). */
  readonly reverted: boolean;
  /** The id of the commit that was checked. */
  readonly commitId: string | null;
  constructor(message: string, options: NetconfErrorOptions & { reverted?: boolean; commitId?: string | null } = {}) {
    super('HEALTH_CHECK_FAILED', message, options);
    this.reverted = options.reverted ?? false;
    this.commitId = options.commitId ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { reverted: this.reverted, commitId: this.commitId };
  }
}

/**
 * A subscription the device refused (SUBSCRIPTION_REJECTED, the RpcError as `cause`) or ended
 * (SUBSCRIPTION_TERMINATED). `reason` is the RFC 8639 / RFC 8641 identity's name without its
 * module (`filter-unsupported`, `on-change-unsupported`, `no-such-subscription`, …).
 */
export class SubscriptionError extends NetconfError {
  static override brand = 'SubscriptionError';
  /** The reason identity's name, without its module or prefix; null when the device gave none. */
  readonly reason: string | null;
  /** The reason as the device wrote it (`ietf-subscribed-notifications:filter-unsupported`, `sn:…`). */
  readonly reasonIdentity: string | null;
  /** The subscription's id, when there is one. */
  readonly subscriptionId: number | null;
  constructor(
    code: 'SUBSCRIPTION_REJECTED' | 'SUBSCRIPTION_TERMINATED',
    message: string,
    options: NetconfErrorOptions & { reasonIdentity?: string | null; subscriptionId?: number | null } = {},
  ) {
    super(code, message, options);
    this.reasonIdentity = options.reasonIdentity ?? null;
    this.reason = identityName(this.reasonIdentity);
    this.subscriptionId = options.subscriptionId ?? null;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { reason: this.reason, reasonIdentity: this.reasonIdentity, subscriptionId: this.subscriptionId };
  }
}

/** `module:name` or `prefix:name` → `name`. */
function identityName(identity: string | null): string | null {
  if (identity === null) return null;
  const name = identity.slice(identity.lastIndexOf(':') + 1).trim();
  return name === '' ? null : name;
}

for (const Class of [ConnectionError, AuthenticationError, TimeoutError, ProtocolError, FramingError, ClientError]) {
  registerReviver(Class.brand, (j) => new Class(j.code, j.message ?? '', { cause: causeFromJSON(j.cause), retryable: j.retryable }));
}
registerReviver(HostKeyError.brand, (j) =>
  new HostKeyError(j.code, j.message ?? '', {
    cause: causeFromJSON(j.cause),
    retryable: j.retryable,
    fingerprint: typeof j.fingerprint === 'string' ? j.fingerprint : null,
  }),
);
const PROBLEMS: readonly CertificateProblem[] = ['name', 'untrusted', 'expired', 'not-yet-valid', 'revoked', 'invalid'];
registerReviver(CertificateError.brand, (j) =>
  new CertificateError(j.message ?? '', {
    cause: causeFromJSON(j.cause),
    retryable: j.retryable,
    problem: PROBLEMS.find((p) => p === j.problem) ?? 'invalid',
    fingerprint: typeof j.fingerprint === 'string' ? j.fingerprint : null,
  }),
);
registerReviver(MalformedXmlError.brand, (j) =>
  new MalformedXmlError(j.message ?? '', {
    cause: causeFromJSON(j.cause),
    retryable: j.retryable,
    offset: typeof j.offset === 'number' ? j.offset : null,
    tagMismatch: tagMismatchOf(j.tagMismatch),
  }),
);
function tagMismatchOf(v: unknown): TagMismatch | null {
  if (typeof v !== 'object' || v === null) return null;
  const { start, end } = v as Record<string, unknown>;
  return typeof start === 'string' && typeof end === 'string' ? { start, end } : null;
}
const commitIdOf = (j: Record<string, unknown>): string | null => (typeof j.commitId === 'string' ? j.commitId : null);
registerReviver(CommitOutcomeUnknownError.brand, (j) =>
  new CommitOutcomeUnknownError(j.message ?? '', { cause: causeFromJSON(j.cause), retryable: j.retryable, commitId: commitIdOf(j) }),
);
registerReviver(CommitNotAppliedError.brand, (j) =>
  new CommitNotAppliedError(j.message ?? '', { cause: causeFromJSON(j.cause), retryable: j.retryable, commitId: commitIdOf(j) ?? '' }),
);
registerReviver(HealthCheckFailedError.brand, (j) =>
  new HealthCheckFailedError(j.message ?? '', { cause: causeFromJSON(j.cause), retryable: j.retryable, reverted: j.reverted === true, commitId: commitIdOf(j) }),
);
registerReviver(SubscriptionError.brand, (j) =>
  new SubscriptionError(j.code === 'SUBSCRIPTION_REJECTED' ? 'SUBSCRIPTION_REJECTED' : 'SUBSCRIPTION_TERMINATED', j.message ?? '', {
    cause: causeFromJSON(j.cause),
    retryable: j.retryable,
    reasonIdentity: typeof j.reasonIdentity === 'string' ? j.reasonIdentity : null,
    subscriptionId: typeof j.subscriptionId === 'number' ? j.subscriptionId : null,
  }),
);
