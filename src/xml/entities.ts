import { MalformedXmlError } from '../errors/classes.js';

/**
 * Decodes the five predefined entities and numeric character references. Anything else
 * (a named entity, which would need a DOCTYPE, or a bare `&`) is malformed: NETCONF forbids
 * document type declarations, so there is nothing else it could legally mean. A reference is
 * `&`, up to 32 characters that are none of `;`, `&` or a space, then `;`; the first unknown
 * one is reported, else a bare `&`.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let from = 0;
  let bare = false;
  while (amp !== -1) {
    let k = amp + 1;
    const limit = Math.min(amp + 33, text.length);
    while (k < limit && !endsReference(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) === 0x3b) {
      out += text.slice(from, amp) + reference(text.slice(amp + 1, k));
      from = k + 1;
      amp = text.indexOf('&', from);
    } else {
      bare = true;
      amp = text.indexOf('&', amp + 1);
    }
  }
  if (bare) throw new MalformedXmlError('A bare "&" in text or an attribute value');
  return out + text.slice(from);
}

/** The text of the reference `&name;`. */
function reference(name: string): string {
  switch (name) {
    case 'lt': return '<';
    case 'gt': return '>';
    case 'amp': return '&';
    case 'quot': return '"';
    case 'apos': return "'";
  }
  if (name.startsWith('#')) return fromCodePoint(name);
  throw new MalformedXmlError(`Unknown entity &${name}; (only the five predefined entities and character references are allowed)`);
}

/** `;`, `&`, or what a regular expression's `\s` matches: none of these is in a reference's name. */
function endsReference(c: number): boolean {
  if (c > 0x26 && c < 0xa0) return c === 0x3b;
  return c === 0x26 || (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
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
