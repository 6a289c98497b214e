import { ErrorExtractor } from '../xml/extractor.js';
import { findAll, findElement, firstChildTag, firstStartTag, textContent } from '../xml/query.js';

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
  const xml = bytes.toString('utf8');
  const rootTag = firstStartTag(xml);
  return { ok: true, root, messageId, operation: (rootTag && firstChildTag(xml, rootTag)?.local) ?? '' };
}

/** Capability URIs listed in a `<hello>` (any prefix), entities decoded, trimmed. */
export function helloCapabilities(xml: string): string[] {
  const out: string[] = [];
  for (const span of findAll(xml, 'capability')) {
    if (span.contentEnd === -1) continue;
    try {
      out.push(textContent(xml, span.contentStart, span.contentEnd).trim());
    } catch {
      // A capability with a bad entity cannot be base:1.x: it only matters for negotiation.
    }
  }
  return out;
}

/** Local name of the first element inside `<parent>` (any prefix), e.g. the datastore of `<target>`. */
export function firstChildOf(xml: string, parent: string): string | null {
  const span = findElement(xml, parent);
  return (span && firstChildTag(xml, span.tag)?.local) ?? null;
}
