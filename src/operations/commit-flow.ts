import { ClientError, CommitNotAppliedError, CommitOutcomeUnknownError, HealthCheckFailedError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import { type NetconfError, atStep } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { ask, notify } from '../observability/callbacks.js';
import { diagnostics, traced } from '../observability/diagnostics.js';
import { traceCommitFlow, traceStep } from '../observability/flow-hooks.js';
import type { RpcOptions, Session } from '../session/session.js';
import type { WarningPolicy } from '../session/warning-policy.js';
import type { ConfirmedCommit, XmlContent } from './build.js';
import { type CommitDialect, type Finding, type PendingConfirmedPolicy, commitDialect, dialectName } from './commit-dialect.js';
import { checkCommitId, newCommitId, withCommitId } from './commit-id.js';
import { type JunosFormat, type LoadAction, junosMinutes } from './junos.js';

/** The steps of the safe commit flow, as reported by `onStep` and in a failure's `step`. */
export type CommitStep = 'lock' | 'load' | 'check' | 'diff' | 'commit' | 'health-check' | 'confirm' | 'discard' | 'unlock';

/** What commitFlow loads and how: the change, the dialect, the checks, a dry run or a confirmed commit. */
export interface CommitFlowOptions {
  /** The change: XML content (or text / set / JSON for Junos, with `format`). */
  config: XmlContent;
  /**
   * `junos`: load-configuration / commit-configuration (check, diff, minutes);
   * `rfc`: edit-config / validate / commit. Default: `junos` when the device advertises
   * the Junos capability, else `rfc`.
   */
  dialect?: 'junos' | 'rfc';
  /** Junos load format and action (default xml / merge). */
  format?: JunosFormat;
  action?: LoadAction;
  /** How the candidate is held: a lock (default), or a Junos private / exclusive database. */
  isolation?: 'lock' | 'private' | 'exclusive';
  /** RFC dialect: validate the candidate before committing (default: when `:validate` is there). */
  validate?: boolean;
  /** Stop after the check and return the diff; nothing is committed and the candidate is discarded. */
  dryRun?: boolean;
  /**
   * A confirmed commit, spelled as for `commitCandidate` and `commitConfiguration`: the device
   * rolls it back unless confirmed within `timeoutSeconds` (Junos counts minutes: rounded up).
   * `healthCheck` runs in between, bounded by that timeout; returning false, throwing or running
   * past it is HEALTH_CHECK_FAILED, and the flow reverts the commit at once (Junos: rollback 1
   * and commit; RFC: `<cancel-commit>` with the persist token). `persist` (RFC,
   * `:confirmed-commit:1.1`) is the commit's id.
   */
  confirmed?: ConfirmedCommit & { healthCheck?: () => Promise<boolean | void> | boolean | void };
  /** Commit comment (Junos `log`; the commit id follows it). */
  comment?: string;
  /**
   * The commit's id, left on the device so that a commit cut off in flight can be resolved
   * (`resolveCommitOutcome`): Junos in the commit log, RFC (`:confirmed-commit:1.1`) as the
   * persist token of a confirmed commit the flow confirms right after its checks. Default: a
   * fresh random id. In the result and in every error the flow throws after the commit is sent.
   */
  commitId?: string;
  /**
   * A confirmed commit already pending on the device when the flow starts (Junos: the commit
   * history; RFC: the candidate lock refused while one is pending): `refuse` (default:
   * CONFIRMED_COMMIT_PENDING, nothing changed), `confirm` it, or `cancel` it (Junos: rollback 1
   * and commit). RFC needs its persist token for either, as `pendingPersistId`.
   */
  pendingConfirmed?: PendingConfirmedPolicy;
  /** RFC: the persist token of the pending confirmed commit that `pendingConfirmed` confirms or cancels. */
  pendingPersistId?: string;
  /**
   * Opens a new session to the same device (`() => connect(options)`). With it, a commit cut
   * off by a lost connection is resolved through the device: applied, and the flow resolves
   * with `recovered: true`; not applied, and it rejects with COMMIT_NOT_APPLIED (retryable).
   * Up to three tries, stopped by `signal`; a device that cannot tell leaves it
   * COMMIT_OUTCOME_UNKNOWN.
   */
  reconnect?: () => Promise<Session>;
  warnings?: WarningPolicy;
  /** Per-step RPC timeout. */
  timeoutMs?: number;
  /**
   * Aborts the flow: the call in flight and every later step (ABORTED, with its `step`). The
   * candidate is still discarded and released, as after any failure, each clean-up call
   * bounded by 10 s (or `timeoutMs` when shorter). An abort during the commit itself is
   * COMMIT_OUTCOME_UNKNOWN: the device may have applied it.
   */
  signal?: AbortSignal;
  /** Progress: each step as it starts and ends. What it throws is reported (see `callbackError`) and changes nothing. */
  onStep?(event: { step: CommitStep; status: 'start' | 'done' | 'failed'; warnings: DeviceError[] }): void;
}

/** What commitFlow did: whether it committed, the diff, and every warning the device sent. */
export interface CommitFlowResult {
  committed: boolean;
  /** Whether a confirmed commit was confirmed. */
  confirmed: boolean;
  dryRun: boolean;
  /** The effective timeout of a confirmed commit in seconds (Junos: whole minutes); null when not confirmed. */
  confirmTimeoutSeconds: number | null;
  /** The candidate's diff against the running config (Junos); null where the device has none. */
  diff: string | null;
  /** Every warning of every step, in order. */
  warnings: DeviceError[];
  steps: CommitStep[];
  /** The id the commit carries on the device. */
  commitId: string;
  /** The commit's reply was lost with the connection, and the device, asked on a new session, showed it applied. */
  recovered: boolean;
}

/** How long each clean-up call (discard, unlock) of an aborted flow may take at most. */
const ABORTED_CLEANUP_MS = 10_000;
/** Tries at reconnecting and asking the device about a cut-off commit, and the pause before each retry. */
const RECOVERY_DELAYS_MS = [0, 500, 2_000];

/** The flow's settings, checked before any step. */
interface Plan {
  dialect: CommitDialect;
  commitId: string;
  confirmSeconds: number | null;
}

/**
 * The safe config-commit flow in one call: lock → load → check → diff → commit (confirmed,
 * then confirmed after the caller's health check) → unlock. Warnings are collected and the
 * flow goes on; at the first error the candidate is discarded and the lock released. Every
 * error it throws once the flow has started carries `step`, saying where: a device's errors
 * as one RpcError holding every error and warning seen, anything else (COMMIT_OUTCOME_UNKNOWN,
 * HEALTH_CHECK_FAILED, ABORTED, a timeout) as itself. Invalid options fail before any step,
 * with `step` null. A write cut off by a timeout, an abort or a lost connection is
 * COMMIT_OUTCOME_UNKNOWN naming the commit id, never retried; with `reconnect`, a commit cut
 * off with its connection is resolved through the device.
 */
export function commitFlow(session: Session, options: CommitFlowOptions): Promise<CommitFlowResult> {
  let plan: Plan;
  try {
    plan = planFlow(session, options);
  } catch (err) {
    return Promise.reject(err);
  }
  // observability: the flow under `netconfkit:commitFlow` when anyone listens
  return traced(diagnostics.commitFlow)
    ? traceCommitFlow(session, { dialect: plan.dialect.name, commitId: plan.commitId }, options, (o) => runCommitFlow(session, plan, o))
    : runCommitFlow(session, plan, options);
}

function planFlow(session: Session, options: CommitFlowOptions): Plan {
  const name = dialectName(session, options.dialect);
  const junos = name === 'junos';
  const confirmed = options.confirmed;
  if (junos && confirmed?.persist !== undefined) throw new ClientError('INVALID_ARGUMENT', 'Junos has no persist: its pending confirmed commit outlives the session, and a plain commit confirms it');
  if (options.pendingConfirmed !== undefined && !['refuse', 'confirm', 'cancel'].includes(options.pendingConfirmed)) {
    throw new ClientError('INVALID_ARGUMENT', `pendingConfirmed must be refuse, confirm or cancel, not ${JSON.stringify(options.pendingConfirmed)}`);
  }
  const dialect = commitDialect(session, name, options);
  if (options.commitId !== undefined) checkCommitId(options.commitId);
  const persist = confirmed?.persist;
  if (persist !== undefined && options.commitId !== undefined && persist !== options.commitId) {
    throw new ClientError('INVALID_ARGUMENT', 'commitId and confirmed.persist differ: the persist token is the commit id');
  }
  const commitId = persist ?? options.commitId ?? newCommitId();
  const confirmSeconds = !confirmed ? null : junos ? junosMinutes(confirmed.timeoutSeconds) * 60 : confirmed.timeoutSeconds;
  return { dialect, commitId, confirmSeconds };
}

async function runCommitFlow(origin: Session, plan: Plan, options: CommitFlowOptions): Promise<CommitFlowResult> {
  const { commitId: id, confirmSeconds } = plan;
  const confirmed = options.confirmed;
  const signal = options.signal;
  // The session and dialect the flow works on: the caller's, or the one a recovery opened.
  let session = origin;
  let dialect = plan.dialect;
  let recovered = false;

  const seen: DeviceError[] = [];
  const steps: CommitStep[] = [];
  const rpc: RpcOptions = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.warnings === undefined ? {} : { warnings: options.warnings }),
    ...(signal ? { signal } : {}),
  };
  // Clean-up never takes the signal (an aborted flow still lets go of the candidate), and is
  // bounded once aborted.
  const cleanupRpc = (): RpcOptions => {
    const { signal: _signal, ...rest } = rpc;
    return signal?.aborted ? { ...rest, timeoutMs: Math.min(rest.timeoutMs || ABORTED_CLEANUP_MS, ABORTED_CLEANUP_MS) } : rest;
  };
  let held = false;
  let changed = false;
  const tell = (step: CommitStep, status: 'start' | 'done' | 'failed', warnings: DeviceError[] = []) => notify('onStep', options.onStep, [{ step, status, warnings }]);
  const perform = <T>(step: CommitStep, action: () => Promise<T>): Promise<T> =>
    traced(diagnostics.commitStep) ? traceStep(session, step, action) : action();

  const run = async <T>(step: CommitStep, action: () => Promise<T>, warningsOf: (r: T) => DeviceError[]): Promise<T> => {
    if (signal?.aborted) throw new StepFailure(step, aborted(signal, step));
    steps.push(step);
    tell(step, 'start');
    try {
      const result = await perform(step, action);
      const warnings = warningsOf(result);
      seen.push(...warnings);
      tell(step, 'done', warnings);
      return result;
    } catch (err) {
      tell(step, 'failed', err instanceof RpcError ? err.warnings : []);
      throw new StepFailure(step, err);
    }
  };
  const replyWarnings = (r: { warnings: DeviceError[] }) => r.warnings;
  const none = () => [];

  // Best effort: put the candidate back and let go of it. Failures here are not the story.
  const cleanUp = async () => {
    const attempt = async (step: CommitStep, action: () => Promise<unknown>) => {
      steps.push(step);
      tell(step, 'start');
      const ok = await perform(step, action).then(() => true, () => false);
      tell(step, ok ? 'done' : 'failed');
    };
    if (session.closed) return;
    if (changed) await attempt('discard', () => dialect.discard(cleanupRpc()));
    if (held) await attempt('unlock', () => dialect.release(cleanupRpc()));
  };
  const result = (committed: boolean, wasConfirmed: boolean, diff: string | null): CommitFlowResult => ({
    committed, confirmed: wasConfirmed, dryRun: !committed && options.dryRun === true, confirmTimeoutSeconds: committed ? confirmSeconds : null,
    diff, warnings: seen, steps, commitId: id, recovered,
  });

  try {
    await run('lock', () => dialect.hold(rpc), replyWarnings);
    held = true;
    changed = true;
    await run('load', () => dialect.load(options.config, rpc), replyWarnings);
    const check = dialect.check;
    if (check) await run('check', () => check(rpc), replyWarnings);
    const diffOf = dialect.diff;
    const difference = diffOf ? await run('diff', () => diffOf(rpc), none) : null;

    if (options.dryRun) {
      await cleanUp();
      return result(false, false, difference);
    }

    const confirmation = confirmed ? { timeoutSeconds: confirmed.timeoutSeconds } : undefined;
    // Pending after the commit: a confirmed commit waiting for the flow's checks and confirmation.
    let pending = confirmed !== undefined || dialect.confirmsEveryCommit;
    try {
      await run('commit', () => dialect.commit(id, options.comment, confirmation, rpc), replyWarnings);
    } catch (failure) {
      const recovery = await recover(failure);
      if (!recovery) throw failure;
      ({ session, dialect } = recovery);
      held = recovery.held;
      pending = recovery.finding.pending;
      recovered = true;
    }
    changed = false;

    if (pending) {
      if (confirmed) await run('health-check', () => healthy(confirmed.healthCheck, signal, healthBoundMs(confirmSeconds ?? 0)), none);
      await run('confirm', () => dialect.confirm(id, rpc), replyWarnings);
    }
    // A recovery may go on without the lock (netconfd refuses it while a confirmed commit is pending).
    if (held) await run('unlock', () => dialect.release(rpc), replyWarnings);
    held = false;
    return result(true, confirmed !== undefined, difference);
  } catch (failure) {
    const { step, error } = failure instanceof StepFailure ? failure : { step: null, error: failure };
    let reverted = false;
    if ((step === 'health-check' || (step === 'confirm' && error instanceof RpcError)) && !session.closed) {
      // Undo it now: left pending, the device would keep it until the timeout, and on Junos
      // the next commit of anyone would confirm it.
      reverted = await dialect.revert(id, cleanupRpc()).catch(() => false);
    }
    await cleanUp();
    if (step === null) throw error;
    if (error instanceof RpcError) {
      const undone = step === 'confirm' ? (reverted ? '; the commit was reverted' : '; the device rolls the commit back at its confirm timeout') : '';
      throw new RpcError([...seen, ...error.items], { messageId: error.messageId, step, message: `The commit flow failed at "${step}": ${error.message}${undone}` });
    }
    if (error instanceof HealthCheckFailedError) {
      const how = dialect.name === 'junos' ? 'rolled back to the previous configuration and committed' : 'cancelled (cancel-commit)';
      const outcome = reverted ? `the commit was ${how}` : 'the commit could not be reverted now, so the device rolls it back at its confirm timeout';
      throw new HealthCheckFailedError(`${error.message}; ${outcome}`, { cause: error.cause, reverted, commitId: id, step });
    }
    throw atStep(toNetconfError(withCommitId(error, id)), step);
  } finally {
    if (session !== origin) await session.close().catch(() => undefined);
  }

  /**
   * A commit cut off with its connection, asked about on a new session: the session, dialect
   * and finding when it was applied (the candidate held when `held`); throws
   * COMMIT_NOT_APPLIED when it was not; null when the flow cannot ask (then the cut stands).
   */
  async function recover(failure: unknown): Promise<{ session: Session; dialect: CommitDialect; held: boolean; finding: Finding } | null> {
    const error = failure instanceof StepFailure ? failure.error : failure;
    if (!(error instanceof CommitOutcomeUnknownError) || !options.reconnect || !session.closed || !dialect.keepsCommitIds) return null;
    const keep = confirmed?.healthCheck && confirmSeconds !== null ? { seconds: confirmSeconds } : null;
    for (const delay of RECOVERY_DELAYS_MS) {
      if (signal?.aborted || !(await pause(delay, signal))) break;
      let fresh: Session | null = null;
      let locked = false;
      try {
        fresh = await options.reconnect();
        const asked = commitDialect(fresh, dialect.name, options);
        locked = await asked.holdOnly(cleanupRpc());
        const finding = await asked.history(id, 'commit', keep, cleanupRpc());
        if (finding.outcome === 'committed') return { session: fresh, dialect: asked, held: locked, finding };
        if (locked) await asked.release(cleanupRpc()).catch(() => undefined);
        await fresh.close().catch(() => undefined);
        if (finding.outcome === 'not-committed') {
          throw new StepFailure('commit', new CommitNotAppliedError(`The commit ${id} was cut off with its connection, and the device shows it was not applied: nothing changed, it can be retried`, { cause: error, commitId: id, step: 'commit' }));
        }
        return null;
      } catch (err) {
        // A failed try (no connection yet, the old lock not yet released): the next one, if any.
        if (err instanceof StepFailure) throw err;
        if (fresh) await fresh.close().catch(() => undefined);
      }
    }
    return null;
  }
}

class StepFailure {
  constructor(readonly step: CommitStep, readonly error: unknown) {}
}

/** The error an aborted flow throws: ABORTED (the signal's reason is its cause). */
function aborted(signal: AbortSignal, step: CommitStep): NetconfError {
  return new ClientError('ABORTED', `The commit flow was aborted before "${step}"`, { cause: signal.reason, step });
}

/** Waits `ms` (none for 0); false when the signal fires first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (ms === 0) return Promise.resolve(!signal?.aborted);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * How long the health check may run: the confirm timeout, less a margin (a quarter, at most
 * 5 s) so that the flow, not the device's timer, undoes the commit and can say so.
 */
function healthBoundMs(confirmSeconds: number): number {
  const ms = confirmSeconds * 1000;
  return ms - Math.min(ms / 4, 5_000);
}

/**
 * Runs the caller's health check: a throw, `false`, or no answer within `boundMs` (about the
 * confirm timeout: past it the device rolls the commit back anyway) is HEALTH_CHECK_FAILED;
 * the signal firing is ABORTED.
 */
function healthy(check: (() => Promise<boolean | void> | boolean | void) | undefined, signal: AbortSignal | undefined, boundMs: number): Promise<void> {
  if (!check) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new HealthCheckFailedError(`The health check did not finish within the confirm timeout (${boundMs / 1000} s of it); the commit was not confirmed`)), boundMs);
    timer.unref?.();
    const onAbort = () => finish(new ClientError('ABORTED', 'The commit flow was aborted during "health-check"', { cause: signal?.reason, step: 'health-check' }));
    function finish(error: NetconfError | null) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    ask(check).then(
      (ok) => finish(ok === false ? new HealthCheckFailedError('The health check failed; the commit was not confirmed') : null),
      (err: unknown) => finish(new HealthCheckFailedError(`The health check threw: ${err instanceof Error ? err.message : String(err)}; the commit was not confirmed`, { cause: err })),
    );
  });
}
