import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { type XmlObject, type XmlValue, parseXml, textOf } from '../xml/parse-data.js';
import { type CommitLogKind, parseCommitLog } from './commit-id.js';
import { request, serialise } from './build.js';

/** One commit of the Junos commit history (`show system commit`), newest first. */
export interface CommitHistoryEntry {
  /** 0 for the newest commit (the running configuration), then 1, 2, … (the rollback numbers). */
  sequence: number;
  /** The user who committed. */
  user: string | null;
  /** How it was made: `cli`, `netconf`, `junoscript`, `other` (an automatic rollback), … */
  client: string | null;
  /** The time as the device prints it. */
  dateTime: string | null;
  /** The same time in seconds since the epoch (`junos:seconds`), when the device sent it. */
  seconds: number | null;
  /** The device's own note: `commit confirmed, rollback in 10mins` on a confirmed commit. */
  comment: string | null;
  /** `<commit-confirmed>`: `rollback pending` on a confirmed commit still waiting for its confirmation. */
  commitConfirmed: string | null;
  /** The commit's `<log>`: the caller's comment, with the commit id netconfkit adds. */
  log: string | null;
  /** The commit id in the log (as netconfkit writes it), else null. */
  commitId: string | null;
  /** What the commit did to the commit it names: `commit` (it is that commit), `confirm` or `revert`. */
  kind: CommitLogKind | null;
}

/** The reply of getCommitHistory. */
export interface CommitHistoryReply extends RpcReply {
  /** Newest first. */
  entries: CommitHistoryEntry[];
}

/** Junos `<get-commit-information/>`: the commit history (up to 50 entries), newest first. */
export async function getCommitHistory(session: Session, options: Omit<RpcOptions, 'write'> = {}): Promise<CommitHistoryReply> {
  const reply = await session.rpc(serialise(request('get-commit-information')), options);
  return { ...reply, entries: historyEntries(reply.xml) };
}

/**
 * The confirmed commit still waiting for its confirmation, or null: the newest entry, marked
 * `<commit-confirmed>rollback pending</commit-confirmed>`, or noted `commit confirmed, rollback
 * in Nmins` (the note stays on the entry, but a confirmation or a rollback at the timeout is a
 * newer commit, so only the newest can be pending).
 */
export function pendingConfirmation(entries: readonly CommitHistoryEntry[]): CommitHistoryEntry | null {
  const newest = entries.find((e) => e.sequence === 0) ?? null;
  if (!newest) return null;
  return newest.commitConfirmed !== null || newest.comment?.startsWith('commit confirmed, rollback in') ? newest : null;
}

function historyEntries(xml: string | null): CommitHistoryEntry[] {
  if (!xml) return [];
  const doc = parseXml(xml, { arrays: ['commit-history'] });
  const info = child(child(doc, 'rpc-reply'), 'commit-information');
  const list = info?.['commit-history'];
  const items = list === undefined ? [] : Array.isArray(list) ? list : [list];
  return items
    .filter((item): item is XmlObject => typeof item === 'object' && !Array.isArray(item))
    .map((item, index): CommitHistoryEntry => {
      const log = textOf(item.log);
      const named = parseCommitLog(log);
      const date = item['date-time'];
      const seconds = typeof date === 'object' && !Array.isArray(date) ? Number(textOf(date['@_seconds'])) : NaN;
      return {
        // The device's numbering; its order in the reply (newest first) when it sent none.
        sequence: /^\d+$/.test(textOf(item['sequence-number']) ?? '') ? Number(textOf(item['sequence-number'])) : index,
        user: textOf(item.user),
        client: textOf(item.client),
        dateTime: textOf(date),
        seconds: Number.isFinite(seconds) ? seconds : null,
        comment: textOf(item.comment),
        commitConfirmed: textOf(item['commit-confirmed']),
        log,
        commitId: named?.id ?? null,
        kind: named?.kind ?? null,
      };
    })
    .sort((a, b) => a.sequence - b.sequence);
}

function child(obj: XmlValue | null | undefined, name: string): XmlObject | null {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const found = obj[name];
  if (found === undefined || typeof found === 'string') return found === '' ? {} : null;
  return Array.isArray(found) ? ((found[0] as XmlObject | undefined) ?? null) : found;
}
