import { ClientError } from '../errors/classes.js';
import { replyContent } from '../session/reply-content.js';
import { ItemStream, type StreamItemsOptions } from '../session/item-stream.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { CAPABILITY, WITH_DEFAULTS_NS } from '../xml/namespaces.js';
import { innerXml } from '../xml/query.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type ConfirmedCommit, type Datastore, type XmlContent, addContent, addDatastore, request, requireCapability, requireDatastore, serialise } from './build.js';
import { checkCommitId, withCommitId } from './commit-id.js';
import { tolerantRpc } from './tolerant.js';


/** A subtree filter (XML content), or an XPath filter (needs `:xpath`). */
export type Filter = XmlContent | { xpath: string; namespaces?: Record<string, string> };
/** The RFC 6243 with-defaults retrieval modes. */
export type WithDefaults = 'report-all' | 'report-all-tagged' | 'trim' | 'explicit';

/** Options of the reads (get-config, get): a filter and the RFC 6243 with-defaults mode. */
export interface ReadOptions extends Omit<RpcOptions, 'write'> {
  filter?: Filter;
  withDefaults?: WithDefaults;
}

/** A reply that carries `<data>` (get-config, get). */
export interface DataReply extends RpcReply {
  /**
   * The inner XML of the reply's `<data>` (the root's own child, any prefix; empty string when
   * there is none or the reply was streamed). Part of `xml`: no second copy of the text.
   */
  data: string;
}

/** `<data>` of a reply parsed by fast-xml-parser (local names, `@_` attributes, strings), on demand. */
export function parseData(reply: Pick<DataReply, 'data'>): XmlObject {
  return parseXml(`<data>${reply.data}</data>`).data as XmlObject;
}

/** A read whose reply is streamed as items: the read's options and `path` (see `streamItems`). */
export type ReadItemsOptions = Omit<ReadOptions, 'streamTo' | 'collect' | 'parse'> & StreamItemsOptions;

/**
 * RFC 6241 `<get-config>`. With `path` (`data/interfaces/interface`), the reply's items one
 * at a time instead: an ItemStream (see `streamItems`).
 */
export function getConfig(session: Session, source: Datastore, options: ReadItemsOptions): ItemStream;
/** RFC 6241 `<get-config>`: the reply, with the inner XML of its `<data>`. */
export function getConfig(session: Session, source: Datastore, options?: ReadOptions): Promise<DataReply>;
export function getConfig(session: Session, source: Datastore, options: ReadOptions | ReadItemsOptions = {}): Promise<DataReply> | ItemStream {
  const build = () => {
    requireDatastore(session, source, 'get-config', false);
    const op = request('get-config');
    addDatastore(op, 'source', source);
    addFilter(session, op, options.filter, 'get-config');
    addWithDefaults(session, op, options.withDefaults);
    return serialise(op);
  };
  return 'path' in options ? new ItemStream(session, build, options) : read(session, build, options);
}

/** RFC 6241 `<get>`: state and configuration. With `path`, the reply's items one at a time (see getConfig). */
export function get(session: Session, options: ReadItemsOptions): ItemStream;
/** RFC 6241 `<get>`: the reply, with the inner XML of its `<data>`. */
export function get(session: Session, options?: ReadOptions): Promise<DataReply>;
export function get(session: Session, options: ReadOptions | ReadItemsOptions = {}): Promise<DataReply> | ItemStream {
  const build = () => {
    const op = request('get');
    addFilter(session, op, options.filter, 'get');
    addWithDefaults(session, op, options.withDefaults);
    return serialise(op);
  };
  return 'path' in options ? new ItemStream(session, build, options) : read(session, build, options);
}

async function read(session: Session, build: () => string, options: ReadOptions): Promise<DataReply> {
  return withData(await session.rpc(build(), options));
}

/** Options of `<edit-config>`: the RFC 6241 default-operation, test-option and error-option. */
export interface EditConfigOptions extends Omit<RpcOptions, 'write'> {
  defaultOperation?: 'merge' | 'replace' | 'none';
  testOption?: 'test-then-set' | 'set' | 'test-only';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
}

/** RFC 6241 `<edit-config>` of the `target` datastore (no default: a write names where it goes). */
export async function editConfig(session: Session, target: Datastore, config: XmlContent, options: EditConfigOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'edit-config', true);
  const op = request('edit-config');
  addDatastore(op, 'target', target);
  if (options.defaultOperation) op.ele('default-operation').txt(options.defaultOperation);
  if (options.testOption) {
    requireCapability(session.capabilities.has(CAPABILITY.validate11) || (options.testOption !== 'test-only' && session.capabilities.validate), ':validate:1.1', 'edit-config test-option');
    op.ele('test-option').txt(options.testOption);
  }
  if (options.errorOption) {
    if (options.errorOption === 'rollback-on-error') requireCapability(session.capabilities.rollbackOnError, ':rollback-on-error', 'edit-config error-option rollback-on-error');
    op.ele('error-option').txt(options.errorOption);
  }
  addContent(op.ele('config'), config);
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<copy-config>`; the source may also be inline config. */
export async function copyConfig(session: Session, target: Datastore, source: Datastore | { config: XmlContent }, options: RpcOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'copy-config', true);
  const op = request('copy-config');
  addDatastore(op, 'target', target);
  if (isInline(source)) addContent(op.ele('source').ele('config'), source.config);
  else {
    requireDatastore(session, source, 'copy-config', false);
    addDatastore(op, 'source', source);
  }
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<delete-config>` (never the running datastore). */
export async function deleteConfig(session: Session, target: Exclude<Datastore, 'running'>, options: RpcOptions = {}): Promise<RpcReply> {
  if ((target as Datastore) === 'running') throw new ClientError('INVALID_ARGUMENT', 'delete-config cannot target the running datastore');
  requireDatastore(session, target, 'delete-config', true);
  const op = request('delete-config');
  addDatastore(op, 'target', target);
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<lock>`. A `lock-denied` RpcError carries the holder's session-id. */
export async function lockDatastore(session: Session, target: Datastore, options: RpcOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'lock', false);
  const op = request('lock');
  addDatastore(op, 'target', target);
  return session.rpc(serialise(op), options);
}

/** RFC 6241 `<unlock>`. */
export async function unlockDatastore(session: Session, target: Datastore, options: RpcOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'unlock', false);
  const op = request('unlock');
  addDatastore(op, 'target', target);
  return session.rpc(serialise(op), options);
}

/** The reply of validateConfig. */
export interface ValidateReply extends RpcReply {
  /**
   * The reply was malformed the known Junos way (rfc-compliant releases leave `<routing-engine>`
   * unclosed in validate results) and was read up to that point; it carried no error (one that
   * did rejects with that error, typed). `messageId` and `xml` are empty then.
   */
  repaired: boolean;
}

/** RFC 6241 `<validate>` of a datastore or of inline config (`:validate`), with Junos' unclosed `<routing-engine>` read past (see `repaired`). */
export async function validateConfig(session: Session, source: Datastore | { config: XmlContent }, options: RpcOptions = {}): Promise<ValidateReply> {
  requireCapability(session.capabilities.validate, ':validate', 'validate');
  const op = request('validate');
  if (isInline(source)) addContent(op.ele('source').ele('config'), source.config);
  else {
    requireDatastore(session, source, 'validate', false);
    addDatastore(op, 'source', source);
  }
  const { reply, repaired } = await tolerantRpc(session, serialise(op), options);
  return { ...reply, repaired };
}

/** Options of the RFC 6241 `<commit>`. */
export interface CommitOptions extends Omit<RpcOptions, 'write'> {
  /** A confirmed commit: rolled back unless confirmed within `timeoutSeconds`. */
  confirmed?: ConfirmedCommit;
  /** Confirms (or, in cancelCommit, cancels) the commit made with that `persist` token. */
  persistId?: string;
  /**
   * The commit's id. An RFC device keeps one only as the persist token of a confirmed commit
   * (`:confirmed-commit:1.1`), so it needs `confirmed`, and is its `persist` (give one or the
   * other, or the same value). Default: the `persist` token, if any.
   */
  commitId?: string;
}

/** The reply of commitCandidate. */
export interface CommitReply extends RpcReply {
  /** The id the device keeps for this commit (the persist token); null when it keeps none. */
  commitId: string | null;
}

/**
 * RFC 6241 `<commit>` of the candidate, confirmed commits included (`:confirmed-commit`,
 * persist needs 1.1). A commit with a persist token cut off in flight is COMMIT_OUTCOME_UNKNOWN
 * naming it as its `commitId`.
 */
export async function commitCandidate(session: Session, options: CommitOptions = {}): Promise<CommitReply> {
  const caps = session.capabilities;
  requireCapability(caps.candidate, ':candidate', 'commit');
  const op = request('commit');
  const confirmed = options.confirmed;
  if (options.commitId !== undefined) {
    checkCommitId(options.commitId);
    if (!confirmed) throw new ClientError('INVALID_ARGUMENT', 'an RFC device keeps a commit id only as the persist token of a confirmed commit: commitId needs confirmed');
    if (confirmed.persist !== undefined && confirmed.persist !== options.commitId) throw new ClientError('INVALID_ARGUMENT', 'commitId and confirmed.persist differ: the persist token is the commit id');
  }
  const persist = confirmed?.persist ?? options.commitId;
  if (confirmed) {
    requireCapability(caps.confirmedCommit, ':confirmed-commit', 'a confirmed commit');
    op.ele('confirmed');
    op.ele('confirm-timeout').txt(String(positiveInteger(confirmed.timeoutSeconds, 'confirmed.timeoutSeconds')));
  }
  if (persist !== undefined || options.persistId !== undefined) {
    requireCapability(caps.has(CAPABILITY.confirmedCommit11), ':confirmed-commit:1.1', 'persist / persist-id');
  }
  if (persist !== undefined) op.ele('persist').txt(persist);
  if (options.persistId !== undefined) op.ele('persist-id').txt(options.persistId);
  const { confirmed: _c, persistId: _p, commitId: _id, ...rpcOptions } = options;
  const reply = await session.rpc(serialise(op), { ...rpcOptions, write: true }).catch((err: unknown) => {
    throw persist === undefined ? err : withCommitId(err, persist);
  });
  return { ...reply, commitId: persist ?? null };
}

/** RFC 6241 `<cancel-commit>`: reverts a pending confirmed commit. */
export async function cancelCommit(session: Session, options: RpcOptions & { persistId?: string } = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.has(CAPABILITY.confirmedCommit11), ':confirmed-commit:1.1', 'cancel-commit');
  const op = request('cancel-commit');
  if (options.persistId !== undefined) op.ele('persist-id').txt(options.persistId);
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<discard-changes>`: the candidate goes back to the running config. */
export async function discardChanges(session: Session, options: RpcOptions = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.candidate, ':candidate', 'discard-changes');
  return session.rpc(serialise(request('discard-changes')), options);
}

/** RFC 6241 `<kill-session>`: ends another session, e.g. the holder of a lock. */
export async function killSession(session: Session, sessionId: number, options: RpcOptions = {}): Promise<RpcReply> {
  const op = request('kill-session');
  op.ele('session-id').txt(String(positiveInteger(sessionId, 'sessionId')));
  return session.rpc(serialise(op), options);
}

/** RFC 6241 `<close-session>` and teardown: the same as `session.close()`. */
export function closeSession(session: Session): Promise<void> {
  return session.close();
}

function addFilter(session: Session, op: ReturnType<typeof request>, filter: Filter | undefined, operation: string): void {
  if (filter === undefined) return;
  if (typeof filter === 'object' && filter !== null && 'xpath' in filter && typeof filter.xpath === 'string') {
    requireCapability(session.capabilities.xpath, ':xpath', `${operation} with an XPath filter`);
    const attrs: Record<string, string> = { type: 'xpath', select: filter.xpath };
    for (const [prefix, uri] of Object.entries(filter.namespaces ?? {})) attrs[`xmlns:${prefix}`] = uri;
    op.ele('filter', attrs);
    return;
  }
  addContent(op.ele('filter', { type: 'subtree' }), filter as XmlContent);
}

function addWithDefaults(session: Session, op: ReturnType<typeof request>, mode: WithDefaults | undefined): void {
  if (mode === undefined) return;
  op.ele('with-defaults', { xmlns: WITH_DEFAULTS_NS }).txt(checkWithDefaults(session, mode));
}

/** The with-defaults mode, once the device is known to support it (`:with-defaults`, and that mode). */
export function checkWithDefaults(session: Session, mode: WithDefaults): WithDefaults {
  const wd = session.capabilities.withDefaults;
  requireCapability(wd !== null, ':with-defaults', 'with-defaults');
  if (wd && wd.basicMode !== mode && !wd.alsoSupported.includes(mode)) {
    throw new ClientError('CAPABILITY_MISSING', `The device does not support with-defaults mode "${mode}" (basic mode ${wd.basicMode}, also ${wd.alsoSupported.join(', ') || 'none'})`);
  }
  return mode;
}

/** Inline `{ config }` content rather than a datastore. */
function isInline(source: unknown): source is { config: XmlContent } {
  return typeof source === 'object' && source !== null && 'config' in source;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new ClientError('INVALID_ARGUMENT', `${name} must be a positive integer, not ${value}`);
  return value;
}

/** The reply with `data` (inner XML of `<data>`) added; the reply itself is left as it is. */
export function withData(reply: RpcReply): DataReply {
  return { ...reply, data: childXml(reply, 'data') };
}

/**
 * The inner XML of the reply's `<data>` or `<configuration>` (`local`): the reader's cut of the
 * root's own child, which shares the reply's text, else found in the text.
 */
export function childXml(reply: RpcReply, local: 'data' | 'configuration'): string {
  return replyContent(reply, local) ?? innerXml(reply.xml ?? '', local);
}
