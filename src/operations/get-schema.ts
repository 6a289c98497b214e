import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { NETCONF_MONITORING_NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse-data.js';
import { request, serialise } from './build.js';
import { childXml } from './rfc6241.js';

/** Options of `getSchema`: which revision and format (RFC 6022 section 3.1). */
export interface GetSchemaOptions extends Omit<RpcOptions, 'write'> {
  /** The revision (`2023-01-01`); omitted: the device's choice. */
  version?: string;
  /** `yang` (default on most devices), `yin`, `xsd`, `rng`, `rnc`. */
  format?: string;
}

/** A `<get-schema>` reply with the schema read out of its `<data>`. */
export interface SchemaReply extends RpcReply {
  /**
   * The schema: its text for the text formats (YANG: entities decoded, CDATA unwrapped), the
   * inner XML of `<data>` for the XML ones (YIN).
   */
  schema: string;
}

/**
 * RFC 6022 `<get-schema>`: a module's source as the device holds it. The schema is read from
 * the reply's `<data>` whatever namespace it is in: the monitoring one as the RFC has it, the
 * base one, or none (Junos, by mode).
 */
export async function getSchema(session: Session, identifier: string, options: GetSchemaOptions = {}): Promise<SchemaReply> {
  const op = request('get-schema', undefined, NETCONF_MONITORING_NS);
  op.ele('identifier').txt(identifier);
  if (options.version !== undefined) op.ele('version').txt(options.version);
  if (options.format !== undefined) op.ele('format').txt(options.format);
  const { version: _version, format: _format, ...rpcOptions } = options;
  const reply = await session.rpc(serialise(op), rpcOptions);
  const inner = childXml(reply, 'data');
  const parsed = parseXml(`<data>${inner}</data>`).data;
  return { ...reply, schema: typeof parsed === 'string' ? parsed : inner };
}
