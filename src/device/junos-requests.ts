import { decodeEntities } from '../xml/entities.js';

/**
 * Just enough reading of Junos requests: an element's attributes, whether it is present, its
 * inner XML and its text. The device only reads requests the client library wrote (or a test
 * did), already checked as well-formed, so patterns do.
 */

function startTag(local: string): RegExp {
  return new RegExp(`<(?:([\\w.-]+):)?${local}(?=[\\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>`);
}

/** Whether an element with this local name (any prefix) occurs. */
export function hasElement(xml: string, local: string): boolean {
  return startTag(local).test(xml);
}

/** The attributes of the first element with this local name, entities decoded; null when absent. */
export function attributesOf(xml: string, local: string): Record<string, string> | null {
  const m = startTag(local).exec(xml);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  for (const a of (m[2] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[a[1]!] = safeDecode(a[2] ?? a[3] ?? '');
  }
  return attrs;
}

/** The inner XML of the first element with this local name ('' when empty), or null when absent. */
export function innerOf(xml: string, local: string): string | null {
  const m = startTag(local).exec(xml);
  if (!m) return null;
  if (m[3] === '/') return '';
  const qname = m[1] ? `${m[1]}:${local}` : local;
  const start = m.index + m[0].length;
  const end = xml.lastIndexOf(`</${qname}`);
  return end >= start ? xml.slice(start, end) : '';
}

/** The text of the first element with this local name: CDATA kept, entities decoded, markup dropped; null when absent. */
export function textOf(xml: string, local: string): string | null {
  const inner = innerOf(xml, local);
  if (inner === null) return null;
  let out = '';
  for (const part of inner.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)) {
    out += part.startsWith('<![CDATA[') ? part.slice(9, -3) : safeDecode(part.replace(/<[^>]*>/g, ''));
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeEntities(text);
  } catch {
    return text;
  }
}
