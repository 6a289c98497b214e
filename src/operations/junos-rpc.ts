import { ClientError, ProtocolError } from '../errors/classes.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type ElementSpan, childElements, innerOf, rootElement, textContent } from '../xml/query.js';
import { request, serialise } from './build.js';

/**
 * Junos RPCs by name, as PyEZ's `dev.rpc.<name>(**kwargs)`, and CLI commands through
 * `<command>`, as `dev.cli()`. Arguments become child elements: camelCase (or snake_case)
 * names hyphenated, `true` an empty element, `false`/`undefined` left out, an array one
 * element per value. The format is the RPC's `format` attribute; the result is typed by it.
 */

/** What Junos answers in: XML (parsed for you), text (`<output>`), or JSON. */
export type JunosRpcFormat = 'xml' | 'text' | 'json';

/** One argument: `true` is `<name/>`, text or a number is `<name>value</name>`, an array repeats the element; `false` and `undefined` are left out. */
export type JunosRpcArgument = boolean | string | number | readonly (string | number)[] | undefined;

/** Arguments by name (`interfaceName`, `interface_name` or `interface-name`). */
export type JunosRpcArguments = Record<string, JunosRpcArgument>;

/**
 * The arguments of the most used Junos RPCs, so that `junosRpc(s, 'get-interface-information', { terse: true })`
 * is checked. Any other RPC name takes any arguments.
 */
export interface JunosRpcArgumentsByName {
  'get-interface-information': {
    terse?: boolean; brief?: boolean; detail?: boolean; extensive?: boolean; media?: boolean; statistics?: boolean; descriptions?: boolean;
    interfaceName?: string; routingInstance?: string; snmpIndex?: number;
  };
  'get-route-information': {
    destination?: string; table?: string; protocol?: string; terse?: boolean; detail?: boolean; extensive?: boolean; brief?: boolean;
    active?: boolean; all?: boolean; bestPath?: boolean; exact?: boolean; longer?: boolean; receiveProtocolName?: string;
  };
  'get-software-information': { brief?: boolean; detail?: boolean; allMembers?: boolean; localRoutingEngine?: boolean };
  'get-chassis-inventory': { detail?: boolean; extensive?: boolean; models?: boolean };
  'get-route-engine-information': { slot?: number; bandwidth?: boolean };
  'get-system-uptime-information': Record<string, never>;
  'get-alarm-information': Record<string, never>;
  'get-system-alarm-information': Record<string, never>;
  'get-bgp-summary-information': { instance?: string; groupName?: string };
  'get-bgp-neighbor-information': { neighborAddress?: string; instance?: string };
  'get-ospf-neighbor-information': { instance?: string; detail?: boolean; extensive?: boolean; area?: string };
  'get-isis-adjacency-information': { instance?: string; detail?: boolean; brief?: boolean };
  'get-lldp-neighbors-information': { interfaceName?: string };
  'get-arp-table-information': { noResolve?: boolean; interface?: string; hostname?: string; vpn?: string };
  'get-ethernet-switching-table-information': { summary?: boolean; interfaceName?: string; vlanName?: string };
  'get-virtual-chassis-information': Record<string, never>;
  'get-chassis-cluster-status': { redundancyGroup?: number };
  'file-show': { filename: string; encoding?: 'base64' | 'ascii' };
  'file-list': { path?: string; detail?: boolean; recursive?: boolean };
}

/** Options of junosRpc and cli. */
export interface JunosRpcOptions<F extends JunosRpcFormat = JunosRpcFormat> extends Omit<RpcOptions, 'parse'> {
  /** Default `xml`. */
  format?: F;
  /** More attributes of the RPC element (PyEZ's `dev.rpc.x({...}, **kwargs)`), e.g. `{ 'junos:key': … }`. */
  attributes?: Record<string, string>;
}

/** An XML answer: the content of `<rpc-reply>` as text and parsed (local names; the CLI banner included when Junos sends one). */
export interface JunosXmlReply extends RpcReply {
  format: 'xml';
  /** The XML inside `<rpc-reply>`. */
  output: string;
  /** That content parsed: the reply's child elements by local name (`data['interface-information']`). */
  data: XmlObject;
}

/** A text answer: what the CLI prints. */
export interface JunosTextReply extends RpcReply {
  format: 'text';
  output: string;
}

/** A JSON answer, parsed. */
export interface JunosJsonReply extends RpcReply {
  format: 'json';
  /** The JSON text as sent. */
  output: string;
  data: unknown;
}

/** The result type for a format. */
export type JunosRpcResult<F extends JunosRpcFormat> = F extends 'text' ? JunosTextReply : F extends 'json' ? JunosJsonReply : JunosXmlReply;

/** The arguments `junosRpc` takes for an RPC name: the typed ones for a name in the table, else any. */
export type JunosRpcArgumentsFor<N extends string> = N extends keyof JunosRpcArgumentsByName ? JunosRpcArgumentsByName[N] : JunosRpcArguments;

/** Runs a Junos RPC by name with arguments (`dev.rpc.get_interface_information(terse=True)`). */
export function junosRpc<N extends string, F extends JunosRpcFormat = 'xml'>(
  session: Session, name: N, args?: JunosRpcArgumentsFor<N>, options?: JunosRpcOptions<F>): Promise<JunosRpcResult<F>>;
export async function junosRpc(session: Session, name: string, args: JunosRpcArguments | object = {}, options: JunosRpcOptions = {}): Promise<JunosXmlReply | JunosTextReply | JunosJsonReply> {
  const format = checkFormat(options.format);
  const op = request(elementName(name, 'RPC name'), { ...options.attributes, ...(format === 'xml' ? {} : { format }) });
  for (const [key, value] of Object.entries(args as JunosRpcArguments)) {
    const element = elementName(key, 'argument name');
    for (const v of values(key, value)) {
      if (v === true) op.ele(element);
      else op.ele(element).txt(String(v));
    }
  }
  return result(await session.rpc(serialise(op), rpcOptions(options)), format);
}

/** A CLI command through Junos' `<command>` (`dev.cli('show interfaces terse', format='text')`); default format `text`. */
export function cli<F extends JunosRpcFormat = 'text'>(session: Session, command: string, options?: JunosRpcOptions<F>): Promise<JunosRpcResult<F>>;
export async function cli(session: Session, command: string, options: JunosRpcOptions = {}): Promise<JunosXmlReply | JunosTextReply | JunosJsonReply> {
  const format = checkFormat(options.format ?? 'text');
  if (typeof command !== 'string' || command.trim() === '') throw new ClientError('INVALID_ARGUMENT', 'cli needs a command');
  const op = request('command', { ...options.attributes, format });
  op.txt(command.trim());
  return result(await session.rpc(serialise(op), rpcOptions(options)), format);
}

function rpcOptions(options: JunosRpcOptions): RpcOptions {
  const { format: _format, attributes: _attributes, ...rest } = options;
  return { ...rest, collect: true };
}

function checkFormat(format: unknown): JunosRpcFormat {
  if (format === undefined) return 'xml';
  if (format === 'xml' || format === 'text' || format === 'json') return format;
  throw new ClientError('INVALID_ARGUMENT', `format must be 'xml', 'text' or 'json', not ${JSON.stringify(format)}`);
}

/** `getInterfaceInformation`, `get_interface_information` and `get-interface-information` are one name. */
function elementName(name: string, what: string): string {
  const hyphenated = typeof name === 'string' ? name.replace(/_/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() : '';
  if (!/^[a-z][a-z0-9.-]*$/.test(hyphenated)) throw new ClientError('INVALID_ARGUMENT', `Not a Junos ${what}: ${JSON.stringify(name)}`);
  return hyphenated;
}

function values(key: string, value: JunosRpcArgument): (string | number | true)[] {
  if (value === undefined || value === false) return [];
  if (value === true || typeof value === 'string') return [value];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ClientError('INVALID_ARGUMENT', `Argument ${key} must be a finite number`);
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap((v) => values(key, v as JunosRpcArgument));
  throw new ClientError('INVALID_ARGUMENT', `Argument ${key} must be a boolean, a string, a number or an array of them`);
}

function result(reply: RpcReply, format: JunosRpcFormat): JunosXmlReply | JunosTextReply | JunosJsonReply {
  const xml = reply.xml ?? '';
  const root = rootElement(xml);
  if (format === 'text') return { ...reply, format, output: root ? textOutput(xml, root) : '' };
  if (format === 'json') {
    const output = (root ? textBesideBanner(xml, root) : '').trim();
    try {
      return { ...reply, format, output, data: output === '' ? null : JSON.parse(output) as unknown };
    } catch (err) {
      throw new ProtocolError('PROTOCOL_ERROR', `The device's JSON answer cannot be parsed: ${(err as Error).message}`, { cause: err });
    }
  }
  const parsed = parseXml(reply.xml ?? '<rpc-reply/>')['rpc-reply'];
  const data = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? withoutAttributes(parsed) : {};
  return { ...reply, format, output: innerOf(xml, root).trim(), data };
}

/** The text of the first element (`<output>`, `<configuration-text>`…), else of the whole content; the CLI banner left out. */
function textOutput(xml: string, root: ElementSpan): string {
  const first = childElements(xml, root).find((c) => c.tag.local !== 'cli');
  const text = first ? textContent(xml, first.contentStart, first.contentEnd === -1 ? xml.length : first.contentEnd) : textBesideBanner(xml, root);
  return text.replace(/^\n/, '').replace(/\n$/, '');
}

/** JSON comes as the reply's text: the text of everything in the reply but the `<cli>` banner. */
function textBesideBanner(xml: string, root: ElementSpan): string {
  const end = root.contentEnd === -1 ? xml.length : root.contentEnd;
  let out = '';
  let from = root.contentStart;
  for (const child of childElements(xml, root)) {
    if (child.tag.local !== 'cli') continue;
    out += textContent(xml, from, child.tag.start);
    from = child.end === -1 ? end : child.end;
  }
  return out + textContent(xml, from, end);
}

function withoutAttributes(obj: XmlObject): XmlObject {
  const out: XmlObject = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith('@_')) out[k] = v;
  return out;
}
