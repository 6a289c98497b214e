import { randomBytes } from 'node:crypto';
import { ClientError, CommitOutcomeUnknownError } from '../errors/classes.js';

/**
 * Commit ids: the name a commit leaves on the device, so that a commit whose reply never came
 * can be looked up afterwards. Junos keeps it in the commit's log (readable from the commit
 * history); an RFC 6241 device with `:confirmed-commit:1.1` as the persist token.
 */

/** A fresh commit id: `nck-` and 16 random hex digits. */
export function newCommitId(): string {
  return `nck-${randomBytes(8).toString('hex')}`;
}

/**
 * A caller's commit id, checked: 1 to 64 letters, digits, `.`, `_`, `:` or `-`, so it reads the
 * same in a log, a persist token and an error message, and is found again exactly.
 */
export function checkCommitId(id: unknown): string {
  if (typeof id === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(id)) return id;
  const got = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : typeof id;
  throw new ClientError('INVALID_ARGUMENT', `commitId must be 1-64 letters, digits, ".", "_", ":" or "-", not ${got}`);
}

/**
 * What a Junos commit is to the commit id it names: that commit (`commit`; `confirmed` when it
 * was a confirmed commit), its confirmation (`confirm`) or its revert (`revert`).
 */
export type CommitLogKind = 'commit' | 'confirmed' | 'confirm' | 'revert';

const KINDS: readonly string[] = ['confirmed', 'confirm', 'revert'];

/**
 * The Junos `<log>` of a commit: the caller's comment, then the id in brackets, with the kind
 * unless it is a plain commit: `change 42 [nck-…]`, `[nck-… confirm]`.
 */
export function commitLog(id: string, kind: CommitLogKind = 'commit', comment?: string): string {
  const mark = kind === 'commit' ? `[${id}]` : `[${id} ${kind}]`;
  return comment === undefined || comment === '' ? mark : `${comment} ${mark}`;
}

/** The id and kind a log written by `commitLog` ends with; null for any other log. */
export function parseCommitLog(log: string | null): { id: string; kind: CommitLogKind } | null {
  if (log === null) return null;
  const text = log.trim();
  if (!text.endsWith(']')) return null;
  const open = text.lastIndexOf('[');
  if (open === -1) return null;
  const [id, kind, ...rest] = text.slice(open + 1, -1).split(' ');
  if (rest.length > 0 || id === undefined || !/^[A-Za-z0-9._:-]{1,64}$/.test(id)) return null;
  if (kind === undefined) return { id, kind: 'commit' };
  return KINDS.includes(kind) ? { id, kind: kind as CommitLogKind } : null;
}

/** The same cut-off error naming the commit; any other error as it is. */
export function withCommitId(error: unknown, commitId: string): unknown {
  if (!(error instanceof CommitOutcomeUnknownError) || error.commitId === commitId) return error;
  return new CommitOutcomeUnknownError(error.message, { cause: error.cause, step: error.step, commitId });
}
