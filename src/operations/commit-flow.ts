import { ClientError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import { type NetconfError, atStep } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { ask, notify } from '../observability/callbacks.js';
import { diagnostics, traced } from '../observability/diagnostics.js';
import { traceCommitFlow, traceStep } from '../observability/flow-hooks.js';
import type { RpcOptions, Session } from '../session/session.js';
import type { WarningPolicy } from '../session/warning-policy.js';
import { CAPABILITY, JUNOS_CAPABILITY } from '../xml/namespaces.js';
import type { ConfirmedCommit, XmlContent } from './build.js';
import {
  type JunosFormat, type LoadAction, closeConfiguration, commitConfiguration, diffConfiguration, junosMinutes,
  loadConfiguration, openConfiguration, rollback,
} from './junos.js';
import { cancelCommit, commitCandidate, discardChanges, editConfig, lockDatastore, unlockDatastore, validateConfig } from './rfc6241.js';

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
   * `healthCheck` runs in between; returning false or throwing leaves it unconfirmed
   * (HEALTH_CHECK_FAILED). `persist` (RFC, `:confirmed-commit:1.1`) makes the commit and its
   * confirmation go by that token.
   */
  confirmed?: ConfirmedCommit & { healthCheck?: () => Promise<boolean | void> | boolean | void };
  /** Commit comment (Junos `log`). */
  comment?: string;
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
}

/** How long each clean-up call (discard, unlock) of an aborted flow may take at most. */
const ABORTED_CLEANUP_MS = 10_000;

/**
 * The safe config-commit flow in one call: lock → load → check → diff → commit (confirmed,
 * then confirmed after the caller's health check) → unlock. Warnings are collected and the
 * flow goes on; at the first error the candidate is discarded and the lock released. Every
 * error it throws once the flow has started carries `step`, saying where: a device's errors
 * as one RpcError holding every error and warning seen, anything else (COMMIT_OUTCOME_UNKNOWN,
 * HEALTH_CHECK_FAILED, ABORTED, a timeout) as itself. Invalid options fail before any step,
 * with `step` null. A write cut off by a timeout, an abort or a lost connection is
 * COMMIT_OUTCOME_UNKNOWN, never retried.
 */
export function commitFlow(session: Session, options: CommitFlowOptions): Promise<CommitFlowResult> {
  // observability: the flow under `netconfkit:commitFlow` when anyone listens
  return traced(diagnostics.commitFlow) ? traceCommitFlow(session, options, runCommitFlow) : runCommitFlow(session, options);
}

async function runCommitFlow(session: Session, options: CommitFlowOptions): Promise<CommitFlowResult> {
  const junos = (options.dialect ?? (session.capabilities.has(JUNOS_CAPABILITY) ? 'junos' : 'rfc')) === 'junos';
  const isolation = options.isolation ?? 'lock';
  if (!junos && isolation !== 'lock') throw new ClientError('INVALID_ARGUMENT', `isolation "${isolation}" needs the Junos dialect`);
  if (!junos && !session.capabilities.candidate) throw new ClientError('CAPABILITY_MISSING', 'the commit flow needs the :candidate capability');
  const confirmed = options.confirmed;
  if (junos && confirmed?.persist !== undefined) throw new ClientError('INVALID_ARGUMENT', 'Junos has no persist: its pending confirmed commit outlives the session, and a plain commit confirms it');
  const confirmSeconds = !confirmed ? null : junos ? junosMinutes(confirmed.timeoutSeconds) * 60 : confirmed.timeoutSeconds;
  const signal = options.signal;

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
  const tell = (event: Parameters<NonNullable<CommitFlowOptions['onStep']>>[0]) => notify('onStep', options.onStep, [event]);

  const run = async <T>(step: CommitStep, action: () => Promise<T>, warningsOf: (r: T) => DeviceError[]): Promise<T> => {
    if (signal?.aborted) throw new StepFailure(step, aborted(signal, step));
    steps.push(step);
    tell({ step, status: 'start', warnings: [] });
    try {
      const result = await (traced(diagnostics.commitStep) ? traceStep(session, step, action) : action());
      const warnings = warningsOf(result);
      seen.push(...warnings);
      tell({ step, status: 'done', warnings });
      return result;
    } catch (err) {
      tell({ step, status: 'failed', warnings: err instanceof RpcError ? err.warnings : [] });
      throw new StepFailure(step, err);
    }
  };
  const replyWarnings = (r: { warnings: DeviceError[] }) => r.warnings;
  // A Junos private or exclusive database is opened and closed; anything else is locked.
  const database = junos && isolation !== 'lock';
  const hold = () => (database ? openConfiguration(session, isolation as 'private' | 'exclusive', rpc) : lockDatastore(session, 'candidate', rpc));
  const release = (o: RpcOptions) => (database ? closeConfiguration(session, o) : unlockDatastore(session, 'candidate', o));

  // Best effort: put the candidate back and let go of it. Failures here are not the story.
  const cleanUp = async () => {
    const attempt = async (step: CommitStep, action: () => Promise<unknown>) => {
      steps.push(step);
      tell({ step, status: 'start', warnings: [] });
      const ok = await (traced(diagnostics.commitStep) ? traceStep(session, step, action) : action()).then(() => true, () => false);
      tell({ step, status: ok ? 'done' : 'failed', warnings: [] });
    };
    if (session.closed) return;
    if (changed) await attempt('discard', () => (junos ? rollback(session, 0, cleanupRpc()) : discardChanges(session, cleanupRpc())));
    if (held) await attempt('unlock', () => release(cleanupRpc()));
  };

  try {
    await run('lock', hold, replyWarnings);
    held = true;
    changed = true;
    if (junos) {
      await run('load', () => loadConfiguration(session, options.config, {
        ...rpc, ...(options.format ? { format: options.format } : {}), ...(options.action ? { action: options.action } : {}),
      }), replyWarnings);
      await run('check', () => commitConfiguration(session, { ...rpc, check: true }), replyWarnings);
    } else {
      await run('load', () => editConfig(session, 'candidate', options.config, rpc), replyWarnings);
      if (options.validate ?? session.capabilities.validate) await run('check', () => validateConfig(session, 'candidate', rpc), replyWarnings);
    }
    const difference = junos ? (await run('diff', () => diffConfiguration(session, 0, rpc), () => [])).diff : null;

    if (options.dryRun) {
      await cleanUp();
      return { committed: false, confirmed: false, dryRun: true, confirmTimeoutSeconds: null, diff: difference, warnings: seen, steps };
    }

    const confirmation = confirmed ? { timeoutSeconds: confirmed.timeoutSeconds, ...(confirmed.persist === undefined ? {} : { persist: confirmed.persist }) } : undefined;
    if (junos) {
      await run('commit', () => commitConfiguration(session, {
        ...rpc,
        ...(confirmation ? { confirmed: confirmation } : {}),
        ...(options.comment === undefined ? {} : { comment: options.comment }),
      }), replyWarnings);
    } else {
      await run('commit', () => commitCandidate(session, { ...rpc, ...(confirmation ? { confirmed: confirmation } : {}) }), replyWarnings);
    }
    changed = false;

    let wasConfirmed = false;
    if (confirmed) {
      await run('health-check', () => untilAborted(healthy(confirmed.healthCheck), signal, 'health-check'), () => []);
      const persistId = confirmed.persist === undefined ? {} : { persistId: confirmed.persist };
      await run('confirm', () => (junos ? commitConfiguration(session, rpc) : commitCandidate(session, { ...rpc, ...persistId })), replyWarnings);
      wasConfirmed = true;
    }
    await run('unlock', () => release(rpc), replyWarnings);
    held = false;
    return { committed: true, confirmed: wasConfirmed, dryRun: false, confirmTimeoutSeconds: confirmSeconds, diff: difference, warnings: seen, steps };
  } catch (failure) {
    const { step, error } = failure instanceof StepFailure ? failure : { step: null, error: failure };
    if (step === 'health-check' && !junos && session.capabilities.has(CAPABILITY.confirmedCommit11)) {
      // Revert now rather than waiting for the confirm timeout.
      const persistId = confirmed?.persist === undefined ? {} : { persistId: confirmed.persist };
      await cancelCommit(session, { ...cleanupRpc(), ...persistId }).catch(() => undefined);
    }
    await cleanUp();
    if (step === null) throw error;
    if (error instanceof RpcError) {
      throw new RpcError([...seen, ...error.items], { messageId: error.messageId, step, message: `The commit flow failed at "${step}": ${error.message}` });
    }
    throw atStep(toNetconfError(error), step);
  }
}

class StepFailure {
  constructor(readonly step: CommitStep, readonly error: unknown) {}
}

/** The error an aborted flow throws: ABORTED (the signal's reason is its cause). */
function aborted(signal: AbortSignal, step: CommitStep): NetconfError {
  return new ClientError('ABORTED', `The commit flow was aborted before "${step}"`, { cause: signal.reason, step });
}

/** Settles like `promise`, or rejects with ABORTED as soon as the signal fires (for the caller's health check). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, step: CommitStep): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ClientError('ABORTED', `The commit flow was aborted during "${step}"`, { cause: signal.reason, step }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function healthy(check: (() => Promise<boolean | void> | boolean | void) | undefined): Promise<void> {
  if (!check) return;
  let ok: boolean | void;
  try {
    ok = await ask(check);
  } catch (err) {
    throw new ClientError('HEALTH_CHECK_FAILED', `The health check threw: ${err instanceof Error ? err.message : String(err)}; the commit was not confirmed`, { cause: err });
  }
  if (ok === false) throw new ClientError('HEALTH_CHECK_FAILED', 'The health check failed; the commit was not confirmed and the device rolls it back');
}

