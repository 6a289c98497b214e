import { MalformedXmlError } from '../errors/classes.js';
import { decodeEntities, normaliseLineEnds } from './entities.js';
import { ALWAYS_ARRAYS, type ParseOptions, type XmlObject, type XmlValue } from './parse-data.js';

// Names fast-xml-parser refuses, and names it renames with a "__" prefix (they shadow Object.prototype).
const REFUSED = new Set(['__proto__', 'constructor', 'prototype']);
const RENAMED = new Set(['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
// Element names seen, per parser: a stream's items repeat the same few dozen.
const MAX_CACHED_NAMES = 4096;
// Slots of the table of names (a power of two): far more than a stream's names.
const NAME_SLOTS = 1024;

const EMPTY = Buffer.alloc(0);
const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, BANG = 0x21, QUESTION = 0x3f, EQUALS = 0x3d, DQUOTE = 0x22, SQUOTE = 0x27, DASH = 0x2d;

interface Frame {
  /** Its name: its key, whether it is always an array, and its length as written (its end tag's ">" is that far on, unless spaces come first). */
  name: Name;
  /** How many child elements it has had so far. */
  count: number;
  /** The bits of the keys its children have taken (see Name.bit). */
  keys: number;
  /** Children by key, in the order they first appeared (null until the first one). */
  children: XmlObject | null;
  text: string;
  /** Its attributes: each one's key, then its value (no array per attribute). */
  attributes: (AttributeKey | string)[] | null;
}

/** An element's name as written, its key, and whether it is always an array. */
interface Name {
  raw: string;
  /** The hash of `raw` (see ItemParser.startTag): the table's slot, and a quick first comparison. */
  hash: number;
  key: string;
  array: boolean;
  /** The next name in the same slot. */
  next: Name | undefined;
  /** The names of the children an element of this name had last, in order: the likely next child's, tried first. */
  seen: Name[];
  /** Its characters' codes, -1 for each one past ASCII (see ItemParser.bytes). */
  codes: number[];
  /**
   * Its key's bit (shared by the names of the same key; 0 for the keys past the first 30): a
   * child whose bit its parent has not taken is the first of its key there, stored without a look.
   */
  bit: number;
  /** Its key's store site (see addKey; -1: the shared one). */
  site: number;
}

/** An item's shape, learnt from one of plain markup: an element's name, and its children (null: it holds text alone). */
interface Shape {
  name: Name;
  children: Shape[] | null;
}

/** An attribute's key (`@_name`), and its key's store site (see addKey). */
interface AttributeKey {
  key: string;
  site: number;
}

// Keys with a bit of their own (see Name.bit): the bits of a small integer.
const KEY_BITS = 30;
// Keys with a store of their own (see addKey).
const STORE_SITES = 16;
// Children whose names are remembered, per element name (the rest are looked up).
const MAX_REMEMBERED_CHILDREN = 64;
// A shape that read fewer items than this before one departed from it did not last; learning then waits, at most this many items.
const SHAPE_LASTED = 16;
const MAX_SHAPE_WAIT = 1024;
// The deepest element a shape holds.
const MAX_SHAPE_DEPTH = 32;

/**
 * Elements, already checked well-formed (the streaming extractor cut them out of a reply),
 * parsed into the shape `parseData` gives for them: what fast-xml-parser makes of an element
 * with the project's options (local names, `@_` attributes, strings, each run of text trimmed,
 * `#text` beside children, repeated and always-array names as arrays). Made once per stream
 * of items, which share its options and its table of names. Items mostly repeat one shape:
 * once learnt from an item, the next are read along it (see fit), and any item that departs
 * from it is parsed as any element. A loop over the text (a shape holds at most 32 levels),
 * no DOCTYPE, no entities but the five predefined ones and character references.
 */
export class ItemParser {
  private readonly keep: boolean;
  private readonly arrays: ReadonlySet<string>;
  /** The names seen, by hash: a name is found while its tag is read, without a copy. */
  private readonly names: (Name | undefined)[] = new Array<Name | undefined>(NAME_SLOTS).fill(undefined);
  private named = 0;
  /** The open elements' frames, reused from item to item (none of them outlives a parse). */
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** Where the next "&" of the item's text is at or after (-1: none): found once for many runs of text. */
  private amp = -1;
  /** The item's bytes, and where its first is: its text has a character for each (see parse). */
  private bytes: Buffer = EMPTY;
  private offset = 0;
  /** The item has a byte past ASCII, or a carriage return: its pieces of text are looked at (see piece). */
  private wide = false;
  private cr = false;
  /** The last item's name: the next item's, most likely. */
  private root: Name | undefined = undefined;
  /** The attributes' keys, by name as written (null: a namespace declaration, left out). */
  private readonly attributeKeys = new Map<string, AttributeKey | null>();
  /** The keys given a bit, and their index (see Name.bit). */
  private readonly keys = new Map<string, number>();
  /** The shape the items have had lately (see fit), or null. */
  private shape: Shape | null = null;
  /** Where fit and learn are in the item's text, and where the last name nameAt read ends. */
  private at = 0;
  private nameEnd = 0;
  /** The attributes the last start tag read kept (see attributes). */
  private found: (AttributeKey | string)[] | null = null;
  /** Items the shape has read since it was learnt. */
  private served = 0;
  /** Items to parse before a shape is learnt again, and how many the next wait is (doubled while shapes last only a few items). */
  private wait = 0;
  private backoff = 0;

  constructor(options: ParseOptions = {}) {
    this.keep = options.keepPrefixes === true;
    this.arrays = options.arrays && options.arrays.length > 0 ? new Set([...ALWAYS_ARRAYS, ...options.arrays]) : ALWAYS_ARRAYS;
  }

  /** One element's value (the whole of `bytes`, or `bytes[start, end)`), as parseData gives it under the element's name. */
  parse(bytes: Buffer, start = 0, end = bytes.length): XmlValue {
    // Read as latin1: a character per byte, held at one byte each, made at the speed of a copy
    // (V8 decodes UTF-8 with characters past ASCII several times slower). Names are compared
    // with the bytes; a piece of text with a byte past ASCII is decoded as UTF-8 (see piece).
    const xml = bytes.toString('latin1', start, end);
    this.bytes = bytes;
    this.offset = start;
    // A character past ASCII takes two bytes in UTF-8: the quickest way to learn there is none.
    this.wide = Buffer.byteLength(xml, 'utf8') !== xml.length;
    this.cr = xml.indexOf('\r') !== -1;
    const len = xml.length;
    this.depth = 0;
    const amp = xml.indexOf('&');
    if (this.shape !== null) {
      // Items mostly repeat their shape: read along the last one's, else parse the item as any element.
      this.amp = amp;
      this.at = 0;
      const value = this.fit(xml, this.shape);
      if (value !== undefined && this.at === len) {
        this.served++;
        return value;
      }
      // A shape that lasted only a few items: the items change shape, learning waits longer each time.
      this.backoff = this.served < SHAPE_LASTED ? Math.min(Math.max(1, 2 * this.backoff), MAX_SHAPE_WAIT) : 0;
      this.wait = this.backoff;
      this.shape = null;
    }
    this.amp = amp;
    const frames = this.frames;
    let result: XmlValue | undefined;
    // A run of text goes on across comments (as fast-xml-parser reads it); a tag, CDATA or PI ends it.
    let run = '';
    let i = 0;
    while (i < len) {
      let lt: number;
      if (run === '') {
        // Mostly a line end between two tags: stepped over without a search or a copy (the run is trimmed anyway).
        i = skipSpaces(xml, i);
        if (i >= len) break;
        if (xml.charCodeAt(i) === LT) lt = i;
        else {
          lt = xml.indexOf('<', i);
          if (lt === -1) lt = len;
          run = this.piece(xml, i, lt);
        }
      } else {
        lt = xml.indexOf('<', i);
        if (lt === -1) lt = len;
        if (lt > i) run += this.piece(xml, i, lt);
      }
      if (lt === len) break;
      const c = xml.charCodeAt(lt + 1);
      if (c === BANG && xml.charCodeAt(lt + 2) === DASH) {
        i = xml.indexOf('-->', lt + 4) + 3;
        continue;
      }
      const top = this.depth > 0 ? frames[this.depth - 1]! : null;
      if (run !== '') {
        if (top) addText(top, run);
        run = '';
      }
      if (c === SLASH) {
        const frame = frames[--this.depth]!;
        const value = finish(frame);
        if (this.depth === 0) result = value;
        else addChild(frames[this.depth - 1]!, frame.name, value);
        const gt = lt + 2 + frame.name.raw.length;
        i = xml.charCodeAt(gt) === GT ? gt + 1 : xml.indexOf('>', gt) + 1;
      } else if (c === BANG) {
        const end = xml.indexOf(']]>', lt + 9);
        if (top) top.text += this.piece(xml, lt + 9, end);
        i = end + 3;
      } else if (c === QUESTION) {
        i = xml.indexOf('?>', lt + 2) + 2;
      } else {
        i = this.startTag(xml, lt);
        if (i < 0) {
          // Self-closing: its value is already complete.
          i = -i;
          const frame = frames[--this.depth]!;
          const value = finish(frame);
          if (this.depth === 0) result = value;
          else addChild(frames[this.depth - 1]!, frame.name, value);
        }
      }
    }
    if (result === undefined || this.depth > 0) throw new MalformedXmlError('A streamed item is not one whole element');
    if (this.shape === null && this.wait-- <= 0) {
      this.at = 0;
      this.shape = this.learn(xml, 0);
      this.served = 0;
    }
    return result;
  }

  /**
   * The item read along `shape` (from `this.at`, which it moves past the element), or
   * undefined as soon as the item departs from it: the same value parse gives, made without
   * frames, lookups or guesses.
   */
  private fit(xml: string, shape: Shape): XmlValue | undefined {
    const name = shape.name;
    const n = name.raw.length;
    let i = this.at;
    if (xml.charCodeAt(i) !== LT || !this.matches(i + 1, name)) return undefined;
    i += 1 + n;
    const c = xml.charCodeAt(i);
    let attributes: (AttributeKey | string)[] | null = null;
    if (c === GT) i++;
    else {
      // A longer name, or attributes (read as parse reads them).
      if (c !== SLASH && !isSpace(c)) return undefined;
      i = this.attributes(xml, i, name);
      attributes = this.found;
      if (i < 0) {
        this.at = -i;
        return attributes === null ? '' : withAttributes({}, attributes);
      }
    }
    const children = shape.children;
    if (children === null) {
      // The next tag is its end tag (the extractor checked the nesting), with nothing before its ">", or the item is read as any.
      const lt = xml.indexOf('<', i);
      if (lt === -1 || xml.charCodeAt(lt + 1) !== SLASH || xml.charCodeAt(lt + 2 + n) !== GT) return undefined;
      this.at = lt + 3 + n;
      const text = lt === i ? '' : this.textOf(xml, i, lt);
      if (attributes === null) return text;
      const value: XmlObject = {};
      if (text !== '') value['#text'] = text;
      return withAttributes(value, attributes);
    }
    const object: XmlObject = {};
    for (let k = 0; k < children.length; k++) {
      i = skipSpaces(xml, i);
      const child = children[k]!;
      const cn = child.name;
      const m = cn.raw.length;
      let value: XmlValue | undefined;
      const gt = i + 1 + m;
      if (child.children === null && xml.charCodeAt(gt) === GT && xml.charCodeAt(i) === LT && this.matches(i + 1, cn)) {
        // Most children: text alone, in a tag without attributes (fit's first case, without the call).
        const lt = xml.indexOf('<', gt + 1);
        if (lt === -1 || xml.charCodeAt(lt + 1) !== SLASH || xml.charCodeAt(lt + 2 + m) !== GT) return undefined;
        value = lt === gt + 1 ? '' : this.textOf(xml, gt + 1, lt);
        i = lt + 3 + m;
      } else {
        this.at = i;
        value = this.fit(xml, child);
        if (value === undefined) return undefined;
        i = this.at;
      }
      addKey(object, cn.site, cn.key, cn.array ? [value] : value);
    }
    i = skipSpaces(xml, i);
    if (xml.charCodeAt(i) !== LT || xml.charCodeAt(i + 1) !== SLASH || xml.charCodeAt(i + 2 + n) !== GT) return undefined;
    this.at = i + 3 + n;
    return attributes === null ? object : withAttributes(object, attributes);
  }

  /**
   * The shape of the element at `this.at` (moved past it), when its markup is plain: each
   * element holding text alone or elements alone (spaces between them, attributes anywhere),
   * names of ASCII, keys not repeated among siblings, no comment, PI or CDATA. Else null.
   */
  private learn(xml: string, depth: number): Shape | null {
    let i = this.at;
    const first = xml.charCodeAt(i + 1);
    if (depth > MAX_SHAPE_DEPTH || xml.charCodeAt(i) !== LT || first === BANG || first === QUESTION || isNameEnd(first)) return null;
    const name = this.nameAt(xml, i + 1);
    // A name past ASCII is never matched in the bytes (see matches): no shape holds one.
    if (name.codes.includes(-1)) return null;
    const n = name.raw.length;
    // The attributes, read as parse read them (this item parsed): only where the tag ends matters here.
    i = this.attributes(xml, this.nameEnd, name);
    if (i < 0) {
      // Closes itself: an element of text, empty here.
      this.at = -i;
      return { name, children: null };
    }
    const lt = xml.indexOf('<', i);
    if (lt === -1) return null;
    if (xml.charCodeAt(lt + 1) === SLASH) {
      // Text alone (or spaces alone, when it is the first thing: an element with no children is text).
      if (xml.charCodeAt(lt + 2 + n) !== GT) return null;
      this.at = lt + 3 + n;
      return { name, children: null };
    }
    const children: Shape[] = [];
    const keys = new Set<string>();
    for (;;) {
      i = skipSpaces(xml, i);
      if (xml.charCodeAt(i) !== LT) return null;
      if (xml.charCodeAt(i + 1) === SLASH) break;
      if (children.length >= MAX_REMEMBERED_CHILDREN) return null;
      this.at = i;
      const child = this.learn(xml, depth + 1);
      if (child === null || keys.has(child.name.key)) return null;
      keys.add(child.name.key);
      children.push(child);
      i = this.at;
    }
    if (children.length === 0 || xml.charCodeAt(i + 2 + n) !== GT) return null;
    this.at = i + 3 + n;
    return { name, children };
  }

  /**
   * Reads a start tag at `lt` and pushes its frame; returns the index after it, negated when
   * the tag closes itself. An element of text alone (most of them: `<name>xe-0/0/1</name>`)
   * inside the item is read whole here, end tag included, and joins its parent at once.
   */
  private startTag(xml: string, lt: number): number {
    const len = xml.length;
    const parent = this.depth > 0 ? this.frames[this.depth - 1]! : null;
    // Items repeat their shape: the name this child had in the last element of its parent's name comes first.
    let name = parent ? parent.name.seen[parent.count] : this.root;
    let k: number;
    let c: number;
    if (name !== undefined && (k = lt + 1 + name.raw.length) < len && isNameEnd((c = xml.charCodeAt(k))) && this.matches(lt + 1, name)) {
      // (k and c are set)
    } else {
      name = this.nameAt(xml, lt + 1);
      k = this.nameEnd;
      c = xml.charCodeAt(k);
      if (!parent) this.root = name;
      else if (parent.count < MAX_REMEMBERED_CHILDREN) parent.name.seen[parent.count] = name;
    }
    if (parent) {
      parent.count++;
      if (c === GT) {
        const from = k + 1;
        const next = xml.indexOf('<', from);
        if (next !== -1 && xml.charCodeAt(next + 1) === SLASH) {
          // The next tag is its end tag (the extractor checked the nesting): no frame needed.
          addChild(parent, name, next === from ? '' : this.textOf(xml, from, next));
          const gt = next + 2 + name.raw.length;
          return xml.charCodeAt(gt) === GT ? gt + 1 : xml.indexOf('>', gt) + 1;
        }
      }
    }
    const frame = this.open(name);
    if (c === GT) return k + 1;
    const end = this.attributes(xml, k, name);
    frame.attributes = this.found;
    return end;
  }

  /**
   * Reads a start tag's attributes, from `k` (past its name) to its ">" (a quoted value may
   * hold one), into `found` (null: none kept); returns the index past the tag, negated when it
   * closes itself.
   */
  private attributes(xml: string, k: number, name: Name): number {
    const len = xml.length;
    let list: (AttributeKey | string)[] | null = null;
    for (;;) {
      while (isSpace(xml.charCodeAt(k))) k++;
      const c = xml.charCodeAt(k);
      if (c === GT) {
        this.found = list;
        return k + 1;
      }
      if (c === SLASH) {
        this.found = list;
        return -(xml.indexOf('>', k) + 1);
      }
      if (k >= len) throw new MalformedXmlError('A streamed item ends inside a start tag');
      const from = k;
      for (let d = c; d !== EQUALS && d !== GT && d !== SLASH && !isSpace(d) && k < len; d = xml.charCodeAt(++k));
      const attr = this.piece(xml, from, k);
      while (isSpace(xml.charCodeAt(k))) k++;
      if (xml.charCodeAt(k) !== EQUALS) throw new MalformedXmlError(`Attribute "${attr}" of <${name.key}> has no value`);
      k++;
      while (isSpace(xml.charCodeAt(k))) k++;
      const quote = xml.charCodeAt(k);
      const close = quote === DQUOTE || quote === SQUOTE ? xml.indexOf(quote === DQUOTE ? '"' : "'", k + 1) : -1;
      if (close === -1) throw new MalformedXmlError(`Attribute "${attr}" of <${name.key}> is not quoted`);
      const key = this.attributeKey(attr);
      if (key !== null) (list ??= []).push(key, own(decodeEntities(this.piece(xml, k + 1, close).trim())));
      k = close + 1;
    }
  }

  /** The text of an element that holds one run of text alone (no comment, CDATA or PI), as its value. */
  private textOf(xml: string, from: number, to: number): string {
    const a = xml.charCodeAt(from);
    const b = xml.charCodeAt(to - 1);
    const raw = this.piece(xml, from, to);
    const text = a <= 0x20 || a >= 0x80 || b <= 0x20 || b >= 0x80 ? raw.trim() : raw;
    let amp = this.amp;
    if (amp !== -1 && amp < from) this.amp = amp = xml.indexOf('&', from);
    return own(amp === -1 || amp >= to ? text : decodeEntities(text));
  }

  /**
   * The text at `xml[from, to)`: a piece with a byte past ASCII is decoded from its bytes, as
   * UTF-8, and line ends are one line feed each (as XML reads them, and fast-xml-parser).
   */
  private piece(xml: string, from: number, to: number): string {
    let text: string | null = null;
    // A piece starts and ends at ASCII characters (which no UTF-8 sequence holds): it is decoded whole, as the item would be.
    if (this.wide) for (let j = from; j < to; j++) if (xml.charCodeAt(j) >= 0x80) {
      text = this.bytes.toString('utf8', this.offset + from, this.offset + to);
      break;
    }
    text ??= xml.slice(from, to);
    return this.cr ? normaliseLineEnds(text) : text;
  }

  /** The next frame, as the element `name` opens. */
  private open(name: Name): Frame {
    let frame = this.frames[this.depth];
    if (frame) {
      frame.name = name;
      frame.count = 0;
      frame.keys = 0;
      frame.children = null;
      frame.text = '';
      frame.attributes = null;
    } else this.frames.push((frame = { name, count: 0, keys: 0, children: null, text: '', attributes: null }));
    this.depth++;
    return frame;
  }

  /** The name that starts at `from`, read to its end (kept in `nameEnd`) and found or added in the table. */
  private nameAt(xml: string, from: number): Name {
    const len = xml.length;
    let k = from;
    let hash = 0;
    // Letters (above ">") go on at one comparison.
    for (let c = xml.charCodeAt(k); k < len; c = xml.charCodeAt(++k)) {
      if (c <= GT && isNameEnd(c)) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    this.nameEnd = k;
    return this.name(xml, from, k, hash);
  }

  /** The name at `xml[from, to)` (whose hash is `hash`): its key, its local name (its name as written, with keepPrefixes) made safe as fast-xml-parser makes it. */
  private name(xml: string, from: number, to: number, hash: number): Name {
    const slot = (hash ^ (hash >>> 16)) & (NAME_SLOTS - 1);
    const len = to - from;
    for (let n = this.names[slot]; n !== undefined; n = n.next) {
      if (n.hash !== hash || n.raw.length !== len) continue;
      const raw = n.raw;
      let j = 0;
      while (j < len && raw.charCodeAt(j) === xml.charCodeAt(from + j)) j++;
      if (j === len) return n;
    }
    // As written (what later tags are compared with, byte for byte); its key from its characters.
    const raw = own(xml.slice(from, to));
    const written = this.piece(xml, from, to);
    const name = this.keep ? written : localOf(written);
    if (REFUSED.has(name)) throw new MalformedXmlError(`Cannot parse XML: [SECURITY] Invalid name: "${name}" is a reserved JavaScript keyword that could cause prototype pollution`);
    if (name === '#text' || name.startsWith('@_')) throw new MalformedXmlError(`Cannot parse XML: Invalid tag name: ${name}`);
    const key = internalised(RENAMED.has(name) ? `__${name}` : name);
    // As parseXml's isArray: the name after its first colon.
    const colon = key.indexOf(':');
    const index = this.keyIndex(key);
    const bit = index < KEY_BITS ? 1 << index : 0;
    const site = index < STORE_SITES ? index : -1;
    const entry: Name = { raw, hash, key, array: this.arrays.has(colon === -1 ? key : key.slice(colon + 1)), next: this.names[slot], seen: [], bit, site, codes: asciiCodes(raw) };
    if (this.named++ < MAX_CACHED_NAMES) this.names[slot] = entry;
    return entry;
  }

  /** A key's index among the parser's keys (its bit and store site); KEY_BITS or more once they are all given. */
  private keyIndex(key: string): number {
    let index = this.keys.get(key);
    if (index === undefined) {
      index = this.keys.size;
      if (index < KEY_BITS) this.keys.set(key, index);
    }
    return index;
  }

  /** Whether the item holds `name` at `from` (a name with a character past ASCII never does: it is looked up). */
  private matches(from: number, name: Name): boolean {
    const bytes = this.bytes;
    const codes = name.codes;
    const at = this.offset + from;
    for (let j = 0; j < codes.length; j++) if (bytes[at + j] !== codes[j]) return false;
    return true;
  }

  /** An attribute's key, or null when it is a namespace declaration and prefixes are removed. */
  private attributeKey(name: string): AttributeKey | null {
    const known = this.attributeKeys.get(name);
    if (known !== undefined) return known;
    let key: string | null;
    if (this.keep) key = `@_${name}`;
    else {
      const parts = name.split(':');
      key = parts[0] === 'xmlns' ? null : `@_${parts.length === 2 ? parts[1] : name}`;
    }
    let entry: AttributeKey | null = null;
    if (key !== null) {
      key = internalised(key);
      const index = this.keyIndex(key);
      entry = { key, site: index < STORE_SITES ? index : -1 };
    }
    if (this.attributeKeys.size < MAX_CACHED_NAMES) this.attributeKeys.set(own(name), entry);
    return entry;
  }

}

/** The value's attributes joined to it, after its children and text (as parse gives them). */
function withAttributes(value: XmlObject, attributes: (AttributeKey | string)[]): XmlObject {
  for (let j = 0; j < attributes.length; j += 2) {
    const a = attributes[j] as AttributeKey;
    addKey(value, a.site, a.key, attributes[j + 1] as string);
  }
  return value;
}

/** The index of the first character at or after `i` that is not a space. */
function skipSpaces(xml: string, i: number): number {
  while (isSpace(xml.charCodeAt(i))) i++;
  return i;
}

/** The string V8 keeps for `s` as a property name: a key that is one already is stored without a lookup. */
function internalised(s: string): string {
  const o: Record<string, number> = {};
  o[s] = 0;
  return Object.keys(o)[0]!;
}

/** A child's value joins its parent's: an array when the name repeats or is always one. */
function addChild(parent: Frame, name: Name, value: XmlValue): void {
  const children = (parent.children ??= {});
  const key = name.key;
  const bit = name.bit;
  if ((parent.keys & bit) === 0 && bit !== 0) {
    parent.keys |= bit;
    addKey(children, name.site, key, name.array ? [value] : value);
    return;
  }
  const seen = children[key];
  if (seen === undefined) children[key] = name.array ? [value] : value;
  else if (Array.isArray(seen)) seen.push(value);
  else children[key] = [seen, value];
}

/**
 * `object[key] = value`, `key` new to `object`, at a store of the key's own (the first
 * STORE_SITES keys of a parser): V8 learns at each store the few shapes of object its key is
 * added to, the same in every item, and adds it at once. At one store for every key it would
 * learn nothing and look each addition up (several times slower).
 */
function addKey(object: XmlObject, site: number, key: string, value: XmlValue): void {
  switch (site) {
    case 0: object[key] = value; return;
    case 1: object[key] = value; return;
    case 2: object[key] = value; return;
    case 3: object[key] = value; return;
    case 4: object[key] = value; return;
    case 5: object[key] = value; return;
    case 6: object[key] = value; return;
    case 7: object[key] = value; return;
    case 8: object[key] = value; return;
    case 9: object[key] = value; return;
    case 10: object[key] = value; return;
    case 11: object[key] = value; return;
    case 12: object[key] = value; return;
    case 13: object[key] = value; return;
    case 14: object[key] = value; return;
    case 15: object[key] = value; return;
    default: object[key] = value;
  }
}

/** One element parsed as `parseData` gives it (see ItemParser, for many). */
export function parseItem(bytes: Buffer, options: ParseOptions = {}): XmlValue {
  return new ItemParser(options).parse(bytes);
}

/** The name without its prefix (only a name with exactly one colon has one, as fast-xml-parser reads it). */
function localOf(name: string): string {
  const colon = name.indexOf(':');
  if (colon === -1 || name.indexOf(':', colon + 1) !== -1) return name;
  return name.slice(colon + 1);
}

/** A run of text, trimmed and decoded, joins the element's text (a blank run adds nothing). */
function addText(frame: Frame, raw: string): void {
  // Only an end that is a control, a space or not ASCII can be trimmed (String.prototype.trim, as fast-xml-parser trims).
  const a = raw.charCodeAt(0);
  const b = raw.charCodeAt(raw.length - 1);
  const text = a <= 0x20 || a >= 0x80 || b <= 0x20 || b >= 0x80 ? raw.trim() : raw;
  if (text === '') return;
  const decoded = text.indexOf('&') === -1 ? text : decodeEntities(text);
  frame.text = frame.text === '' ? decoded : frame.text + decoded;
}

/** An element's value: its text alone, or an object of its children, then `#text`, then its attributes. */
function finish(frame: Frame): XmlValue {
  if (frame.children === null && frame.attributes === null) return own(frame.text);
  const value: XmlObject = frame.children ?? {};
  if (frame.text !== '') value['#text'] = own(frame.text);
  return frame.attributes ? withAttributes(value, frame.attributes) : value;
}

/** V8's shortest substring that is a view of its parent (shorter ones are copies). */
const SLICED = 13;

/**
 * `s` as a string of its own. V8 makes a substring of SLICED characters or more a view of its
 * parent (and a concatenation, a pair of its parts): a value kept from an item, or a name kept
 * by the parser, would keep the item's whole text alive. Two halves shorter than SLICED are
 * copies, joined as a pair (most values: no call out of the compiled code); a longer string is
 * flattened (a concatenation is copied whole) and the slice after it is a view of that copy alone.
 */
function own(s: string): string {
  const n = s.length;
  if (n < SLICED) return s;
  if (n < 2 * SLICED - 1) return s.slice(0, SLICED - 1) + s.slice(SLICED - 1);
  return (' ' + s).slice(1);
}

/** What ends a name in a tag: ">", "/" or a space. */
function isNameEnd(c: number): boolean {
  return c === GT || c === SLASH || c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** The codes of a name's characters (UTF-16 units), -1 for each one past ASCII. */
function asciiCodes(name: string): number[] {
  const codes: number[] = [];
  for (let j = 0; j < name.length; j++) codes.push(name.charCodeAt(j) < 0x80 ? name.charCodeAt(j) : -1);
  return codes;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}
