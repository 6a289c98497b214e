import { ClientError, CommitOutcomeUnknownError } from '../errors/classes.js';
import type { RpcOptions, Session } from '../session/session.js';
import { CAPABILITY } from '../xml/namespaces.js';
import { type CommitEvidence, commitDialect, dialectName } from './commit-dialect.js';
import { checkCommitId } from './commit-id.js';

/** What the device shows about a commit whose reply never came. */
export interface CommitOutcome {
  /**
   * `committed`: it was applied and stays (a confirmed commit still pending under its id is
   * confirmed by asking); `not-committed`: it was not applied, or was undone (cancelled,
   * reverted, rolled back at its timeout): nothing of it is in effect, it can be made again.
   */
  outcome: 'committed' | 'not-committed';
  /** The id asked about. */
  commitId: string;
  /** What the device said: the Junos history entries naming the id, or the RFC persist-id answer. */
  evidence: CommitEvidence;
}

/** Options of resolveCommitOutcome. */
export interface ResolveCommitOptions extends Omit<RpcOptions, 'write'> {
  /** `junos` (the commit history) or `rfc` (the persist token); default as commitFlow chooses. */
  dialect?: 'junos' | 'rfc';
  /**
   * The last write of the commit's flow that was sent: `commit` (default; the error's step when
   * it was `confirm`), or `confirm`, when its confirmation may have landed. On RFC devices it
   * matters: a commit no longer pending was never applied when no confirmation was sent, but
   * may have been confirmed when one was.
   */
  after?: 'commit' | 'confirm';
}

/**
 * Asks the device, on a session of its own (the one the commit was cut off with is gone),
 * whether a commit was applied: from the COMMIT_OUTCOME_UNKNOWN error, or the commit id alone.
 *
 * - Junos: `<get-commit-information/>`, the history entries whose log names the id (its commit,
 *   confirmation or revert). None: `not-committed`. A confirmed commit still pending under it
 *   is confirmed, and `committed`.
 * - RFC 6241 with `:confirmed-commit:1.1`: `<commit><persist-id>` with the id. The device takes
 *   it only while a commit is pending under that id, so success means it was applied, and it is
 *   now confirmed: `committed`. Refused (invalid-value, operation-failed): nothing is pending
 *   under the id, so it was never applied, or was cancelled or rolled back: `not-committed`.
 *   Once the flow's own confirmation was sent (`after: 'confirm'`), a refusal can also mean it
 *   was confirmed: the device cannot tell.
 *
 * The candidate is locked while asking, so that the cut-off session is known to be gone (its
 * lock released: LOCK_DENIED, retryable, while it is not) and a confirmation commits nothing
 * else. Where the device cannot tell (no `:confirmed-commit:1.1`, a history that no longer
 * reaches back to the id, a confirmed commit that a later commit or its timeout settled) it
 * rejects with COMMIT_OUTCOME_UNKNOWN again: never a guess.
 */
export async function resolveCommitOutcome(
  session: Session,
  errorOrCommitId: CommitOutcomeUnknownError | string,
  options: ResolveCommitOptions = {},
): Promise<CommitOutcome> {
  const { dialect: asked, after: afterOption, ...rpc } = options;
  const error = typeof errorOrCommitId === 'string' ? null : errorOrCommitId;
  if (error !== null && !(error instanceof CommitOutcomeUnknownError)) {
    throw new ClientError('INVALID_ARGUMENT', 'resolveCommitOutcome takes a COMMIT_OUTCOME_UNKNOWN error or a commit id');
  }
  if (error !== null && error.commitId === null) throw new ClientError('INVALID_ARGUMENT', 'The error names no commit id: the write it comes from carried none', { cause: error });
  const commitId = checkCommitId(error === null ? errorOrCommitId : error.commitId);
  const after = afterOption ?? (error?.step === 'confirm' ? 'confirm' : 'commit');
  const cannotTell = (reason: string) =>
    new CommitOutcomeUnknownError(`The device cannot tell whether commit ${commitId} was applied: ${reason}`, { commitId, ...(error ? { cause: error } : {}) });

  const name = dialectName(session, asked);
  if (name === 'rfc' && !(session.capabilities.candidate && session.capabilities.has(CAPABILITY.confirmedCommit11))) {
    throw cannotTell('it does not advertise :candidate and :confirmed-commit:1.1, so it keeps no commit id');
  }
  const dialect = commitDialect(session, name);
  const locked = await dialect.holdOnly(rpc);
  try {
    const finding = await dialect.history(commitId, after, null, rpc);
    if (finding.outcome === 'unknown') throw cannotTell(finding.reason ?? 'its answer settles nothing');
    return { outcome: finding.outcome, commitId, evidence: finding.evidence };
  } finally {
    if (locked) await dialect.release(rpc).catch(() => undefined);
  }
}
