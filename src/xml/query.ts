import { decodeEntities, normaliseLineEnds } from './entities.js';

/**
 * Questions about XML text already in hand (a kept reply, a recorded request, a notification),
 * answered by reading its tags: the first element with a local name, its inner XML or text,
 * the root's start tag and where its attributes lie. Comments, CDATA sections and processing
 * instructions are stepped over, never mistaken for elements; quotes in attribute values are
 * respected. Tolerant: it reads what it can of broken text (a message that failed to parse,
 * a capture cut off) and never throws. Nothing here checks well-formedness: the reader and
 * fast-xml-parser do that.
 */

/** A start or end tag, with the offsets of its `<` and of the character after its `>`. */
export interface Tag {
  kind: 'start' | 'end';
  /** The qualified name as written (`nc:rpc-reply`). */
  name: string;
  local: string;
  start: number;
  end: number;
  /** `<name/>`: the element has no content and no end tag. */
  selfClosing: boolean;
}

/** An element found in the text: its start tag and where its content and end tag lie. */
export interface ElementSpan {
  tag: Tag;
  /** Nesting depth of the element: 0 for a top-level element (the root). */
  depth: number;
  /** Offset of the first character after the start tag. */
  contentStart: number;
  /** Offset of the end tag's `<` (`contentStart` for `<name/>`); -1 when the text ends before it. */
  contentEnd: number;
  /** Offset of the first character after the end tag; -1 when the text ends before it. */
  end: number;
}

/** An attribute of a start tag: its name, and where its value lies between the quotes. */
export interface AttributeSpan {
  name: string;
  /** Offset of the opening quote. */
  quoteStart: number;
  /** Offset of the first character of the value. */
  valueStart: number;
  /** Offset of the closing quote. */
  valueEnd: number;
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, DQUOTE = 0x22, SQUOTE = 0x27;

/** The next start or end tag at or after `from`, or null; markup that is not a tag is stepped over. */
export function nextTag(xml: string, from = 0): Tag | null {
  let at = xml.indexOf('<', from);
  while (at !== -1) {
    const skipTo = skipNonTag(xml, at);
    if (skipTo === -1) return null;
    if (skipTo > at) {
      at = xml.indexOf('<', skipTo);
      continue;
    }
    const isEnd = xml.charCodeAt(at + 1) === SLASH;
    const nameStart = isEnd ? at + 2 : at + 1;
    let k = nameStart;
    while (k < xml.length && !endsName(xml.charCodeAt(k))) k++;
    if (k === nameStart) {
      // A "<" that opens no tag (broken text): look further.
      at = xml.indexOf('<', at + 1);
      continue;
    }
    const close = tagEnd(xml, k);
    if (close < 0) {
      // Broken text: the tag never ends, or another "<" comes first (look on from there).
      if (close === -1) return null;
      at = interruptedAt(close);
      continue;
    }
    const name = xml.slice(nameStart, k);
    const colon = name.indexOf(':');
    return {
      kind: isEnd ? 'end' : 'start', name, local: colon === -1 ? name : name.slice(colon + 1),
      start: at, end: close + 1, selfClosing: !isEnd && xml.charCodeAt(close - 1) === SLASH,
    };
  }
  return null;
}

/** The first start tag at or after `from` (a stray end tag before it is passed by), or null. */
export function firstStartTag(xml: string, from = 0): Tag | null {
  let tag = nextTag(xml, from);
  while (tag && tag.kind === 'end') tag = nextTag(xml, tag.end);
  return tag;
}

/** The start tag of the first child element of the element that `parent` opens, or null when it has none. */
export function firstChildTag(xml: string, parent: Tag): Tag | null {
  if (parent.kind !== 'start' || parent.selfClosing) return null;
  const tag = nextTag(xml, parent.end);
  return tag && tag.kind === 'start' ? tag : null;
}

/**
 * The first element, in document order from `from`, whose local name is `local` (any prefix),
 * and where it ends. Null when there is none.
 */
export function findElement(xml: string, local: string, from = 0): ElementSpan | null {
  let depth = 0;
  for (let tag = nextTag(xml, from); tag; tag = nextTag(xml, tag.end)) {
    if (tag.kind === 'end') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (tag.local === local) return spanOf(xml, tag, depth, matchingEndTag(xml, tag));
    if (!tag.selfClosing) depth++;
  }
  return null;
}

/** The child elements of an element, in order (none when it is empty or never closed). */
export function childElements(xml: string, parent: ElementSpan): ElementSpan[] {
  const out: ElementSpan[] = [];
  if (parent.contentEnd === -1) return out;
  for (let tag = nextTag(xml, parent.contentStart); tag && tag.start < parent.contentEnd;) {
    if (tag.kind === 'end') break;
    const span = spanOf(xml, tag, parent.depth + 1, matchingEndTag(xml, tag));
    out.push(span);
    if (span.end === -1) break;
    tag = nextTag(xml, span.end);
  }
  return out;
}

/** Every element with this local name that is not inside another of them, in document order. */
export function findAll(xml: string, local: string): ElementSpan[] {
  const out: ElementSpan[] = [];
  for (let span = findElement(xml, local); span; span = span.end === -1 ? null : findElement(xml, local, span.end)) out.push(span);
  return out;
}

/**
 * The root element of a document (one root, as a NETCONF message has), or null. It ends at
 * the document's last end tag of its name, found from the end: a reply of many megabytes is
 * not walked tag by tag to find where its root closes.
 */
export function rootElement(xml: string): ElementSpan | null {
  const tag = nextTag(xml);
  if (!tag || tag.kind !== 'start') return null;
  if (tag.selfClosing) return spanOf(xml, tag, 0, null);
  const at = xml.lastIndexOf(`</${tag.name}`);
  const close = at < tag.end ? null : nextTag(xml, at);
  return spanOf(xml, tag, 0, close && close.start === at && close.kind === 'end' && close.name === tag.name ? close : null);
}

/** The inner XML of an element as written; '' when there is none, or it is empty or never closed. */
export function innerOf(xml: string, span: ElementSpan | null): string {
  return span && span.contentEnd !== -1 ? xml.slice(span.contentStart, span.contentEnd) : '';
}

/** The inner XML of the first element with this local name (see innerOf). */
export function innerXml(xml: string, local: string): string {
  return innerOf(xml, findElement(xml, local));
}

/** The trimmed text of the first element with this local name (entities decoded, markup dropped), or null when absent. */
export function elementText(xml: string, local: string): string | null {
  const span = findElement(xml, local);
  return span ? textContent(xml, span.contentStart, span.contentEnd === -1 ? xml.length : span.contentEnd).trim() : null;
}

/**
 * The character data between two offsets: text with its entities decoded and line ends
 * normalised, CDATA sections as they are; tags, comments and processing instructions dropped.
 */
export function textContent(xml: string, from = 0, to = xml.length): string {
  let out = '';
  let k = from;
  while (k < to) {
    const lt = xml.indexOf('<', k);
    const textEnd = lt === -1 || lt > to ? to : lt;
    if (textEnd > k) out += decodeEntities(normaliseLineEnds(xml.slice(k, textEnd)));
    if (textEnd === to) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      const cdataEnd = close === -1 || close > to ? to : close;
      out += normaliseLineEnds(xml.slice(lt + 9, cdataEnd));
      k = cdataEnd + 3;
      continue;
    }
    const skipTo = skipNonTag(xml, lt);
    if (skipTo > lt) {
      k = skipTo;
      continue;
    }
    const close = skipTo === -1 ? -1 : tagEnd(xml, lt + 1);
    if (close === -1) break;
    k = close < 0 ? interruptedAt(close) : close + 1;
  }
  return out;
}

/** The attributes of a start tag, in order, with where each value lies. */
export function attributes(xml: string, tag: Tag): AttributeSpan[] {
  const out: AttributeSpan[] = [];
  let k = tag.start + 1 + tag.name.length;
  const stop = tag.end - 1;
  while (k < stop) {
    while (k < stop && (isSpace(xml.charCodeAt(k)) || xml.charCodeAt(k) === SLASH)) k++;
    const nameStart = k;
    while (k < stop && xml[k] !== '=' && !isSpace(xml.charCodeAt(k))) k++;
    const name = xml.slice(nameStart, k);
    while (k < stop && isSpace(xml.charCodeAt(k))) k++;
    if (xml[k] !== '=') break;
    k++;
    while (k < stop && isSpace(xml.charCodeAt(k))) k++;
    const quote = xml.charCodeAt(k);
    if (quote !== DQUOTE && quote !== SQUOTE) break;
    const close = xml.indexOf(xml[k]!, k + 1);
    if (close === -1 || close > stop) break;
    out.push({ name, quoteStart: k, valueStart: k + 1, valueEnd: close });
    k = close + 1;
  }
  return out;
}

/** The text without a leading XML declaration (`<?xml …?>`) and the white space around it. */
export function withoutXmlDeclaration(xml: string): string {
  let k = 0;
  while (k < xml.length && isSpace(xml.charCodeAt(k))) k++;
  if (!xml.startsWith('<?xml', k) || !isSpaceOrEnd(xml, k + 5)) return xml;
  const close = xml.indexOf('?>', k + 5);
  if (close === -1) return xml;
  k = close + 2;
  while (k < xml.length && isSpace(xml.charCodeAt(k))) k++;
  return xml.slice(k);
}

function spanOf(xml: string, tag: Tag, depth: number, close: Tag | null): ElementSpan {
  if (tag.selfClosing) return { tag, depth, contentStart: tag.end, contentEnd: tag.end, end: tag.end };
  return { tag, depth, contentStart: tag.end, contentEnd: close ? close.start : -1, end: close ? close.end : -1 };
}

/** The end tag that brings the nesting back to the start tag's level. */
function matchingEndTag(xml: string, open: Tag): Tag | null {
  if (open.selfClosing) return null;
  let depth = 0;
  for (let tag = nextTag(xml, open.end); tag; tag = nextTag(xml, tag.end)) {
    if (tag.kind === 'start') {
      if (!tag.selfClosing) depth++;
    } else if (depth === 0) return tag;
    else depth--;
  }
  return null;
}

/**
 * At a `<`: where a comment, CDATA section, processing instruction or declaration ends (the
 * offset after it), `at` itself for a tag, -1 when the text ends inside it.
 */
function skipNonTag(xml: string, at: number): number {
  const c = xml.charCodeAt(at + 1);
  if (c === 0x21 /* ! */) {
    if (xml.startsWith('<!--', at)) return endOf(xml, '-->', at + 4);
    if (xml.startsWith('<![CDATA[', at)) return endOf(xml, ']]>', at + 9);
    return endOf(xml, '>', at + 2);
  }
  if (c === 0x3f /* ? */) return endOf(xml, '?>', at + 2);
  return at;
}

function endOf(xml: string, marker: string, from: number): number {
  const i = xml.indexOf(marker, from);
  return i === -1 ? -1 : i + marker.length;
}

/**
 * The offset of the `>` that ends a tag whose name ends at `from`, quotes in attribute values
 * respected. -1 when the text ends first; when a `<` comes first (broken text, as `<` cannot be
 * in a tag), a value below -1 that `interruptedAt` turns into that `<`'s offset.
 */
function tagEnd(xml: string, from: number): number {
  for (let k = from; k < xml.length; k++) {
    const c = xml.charCodeAt(k);
    if (c === GT) return k;
    if (c === LT) return -2 - k;
    if (c === DQUOTE || c === SQUOTE) {
      const close = xml.indexOf(xml[k]!, k + 1);
      const lt = xml.indexOf('<', k + 1);
      if (lt !== -1 && (close === -1 || lt < close)) return -2 - lt;
      if (close === -1) return -1;
      k = close;
    }
  }
  return -1;
}

function interruptedAt(code: number): number {
  return -2 - code;
}

function endsName(c: number): boolean {
  return c === GT || c === SLASH || c === LT || isSpace(c);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isSpaceOrEnd(xml: string, k: number): boolean {
  return k >= xml.length || isSpace(xml.charCodeAt(k)) || xml.startsWith('?>', k);
}
