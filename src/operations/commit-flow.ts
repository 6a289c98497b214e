import { ClientError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import { diagnostics, traced } from '../observability/diagnostics.js';
import { traceCommitFlow, traceStep } from '../observability/flow-hooks.js';
import type { RpcOptions, Session } from '../session/session.js';
import type { WarningPolicy } from '../session/warning-policy.js';
import type { XmlContent } from './build.js';
import {
  type JunosFormat, type LoadAction, closeConfiguration, commitConfiguration, diff, loadConfiguration,
  openConfiguration, rollback,
} from './junos.js';
import { cancelCommit, commit, discardChanges, editConfig, lock, unlock, validate } from './rfc6241.js';

export const JUNOS_CAPABILITY = 'http://xml.juniper.net/netconf/junos/1.0';

export type CommitStep = 'lock' | 'load' | 'check' | 'diff' | 'commit' | 'health-check' | 'confirm' | 'discard' | 'unlock';

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
   * A confirmed commit: the device rolls it back unless confirmed within `timeoutSeconds`
   * (Junos counts minutes: rounded up). `healthCheck` runs in between; returning false or
   * throwing leaves it unconfirmed (HEALTH_CHECK_FAILED).
   */
  confirmed?: { timeoutSeconds: number; healthCheck?: () => Promise<boolean | void> | boolean | void };
  /** Commit comment (Junos `log`). */
  comment?: string;
  warnings?: WarningPolicy;
  /** Per-step RPC timeout. */
  timeoutMs?: number;
  /** Progress: each step as it starts and ends. */
  onStep?(event: { step: CommitStep; status: 'start' | 'done' | 'failed'; warnings: DeviceError[] }): void;
}

export interface CommitFlowResult {
  committed: boolean;
  /** Whether a confirmed commit was confirmed. */
  confirmed: boolean;
  dryRun: boolean;
  /** The candidate's diff against the running config (Junos); null where the device has none. */
  diff: string | null;
  /** Every warning of every step, in order. */
  warnings: DeviceError[];
  steps: CommitStep[];
}

/**
 * The safe config-commit flow in one call: lock → load → check → diff → commit (confirmed,
 * then confirmed after the caller's health check) → unlock. Warnings are collected and the
 * flow goes on; at the first error the candidate is discarded and the lock released, and the
 * caller gets one RpcError holding every error and warning seen, with `step` saying where.
 * A write cut off by a timeout or a lost connection is COMMIT_OUTCOME_UNKNOWN, never retried.
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

  const seen: DeviceError[] = [];
  const steps: CommitStep[] = [];
  const rpc: RpcOptions = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.warnings === undefined ? {} : { warnings: options.warnings }),
  };
  let held = false;
  let changed = false;

  const run = async <T>(step: CommitStep, action: () => Promise<T>, warningsOf: (r: T) => DeviceError[]): Promise<T> => {
    steps.push(step);
    options.onStep?.({ step, status: 'start', warnings: [] });
    try {
      const result = await (traced(diagnostics.commitStep) ? traceStep(session, step, action) : action());
      const warnings = warningsOf(result);
      seen.push(...warnings);
      options.onStep?.({ step, status: 'done', warnings });
      return result;
    } catch (err) {
      options.onStep?.({ step, status: 'failed', warnings: err instanceof RpcError ? err.warnings : [] });
      throw new StepFailure(step, err);
    }
  };
  const replyWarnings = (r: { warnings: DeviceError[] }) => r.warnings;
  // A Junos private or exclusive database is opened and closed; anything else is locked.
  const database = junos && isolation !== 'lock';
  const hold = () => (database ? openConfiguration(session, isolation as 'private' | 'exclusive', rpc) : lock(session, 'candidate', rpc));
  const release = () => (database ? closeConfiguration(session, rpc) : unlock(session, 'candidate', rpc));

  // Best effort: put the candidate back and let go of it. Failures here are not the story.
  const cleanUp = async () => {
    const attempt = async (step: CommitStep, action: () => Promise<unknown>) => {
      steps.push(step);
      options.onStep?.({ step, status: 'start', warnings: [] });
      const ok = await (traced(diagnostics.commitStep) ? traceStep(session, step, action) : action()).then(() => true, () => false);
      options.onStep?.({ step, status: ok ? 'done' : 'failed', warnings: [] });
    };
    if (session.closed) return;
    if (changed) await attempt('discard', () => (junos ? rollback(session, 0, rpc) : discardChanges(session, rpc)));
    if (held) await attempt('unlock', release);
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
      await run('load', () => editConfig(session, options.config, { ...rpc, target: 'candidate' }), replyWarnings);
      if (options.validate ?? session.capabilities.validate) await run('check', () => validate(session, 'candidate', rpc), replyWarnings);
    }
    const difference = junos ? await run('diff', () => diff(session, 0, rpc), () => []) : null;

    if (options.dryRun) {
      await cleanUp();
      return { committed: false, confirmed: false, dryRun: true, diff: difference, warnings: seen, steps };
    }

    const confirmed = options.confirmed;
    if (junos) {
      await run('commit', () => commitConfiguration(session, {
        ...rpc,
        ...(confirmed ? { confirmTimeoutSeconds: confirmed.timeoutSeconds } : {}),
        ...(options.comment === undefined ? {} : { comment: options.comment }),
      }), replyWarnings);
    } else {
      await run('commit', () => commit(session, { ...rpc, ...(confirmed ? { confirmed: true, confirmTimeoutSeconds: confirmed.timeoutSeconds } : {}) }), replyWarnings);
    }
    changed = false;

    let wasConfirmed = false;
    if (confirmed) {
      await run('health-check', () => healthy(confirmed.healthCheck), () => []);
      await run('confirm', () => (junos ? commitConfiguration(session, rpc) : commit(session, rpc)), replyWarnings);
      wasConfirmed = true;
    }
    await run('unlock', release, replyWarnings);
    held = false;
    return { committed: true, confirmed: wasConfirmed, dryRun: false, diff: difference, warnings: seen, steps };
  } catch (failure) {
    const { step, error } = failure instanceof StepFailure ? failure : { step: null, error: failure };
    if (step === 'health-check' && !junos && session.capabilities.has('urn:ietf:params:netconf:capability:confirmed-commit:1.1')) {
      // Revert now rather than waiting for the confirm timeout.
      await cancelCommit(session, rpc).catch(() => undefined);
    }
    await cleanUp();
    if (error instanceof RpcError) {
      throw new RpcError([...seen, ...error.items], { messageId: error.messageId, step, message: `The commit flow failed at "${step}": ${error.message}` });
    }
    throw error;
  }
}

class StepFailure {
  constructor(readonly step: CommitStep, readonly error: unknown) {}
}

async function healthy(check: (() => Promise<boolean | void> | boolean | void) | undefined): Promise<void> {
  if (!check) return;
  let ok: boolean | void;
  try {
    ok = await check();
  } catch (err) {
    throw new ClientError('HEALTH_CHECK_FAILED', `The health check threw: ${err instanceof Error ? err.message : String(err)}; the commit was not confirmed`, { cause: err });
  }
  if (ok === false) throw new ClientError('HEALTH_CHECK_FAILED', 'The health check failed; the commit was not confirmed and the device rolls it back');
}

