import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { MalformedXmlError } from '../errors/classes.js';
import { decodeEntities } from './entities.js';

/** Parsed XML: text, an element as an object, or repeated elements as an array. */
export type XmlValue = string | XmlObject | XmlValue[];
/** A parsed element: children by local name, attributes as `@_name`. */
export interface XmlObject {
  [name: string]: XmlValue;
}

/** How reply data is parsed into objects. */
export interface ParseOptions {
  /** Element names (local) that are always arrays, e.g. YANG list names. */
  arrays?: readonly string[];
  /** Keep namespace prefixes (default: removed, as most callers want local names). */
  keepPrefixes?: boolean;
}

// Decodes only the five predefined entities and character references, and refuses any
// entity a DOCTYPE would declare: the parser never reaches its DOCTYPE machinery.
const entityDecoder = {
  setExternalEntities(): void {},
  addInputEntities(entities: Record<string, unknown>): void {
    if (entities && Object.keys(entities).length > 0) throw new MalformedXmlError('Entity declarations are not allowed');
  },
  reset(): void {},
  setXmlVersion(): void {},
  decode(text: string): string {
    return decodeEntities(text);
  },
};

/** Element names (local) that are always arrays in parsed data. */
export const ALWAYS_ARRAYS: ReadonlySet<string> = new Set(['rpc-error', 'capability', 'routing-engine', 'multi-routing-engine-item']);
const parsers = new Map<string, XMLParser>();

function parserFor(options: ParseOptions): XMLParser {
  const key = `${options.keepPrefixes ? 1 : 0}|${(options.arrays ?? []).join(',')}`;
  let parser = parsers.get(key);
  if (!parser) {
    const arrays = new Set([...ALWAYS_ARRAYS, ...(options.arrays ?? [])]);
    const config: Partial<X2jOptions> & Record<string, unknown> = {
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      removeNSPrefix: !options.keepPrefixes,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      processEntities: true,
      htmlEntities: false,
      entityDecoder,
      isArray: (name: string) => arrays.has(name.includes(':') ? name.slice(name.indexOf(':') + 1) : name),
    };
    parser = new XMLParser(config as X2jOptions);
    if (parsers.size > 32) parsers.clear();
    parsers.set(key, parser);
  }
  return parser;
}

/**
 * Parses reply data (`<data>`, `<configuration>`, a whole reply) into plain objects with
 * fast-xml-parser: local names, attributes as `@_name`, text kept as strings (never numbers).
 * A DOCTYPE or entity declaration is refused with MALFORMED_XML.
 */
export function parseXml(xml: string, options: ParseOptions = {}): XmlObject {
  if (declaresDoctype(xml)) throw new MalformedXmlError('DOCTYPE and entity declarations are not allowed in NETCONF messages');
  try {
    return parserFor(options).parse(xml) as XmlObject;
  } catch (err) {
    if (err instanceof MalformedXmlError) throw err;
    throw new MalformedXmlError(`Cannot parse XML: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether `<!DOCTYPE` or `<!ENTITY` appears anywhere (any case, in a comment too: refused, not read). */
function declaresDoctype(xml: string): boolean {
  for (let at = xml.indexOf('<!'); at !== -1; at = xml.indexOf('<!', at + 2)) {
    if (xml.slice(at + 2, at + 9).toUpperCase() === 'DOCTYPE' || xml.slice(at + 2, at + 8).toUpperCase() === 'ENTITY') return true;
  }
  return false;
}

/** The trimmed text of a parsed element (a string, or an object's `#text`); null when absent. */
export function textOf(value: XmlValue | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value.trim();
  if (!Array.isArray(value) && typeof value['#text'] === 'string') return value['#text'].trim();
  return '';
}
