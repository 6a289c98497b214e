/**
 * One try of a queue's write job, under its device's lock: a try that may have committed
 * before it was cut off (its worker died, or the commit's reply never came) is resolved
 * through the device before anything else, and a commit that landed is never made again; the
 * operation runs on a session whose writes are fenced by the lock. What a try must leave for
 * the next one (the commit id, whether a commit may be in flight, how far the flow got) is
 * saved with the job before the first write it could concern is sent.
 */
import { ClientError, CommitNotAppliedError } from '../errors/classes.js';
import type { NetconfErrorJSON } from '../errors/netconf-error.js';
import type { CommitStep } from '../operations/commit-flow.js';
import type { Session } from '../session/session.js';
import { type DeviceLock, fenceWrites } from './device-lock.js';
import type { DeviceResult } from './result.js';
import type { DeviceOperation, OperationContext } from './run-device.js';

/** What a write job keeps between its tries (in its data in Redis). */
export interface WriteJobState {
  commitId?: string;
  commitPending?: boolean;
  /** The last step of the commit flow whose writes may have been sent (from `onStep`). */
  commitStep?: string;
}

/** What resolving a cut-off commit says (resolveCommitOutcome's answer, or the like). */
export interface CommitResolution {
  outcome: 'committed' | 'not-committed';
  commitId: string;
}

/** Asks the device, on the try's session, about a commit: `after` is the last write of its flow that may have been sent. */
export type ResolveCommit<R extends CommitResolution> = (session: Session, commitId: string, options: { after: 'commit' | 'confirm'; signal: AbortSignal }) => Promise<R>;

/** What the operation of a write try gets besides the session. */
export interface WriteContext extends OperationContext {
  commitId: string;
  fencingToken: number;
  /** Hand it to commitFlow: the steps it reports tell a later try how far this one got. */
  onStep: (event: { step: CommitStep; status: 'start' | 'done' | 'failed' }) => void;
}

export interface WriteTry<R extends CommitResolution> {
  /** The device's lock, held for the try (what of it is used). */
  lock: Pick<DeviceLock, 'check' | 'signal' | 'token'>;
  /** This try (1 for the first; every try started, those cut off included) and how many the job may have. */
  attempt: number;
  budget: number;
  /** Names the job in messages. */
  name: string;
  /** The job's state as Redis has it now, and how to save it. */
  load(): Promise<WriteJobState>;
  save(state: WriteJobState): Promise<void>;
  newCommitId(): string;
  resolve: ResolveCommit<R>;
  /** Runs on the device (a session, the job's budget, its breaker); `stop` ends it early. */
  run(operate: DeviceOperation<unknown>, stop: AbortSignal): Promise<DeviceResult<unknown>>;
  operate(session: Session, context: WriteContext): Promise<unknown>;
}

/** How a write try ended: its result, the resolution when it recovered an earlier commit, and whether another try is worth making. */
export interface WriteTryOutcome<R extends CommitResolution> {
  result: DeviceResult<unknown>;
  commitId: string;
  recovered: R | null;
  retry: boolean;
}

/** The steps of the commit flow that come before anything is committed. */
const BEFORE_COMMIT: ReadonlySet<string> = new Set(['lock', 'load', 'check', 'diff']);

export async function runWriteTry<R extends CommitResolution>(t: WriteTry<R>): Promise<WriteTryOutcome<R>> {
  // Read under the lock: a worker that ran this job before (one BullMQ thought had stalled)
  // may have set the commit id and marked a try pending since this worker's copy was read.
  const state = await t.load();
  const commitId = state.commitId ?? t.newCommitId();
  const pendingBefore = state.commitPending === true;
  let saved: WriteJobState = { ...state, commitId };
  const save = async (next: WriteJobState) => {
    await t.save(next);
    saved = next;
  };
  if (t.attempt > t.budget && !pendingBefore) {
    throw new ClientError('UNKNOWN', `Try ${t.attempt - 1} of ${t.name} was cut off when its worker stopped, and the job has no tries left (attempts: ${t.budget})`);
  }

  let stage: 'resolve' | 'run' | null = null;
  let step: string | undefined;
  let recovered: R | null = null;
  // Before each write: the lock still ours, and the step it belongs to saved first.
  const fence = async () => {
    await t.lock.check();
    if (step !== undefined && step !== saved.commitStep) await save({ ...saved, commitStep: step });
  };
  const result = await t.run(async (session, _device, context) => {
    const fenced = fenceWrites(session, fence);
    if (pendingBefore) {
      stage = 'resolve';
      // Where the flow never said how far it got, its confirmation may have been sent too.
      const after = saved.commitStep === undefined || saved.commitStep === 'confirm' ? 'confirm' : 'commit';
      const resolution = await t.resolve(fenced, commitId, { after, signal: context.signal });
      if (resolution.outcome === 'committed') {
        recovered = resolution;
        return resolution;
      }
      if (t.attempt > t.budget) {
        throw new CommitNotAppliedError(`The cut-off try of ${t.name} committed nothing (commit ${commitId}), and the job has no tries left (attempts: ${t.budget})`, { commitId });
      }
    }
    // From here on a commit may be in flight until this try ends knowing otherwise.
    await save({ commitId, commitPending: true });
    stage = 'run';
    const onStep: WriteContext['onStep'] = (event) => {
      if (event.status === 'start') step = event.step;
    };
    return t.operate(fenced, { ...context, commitId, fencingToken: t.lock.token, onStep });
  }, t.lock.signal);

  if (result.ok) return { result, commitId, recovered, retry: false };
  const error = result.errorJson;
  // (A failure while asking about an earlier try settles nothing about it, unless the answer was "not applied".)
  const nothingCommitted = stage === null || (stage === 'resolve' ? error.code === 'COMMIT_NOT_APPLIED' : knownUncommitted(error));
  if (nothingCommitted && saved.commitPending) await save({ commitId, commitPending: false }).catch(() => undefined);
  // A commit cut off in flight is not retried blindly: the next try resolves it first.
  const resolvable = !nothingCommitted && stage === 'run' && error.code === 'COMMIT_OUTCOME_UNKNOWN';
  return { result, commitId, recovered: null, retry: t.attempt < t.budget && (result.error_retryable || resolvable) };
}

/** A failure that shows the try committed nothing: the flow stopped before its commit, or the device said so. */
function knownUncommitted(error: NetconfErrorJSON): boolean {
  return error.code === 'COMMIT_NOT_APPLIED' || (error.step !== undefined && BEFORE_COMMIT.has(error.step));
}
