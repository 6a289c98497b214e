/**
 * The watched path (streamItems' `path`): a case is also read with a path chosen from its own
 * markup, and the elements cut out at that path are checked three ways:
 *
 * - the outcome of each message (ok or its code) is the one read without a path; with a small
 *   bound on an element's size, a message may instead fail with MESSAGE_TOO_LARGE;
 * - fed in the case's pieces and fed whole, the same elements are cut out (the same bytes);
 * - in a message the reader reads without an error and saxes finds well-formed, they are
 *   exactly the elements saxes finds at that path, in order (their text, byte for byte), and
 *   each parsed as streamItems parses it (one parser for all, in order, as a stream) is the
 *   value parseData gives for it, or both refuse it.
 */
import { isDeepStrictEqual } from 'node:util';
import { SaxesParser } from 'saxes';
import { MessageReader } from '../src/reader/message-reader.js';
import type { Limits } from '../src/xml/extractor.js';
import { type ParseOptions, type XmlValue, parseXml } from '../src/xml/parse-data.js';
import { ItemParser } from '../src/xml/parse-item.js';

export interface WatchedPath {
  /** Local names from the root's child down. */
  names: string[];
  /** The bound on an element's size given to watchPath. */
  maxBytes: number;
  /**
   * When not 0, the input is also read with its first element at the path repeated to about
   * this many bytes: a list longer than the pass's 64 KiB window and its 512 spans a run.
   */
  longList?: number;
}

/** What one reading gave: each message's code (null: read) and the elements cut out of it. */
interface PathRead {
  messages: { code: string | null; spans: Buffer[]; xml: string | null }[];
  /** Elements given after the last message reported. */
  rest: Buffer[];
  /** The stream's own failure (framing), null when none. */
  streamError: string | null;
}

export interface PathOptions extends Limits {
  framing: 'auto' | 'eom' | 'chunked' | 'none';
}

/** No bound: larger than any case (inputs are cut back to 64 KiB). */
export const UNBOUNDED = 1 << 30;

/** Reads `chunks` as a live session would, watching `path` in every message when given. */
function read(chunks: readonly Buffer[], options: PathOptions, path: WatchedPath | null): PathRead {
  const { framing, ...limits } = options;
  const out: PathRead = { messages: [], rest: [], streamError: null };
  const reader = new MessageReader<null>(
    {
      onRoot: (m) => {
        if (path) m.watchPath(path.names, path.maxBytes);
      },
      onItem: () => {},
      // A copy: the buffer is the reader's or the caller's, reused as it reads on.
      onPathElement: (buf, start, end) => void out.rest.push(Buffer.from(buf.subarray(start, end))),
      onMessage: (o) => {
        out.messages.push({ code: o.error?.code ?? null, spans: out.rest, xml: o.xml });
        out.rest = [];
      },
    },
    { framing, limits },
  );
  try {
    for (const c of chunks) reader.push(c);
    reader.finish();
  } catch (err) {
    out.streamError = (err as { code?: string }).code ?? 'thrown';
  }
  return out;
}

/**
 * A path to check in `bytes`: the local names of the elements open around some start tag,
 * below the root, picked among those that occur more than once (a list) three times in four.
 * Found by a loose scan of the bytes (the input is often broken): null when it finds none.
 */
export function choosePath(bytes: Buffer, pick: (n: number) => number, repeatedFirst: boolean): string[] | null {
  const s = bytes.toString('latin1');
  const keys: string[] = [];
  const counts = new Map<string, number>();
  let i = 0;
  while ((i = s.indexOf('<', i)) !== -1) {
    const c = s[i + 1];
    if (c === '!' || c === '?') {
      const close = s.startsWith('<!--', i) ? '-->' : s.startsWith('<![CDATA[', i) ? ']]>' : c === '?' ? '?>' : '>';
      const at = s.indexOf(close, i + 2);
      if (at === -1) break;
      i = at + close.length;
      continue;
    }
    let j = i + 1 + (c === '/' ? 1 : 0);
    while (j < s.length && !' \t\r\n/>'.includes(s[j]!)) j++;
    const name = s.slice(i + 1 + (c === '/' ? 1 : 0), j);
    const gt = s.indexOf('>', j);
    i = j;
    if (c === '/') {
      keys.pop();
      continue;
    }
    const local = localName(name);
    if (local === '' || gt === -1) continue;
    const selfClosing = s[gt - 1] === '/';
    // The root's own name is not part of a path.
    const key = keys.length === 0 ? null : keys.length === 1 ? local : `${keys[keys.length - 1]}/${local}`;
    if (key !== null && keys.length <= 16) counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!selfClosing) keys.push(key ?? '');
  }
  const all = [...counts.keys()];
  const repeated = all.filter((k) => counts.get(k)! > 1);
  const from = repeatedFirst && repeated.length > 0 ? repeated : all;
  if (from.length === 0) return null;
  return from[pick(from.length)]!.split('/');
}

/**
 * A name's local part as the reader reads it: what follows its first colon. (A name with two
 * colons is no QName; either rule would do, but the oracle and the reader must agree.)
 */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** The elements saxes finds at `names` in a well-formed text (their text), or null when it finds a fault. */
function saxesElements(text: string, names: readonly string[]): string[] | null {
  const parser = new SaxesParser({ xmlns: false });
  const found: string[] = [];
  // Local names of the open elements (the root's included), and where the element being matched began.
  const open: string[] = [];
  let matched = 0;
  let start = -1;
  let fault = false;
  parser.on('opentagstart', (tag) => {
    const local = localName(tag.name);
    const depth = open.length;
    open.push(local);
    // The root is depth 0; names[d - 1] is matched at depth d, below a matched parent.
    if (depth >= 1 && depth === matched + 1 && depth <= names.length && local === names[depth - 1]) {
      matched = depth;
      // saxes stands just past the name (and the character that ended it): its `<` is the last one before.
      if (depth === names.length) start = text.lastIndexOf('<', parser.position - 1);
    }
  });
  parser.on('closetag', () => {
    const depth = open.length - 1;
    if (depth === matched && depth >= 1) {
      if (depth === names.length) found.push(text.slice(start, parser.position));
      matched = depth - 1;
    }
    open.pop();
  });
  parser.on('error', () => {
    fault = true;
  });
  parser.write(text).close();
  return fault ? null : found;
}

function show(spans: readonly (Buffer | string)[]): string {
  const text = JSON.stringify(spans.map((s) => s.toString()));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function codes(r: PathRead): string {
  return JSON.stringify([r.messages.map((m) => m.code), r.streamError]);
}

function sameSpans(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((s, k) => s.equals(b[k]!));
}

export interface PathResult {
  /** Elements cut out of the input read whole. */
  elements: number;
  /** Messages whose elements were compared with saxes'. */
  judged: number;
  /** The first disagreement, described; null when none. */
  disagreement: string | null;
}

/** Reads the input in `split` and whole with `path` watched, and whole without it. */
export function checkPath(split: readonly Buffer[], bytes: Buffer, options: PathOptions, path: WatchedPath): PathResult {
  const result: PathResult = { elements: 0, judged: 0, disagreement: null };
  let first: Buffer | null = null;
  const parsed: Parsed = { parser: new ItemParser(), expected: new Map() };
  result.disagreement = compare(split, bytes, options, path, result, (e) => (first ??= e), parsed);
  if (result.disagreement !== null || !path.longList || first === null) return result;
  // The element again and again where it stood (the first time its bytes occur), read whole and in three pieces.
  const element: Buffer = first;
  const at = bytes.indexOf(element);
  if (at === -1) return result;
  const times = Math.min(20_000, Math.ceil(path.longList / element.length));
  const long = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: times }, () => element), bytes.subarray(at)]);
  const thirds = [long.subarray(0, long.length / 3 | 0), long.subarray(long.length / 3 | 0, (2 * long.length / 3 | 0) + 7), long.subarray((2 * long.length / 3 | 0) + 7)];
  const disagreement = compare(thirds, long, options, path, result, () => {}, parsed);
  if (disagreement !== null) result.disagreement = `with its first element repeated ${times} times (${long.length} bytes): ${disagreement}`;
  return result;
}

// Spaces to JavaScript (\s) that XML does not count as spaces (most are name characters there).
const UNICODE_SPACES = new Set([0x0b, 0x0c, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);

/**
 * A tag holding a space to JavaScript that is not one to XML: fast-xml-parser splits or trims
 * names there, ItemParser (as XML) keeps the character in the name. Such elements are not
 * compared.
 */
function unicodeSpaceInTag(text: string): boolean {
  let inTag = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c) inTag = true;
    else if (c === 0x3e) inTag = false;
    else if (inTag && (UNICODE_SPACES.has(c) || (c >= 0x2000 && c <= 0x200a))) return true;
  }
  return false;
}

/** What parseData (fast-xml-parser) makes of one element: the value under its one key (it throws as parseXml does). */
export function parseDataElement(xml: string, options: ParseOptions = {}): XmlValue {
  const parsed = parseXml(xml, options);
  const value = parsed[Object.keys(parsed)[0]!]!;
  // A name that is always an array comes back as one even at the top.
  return Array.isArray(value) && value.length === 1 ? value[0]! : value;
}

/** The stream's parser, and parseData's value of each element text met (a repeated element is parsed once). */
interface Parsed {
  parser: ItemParser;
  expected: Map<string, XmlValue | 'refused' | 'not compared'>;
}

/**
 * An element's value as parseData gives it (under its one key), 'refused', or 'not compared'
 * when parseData refuses it for a guard of its own that items do not need: fast-xml-parser's
 * nesting limit (the reader's maxDepth bounds items), or `<!DOCTYPE` / `<!ENTITY` anywhere in
 * the text, even inside CDATA or a comment (the reader refuses a real one before any item).
 */
function parseDataValue(text: string): XmlValue | 'refused' | 'not compared' {
  if (unicodeSpaceInTag(text)) return 'not compared';
  try {
    return parseDataElement(text);
  } catch (err) {
    const message = (err as Error).message;
    return message.includes('Maximum nested tags exceeded') || message.includes('DOCTYPE and entity declarations') ? 'not compared' : 'refused';
  }
}

function compare(split: readonly Buffer[], bytes: Buffer, options: PathOptions, path: WatchedPath, result: PathResult, element: (e: Buffer) => void, parsed: Parsed): string | null {
  const at = `path ${path.names.join('/')}${path.maxBytes < UNBOUNDED ? ` (elements up to ${path.maxBytes} bytes)` : ''}`;
  const plain = read([bytes], options, null);
  const whole = read([bytes], options, path);
  const pieces = split.length > 1 ? read(split, options, path) : whole;
  const bounded = path.maxBytes < UNBOUNDED;
  // A message refused only for an element over the bound: allowed when there is one.
  const tooLarge = (r: PathRead) => bounded && r.messages.some((m) => m.code === 'MESSAGE_TOO_LARGE');
  for (const m of whole.messages) {
    result.elements += m.spans.length;
    if (m.spans.length > 0) element(m.spans[0]!);
  }

  // The outcome is the one read without a path.
  if (whole.streamError !== plain.streamError || whole.messages.length !== plain.messages.length
    || whole.messages.some((m, k) => m.code !== plain.messages[k]!.code && !(bounded && m.code === 'MESSAGE_TOO_LARGE'))) {
    return `${at}: read whole, the outcome is ${codes(whole)}; without the path, ${codes(plain)}`;
  }

  // In pieces and whole: the same elements (under a bound, where the size is found first may depend on the pieces).
  if (pieces !== whole && !tooLarge(pieces) && !tooLarge(whole)) {
    if (codes(pieces) !== codes(whole)) return `${at}: in ${split.length} pieces the outcome is ${codes(pieces)}; whole, ${codes(whole)}`;
    for (let k = 0; k < whole.messages.length; k++) {
      const [p, w] = [pieces.messages[k]!.spans, whole.messages[k]!.spans];
      if (!sameSpans(p, w)) return `${at}: message ${k}: in ${split.length} pieces the elements are ${show(p)}; whole, ${show(w)}`;
    }
    if (!sameSpans(pieces.rest, whole.rest)) return `${at}: after the last message: in ${split.length} pieces ${show(pieces.rest)}; whole, ${show(whole.rest)}`;
  }

  // A message read without an error that saxes finds well-formed: exactly saxes' elements.
  for (let k = 0; k < whole.messages.length; k++) {
    const m = whole.messages[k]!;
    if (m.code !== null || m.xml === null || m.xml.includes('\uFFFD')) continue;
    const expected = saxesElements(m.xml, path.names);
    if (expected === null) continue;
    result.judged++;
    const got = m.spans.map((s) => s.toString('utf8'));
    if (got.length !== expected.length || got.some((g, j) => g !== expected[j])) {
      return `${at}: message ${k}: the reader cut out ${show(m.spans)}; saxes finds ${show(expected)}`;
    }
    for (let j = 0; j < m.spans.length; j++) {
      let want = parsed.expected.get(got[j]!);
      if (want === undefined) parsed.expected.set(got[j]!, (want = parseDataValue(got[j]!)));
      let value: XmlValue | 'refused';
      try {
        value = parsed.parser.parse(m.spans[j]!);
      } catch {
        value = 'refused';
      }
      if (want !== 'not compared' && !isDeepStrictEqual(value, want)) return `${at}: message ${k}: element ${j} ${show([m.spans[j]!])} parsed as ${JSON.stringify(value)}; parseData gives ${JSON.stringify(want)}`;
    }
  }
  return null;
}

/**
 * The path case `index` of run `seed` also reads with, or null: a pure function of its bytes
 * and its own PRNG (`pick`, `chance`), drawn after the case so that the case is unchanged.
 */
export function pathForCase(bytes: Buffer, rng: { int(n: number): number; chance(p: number): boolean; pick<T>(items: readonly T[]): T }): WatchedPath | null {
  if (!rng.chance(PATH_FRACTION)) return null;
  const names = choosePath(bytes, (n) => rng.int(n), rng.chance(0.75));
  if (!names) return null;
  const maxBytes = rng.chance(0.2) ? rng.pick([1, 16, 64, 256, 1024]) : UNBOUNDED;
  return { names, maxBytes, ...(rng.chance(0.02) ? { longList: rng.pick([70_000, 100_000]) } : {}) };
}

/** The share of cases also read with a watched path. */
const PATH_FRACTION = 1 / 3;
