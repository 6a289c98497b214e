import { ClientError } from '../errors/classes.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type Datastore, type XmlContent, addContent, addDatastore, request, requireCapability, requireDatastore, serialise } from './build.js';

export const WITH_DEFAULTS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';

/** A subtree filter (XML content), or an XPath filter (needs `:xpath`). */
export type Filter = XmlContent | { xpath: string; namespaces?: Record<string, string> };
export type WithDefaults = 'report-all' | 'report-all-tagged' | 'trim' | 'explicit';

export interface ReadOptions extends Omit<RpcOptions, 'write'> {
  filter?: Filter;
  withDefaults?: WithDefaults;
}

export interface DataReply extends RpcReply {
  /** The inner XML of `<data>` (empty string when there is none). */
  data: string;
  /** `<data>` parsed by fast-xml-parser (local names, `@_` attributes, strings). */
  parsedData(): XmlObject;
}

/** RFC 6241 `<get-config>`. */
export async function getConfig(session: Session, source: Datastore, options: ReadOptions = {}): Promise<DataReply> {
  requireDatastore(session, source, 'get-config', false);
  const op = request('get-config');
  addDatastore(op, 'source', source);
  addFilter(session, op, options.filter, 'get-config');
  addWithDefaults(session, op, options.withDefaults);
  return withData(await session.rpc(serialise(op), options));
}

/** RFC 6241 `<get>`: state and configuration. */
export async function get(session: Session, options: ReadOptions = {}): Promise<DataReply> {
  const op = request('get');
  addFilter(session, op, options.filter, 'get');
  addWithDefaults(session, op, options.withDefaults);
  return withData(await session.rpc(serialise(op), options));
}

export interface EditConfigOptions extends Omit<RpcOptions, 'write'> {
  target?: Datastore;
  defaultOperation?: 'merge' | 'replace' | 'none';
  testOption?: 'test-then-set' | 'set' | 'test-only';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
}

/** RFC 6241 `<edit-config>` (target defaults to the candidate when the device has one). */
export async function editConfig(session: Session, config: XmlContent, options: EditConfigOptions = {}): Promise<RpcReply> {
  const target = options.target ?? (session.capabilities.candidate ? 'candidate' : 'running');
  requireDatastore(session, target, 'edit-config', true);
  const op = request('edit-config');
  addDatastore(op, 'target', target);
  if (options.defaultOperation) op.ele('default-operation').txt(options.defaultOperation);
  if (options.testOption) {
    requireCapability(session.capabilities.has('urn:ietf:params:netconf:capability:validate:1.1') || (options.testOption !== 'test-only' && session.capabilities.validate), ':validate:1.1', 'edit-config test-option');
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
  if (typeof source === 'object' && 'config' in source) addContent(op.ele('source').ele('config'), source.config);
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
export async function lock(session: Session, target: Datastore = 'candidate', options: RpcOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'lock', false);
  const op = request('lock');
  addDatastore(op, 'target', target);
  return session.rpc(serialise(op), options);
}

export async function unlock(session: Session, target: Datastore = 'candidate', options: RpcOptions = {}): Promise<RpcReply> {
  requireDatastore(session, target, 'unlock', false);
  const op = request('unlock');
  addDatastore(op, 'target', target);
  return session.rpc(serialise(op), options);
}

/** RFC 6241 `<validate>` of a datastore or of inline config (`:validate`). */
export async function validate(session: Session, source: Datastore | { config: XmlContent } = 'candidate', options: RpcOptions = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.validate, ':validate', 'validate');
  const op = request('validate');
  if (typeof source === 'object' && 'config' in source) addContent(op.ele('source').ele('config'), source.config);
  else {
    requireDatastore(session, source, 'validate', false);
    addDatastore(op, 'source', source);
  }
  return session.rpc(serialise(op), options);
}

export interface CommitOptions extends Omit<RpcOptions, 'write'> {
  /** A confirmed commit: rolled back unless confirmed within the timeout. */
  confirmed?: boolean;
  /** Seconds (RFC 6241 default 600). */
  confirmTimeoutSeconds?: number;
  /** Make the confirmed commit survive this session; confirm or cancel it with `persistId`. */
  persist?: string;
  /** Confirms (or, in cancelCommit, cancels) the commit made with that `persist` token. */
  persistId?: string;
}

/** RFC 6241 `<commit>`, confirmed commits included (`:confirmed-commit`, persist needs 1.1). */
export async function commit(session: Session, options: CommitOptions = {}): Promise<RpcReply> {
  const caps = session.capabilities;
  requireCapability(caps.candidate, ':candidate', 'commit');
  const op = request('commit');
  if (options.confirmed) {
    requireCapability(caps.confirmedCommit, ':confirmed-commit', 'a confirmed commit');
    op.ele('confirmed');
    if (options.confirmTimeoutSeconds !== undefined) op.ele('confirm-timeout').txt(String(positiveInteger(options.confirmTimeoutSeconds, 'confirmTimeoutSeconds')));
  }
  if (options.persist !== undefined || options.persistId !== undefined) {
    requireCapability(caps.has('urn:ietf:params:netconf:capability:confirmed-commit:1.1'), ':confirmed-commit:1.1', 'persist / persist-id');
  }
  if (options.persist !== undefined) {
    if (!options.confirmed) throw new ClientError('INVALID_ARGUMENT', 'persist only goes with a confirmed commit');
    op.ele('persist').txt(options.persist);
  }
  if (options.persistId !== undefined) op.ele('persist-id').txt(options.persistId);
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<cancel-commit>`: reverts a pending confirmed commit. */
export async function cancelCommit(session: Session, options: RpcOptions & { persistId?: string } = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.has('urn:ietf:params:netconf:capability:confirmed-commit:1.1'), ':confirmed-commit:1.1', 'cancel-commit');
  const op = request('cancel-commit');
  if (options.persistId !== undefined) op.ele('persist-id').txt(options.persistId);
  return session.rpc(serialise(op), { ...options, write: true });
}

/** RFC 6241 `<discard-changes>`: the candidate goes back to the running config. */
export async function discardChanges(session: Session, options: RpcOptions = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.candidate, ':candidate', 'discard-changes');
  return session.rpc(serialise(request('discard-changes')), options);
}

/** RFC 6241 `<kill-session>`. */
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
  const wd = session.capabilities.withDefaults;
  requireCapability(wd !== null, ':with-defaults', 'with-defaults');
  if (wd && wd.basicMode !== mode && !wd.alsoSupported.includes(mode)) {
    throw new ClientError('CAPABILITY_MISSING', `The device does not support with-defaults mode "${mode}" (basic mode ${wd.basicMode}, also ${wd.alsoSupported.join(', ') || 'none'})`);
  }
  op.ele('with-defaults', { xmlns: WITH_DEFAULTS_NS }).txt(mode);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new ClientError('INVALID_ARGUMENT', `${name} must be a positive integer, not ${value}`);
  return value;
}

/** Adds `data` (inner XML of `<data>`) to a reply. */
export function withData(reply: RpcReply): DataReply {
  const data = innerXml(reply.xml ?? '', 'data');
  return Object.assign(reply, {
    data,
    parsedData: () => parseXml(`<data>${data}</data>`).data as XmlObject,
  });
}

/** The inner XML of the first element with that local name (prefix allowed); '' if absent. */
export function innerXml(xml: string, local: string): string {
  const open = new RegExp(`<(?:([\\w.-]+):)?${local}(?=[\\s/>])[^>]*?(/?)>`).exec(xml);
  if (!open) return '';
  if (open[2] === '/') return '';
  const qname = open[1] ? `${open[1]}:${local}` : local;
  const start = open.index + open[0].length;
  const end = xml.lastIndexOf(`</${qname}>`);
  return end >= start ? xml.slice(start, end) : '';
}
