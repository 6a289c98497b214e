import { decodeEntities } from '../xml/entities.js';
import { attributes, findElement, innerOf as innerXmlOf, textContent } from '../xml/query.js';

/**
 * Just enough reading of Junos requests: an element's attributes, whether it is present, its
 * inner XML and its text, each of the first element with a local name (any prefix).
 */

/** Whether an element with this local name (any prefix) occurs. */
export function hasElement(xml: string, local: string): boolean {
  return findElement(xml, local) !== null;
}

/** The attributes of the first element with this local name, entities decoded; null when absent. */
export function attributesOf(xml: string, local: string): Record<string, string> | null {
  const span = findElement(xml, local);
  if (!span) return null;
  const attrs: Record<string, string> = {};
  for (const a of attributes(xml, span.tag)) attrs[a.name] = safeDecode(xml.slice(a.valueStart, a.valueEnd));
  return attrs;
}

/** The inner XML of the first element with this local name ('' when empty), or null when absent. */
export function innerOf(xml: string, local: string): string | null {
  const span = findElement(xml, local);
  return span ? innerXmlOf(xml, span) : null;
}

/**
 * The text of the first element with this local name: CDATA kept, entities decoded, markup
 * dropped (its inner XML as written when an entity cannot be decoded); null when absent.
 */
export function textOf(xml: string, local: string): string | null {
  const span = findElement(xml, local);
  if (!span) return null;
  const end = span.contentEnd === -1 ? span.contentStart : span.contentEnd;
  try {
    return textContent(xml, span.contentStart, end);
  } catch {
    return innerXmlOf(xml, span);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeEntities(text);
  } catch {
    return text;
  }
}
