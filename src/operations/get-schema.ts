import { ClientError } from '../errors/classes.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { NETCONF_MONITORING_NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse-data.js';
import { request, serialise } from './build.js';
import { childXml } from './rfc6241.js';
import { cachedEntry, entryName } from './schema-cache.js';

/** What `getSchema` asks for: a module, which revision and format (RFC 6022 section 3.1). */
export interface GetSchemaOptions extends Omit<RpcOptions, 'write' | 'streamTo' | 'collect'> {
  /** The module (or submodule) name. */
  identifier: string;
  /** The revision (`2023-01-01`); omitted: the device's choice. */
  version?: string;
  /** `yang` (default on most devices), `yin`, `xsd`, `rng`, `rnc`. */
  format?: string;
}

/** `getSchema` through a cache directory. */
export interface CachedSchemaOptions extends GetSchemaOptions {
  /**
   * A directory of module sources (created if missing): a module, revision and format found
   * there is read, never fetched again; one fetched is written there as `name@revision.format`
   * (`name.format` without `version`: give `version` whenever the module has revisions). Files
   * appear whole, and processes sharing the directory fetch each entry once between them.
   * Only YANG identifiers, dates and format names make file names: anything else is
   * INVALID_ARGUMENT, so a name from a device cannot reach outside the directory.
   */
  schemaCache: string;
}

/** A `<get-schema>` reply with the schema read out of its `<data>`. */
export interface SchemaReply extends RpcReply {
  /**
   * The schema: its text for the text formats (YANG: entities decoded, CDATA unwrapped), the
   * inner XML of `<data>` for the XML ones (YIN).
   */
  schema: string;
}

/** A schema from the cache directory, or fetched into it now. */
export interface CachedSchema {
  /** The module text, as in `SchemaReply.schema`. */
  schema: string;
  /** Its file in the cache directory. */
  path: string;
  /** Fetched from the device by this call (false: read from the directory). */
  downloaded: boolean;
}

/**
 * RFC 6022 `<get-schema>` through a cache directory: the module text from the directory when
 * it holds that module, revision and format, else from the device (once, written there).
 */
export function getSchema(session: Session, options: CachedSchemaOptions): Promise<CachedSchema>;
/**
 * RFC 6022 `<get-schema>`: a module's source as the device holds it. The schema is read from
 * the reply's `<data>` whatever namespace it is in: the monitoring one as the RFC has it, the
 * base one, or none (Junos, by mode).
 */
export function getSchema(session: Session, options: GetSchemaOptions): Promise<SchemaReply>;
export async function getSchema(session: Session, options: GetSchemaOptions | CachedSchemaOptions): Promise<SchemaReply | CachedSchema> {
  if (typeof options !== 'object' || options === null || typeof options.identifier !== 'string' || options.identifier === '') {
    throw new ClientError('INVALID_ARGUMENT', 'getSchema needs { identifier }: the name of a module');
  }
  if (!('schemaCache' in options) || options.schemaCache === undefined) return fetchSchema(session, options);
  const { schemaCache, ...rest } = options;
  if (typeof schemaCache !== 'string' || schemaCache === '') throw new ClientError('INVALID_ARGUMENT', 'schemaCache must be a directory path');
  const name = entryName(rest.identifier, rest.version, rest.format ?? 'yang');
  return cachedEntry(schemaCache, name, async () => (await fetchSchema(session, rest)).schema, rest.signal);
}

async function fetchSchema(session: Session, options: GetSchemaOptions): Promise<SchemaReply> {
  const { identifier, version, format, ...rpcOptions } = options;
  const op = request('get-schema', undefined, NETCONF_MONITORING_NS);
  op.ele('identifier').txt(identifier);
  if (version !== undefined) op.ele('version').txt(version);
  if (format !== undefined) op.ele('format').txt(format);
  const reply = await session.rpc(serialise(op), rpcOptions);
  const inner = childXml(reply, 'data');
  const parsed = parseXml(`<data>${inner}</data>`).data;
  return { ...reply, schema: typeof parsed === 'string' ? parsed : inner };
}
