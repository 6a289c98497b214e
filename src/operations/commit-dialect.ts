import { ClientError } from '../errors/classes.js';
import { RpcError } from '../errors/device-error.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { CAPABILITY, JUNOS_CAPABILITY } from '../xml/namespaces.js';
import type { ConfirmedCommit, XmlContent } from './build.js';
import { commitLog, newCommitId } from './commit-id.js';
import {
  type JunosFormat, type LoadAction, closeConfiguration, commitConfigurationAs, diffConfiguration, loadConfiguration,
  openConfiguration, rollback,
} from './junos.js';
import { type CommitHistoryEntry, getCommitHistory, pendingConfirmation } from './junos-history.js';
import { cancelCommit, commitCandidate, discardChanges, editConfig, lockDatastore, unlockDatastore, validateConfig } from './rfc6241.js';

/** What to do with a confirmed commit found pending on the device when the flow starts. */
export type PendingConfirmedPolicy = 'refuse' | 'confirm' | 'cancel';

/** How long an RFC commit made confirmed only to carry its id stays unconfirmed at most (RFC 6241's default timeout). */
export const ID_CONFIRM_SECONDS = 600;

/**
 * What the device says about a commit id:
 * - `committed`: applied, and in effect (confirmed, or made unconfirmed only when `pending`);
 * - `not-committed`: not applied, or undone (cancelled, reverted, rolled back at its timeout);
 * - `unknown`: the device cannot tell.
 */
export interface Finding {
  outcome: 'committed' | 'not-committed' | 'unknown';
  /** Applied and still waiting for its confirmation (only when asked to keep it so). */
  pending: boolean;
  evidence: CommitEvidence;
  /** Why the device cannot tell, for `unknown`. */
  reason?: string;
}

/** The Junos evidence: the history entry of the commit, and every entry that names its id. */
export interface JunosCommitEvidence {
  dialect: 'junos';
  /** The entry of the commit itself; null when the history has none. */
  entry: CommitHistoryEntry | null;
  /** Every entry naming the id (the commit, its confirmation, its revert), newest first. */
  entries: CommitHistoryEntry[];
}

/**
 * The RFC evidence: the device's answer to `<commit>` with `<persist-id>` (the id), which
 * confirms a commit pending under that id (or, kept pending, a follow-up confirmed commit that
 * extends it): the reply when the device took it, its error when there was none to confirm.
 */
export interface RfcCommitEvidence {
  dialect: 'rfc';
  reply: RpcReply | null;
  error: RpcError | null;
}

/** What the device said about a commit id: the Junos history entries, or the RFC persist-id answer. */
export type CommitEvidence = JunosCommitEvidence | RfcCommitEvidence;

/** What the flow loads and how, as far as the dialect needs it. */
export interface DialectOptions {
  format?: JunosFormat;
  action?: LoadAction;
  isolation?: 'lock' | 'private' | 'exclusive';
  validate?: boolean;
  pendingConfirmed?: PendingConfirmedPolicy;
  pendingPersistId?: string;
}

/**
 * One way of doing each step of the commit flow: the Junos XML API or RFC 6241. The flow picks
 * one at the start and goes through it in a straight line.
 */
export interface CommitDialect {
  readonly name: 'junos' | 'rfc';
  /** Whether the device can say afterwards whether a commit with an id was applied. */
  readonly keepsCommitIds: boolean;
  /** Whether the flow's commit must be a confirmed commit to leave its id (RFC: as the persist token). */
  readonly confirmsEveryCommit: boolean;
  /** Takes the candidate (lock, or a Junos database), after dealing with a pending confirmed commit. */
  hold(o: RpcOptions): Promise<RpcReply>;
  /** Takes the candidate without looking for a pending commit: to resolve a commit, which may itself be pending. */
  holdOnly(o: RpcOptions): Promise<boolean>;
  load(config: XmlContent, o: RpcOptions): Promise<RpcReply>;
  /** null when nothing checks the candidate (RFC without `:validate`, or turned off). */
  readonly check: ((o: RpcOptions) => Promise<RpcReply>) | null;
  /** null where the device gives no diff. */
  readonly diff: ((o: RpcOptions) => Promise<string>) | null;
  /** The commit, carrying its id; confirmed when asked, or when the dialect needs it for the id. */
  commit(id: string, comment: string | undefined, confirmed: ConfirmedCommit | undefined, o: RpcOptions): Promise<RpcReply>;
  /** Confirms the confirmed commit `id`. */
  confirm(id: string, o: RpcOptions): Promise<RpcReply>;
  /** Undoes the confirmed commit `id` now; false when the device has no way to (RFC without 1.1). */
  revert(id: string, o: RpcOptions): Promise<boolean>;
  discard(o: RpcOptions): Promise<unknown>;
  release(o: RpcOptions): Promise<RpcReply>;
  /**
   * Asks the device about the commit `id`. `after` is the last step the commit's flow sent (its
   * `confirm` may have landed); `keep` leaves a commit found pending unconfirmed (for `seconds`
   * more on RFC), else it is confirmed.
   */
  history(id: string, after: 'commit' | 'confirm', keep: { seconds: number } | null, o: RpcOptions): Promise<Finding>;
}

/** The dialect the session speaks: as asked, else Junos when the device advertises it. */
export function dialectName(session: Session, asked?: 'junos' | 'rfc'): 'junos' | 'rfc' {
  return asked ?? (session.capabilities.has(JUNOS_CAPABILITY) ? 'junos' : 'rfc');
}

/** The dialect for a session; invalid combinations fail here, before any step. */
export function commitDialect(session: Session, name: 'junos' | 'rfc', options: DialectOptions = {}): CommitDialect {
  const isolation = options.isolation ?? 'lock';
  if (name === 'junos') return junosDialect(session, isolation, options);
  if (isolation !== 'lock') throw new ClientError('INVALID_ARGUMENT', `isolation "${isolation}" needs the Junos dialect`);
  if (!session.capabilities.candidate) throw new ClientError('CAPABILITY_MISSING', 'the commit flow needs the :candidate capability');
  return rfcDialect(session, options);
}

function junosDialect(session: Session, isolation: 'lock' | 'private' | 'exclusive', options: DialectOptions): CommitDialect {
  // A private or exclusive database is opened and closed; anything else is locked.
  const database = isolation !== 'lock';
  const holdOnly = async (o: RpcOptions) => {
    await (database ? openConfiguration(session, isolation, o) : lockDatastore(session, 'candidate', o));
    return true;
  };
  const commitAs = (id: string, kind: 'confirm' | 'revert', o: RpcOptions) => commitConfigurationAs(session, { ...o }, commitLog(id, kind), newCommitId());
  const revert = async (id: string, o: RpcOptions) => {
    await rollback(session, 1, o);
    await commitAs(id, 'revert', o);
    return true;
  };
  return {
    name: 'junos',
    keepsCommitIds: true,
    confirmsEveryCommit: false,
    holdOnly,
    async hold(o) {
      const reply = await (database ? openConfiguration(session, isolation, o) : lockDatastore(session, 'candidate', o));
      // A device that keeps no commit history (it refuses the request) shows nothing pending.
      const history = await getCommitHistory(session, o).catch((err: unknown) => {
        if (err instanceof RpcError) return null;
        throw err;
      });
      const pending = history && pendingConfirmation(history.entries);
      if (pending) {
        const policy = options.pendingConfirmed ?? 'refuse';
        const what = `A confirmed commit is pending on the device (${describeEntry(pending)})`;
        if (policy === 'refuse') {
          await (database ? closeConfiguration(session, o) : unlockDatastore(session, 'candidate', o)).catch(() => undefined);
          throw new ClientError('CONFIRMED_COMMIT_PENDING', `${what}: confirm or cancel it first, or say what to do with it (pendingConfirmed)`);
        }
        const id = pending.commitId ?? newCommitId();
        if (policy === 'confirm') await commitAs(id, 'confirm', o);
        else await revert(id, o);
      }
      return reply;
    },
    load: (config, o) => loadConfiguration(session, config, { ...o, ...(options.format ? { format: options.format } : {}), ...(options.action ? { action: options.action } : {}) }),
    check: (o) => commitConfigurationAs(session, { ...o, check: true }, undefined, null),
    diff: async (o) => (await diffConfiguration(session, 0, o)).diff,
    commit: (id, comment, confirmed, o) =>
      commitConfigurationAs(session, { ...o, ...(confirmed ? { confirmed } : {}) }, commitLog(id, confirmed ? 'confirmed' : 'commit', comment), id),
    confirm: (id, o) => commitAs(id, 'confirm', o),
    revert,
    // The candidate back to the committed configuration.
    discard: (o) => rollback(session, 0, o),
    release: (o) => (database ? closeConfiguration(session, o) : unlockDatastore(session, 'candidate', o)),
    async history(id, _after, keep, o) {
      const { entries } = await getCommitHistory(session, o);
      return junosFinding(entries, id, keep !== null, () => commitAs(id, 'confirm', o));
    },
  };
}

/**
 * The Junos history read for one id. Every commit the flow makes names its id in the log: the
 * commit (`[id]`, `[id confirmed]` for a confirmed one), its confirmation (`[id confirm]`) and
 * its revert (`[id revert]`).
 */
async function junosFinding(entries: CommitHistoryEntry[], id: string, keep: boolean, confirm: () => Promise<unknown>): Promise<Finding> {
  const named = entries.filter((e) => e.commitId === id);
  const entry = named.find((e) => e.kind === 'commit' || e.kind === 'confirmed') ?? null;
  const evidence: JunosCommitEvidence = { dialect: 'junos', entry, entries: named };
  const unknown = (reason: string): Finding => ({ outcome: 'unknown', pending: false, evidence, reason });
  if (!entry) {
    // Junos keeps 50 commits: an id older than the oldest is not "never applied".
    if (entries.length >= 50) return unknown('the commit history is full and does not reach back to it');
    return { outcome: 'not-committed', pending: false, evidence };
  }
  if (named.some((e) => e.kind === 'revert')) return { outcome: 'not-committed', pending: false, evidence };
  if (pendingConfirmation(entries) === entry) {
    if (keep) return { outcome: 'committed', pending: true, evidence };
    await confirm();
    return { outcome: 'committed', pending: false, evidence };
  }
  if (entry.kind === 'commit' || named.some((e) => e.kind === 'confirm')) return { outcome: 'committed', pending: false, evidence };
  // A confirmed commit no longer pending, without a confirmation of its own: the newest commit
  // was confirmed (a rollback at its timeout is a newer commit); an older one may have been
  // confirmed by a later commit, or rolled back at its timeout.
  if (entry.sequence === 0) return { outcome: 'committed', pending: false, evidence };
  return unknown('it was a confirmed commit, no longer pending, that later commits may have confirmed or its timeout rolled back');
}

function rfcDialect(session: Session, options: DialectOptions): CommitDialect {
  const caps = session.capabilities;
  const persists = caps.has(CAPABILITY.confirmedCommit11);
  const holdOnly = async (o: RpcOptions) => {
    try {
      await lockDatastore(session, 'candidate', o);
      return true;
    } catch (err) {
      // A device may refuse the lock while a confirmed commit is pending (netconfd does, in-use):
      // resolving that commit goes on without it.
      if (err instanceof RpcError && err.code === 'IN_USE') return false;
      throw err;
    }
  };
  const confirmById = (id: string, o: RpcOptions) => commitCandidate(session, { ...o, persistId: id });
  return {
    name: 'rfc',
    keepsCommitIds: persists,
    confirmsEveryCommit: persists,
    holdOnly,
    async hold(o) {
      try {
        return await lockDatastore(session, 'candidate', o);
      } catch (err) {
        if (!(err instanceof RpcError) || err.code !== 'IN_USE' || !persists || !(await rfcPending(session, o))) throw err;
        const policy = options.pendingConfirmed ?? 'refuse';
        const what = 'A confirmed commit is pending on the device (the candidate lock is refused while it is)';
        if (policy === 'refuse') throw new ClientError('CONFIRMED_COMMIT_PENDING', `${what}: confirm or cancel it first, or say what to do with it (pendingConfirmed, pendingPersistId)`, { cause: err });
        if (options.pendingPersistId === undefined) throw new ClientError('CONFIRMED_COMMIT_PENDING', `${what}; to ${policy} it, give its persist token as pendingPersistId`, { cause: err });
        await (policy === 'confirm' ? confirmById(options.pendingPersistId, o) : cancelCommit(session, { ...o, persistId: options.pendingPersistId }));
        return lockDatastore(session, 'candidate', o);
      }
    },
    load: (config, o) => editConfig(session, 'candidate', config, o),
    check: options.validate ?? caps.validate ? (o) => validateConfig(session, 'candidate', o) : null,
    diff: null,
    // With 1.1 the commit is confirmed, its persist token the id, so that any session can ask for it.
    commit: (id, _comment, confirmed, o) =>
      persists
        ? commitCandidate(session, { ...o, confirmed: { timeoutSeconds: confirmed?.timeoutSeconds ?? ID_CONFIRM_SECONDS }, commitId: id })
        : commitCandidate(session, { ...o, ...(confirmed ? { confirmed } : {}) }),
    confirm: (id, o) => (persists ? confirmById(id, o) : commitCandidate(session, o)),
    async revert(id, o) {
      if (!persists) return false;
      await cancelCommit(session, { ...o, persistId: id });
      return true;
    },
    discard: (o) => discardChanges(session, o),
    release: (o) => unlockDatastore(session, 'candidate', o),
    async history(id, after, keep, o) {
      if (!persists) {
        return { outcome: 'unknown', pending: false, evidence: { dialect: 'rfc', reply: null, error: null }, reason: 'the device does not advertise :confirmed-commit:1.1, so it keeps no commit id' };
      }
      try {
        // A commit pending under the id: confirm it, or extend it under the same token.
        const reply = keep
          ? await commitCandidate(session, { ...o, confirmed: { timeoutSeconds: keep.seconds }, commitId: id, persistId: id })
          : await confirmById(id, o);
        return { outcome: 'committed', pending: keep !== null, evidence: { dialect: 'rfc', reply, error: null } };
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        const evidence: RfcCommitEvidence = { dialect: 'rfc', reply: null, error: err };
        // Nothing pending under the id. Before its confirmation was sent, that means it was never
        // applied, or was rolled back or cancelled; once it was sent, it may also have been confirmed.
        if (after === 'confirm') return { outcome: 'unknown', pending: false, evidence, reason: 'no commit is pending under its id, and its confirmation, already sent, may have landed' };
        return { outcome: 'not-committed', pending: false, evidence };
      }
    },
  };
}

/**
 * Whether a persisted confirmed commit is pending, asked without touching it: `<cancel-commit>`
 * with a fresh persist-id can cancel nothing, and the device answers invalid-value when a commit
 * is pending under another token.
 */
async function rfcPending(session: Session, o: RpcOptions): Promise<boolean> {
  try {
    await cancelCommit(session, { ...o, persistId: newCommitId() });
    return false;
  } catch (err) {
    if (err instanceof RpcError) return err.code === 'INVALID_VALUE';
    throw err;
  }
}

function describeEntry(e: CommitHistoryEntry): string {
  const who = [e.user && `by ${e.user}`, e.client && `via ${e.client}`, e.dateTime && `at ${e.dateTime}`].filter(Boolean).join(' ');
  return [e.comment, who, e.log && `log "${e.log}"`].filter(Boolean).join(', ');
}
