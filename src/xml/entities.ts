import { MalformedXmlError } from '../errors/classes.js';

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&([^;&\s]{0,32});/g;

/**
 * Decodes the five predefined entities and numeric character references. Anything else
 * (a named entity, which would need a DOCTYPE, or a bare `&`) is malformed: NETCONF forbids
 * document type declarations, so there is nothing else it could legally mean.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  let count = 0;
  const out = text.replace(REFERENCE, (_, name: string) => {
    count++;
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    if (name.startsWith('#')) return fromCodePoint(name);
    throw new MalformedXmlError(`Unknown entity &${name}; (only the five predefined entities and character references are allowed)`);
  });
  // A `&` that started no reference is left in `out`; count them in the input to catch it.
  if (countAmpersands(text) !== count) throw new MalformedXmlError('A bare "&" in text or an attribute value');
  return out;
}

function fromCodePoint(ref: string): string {
  const hex = ref[1] === 'x';
  const digits = ref.slice(hex ? 2 : 1);
  const valid = hex ? /^[0-9a-fA-F]{1,8}$/.test(digits) : /^[0-9]{1,10}$/.test(digits);
  const cp = valid ? Number.parseInt(digits, hex ? 16 : 10) : Number.NaN;
  if (!isXmlChar(cp)) throw new MalformedXmlError(`Invalid character reference &${ref};`);
  return String.fromCodePoint(cp);
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function countAmpersands(text: string): number {
  let n = 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) n++;
  return n;
}

/** XML line-end normalisation: CRLF and lone CR become LF (before entity decoding). */
export function normaliseLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Trims XML whitespace (space, tab, CR, LF) only, unlike String.prototype.trim. */
export function trimXml(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isXmlSpace(text.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Escapes text for an element's content or an attribute value in either quotes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
