import { MalformedXmlError } from '../errors/classes.js';
import { decodeEntities } from './entities.js';
import { ALWAYS_ARRAYS, type ParseOptions, type XmlObject, type XmlValue } from './parse-data.js';

// Names fast-xml-parser refuses, and names it renames with a "__" prefix (they shadow Object.prototype).
const REFUSED = new Set(['__proto__', 'constructor', 'prototype']);
const RENAMED = new Set(['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

interface Frame {
  key: string;
  /** Children by key, in the order they first appeared (null until the first one). */
  children: XmlObject | null;
  text: string;
  attributes: [string, string][] | null;
}

/**
 * One element, already checked well-formed (the streaming extractor cut it out of a reply),
 * parsed into the shape `parseData` gives for it: what fast-xml-parser makes of the element
 * with the project's options (local names, `@_` attributes, strings, each text run trimmed,
 * `#text` beside children, repeated and always-array names as arrays). Written for the
 * element-at-a-time stream: a loop over the text, no recursion, no DOCTYPE, no entities but
 * the five predefined ones and character references.
 */
export function parseItem(bytes: Buffer, options: ParseOptions = {}): XmlValue {
  const xml = bytes.toString('utf8');
  const keep = options.keepPrefixes === true;
  const arrays = options.arrays && options.arrays.length > 0 ? new Set([...ALWAYS_ARRAYS, ...options.arrays]) : ALWAYS_ARRAYS;
  const stack: Frame[] = [];
  let result: XmlValue | undefined;
  // A run of text goes on across comments (as fast-xml-parser reads it); a tag, CDATA or PI ends it.
  let run = '';
  const endRun = () => {
    if (run !== '' && stack.length > 0) addText(stack[stack.length - 1]!, run, true);
    run = '';
  };
  let i = 0;
  const len = xml.length;
  while (i < len) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? len : lt;
    if (textEnd > i) run += xml.slice(i, textEnd);
    if (lt === -1) break;
    const c = xml.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */ && !xml.startsWith('<![CDATA[', lt)) {
      i = xml.indexOf('-->', lt + 4) + 3;
      continue;
    }
    endRun();
    if (c === 0x2f /* / */) {
      const gt = xml.indexOf('>', lt);
      const frame = stack.pop()!;
      const value = finish(frame);
      if (stack.length === 0) result = value;
      else addChild(stack[stack.length - 1]!, frame.key, value, arrays);
      i = gt + 1;
    } else if (c === 0x21 /* ! */) {
      const end = xml.indexOf(']]>', lt + 9);
      if (stack.length > 0) addText(stack[stack.length - 1]!, xml.slice(lt + 9, end), false);
      i = end + 3;
    } else if (c === 0x3f /* ? */) {
      i = xml.indexOf('?>', lt + 2) + 2;
    } else {
      const { frame, end, selfClosing } = startTag(xml, lt, keep);
      if (selfClosing) {
        const value = finish(frame);
        if (stack.length === 0) result = value;
        else addChild(stack[stack.length - 1]!, frame.key, value, arrays);
      } else stack.push(frame);
      i = end + 1;
    }
  }
  if (result === undefined || stack.length > 0) throw new MalformedXmlError('A streamed item is not one whole element');
  return result;
}

function startTag(xml: string, lt: number, keep: boolean): { frame: Frame; end: number; selfClosing: boolean } {
  let k = lt + 1;
  while (k < xml.length && !isNameEnd(xml.charCodeAt(k))) k++;
  const name = xml.slice(lt + 1, k);
  let attributes: [string, string][] | null = null;
  // Attributes up to ">" (a quoted value may hold one).
  for (;;) {
    while (isSpace(xml.charCodeAt(k))) k++;
    const c = xml.charCodeAt(k);
    if (c === 0x3e /* > */ || c === 0x2f /* / */ || k >= xml.length) break;
    const from = k;
    while (k < xml.length && xml.charCodeAt(k) !== 0x3d /* = */ && !isNameEnd(xml.charCodeAt(k))) k++;
    const attr = xml.slice(from, k);
    while (isSpace(xml.charCodeAt(k))) k++;
    if (xml.charCodeAt(k) !== 0x3d) throw new MalformedXmlError(`Attribute "${attr}" of <${name}> has no value`);
    k++;
    while (isSpace(xml.charCodeAt(k))) k++;
    const quote = xml.charCodeAt(k);
    const close = quote === 0x22 || quote === 0x27 ? xml.indexOf(xml[k]!, k + 1) : -1;
    if (close === -1) throw new MalformedXmlError(`Attribute "${attr}" of <${name}> is not quoted`);
    const key = attributeKey(attr, keep);
    if (key !== null) (attributes ??= []).push([key, decodeEntities(xml.slice(k + 1, close).trim())]);
    k = close + 1;
  }
  const end = xml.indexOf('>', k);
  const selfClosing = xml.charCodeAt(end - 1) === 0x2f;
  return { frame: { key: elementKey(name, keep), children: null, text: '', attributes }, end, selfClosing };
}

/** An element's key: its local name (or its name as written, with keepPrefixes), made safe as fast-xml-parser makes it. */
function elementKey(name: string, keep: boolean): string {
  const key = keep ? name : localOf(name);
  if (REFUSED.has(key)) throw new MalformedXmlError(`Cannot parse XML: [SECURITY] Invalid name: "${key}" is a reserved JavaScript keyword that could cause prototype pollution`);
  if (key === '#text' || key.startsWith('@_')) throw new MalformedXmlError(`Cannot parse XML: Invalid tag name: ${key}`);
  return RENAMED.has(key) ? `__${key}` : key;
}

/** An attribute's key, or null when it is a namespace declaration and prefixes are removed. */
function attributeKey(name: string, keep: boolean): string | null {
  if (keep) return `@_${name}`;
  const parts = name.split(':');
  if (parts[0] === 'xmlns') return null;
  return `@_${parts.length === 2 ? parts[1] : name}`;
}

/** The name without its prefix (only a name with exactly one colon has one, as fast-xml-parser reads it). */
function localOf(name: string): string {
  const colon = name.indexOf(':');
  if (colon === -1 || name.indexOf(':', colon + 1) !== -1) return name;
  return name.slice(colon + 1);
}

function addText(frame: Frame, raw: string, trim: boolean): void {
  const text = trim ? raw.trim() : raw;
  if (text !== '') frame.text += trim ? decodeEntities(text) : text;
}

function addChild(parent: Frame, key: string, value: XmlValue, arrays: ReadonlySet<string>): void {
  const children = (parent.children ??= {});
  const seen = children[key];
  // As parseXml's isArray: the name after its first colon.
  const colon = key.indexOf(':');
  if (seen === undefined) children[key] = arrays.has(colon === -1 ? key : key.slice(colon + 1)) ? [value] : value;
  else if (Array.isArray(seen)) seen.push(value);
  else children[key] = [seen, value];
}

/** An element's value: its text alone, or an object of its children, then `#text`, then its attributes. */
function finish(frame: Frame): XmlValue {
  if (frame.children === null && frame.attributes === null) return frame.text;
  const value: XmlObject = frame.children ?? {};
  if (frame.text !== '') value['#text'] = frame.text;
  for (const [key, v] of frame.attributes ?? []) value[key] = v;
  return value;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameEnd(c: number): boolean {
  return c === 0x3e || c === 0x2f || isSpace(c);
}
