import { decodeEntities } from '../xml/entities.js';
import { ErrorExtractor } from '../xml/extractor.js';

/**
 * Just enough reading of what a client sends: the root element, its message-id and the local
 * name of its first child. Well-formedness (and the no-DOCTYPE rule) is checked by the
 * project's own streaming scanner, so the fake device rejects exactly what netconfkit would.
 */

export type ParsedMessage =
  | { ok: true; root: string; messageId: string | null; operation: string }
  | { ok: false; reason: string };

export function parseMessage(bytes: Buffer): ParsedMessage {
  const extractor = new ErrorExtractor();
  let root: string;
  let messageId: string | null;
  try {
    extractor.push(bytes);
    const summary = extractor.end();
    if (!summary.root) return { ok: false, reason: 'The message holds no XML element' };
    root = summary.root.local;
    messageId = summary.messageId;
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, root, messageId, operation: firstChildName(bytes.toString('utf8')) };
}

/** Capability URIs listed in a `<hello>` (any prefix), entities decoded, trimmed. */
export function helloCapabilities(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<(?:[^\s<>/:]+:)?capability\s*>([^<]*)<\//g)) {
    try {
      out.push(decodeEntities(m[1]!).trim());
    } catch {
      // A capability with a bad entity cannot be base:1.x: it only matters for negotiation.
    }
  }
  return out;
}

/** The text of the first element with this local name (any prefix), trimmed; null when absent. */
export function elementText(xml: string, localName: string): string | null {
  const m = new RegExp(`<(?:[^\\s<>/:]+:)?${localName}(?:\\s[^>]*)?>([^<]*)<\\/`).exec(xml);
  return m ? m[1]!.trim() : null;
}

/** Local name of the first element inside `<parent>` (any prefix), e.g. the datastore of `<target>`. */
export function firstChildOf(xml: string, parent: string): string | null {
  const m = new RegExp(`<(?:[^\\s<>/:]+:)?${parent}(?:\\s[^>]*)?>\\s*<([^\\s/>!?]+)`).exec(xml);
  return m ? localName(m[1]!) : null;
}

/**
 * Local name of the root's first child element, or '' when the root has none. Only called on
 * well-formed input, so comments, CDATA and processing instructions are simply skipped over.
 */
function firstChildName(xml: string): string {
  let depth = 0;
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) return '';
    if (xml.startsWith('<!--', lt)) i = skipPast(xml, '-->', lt);
    else if (xml.startsWith('<![CDATA[', lt)) i = skipPast(xml, ']]>', lt);
    else if (xml.startsWith('<?', lt)) i = skipPast(xml, '?>', lt);
    else if (xml[lt + 1] === '/') return ''; // the root closed before any child
    else {
      const name = /[^\s/>]+/y;
      name.lastIndex = lt + 1;
      const found = name.exec(xml)?.[0] ?? '';
      if (depth === 1) return localName(found);
      const end = tagEnd(xml, lt);
      if (xml[end - 1] === '/') return ''; // a self-closing root
      depth = 1;
      i = end + 1;
    }
  }
}

function skipPast(xml: string, terminator: string, from: number): number {
  const at = xml.indexOf(terminator, from);
  return at < 0 ? xml.length : at + terminator.length;
}

/** Index of the `>` that ends the tag starting at `lt`, stepping over quoted attribute values. */
function tagEnd(xml: string, lt: number): number {
  let quote = '';
  for (let k = lt + 1; k < xml.length; k++) {
    const c = xml[k];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k;
  }
  return xml.length;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}
