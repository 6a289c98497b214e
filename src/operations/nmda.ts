import { ClientError } from '../errors/classes.js';
import { ItemStream, type StreamItemsOptions } from '../session/item-stream.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { CAPABILITY, DATASTORES_NS, NMDA_NS, ORIGIN_NS } from '../xml/namespaces.js';
import { type XMLBuilder, type XmlContent, addContent, request, requireCapability, serialise } from './build.js';
import { type DataReply, type Filter, type ReadOptions, checkWithDefaults, withData } from './rfc6241.js';

/**
 * An identity of another module (a datastore or an origin beyond RFC 8342's), by its name and
 * its module's namespace: `{ identity: 'ephemeral', namespace: 'urn:example:ephemeral' }`.
 * Without `namespace` it is one of RFC 8342's own (ietf-datastores, ietf-origin).
 */
export interface IdentityRef {
  identity: string;
  namespace?: string;
}

/**
 * An NMDA datastore (RFC 8342): the conventional ones, `intended` and `operational` (both
 * read-only), or any other by its identity.
 */
export type NmdaDatastore = 'running' | 'candidate' | 'startup' | 'intended' | 'operational' | IdentityRef;

/** A datastore `editData` can write: `intended` and `operational` are read-only. */
export type WritableNmdaDatastore = Exclude<NmdaDatastore, 'intended' | 'operational'>;

/** An RFC 8342 origin (`or:intended`, …), or another module's identity derived from `or:origin`. */
export type Origin = 'intended' | 'dynamic' | 'system' | 'learned' | 'default' | 'unknown' | IdentityRef;

/** Options of `getData`: RFC 8526 `<get-data>`'s parameters, and the call options. */
export interface GetDataOptions extends ReadOptions {
  /** true: only `config true` nodes; false: only `config false` nodes; omitted: both. */
  configFilter?: boolean;
  /** Descendants deeper than this many levels below a selected node are left out (1…65535). */
  maxDepth?: number | 'unbounded';
  /** `operational` only: annotate each node with its `or:origin` (an `@_origin` attribute in `parseData`). */
  withOrigin?: boolean;
  /** `operational` only: just the nodes of these origins, or (`{ not }`) of any other origin. */
  originFilter?: readonly Origin[] | { not: readonly Origin[] };
}

/** A `getData` whose reply is streamed as items: its options and `path` (see `streamItems`). */
export type GetDataItemsOptions = Omit<GetDataOptions, 'streamTo' | 'collect' | 'parse'> & StreamItemsOptions;

/** Options of `editData`: RFC 8526 `<edit-data>`'s default-operation, and the call options. */
export interface EditDataOptions extends Omit<RpcOptions, 'write'> {
  defaultOperation?: 'merge' | 'replace' | 'none';
}

const CONVENTIONAL = new Set(['running', 'candidate', 'startup', 'intended', 'operational']);
const ORIGINS = new Set(['intended', 'dynamic', 'system', 'learned', 'default', 'unknown']);
const READ_ONLY = new Set(['intended', 'operational']);
// A YANG identifier (RFC 7950 section 6.2); an identity is one, optionally with a prefix.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * RFC 8526 `<get-data>` of an NMDA datastore. With `path` (`data/interfaces/interface`), the
 * reply's items one at a time instead: an ItemStream (see `streamItems`).
 */
export function getData(session: Session, datastore: NmdaDatastore, options: GetDataItemsOptions): ItemStream;
/** RFC 8526 `<get-data>`: the reply, with the inner XML of its `<data>`. */
export function getData(session: Session, datastore: NmdaDatastore, options?: GetDataOptions): Promise<DataReply>;
export function getData(session: Session, datastore: NmdaDatastore, options: GetDataOptions | GetDataItemsOptions = {}): Promise<DataReply> | ItemStream {
  const build = () => {
    requireNmda(session, 'get-data');
    const op = nmdaRequest('get-data', datastore);
    const operational = datastore === 'operational';
    const filter = options.filter;
    if (filter !== undefined) addDataFilter(session, op, filter);
    if (options.configFilter !== undefined) {
      if (typeof options.configFilter !== 'boolean') throw new ClientError('INVALID_ARGUMENT', `configFilter must be true or false, not ${String(options.configFilter)}`);
      op.ele('config-filter').txt(String(options.configFilter));
    }
    if (options.originFilter !== undefined) {
      onlyOperational(operational, 'originFilter');
      const negated = !Array.isArray(options.originFilter);
      const origins = negated ? (options.originFilter as { not: readonly Origin[] }).not : (options.originFilter as readonly Origin[]);
      if (!Array.isArray(origins) || origins.length === 0) throw new ClientError('INVALID_ARGUMENT', 'originFilter needs at least one origin');
      op.att('xmlns:or', ORIGIN_NS);
      for (const origin of origins) addIdentity(op.ele(negated ? 'negated-origin-filter' : 'origin-filter'), origin, 'or', ORIGINS, 'an origin');
    }
    if (options.maxDepth !== undefined) op.ele('max-depth').txt(maxDepth(options.maxDepth));
    if (options.withOrigin) {
      onlyOperational(operational, 'withOrigin');
      op.ele('with-origin');
    }
    if (options.withDefaults !== undefined) op.ele('with-defaults').txt(checkWithDefaults(session, options.withDefaults));
    return serialise(op);
  };
  if ('path' in options) return new ItemStream(session, build, options);
  return read(session, build, options);
}

async function read(session: Session, build: () => string, options: GetDataOptions): Promise<DataReply> {
  return withData(await session.rpc(build(), options));
}

/** RFC 8526 `<edit-data>`: `config` (or the config at `{ url }`, `:url`) into a writable NMDA datastore. */
export async function editData(session: Session, datastore: WritableNmdaDatastore, config: XmlContent | { url: string }, options: EditDataOptions = {}): Promise<RpcReply> {
  requireNmda(session, 'edit-data');
  if (typeof datastore === 'string' && READ_ONLY.has(datastore)) {
    throw new ClientError('INVALID_ARGUMENT', `edit-data cannot write the ${datastore} datastore: it is read-only (RFC 8342)`);
  }
  const op = nmdaRequest('edit-data', datastore);
  if (options.defaultOperation !== undefined) {
    if (!['merge', 'replace', 'none'].includes(options.defaultOperation)) {
      throw new ClientError('INVALID_ARGUMENT', `defaultOperation must be merge, replace or none, not ${JSON.stringify(options.defaultOperation)}`);
    }
    op.ele('default-operation').txt(options.defaultOperation);
  }
  if (typeof config === 'object' && config !== null && !Array.isArray(config) && typeof (config as { url?: unknown }).url === 'string' && Object.keys(config).length === 1) {
    requireCapability(session.capabilities.has(CAPABILITY.url), ':url', 'edit-data from a URL');
    op.ele('url').txt((config as { url: string }).url);
  } else {
    addContent(op.ele('config'), config as XmlContent, 'The config');
  }
  const { defaultOperation: _d, ...rpcOptions } = options;
  return session.rpc(serialise(op), { ...rpcOptions, write: true });
}

/**
 * RFC 6241 `<lock>` of a writable NMDA datastore, named as RFC 8526 augments `<lock>`: its
 * identity in `<target><datastore>`, so a datastore of another module can be locked too.
 */
export async function lockNmdaDatastore(session: Session, datastore: WritableNmdaDatastore, options: RpcOptions = {}): Promise<RpcReply> {
  return session.rpc(lockRequest(session, 'lock', datastore), options);
}

/** RFC 6241 `<unlock>` of a writable NMDA datastore (see lockNmdaDatastore). */
export async function unlockNmdaDatastore(session: Session, datastore: WritableNmdaDatastore, options: RpcOptions = {}): Promise<RpcReply> {
  return session.rpc(lockRequest(session, 'unlock', datastore), options);
}

/** `<lock><target><datastore xmlns="…nmda" xmlns:ds="…datastores">ds:…</datastore></target></lock>`. */
function lockRequest(session: Session, name: 'lock' | 'unlock', datastore: WritableNmdaDatastore): string {
  requireNmda(session, name);
  if (typeof datastore === 'string' && READ_ONLY.has(datastore)) {
    throw new ClientError('INVALID_ARGUMENT', `${name} cannot take the ${datastore} datastore: RFC 8526 locks writable datastores only`);
  }
  const op = request(name);
  addIdentity(op.ele('target').ele('datastore', { xmlns: NMDA_NS, 'xmlns:ds': DATASTORES_NS }), datastore, 'ds', CONVENTIONAL, 'a datastore');
  return serialise(op);
}

/** A device whose hello says it is not NMDA is refused before anything is sent; one that cannot tell is asked. */
function requireNmda(session: Session, operation: string): void {
  requireCapability(session.capabilities.nmda !== false, 'ietf-netconf-nmda (RFC 8526)', operation);
}

/** `<op xmlns="…nmda" xmlns:ds="…datastores"><datastore>ds:…</datastore>`. */
function nmdaRequest(name: string, datastore: NmdaDatastore): XMLBuilder {
  if (typeof datastore !== 'string' && (typeof datastore !== 'object' || datastore === null || !('identity' in datastore))) {
    // The old getData(session, options) lands here: say where RFC 6241 <get> went.
    const got = datastore === undefined ? 'nothing' : datastore === null ? 'null' : `a ${typeof datastore}`;
    throw new ClientError('INVALID_ARGUMENT', `${name} needs a datastore ('running', 'candidate', 'startup', 'intended', 'operational' or { identity }), not ${got} (RFC 6241 <get> is get(session, options))`);
  }
  const op = request(name, { 'xmlns:ds': DATASTORES_NS }, NMDA_NS);
  addIdentity(op.ele('datastore'), datastore, 'ds', CONVENTIONAL, 'a datastore');
  return op;
}

/**
 * Writes an identity as the text of `el`: one of RFC 8342's under the request's own prefix
 * (`ds`, `or`), another module's `{ identity, namespace }` under a prefix declared on `el`.
 */
function addIdentity(el: XMLBuilder, value: string | IdentityRef, prefix: string, known: ReadonlySet<string>, what: string): void {
  const ref = typeof value === 'string' ? { identity: value } : value;
  const id: unknown = typeof ref === 'object' && ref !== null ? ref.identity : undefined;
  const colon = typeof id === 'string' ? id.indexOf(':') : -1;
  const local = typeof id === 'string' ? id.slice(colon + 1) : '';
  const given = typeof id === 'string' && colon > 0 ? id.slice(0, colon) : null;
  if (!IDENTIFIER.test(local) || (given !== null && !IDENTIFIER.test(given))) {
    throw new ClientError('INVALID_ARGUMENT', `${what} must be a YANG identity name (optionally prefix:name), not ${JSON.stringify(id)}`);
  }
  const ns = ref.namespace;
  if (ns === undefined) {
    if (!known.has(local) || (given !== null && given !== prefix)) {
      throw new ClientError('INVALID_ARGUMENT', `${JSON.stringify(id)} is not ${what} of RFC 8342 (${[...known].join(', ')}); give another module's as { identity, namespace }`);
    }
    el.txt(`${prefix}:${local}`);
    return;
  }
  if (typeof ns !== 'string' || ns.trim() === '') throw new ClientError('INVALID_ARGUMENT', `the namespace of ${what} must be a non-empty string`);
  const p = given ?? 'x';
  el.att(`xmlns:${p}`, ns).txt(`${p}:${local}`);
}

function addDataFilter(session: Session, op: XMLBuilder, filter: Filter): void {
  if (typeof filter === 'object' && filter !== null && 'xpath' in filter && typeof filter.xpath === 'string') {
    requireCapability(session.capabilities.xpath, ':xpath', 'get-data with an XPath filter');
    const el = op.ele('xpath-filter');
    for (const [prefix, uri] of Object.entries(filter.namespaces ?? {})) el.att(`xmlns:${prefix}`, uri);
    el.txt(filter.xpath);
    return;
  }
  addContent(op.ele('subtree-filter'), filter as XmlContent, 'The filter');
}

function onlyOperational(operational: boolean, option: string): void {
  if (!operational) throw new ClientError('INVALID_ARGUMENT', `${option} applies to the operational datastore only (RFC 8526)`);
}

function maxDepth(value: number | 'unbounded'): string {
  if (value === 'unbounded') return value;
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ClientError('INVALID_ARGUMENT', `maxDepth must be an integer from 1 to 65535 or 'unbounded', not ${String(value)}`);
  return String(value);
}
