/**
 * netconfkit's fuzzer: mutates the shared corpus's captures and the project's fixtures and
 * feeds them through `Replayer` (framing decoder + error extractor) in random splits.
 *
 * Every case must end, within a time bound, in output or a typed `NetconfError`; and a case
 * fed in pieces must give the same outcome as the same bytes fed whole. Anything else is a
 * failure: it is printed with the seed and case index that reproduce it and its input is
 * written to fixtures/fuzz/ (which test/reliability/fuzz.test.ts re-runs).
 *
 *   npm run fuzz -- --cases 2000000 --seed 7 [--time-limit-ms M] [--workers N]
 *   npm run fuzz -- --seed 7 --case 12345          one case, described in full
 *
 * Deterministic: case `i` of seed `s` is built from its own PRNG (mulberry32 seeded by a hash
 * of `s` and `i`), so any case can be rebuilt alone, in any worker, in any order.
 *
 * The CLI runs cases in worker threads watched by the main thread: a case that never
 * returns (an unbounded loop) is detected, reported as a hang and written out like any other
 * failure, and the run goes on. In-process runs (the vitest test) measure each case instead.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { NetconfError } from '../src/errors/netconf-error.js';
import { Replayer, type ReplayOptions, type ReplayResult } from '../src/replay/replayer.js';
import { judgeMessages } from './oracle.js';
import { type WatchedPath, checkPath, pathForCase } from './path.js';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finaliser: spreads seed and case index over all 32 bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number, index: number) {
    this.next = mulberry32(mix32(mix32(seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)) ^ (Math.floor(index / 4294967296) >>> 0));
  }
  float(): number {
    return this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of items) total += w;
    let r = this.next() * total;
    for (const [w, v] of items) {
      if ((r -= w) < 0) return v;
    }
    return items[items.length - 1]![1];
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds: the corpus captures and the project's fixtures

export interface SeedInput {
  name: string;
  bytes: Buffer;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The project root: fuzz/ holds this file; dist-fuzz/ holds the bundle. Both sit in the root. */
export const PROJECT_ROOT = path.resolve(HERE, '..');
export const FIXTURES_DIR = path.join(PROJECT_ROOT, 'fixtures');
/** Where failing inputs go, and where the test finds the regression inputs. */
export const FAILURES_DIR = path.join(FIXTURES_DIR, 'fuzz');
/** The shared corpus, read in place (NETCONFKIT_CORPUS overrides, as for the tests). */
export const CORPUS_DIR = process.env.NETCONFKIT_CORPUS ?? path.resolve(PROJECT_ROOT, '../shared/corpus');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? listFiles(full) : [full];
    });
}

/**
 * Every capture `expected.json` lists, and every file under fixtures/ but fixtures/fuzz/: the
 * regression inputs are left out so that writing one does not renumber the cases (case `i`
 * of seed `s` must stay the case a failure report names).
 */
export function loadSeeds(options: { corpusDir?: string; fixturesDir?: string } = {}): SeedInput[] {
  const corpusDir = options.corpusDir ?? CORPUS_DIR;
  const fixturesDir = options.fixturesDir ?? FIXTURES_DIR;
  const seeds: SeedInput[] = [];
  const expectedFile = path.join(corpusDir, 'expected.json');
  if (existsSync(expectedFile)) {
    const names = Object.keys(JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, unknown>).sort();
    for (const name of names) seeds.push({ name: `corpus/${name}`, bytes: readFileSync(path.join(corpusDir, name)) });
  }
  const failuresDir = path.join(fixturesDir, 'fuzz') + path.sep;
  for (const file of listFiles(fixturesDir)) {
    if (file.startsWith(failuresDir)) continue;
    seeds.push({ name: `fixtures/${path.relative(fixturesDir, file)}`, bytes: readFileSync(file) });
  }
  if (seeds.length === 0) throw new Error(`no fuzz seeds: neither ${expectedFile} nor ${fixturesDir} has any`);
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

const XNM = 'xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"';
/** Markup and framing fragments the scanner and decoder treat specially. */
const TOKENS: Buffer[] = [
  ']]>]]>', ']]>', ']]', '\n##\n', '\n#', '#', '\n#1\n', '\n#0\n', '\n#01\n', '\n#4294967295\n', '\n#4294967296\n',
  '<![CDATA[', '<!--', '-->', '<?', '?>', '<?xml version="1.0"?>', '</', '/>', '<', '>', '<>', '< a>', '</>',
  '&', '&amp;', '&lt;', '&#x0;', '&#xD800;', '&#1114112;', '&#xFFFFFFFFF;', '&#;', '&lol;', '&amp', '"', "'", '=', ':',
  ' xmlns="urn:x"', ' xmlns:p="urn:p"', ` ${XNM}`, ' xmlns:xnm=""', ' message-id="1"', ' message-id=\'', ' message-id=',
  '<rpc-error>', '</rpc-error>', '<rpc-error/>', '<error-severity>warning</error-severity>', '<error-tag>lock-denied</error-tag>',
  '<error-info><session-id>7</session-id><bad-element>x</bad-element></error-info>', `<xnm:error ${XNM}>`, '</xnm:error>',
  `<xnm:warning ${XNM}><message>w</message></xnm:warning>`, '<ok/>', '<configuration>', '</configuration>',
  '<commit-results>', '<load-configuration-results>', '<routing-engine><name>re0</name>', '</routing-engine>',
  '<multi-routing-engine-item><re-name>node1</re-name>', '<rpc-reply message-id="1">', '</rpc-reply>', '<rpc-reply/>',
  '<notification>', '<hello>', '<data>', '</data>', '\uFEFF', '\r\n', '\r', '\t', '\0', '\u2028', '\u{1F600}',
].map(b);

/** DOCTYPE, entity and other declarations: never to be accepted, let alone expanded. */
const DECLARATIONS: Buffer[] = [
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>',
  '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd">%p;]>',
  '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd">',
  '<!DOCTYPE r>', '<!doctype r>', '<!ENTITY x "y">', '<!ELEMENT r ANY>', '<!ATTLIST r a CDATA #IMPLIED>', '<!NOTATION n SYSTEM "x">',
  '&xxe;', '&lol2;', '%p;', '<!', '<!D', '<![INCLUDE[', '<!-', '<!--->',
].map(b);

const BAD_UTF8: Buffer[] = [
  [0xff], [0xfe, 0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0x80], [0xbf, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xef, 0xbb],
].map((a) => Buffer.from(a));

const NAMES = ['a', 'rpc-error', 'error-info', 'configuration', 'data', 'x:y', 'xnm:error', 'routing-engine', 'ok'];

type Mutator = (input: Buffer, rng: Rng, seeds: readonly SeedInput[]) => Buffer;

function insertAt(input: Buffer, at: number, piece: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, at), piece, input.subarray(at)]);
}

/** A random position, biased toward markup boundaries (just before `<`, just after `>`). */
function position(input: Buffer, rng: Rng): number {
  if (input.length === 0) return 0;
  const at = rng.int(input.length + 1);
  if (rng.chance(0.5)) {
    const lt = input.indexOf(rng.chance(0.5) ? 0x3c : 0x3e, at);
    if (lt >= 0) return input[lt] === 0x3e ? lt + 1 : lt;
  }
  return at;
}

function randomRange(input: Buffer, rng: Rng, maxLen = 64): [number, number] {
  const from = rng.int(input.length + 1);
  const len = rng.chance(0.8) ? rng.range(1, maxLen) : rng.range(1, Math.max(1, input.length));
  return [from, Math.min(input.length, from + len)];
}

function chunkHeaderSize(rng: Rng, rest: number): string {
  return rng.weighted<() => string>([
    [4, () => String(Math.max(1, rest))],
    [2, () => String(rest + rng.range(1, 16))],
    [2, () => String(rng.range(1, 64))],
    [1, () => '0'],
    [1, () => `0${rng.range(1, 9)}`],
    [1, () => '4294967295'],
    [1, () => '4294967296'],
    [1, () => '99999999999'],
    [1, () => String(rng.range(1, 2 ** 31))],
    [1, () => ''],
  ])();
}

const MUTATORS: readonly (readonly [number, string, Mutator])[] = [
  [6, 'bit-flip', (input, rng) => {
    if (input.length === 0) return input;
    const out = Buffer.from(input);
    for (let k = rng.range(1, 8); k > 0; k--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  }],
  [3, 'byte-set', (input, rng) => {
    if (input.length === 0) return input;
    const out = Buffer.from(input);
    for (let k = rng.range(1, 4); k > 0; k--) out[rng.int(out.length)] = rng.pick([0x00, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x26, 0x2f, 0x3c, 0x3e, 0x5d, 0x80, 0xff, rng.int(256)]);
    return out;
  }],
  [5, 'truncate', (input, rng) => {
    const at = rng.int(input.length + 1);
    return rng.chance(0.7) ? input.subarray(0, at) : input.subarray(at);
  }],
  [4, 'delete-range', (input, rng) => {
    const [from, to] = randomRange(input, rng);
    return Buffer.concat([input.subarray(0, from), input.subarray(to)]);
  }],
  [4, 'duplicate-range', (input, rng) => {
    const [from, to] = randomRange(input, rng, 256);
    const piece = input.subarray(from, to);
    const times = rng.chance(0.8) ? 1 : rng.range(2, 8);
    return insertAt(input, position(input, rng), Buffer.concat(Array.from({ length: times }, () => piece)));
  }],
  [3, 'random-bytes', (input, rng) => {
    const [from, to] = randomRange(input, rng, 16);
    const piece = Buffer.alloc(rng.range(0, 16));
    for (let k = 0; k < piece.length; k++) piece[k] = rng.int(256);
    return Buffer.concat([input.subarray(0, from), piece, input.subarray(to)]);
  }],
  [6, 'insert-token', (input, rng) => insertAt(input, position(input, rng), rng.pick(TOKENS))],
  [4, 'insert-eom', (input, rng) => insertAt(input, position(input, rng), rng.chance(0.85) ? b(']]>]]>') : b(rng.pick([']]>]]', ']]>]]>]]>]]>', '\n]]>]]>\n'])))],
  [4, 'insert-chunk-header', (input, rng) => {
    const at = position(input, rng);
    const header = rng.chance(0.2) ? '\n##\n' : `\n#${chunkHeaderSize(rng, input.length - at)}\n`;
    return insertAt(input, at, b(header));
  }],
  [2, 'huge-chunk', (input, rng) => {
    // Rewrite an existing chunk size, or frame the rest as one enormous chunk.
    const text = input.toString('latin1');
    const headers = [...text.matchAll(/\n#([0-9]+)\n/g)];
    const huge = rng.pick(['4294967295', '4294967294', '4294967296', '536870913', '99999999999', '1000000000']);
    if (headers.length > 0) {
      const h = rng.pick(headers);
      const from = h.index + 2;
      return Buffer.concat([input.subarray(0, from), b(huge), input.subarray(from + h[1]!.length)]);
    }
    return insertAt(input, rng.chance(0.5) ? 0 : position(input, rng), b(`\n#${huge}\n`));
  }],
  [2, 'deep-nesting', (input, rng) => {
    const depth = rng.pick([64, 511, 512, 513, 1000, 5000]);
    const name = rng.pick(NAMES);
    const open = `<${name}>`.repeat(depth);
    const close = rng.chance(0.5) ? `</${name}>`.repeat(rng.chance(0.8) ? depth : rng.int(depth)) : '';
    return insertAt(input, position(input, rng), b(open + close));
  }],
  [3, 'unclosed', (input, rng) => {
    const piece = rng.pick(['<a', '<a x="', "<a x='", '<rpc-error', '</rpc-error', '<!--', '<![CDATA[', '<?pi ', '<a:', '<a b', '<a b=', '<a/']);
    if (rng.chance(0.3)) {
      // Remove one '>' instead.
      const gt = input.indexOf(0x3e, rng.int(input.length + 1));
      if (gt >= 0) return Buffer.concat([input.subarray(0, gt), input.subarray(gt + 1)]);
    }
    return insertAt(input, rng.chance(0.3) ? input.length : position(input, rng), b(piece));
  }],
  [3, 'invalid-utf8', (input, rng) => insertAt(input, position(input, rng), rng.pick(BAD_UTF8))],
  [3, 'declaration', (input, rng) => {
    const at = rng.weighted<() => number>([
      [2, () => 0],
      [2, () => { const gt = input.indexOf(0x3e); return gt >= 0 ? gt + 1 : 0; }],
      [3, () => position(input, rng)],
    ])();
    return insertAt(input, at, rng.pick(DECLARATIONS));
  }],
  [2, 'entity-soup', (input, rng) => {
    const ref = rng.pick(['&amp;', '&lt;', '&#60;', '&#x3C;', '&lol;', '&', '&#xD800;', '&#0;', '&#99999999999;']);
    return insertAt(input, position(input, rng), b(ref.repeat(rng.range(1, 500))));
  }],
  [2, 'long-token', (input, rng) => {
    const n = rng.pick([100, 1000, 4000, 20000]);
    const piece = rng.weighted<() => string>([
      [1, () => `<${'n'.repeat(n)}>`],
      [1, () => `<a x="${'v'.repeat(n)}">`],
      [1, () => `<a${' p:q="1"'.repeat(Math.ceil(n / 8))}>`],
      [1, () => `<a${' xmlns:p="urn:x"'.repeat(Math.ceil(n / 16))}>`],
      [1, () => `<!--${'-'.repeat(n)}`],
      [1, () => `<![CDATA[${']'.repeat(n)}`],
      [1, () => ']]>'.repeat(Math.ceil(n / 3))],
      [1, () => '<'.repeat(n)],
    ])();
    return insertAt(input, position(input, rng), b(piece));
  }],
  [3, 'splice', (input, rng, seeds) => {
    const other = rng.pick(seeds).bytes;
    const [from, to] = randomRange(other, rng, 512);
    return insertAt(input, position(input, rng), other.subarray(from, to));
  }],
  [2, 'swap-ranges', (input, rng) => {
    if (input.length < 4) return input;
    const a = rng.int(input.length - 1);
    const c = rng.range(a + 1, input.length);
    const mid = rng.range(a, c);
    return Buffer.concat([input.subarray(0, a), input.subarray(mid, c), input.subarray(a, mid), input.subarray(c)]);
  }],
];

// ---------------------------------------------------------------------------------------------
// Cases

export interface CaseOptions {
  framing: NonNullable<ReplayOptions['framing']>;
  maxMessageBytes?: number;
  maxDepth?: number;
  maxTagBytes?: number;
  maxItemBytes?: number;
  maxSkippedTextBytes?: number;
}

export interface FuzzCase {
  seed: number;
  index: number;
  /** The corpus capture or fixture it started from, and the byte range taken. */
  source: string;
  window: [number, number];
  /** How it was framed before mutating, and the mutations, in order. */
  wrap: string;
  mutations: string[];
  options: CaseOptions;
  /** Cut points: the input is pushed in the pieces between them. */
  cuts: number[];
  bytes: Buffer;
  /** The path the case is also read with (fuzz/path.ts), null when none. */
  path: WatchedPath | null;
}

/** Largest window taken from a capture (big captures are fuzzed a piece at a time). */
const MAX_WINDOW = 2048;
/** Mutations may grow an input (duplication, nesting); it is cut back to this. */
const MAX_INPUT = 64 * 1024;

function frameEom(parts: Buffer[]): Buffer {
  return Buffer.concat(parts.flatMap((p) => [p, b(']]>]]>')]));
}

function frameChunked(payload: Buffer, rng: Rng): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  const chunk = rng.chance(0.5) ? rng.range(1, 16) : rng.range(1, Math.max(1, payload.length));
  while (at < payload.length) {
    const n = Math.min(payload.length - at, rng.chance(0.3) ? rng.range(1, chunk) : chunk);
    out.push(b(`\n#${n}\n`), payload.subarray(at, at + n));
    at += n;
  }
  out.push(b('\n##\n'));
  return Buffer.concat(out);
}

/** Splits a payload into up to `n` messages at `>` boundaries. */
function splitMessages(payload: Buffer, rng: Rng, n: number): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let k = 1; k < n; k++) {
    const gt = payload.indexOf(0x3e, rng.range(from, payload.length));
    if (gt < 0) break;
    parts.push(payload.subarray(from, gt + 1));
    from = gt + 1;
  }
  parts.push(payload.subarray(from));
  return parts.filter((p) => p.length > 0);
}

const SMALL_LIMITS: readonly (readonly [keyof CaseOptions, number[]])[] = [
  ['maxMessageBytes', [1, 64, 512, 4096]],
  ['maxDepth', [1, 2, 8, 64]],
  ['maxTagBytes', [1, 16, 64, 256]],
  ['maxItemBytes', [1, 64, 256, 2048]],
  ['maxSkippedTextBytes', [0, 1, 16]],
];

/** Builds case `index` of run `seed`: a pure function of (seeds, seed, index). */
export function makeCase(seeds: readonly SeedInput[], seed: number, index: number): FuzzCase {
  const rng = new Rng(seed, index);
  const src = rng.pick(seeds);
  let from = 0;
  let to = src.bytes.length;
  if (to > MAX_WINDOW || rng.chance(0.15)) {
    const len = rng.range(1, Math.min(MAX_WINDOW, to));
    from = rng.int(to - len + 1);
    if (rng.chance(0.5)) {
      const lt = src.bytes.indexOf(0x3c, from);
      if (lt >= 0 && lt < to) from = lt;
    }
    to = Math.min(to, from + len);
  }
  const payload = src.bytes.subarray(from, to);

  const wrap = rng.weighted<string>([[5, 'none'], [3, 'eom'], [3, 'chunked'], [1, 'eom+chunked']]);
  let bytes: Buffer;
  if (wrap === 'eom') bytes = frameEom(splitMessages(payload, rng, rng.range(1, 3)));
  else if (wrap === 'chunked') bytes = Buffer.concat(splitMessages(payload, rng, rng.range(1, 3)).map((p) => frameChunked(p, rng)));
  else if (wrap === 'eom+chunked') {
    const [first, ...rest] = splitMessages(payload, rng, rng.range(2, 3));
    bytes = Buffer.concat([frameEom(first ? [first] : []), ...rest.map((p) => frameChunked(p, rng))]);
  } else bytes = Buffer.from(payload);

  const mutations: string[] = [];
  for (let k = rng.weighted([[3, 1], [3, 2], [2, 3], [1, 4], [1, 0]]); k > 0; k--) {
    const [, name, mutate] = rng.weighted(MUTATORS.map((m) => [m[0], m] as const));
    bytes = mutate(bytes, rng, seeds);
    if (bytes.length > MAX_INPUT) bytes = bytes.subarray(0, MAX_INPUT);
    mutations.push(name);
  }

  const options: CaseOptions = { framing: rng.weighted([[6, 'auto'], [2, 'eom'], [2, 'chunked'], [1, 'none']] as const) };
  if (rng.chance(0.2)) {
    for (const [key, values] of SMALL_LIMITS) if (rng.chance(0.4)) (options as unknown as Record<string, number>)[key] = rng.pick(values);
  }

  const cuts = chooseCuts(bytes.length, rng);
  // From a PRNG of its own: the cases are the ones they were before paths were checked.
  const path = pathForCase(bytes, new Rng(seed ^ 0x7a7d, index));
  return { seed, index, source: src.name, window: [from, to], wrap, mutations, options, cuts, bytes, path };
}

function chooseCuts(length: number, rng: Rng): number[] {
  if (length <= 1) return [];
  const kind = rng.weighted([[2, 'whole'], [5, 'few'], [2, 'many'], [1, 'bytewise']] as const);
  if (kind === 'whole') return [];
  if (kind === 'bytewise' && length <= 512) return Array.from({ length: length - 1 }, (_, k) => k + 1);
  const n = kind === 'few' ? rng.range(1, 4) : rng.range(5, 40);
  const cuts = new Set<number>();
  for (let k = 0; k < n; k++) cuts.add(rng.range(1, length - 1));
  return [...cuts].sort((x, y) => x - y);
}

export function pieces(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const c of cuts) {
    if (c <= from || c >= bytes.length) continue;
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running one input

/** What one run produced, reduced to what two runs must agree on. */
export type Outcome = { kind: 'ok'; signature: string; label: string } | { kind: 'crash'; detail: string };

export type FailureKind = 'crash' | 'slow' | 'hang' | 'split-variance' | 'oracle' | 'path';

export interface CaseResult {
  /** `ok` or the NetconfError code; `crash` for anything else thrown. */
  label: string;
  ms: number;
  failure: { kind: FailureKind; detail: string } | null;
  /** Messages the oracle judged (see fuzz/oracle.ts), when it ran. */
  judged: { wellFormed: number; broken: number } | null;
  /** The watched path's check, when the case has one: elements cut out, messages compared with saxes. */
  path: { elements: number; judged: number } | null;
}

function replayerOptions(options: CaseOptions): ReplayOptions {
  // Each item the moment it is read: its JSON must be plain data (a throwing getter, a cyclic
  // value or a non-string message would show here).
  const { framing, ...limits } = options;
  return { framing, limits, onItem: (item) => void JSON.stringify(item.toJSON()) };
}

function signature(result: ReplayResult): string {
  return JSON.stringify([
    result.framing, result.trailing, result.trailingText, result.error?.code ?? null,
    result.messages.map((m) => [m.index, m.root?.name ?? null, m.root?.namespace ?? null, m.messageId, m.hasOk, m.bom, m.skippedText, m.error?.code ?? null,
      m.items.map((i) => { const j = i.toJSON(); return [j.code, j.kind, j.level, j.message, j.tag, j.path, j.routingEngine]; })]),
  ]);
}

/**
 * Feeds `chunks` to a fresh Replayer. Never throws. Replay reports failures in its result
 * (per message, and for the stream): the first one found labels the case, and every one
 * must be a NetconfError whose JSON is plain data.
 */
export function runOnce(chunks: readonly Buffer[], options: CaseOptions): Outcome {
  let result: ReplayResult;
  try {
    const replayer = new Replayer(replayerOptions(options));
    for (const c of chunks) replayer.push(c);
    result = replayer.end();
  } catch (err) {
    return { kind: 'crash', detail: `the Replayer threw: ${describe(err)}` };
  }
  const failures = [...result.messages.map((m) => m.error), result.error].filter((e) => e !== null);
  for (const err of failures) {
    if (!(err instanceof NetconfError)) return { kind: 'crash', detail: describe(err) };
    try {
      JSON.stringify(err.toJSON());
    } catch (inner) {
      return { kind: 'crash', detail: `${err.code} whose toJSON() throws: ${describe(inner)}` };
    }
  }
  const first = failures[0];
  return { kind: 'ok', signature: signature(result), label: first ? first.code : 'ok' };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.constructor?.name ?? 'Error'}: ${err.message}${err.stack ? `\n${err.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return `non-Error thrown: ${String(err)}`;
}

/**
 * Runs one input split as given, then whole when it was split: output or a NetconfError,
 * within `boundMs`, and the same outcome (code, or messages and items) both ways. With
 * `oracle`, each message is then judged by saxes too (not counted in the case's time).
 */
export function runInput(bytes: Buffer, cuts: readonly number[], options: CaseOptions, boundMs: number, checkSplit = true, oracle = false, path: WatchedPath | null = null): CaseResult {
  const t0 = performance.now();
  const split = pieces(bytes, cuts);
  const first = runOnce(split, options);
  let second: Outcome | null = null;
  if (checkSplit && first.kind !== 'crash' && split.length > 1) second = runOnce([bytes], options);
  const ms = performance.now() - t0;
  const label = first.kind === 'ok' ? first.label : 'crash';
  const judgement = oracle && first.kind !== 'crash' ? judgeMessages(bytes, options) : null;
  const judged = judgement && { wellFormed: judgement.wellFormed, broken: judgement.broken };
  let watched: ReturnType<typeof checkPath> | null = null;
  let pathCrash: string | null = null;
  if (path && first.kind !== 'crash') {
    try {
      watched = checkPath(checkSplit ? split : [bytes], bytes, options, path);
    } catch (err) {
      pathCrash = `with path ${path.names.join('/')}: ${describe(err)}`;
    }
  }
  const base = { label, ms, judged, path: watched && { elements: watched.elements, judged: watched.judged } };
  if (first.kind === 'crash') return { ...base, failure: { kind: 'crash', detail: first.detail } };
  if (second?.kind === 'crash') return { ...base, label: 'crash', failure: { kind: 'crash', detail: `whole input: ${second.detail}` } };
  if (pathCrash) return { ...base, failure: { kind: 'crash', detail: pathCrash } };
  if (second && !sameOutcome(first, second)) {
    return { ...base, failure: { kind: 'split-variance', detail: `in ${split.length} pieces: ${show(first)}; whole: ${show(second)}` } };
  }
  if (ms > boundMs) return { ...base, failure: { kind: 'slow', detail: `took ${ms.toFixed(0)} ms (bound ${boundMs} ms)` } };
  if (judgement?.disagreement) return { ...base, failure: { kind: 'oracle', detail: judgement.disagreement } };
  if (watched?.disagreement) return { ...base, failure: { kind: 'path', detail: watched.disagreement } };
  return { ...base, failure: null };
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'ok') return a.signature === (b as typeof a).signature;
  return true;
}

function show(o: Outcome): string {
  if (o.kind === 'ok') return `${o.label} ${o.signature.length > 200 ? `${o.signature.slice(0, 200)}…` : o.signature}`;
  return `crash (${o.detail.split('\n')[0]})`;
}

// ---------------------------------------------------------------------------------------------
// Runs

export interface FuzzFailure {
  kind: FailureKind;
  seed: number;
  index: number;
  detail: string;
  source: string;
  mutations: string[];
  /** The limits the case set below their defaults (empty: all defaults). */
  limits: string[];
  /** Where the input was written, when it was. */
  file: string | null;
}

function limitsOf(options: CaseOptions): string[] {
  return Object.keys(options).filter((k) => k !== 'framing').sort();
}

export interface FuzzStats {
  seed: number;
  /** Cases run (each one split as chosen, and also whole when it was split). */
  cases: number;
  /** The first and one-past-last index run, when the run covered a contiguous range. */
  firstIndex: number;
  /** Cases by outcome: `ok` or the NetconfError code. */
  outcomes: Record<string, number>;
  /** Mutations applied, by name. */
  mutations: Record<string, number>;
  bytes: number;
  elapsedMs: number;
  slowest: { index: number; ms: number; source: string; length: number } | null;
  /** Cases over 100 ms, as a rough tail measure. */
  over100ms: number;
  failures: FuzzFailure[];
  /** Stopped early by the time limit. */
  timedOut: boolean;
  /** Messages the oracle judged: well-formed, and structurally broken (zero when it was off). */
  judged: { wellFormed: number; broken: number };
  /** Cases read with a watched path too, the elements cut out, the messages compared with saxes. */
  paths: { cases: number; elements: number; judged: number };
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** First case index (default 0). */
  startIndex?: number;
  /** Run only indexes with `index % stride === offset` (how workers share a run). */
  stride?: number;
  offset?: number;
  /** Skip these indexes (hung cases, already reported by the watchdog). */
  skip?: ReadonlySet<number>;
  /** Stop starting new cases after this long. */
  timeLimitMs?: number;
  /** A case slower than this is a failure (default 2000 ms). */
  caseBoundMs?: number;
  seeds?: readonly SeedInput[];
  /** Write failing inputs here (null: do not write). Default FAILURES_DIR. */
  failureDir?: string | null;
  /** At most this many inputs written per kind of failure (default 20). */
  maxWrittenPerKind?: number;
  /** Judge each message with the oracle too (fuzz/oracle.ts; default true). */
  oracle?: boolean;
  /** Read the cases that have a watched path with it too (fuzz/path.ts; default true). */
  path?: boolean;
  /** Called with the index about to run (the CLI's watchdog hook). */
  onCaseStart?(index: number): void;
  /** Called every `progressEvery` cases with the stats so far. */
  onProgress?(stats: FuzzStats): void;
  progressEvery?: number;
}

export function emptyStats(seed: number, firstIndex = 0): FuzzStats {
  return { seed, cases: 0, firstIndex, outcomes: {}, mutations: {}, bytes: 0, elapsedMs: 0, slowest: null, over100ms: 0, failures: [], timedOut: false, judged: { wellFormed: 0, broken: 0 }, paths: { cases: 0, elements: 0, judged: 0 } };
}

/** Runs `cases` cases of `seed` in this thread. */
export function runFuzz(options: FuzzOptions): FuzzStats {
  const seeds = options.seeds ?? loadSeeds();
  const start = options.startIndex ?? 0;
  const stride = options.stride ?? 1;
  const offset = options.offset ?? 0;
  const bound = options.caseBoundMs ?? 2000;
  const oracle = options.oracle ?? true;
  const withPath = options.path ?? true;
  const failureDir = options.failureDir === undefined ? FAILURES_DIR : options.failureDir;
  const written = new Map<string, number>();
  const stats = emptyStats(options.seed, start);
  const t0 = performance.now();
  const every = options.progressEvery ?? 0;
  // Capturing a stack trace is a third of the time of a case (nearly every case ends in a
  // NetconfError) and no outcome depends on it: off while running, back on to describe a crash.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (let index = start; index < start + options.cases; index++) {
      if (index % stride !== offset || options.skip?.has(index)) continue;
      if (options.timeLimitMs !== undefined && performance.now() - t0 > options.timeLimitMs) {
        stats.timedOut = true;
        break;
      }
      options.onCaseStart?.(index);
      const c = makeCase(seeds, options.seed, index);
      const path = withPath ? c.path : null;
      let r = runInput(c.bytes, c.cuts, c.options, bound, true, oracle, path);
      if (r.failure?.kind === 'crash') {
        Error.stackTraceLimit = stackTraceLimit;
        r = runInput(c.bytes, c.cuts, c.options, bound, true, oracle, path);
        Error.stackTraceLimit = 0;
      }
      stats.cases++;
      stats.bytes += c.bytes.length;
      stats.outcomes[r.label] = (stats.outcomes[r.label] ?? 0) + 1;
      for (const m of c.mutations) stats.mutations[m] = (stats.mutations[m] ?? 0) + 1;
      if (r.ms > 100) stats.over100ms++;
      if (r.judged) {
        stats.judged.wellFormed += r.judged.wellFormed;
        stats.judged.broken += r.judged.broken;
      }
      if (r.path) {
        stats.paths.cases++;
        stats.paths.elements += r.path.elements;
        stats.paths.judged += r.path.judged;
      }
      if (!stats.slowest || r.ms > stats.slowest.ms) stats.slowest = { index, ms: r.ms, source: c.source, length: c.bytes.length };
      if (r.failure) {
        const n = written.get(r.failure.kind) ?? 0;
        let file: string | null = null;
        if (failureDir !== null && n < (options.maxWrittenPerKind ?? 20)) {
          file = writeFailure(failureDir, c, r.failure.kind, r.failure.detail);
          written.set(r.failure.kind, n + 1);
        }
        stats.failures.push({ kind: r.failure.kind, seed: options.seed, index, detail: r.failure.detail, source: c.source, mutations: c.mutations, limits: limitsOf(c.options), file });
      }
      if (every > 0 && stats.cases % every === 0) {
        stats.elapsedMs = performance.now() - t0;
        options.onProgress?.(stats);
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

/** Writes a failing input and what reproduces it: `<kind>-s<seed>-c<index>.bin` and `.json`. */
export function writeFailure(dir: string, c: FuzzCase, kind: FailureKind, detail: string): string {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${kind}-s${c.seed}-c${c.index}`);
  // An unchanged window of a corpus capture is not copied: the capture stays under its own
  // licence in ../shared/corpus, and the .json says which bytes to read from it.
  const fromCorpus = corpusWindow(c.source, c.window) !== null && c.mutations.length === 0 && c.wrap === 'none';
  if (!fromCorpus) writeFileSync(`${base}.bin`, c.bytes);
  const meta: RegressionMeta = {
    kind, seed: c.seed, index: c.index, detail, source: c.source, window: c.window, wrap: c.wrap, mutations: c.mutations,
    options: c.options, cuts: c.cuts, path: c.path, reproduce: `npm run fuzz -- --seed ${c.seed} --case ${c.index}`,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return fromCorpus ? `${base}.json` : `${base}.bin`;
}

/** The bytes a `corpus/…` source and window name, read from the shared corpus; null otherwise. */
function corpusWindow(source: string | undefined, window: [number, number] | undefined): Buffer | null {
  if (!source?.startsWith('corpus/') || !window) return null;
  const file = path.join(CORPUS_DIR, source.slice('corpus/'.length));
  return existsSync(file) ? readFileSync(file).subarray(window[0], window[1]) : null;
}

export interface RegressionMeta {
  kind: FailureKind | 'hand-written';
  seed?: number;
  index?: number;
  detail?: string;
  source?: string;
  window?: [number, number];
  wrap?: string;
  mutations?: string[];
  options?: CaseOptions;
  cuts?: number[];
  path?: WatchedPath | null;
  reproduce?: string;
}

export function mergeStats(into: FuzzStats, from: FuzzStats): FuzzStats {
  into.cases += from.cases;
  into.bytes += from.bytes;
  into.over100ms += from.over100ms;
  for (const [k, v] of Object.entries(from.outcomes)) into.outcomes[k] = (into.outcomes[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.mutations)) into.mutations[k] = (into.mutations[k] ?? 0) + v;
  if (from.slowest && (!into.slowest || from.slowest.ms > into.slowest.ms)) into.slowest = from.slowest;
  into.failures.push(...from.failures);
  into.timedOut ||= from.timedOut;
  into.judged.wellFormed += from.judged.wellFormed;
  into.judged.broken += from.judged.broken;
  into.paths.cases += from.paths.cases;
  into.paths.elements += from.paths.elements;
  into.paths.judged += from.paths.judged;
  return into;
}

/** The figures, as printed by the CLI and the test. */
export function formatStats(stats: FuzzStats, label = 'fuzz'): string {
  const secs = stats.elapsedMs / 1000;
  const lines = [
    `${label}: seed ${stats.seed}, ${stats.cases.toLocaleString('en-US')} cases in ${secs.toFixed(1)} s ` +
      `(${Math.round(stats.cases / Math.max(secs, 1e-9)).toLocaleString('en-US')} cases/s, ${(stats.bytes / 1048576).toFixed(1)} MiB fuzzed)` +
      (stats.timedOut ? ', stopped by the time limit' : ''),
    `  outcomes: ${Object.entries(stats.outcomes).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`,
    `  mutations: ${Object.entries(stats.mutations).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    stats.slowest
      ? `  slowest case: #${stats.slowest.index} ${stats.slowest.ms.toFixed(1)} ms (${stats.slowest.length} bytes from ${stats.slowest.source}); ${stats.over100ms} over 100 ms`
      : '  slowest case: -',
    stats.judged.wellFormed + stats.judged.broken > 0
      ? `  oracle: ${stats.judged.wellFormed.toLocaleString('en-US')} well-formed and ${stats.judged.broken.toLocaleString('en-US')} structurally broken messages (per saxes) judged`
      : '  oracle: off',
    stats.paths.cases > 0
      ? `  watched paths: ${stats.paths.cases.toLocaleString('en-US')} cases read with one too, ${stats.paths.elements.toLocaleString('en-US')} elements cut out, ${stats.paths.judged.toLocaleString('en-US')} messages compared with saxes`
      : '  watched paths: off',
    `  failures: ${stats.failures.length}`,
  ];
  const byKind = new Map<string, FuzzFailure[]>();
  for (const f of stats.failures) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  for (const [kind, list] of byKind) {
    const withDefaults = list.filter((f) => f.limits.length === 0).length;
    const perLimit = new Map<string, number>();
    for (const f of list) for (const l of f.limits) perLimit.set(l, (perLimit.get(l) ?? 0) + 1);
    lines.push(`    ${kind}: ${list.length} (${withDefaults} with the default limits; cases setting ${[...perLimit].sort((x, y) => y[1] - x[1]).map(([l, n]) => `${l} ${n}`).join(', ') || '-'})`);
    for (const f of list.slice(0, 10)) {
      lines.push(`      seed ${f.seed} case ${f.index} (${f.source}; ${f.mutations.join(', ') || 'no mutation'})${f.file ? ` -> ${path.relative(process.cwd(), f.file)}` : ''}`);
      lines.push(`        ${f.detail.split('\n')[0]!.slice(0, 300)}`);
    }
    if (list.length > 10) lines.push(`      … and ${list.length - 10} more`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Regression inputs (fixtures/fuzz/)

export interface RegressionInput {
  name: string;
  bytes: Buffer;
  meta: RegressionMeta | null;
}

export function loadRegressionInputs(dir = FAILURES_DIR): RegressionInput[] {
  const files = listFiles(dir);
  const data = files
    .filter((f) => !f.endsWith('.json') && !f.endsWith('.md'))
    .map((file) => {
      const metaFile = file.replace(/\.[^./]+$/, '.json');
      const meta = metaFile !== file && existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as RegressionMeta) : null;
      return { name: path.relative(dir, file), bytes: readFileSync(file), meta };
    });
  // A .json with no data file of its own names an unchanged window of a corpus capture.
  const fromCorpus = files
    .filter((f) => f.endsWith('.json') && !files.some((g) => g !== f && g.replace(/\.[^./]+$/, '.json') === f))
    .flatMap((metaFile) => {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RegressionMeta;
      const bytes = corpusWindow(meta.source, meta.window);
      if (!bytes) throw new Error(`${metaFile}: no data file, and its source is not a readable corpus window`);
      return [{ name: path.relative(dir, metaFile), bytes, meta }];
    });
  return [...data, ...fromCorpus];
}

/** Each framing mode with the default limits: split invariance is checked under these. */
const REGRESSION_OPTIONS: CaseOptions[] = [{ framing: 'auto' }, { framing: 'eom' }, { framing: 'chunked' }, { framing: 'none' }];
/**
 * Small limits: checked for output-or-NetconfError and time only. (Under limits this small,
 * which error comes first can depend on the split: see the `split-variance` failures.)
 */
const SMALL_LIMIT_OPTIONS: CaseOptions = { framing: 'auto', maxMessageBytes: 64, maxDepth: 4, maxTagBytes: 32, maxItemBytes: 128, maxSkippedTextBytes: 8 };

/**
 * Re-runs a regression input every way: the case's own options and split (from its .json,
 * all checks), each framing mode with the default limits and with small ones, whole, byte by
 * byte (when small) and in fixed pseudo-random splits. Returns the failures.
 */
export function checkRegressionInput(input: RegressionInput, boundMs = 2000): { runs: number; labels: Record<string, number>; failures: string[] } {
  const runs: [CaseOptions, number[], boolean][] = [];
  if (input.meta?.options) runs.push([input.meta.options, input.meta.cuts ?? [], true]);
  const ownPath = input.meta?.path ?? null;
  const rng = new Rng(6242, input.bytes.length);
  const n = input.bytes.length;
  for (const options of [...REGRESSION_OPTIONS, SMALL_LIMIT_OPTIONS]) {
    const checkSplit = options !== SMALL_LIMIT_OPTIONS;
    runs.push([options, [], checkSplit]);
    if (n > 1 && n <= 4096) runs.push([options, Array.from({ length: n - 1 }, (_, k) => k + 1), checkSplit]);
    for (let k = 0; k < 4; k++) runs.push([options, chooseCuts(n, rng), checkSplit]);
  }
  const labels: Record<string, number> = {};
  const failures: string[] = [];
  for (const [k, [options, cuts, checkSplit]] of runs.entries()) {
    const r = runInput(input.bytes, cuts, options, boundMs, checkSplit, true, k === 0 && input.meta?.options ? ownPath : null);
    labels[r.label] = (labels[r.label] ?? 0) + 1;
    if (r.failure) failures.push(`${input.name} (${JSON.stringify(options)}, ${cuts.length + 1} pieces): ${r.failure.kind}: ${r.failure.detail.split('\n')[0]}`);
  }
  return { runs: runs.length, labels, failures };
}

// ---------------------------------------------------------------------------------------------
// CLI: workers under a watchdog

interface CliArgs {
  cases: number;
  seed: number;
  timeLimitMs?: number;
  caseBoundMs: number;
  workers: number;
  caseIndex?: number;
  /** A case running longer than this is a hang (default max(10 s, 5 × the case bound)). */
  hangMs?: number;
  failureDir: string | null;
  oracle: boolean;
  path: boolean;
}

function parseCli(argv: string[]): CliArgs {
  const args: CliArgs = { cases: 100_000, seed: 1, caseBoundMs: 2000, workers: 1, failureDir: FAILURES_DIR, oracle: true, path: true };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k]!;
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, not "${v}"`);
      return n;
    };
    switch (flag) {
      case '--cases': args.cases = value(); break;
      case '--seed': args.seed = value(); break;
      case '--time-limit-ms': args.timeLimitMs = value(); break;
      case '--case-bound-ms': args.caseBoundMs = value(); break;
      case '--workers': args.workers = Math.max(1, value()); break;
      case '--case': args.caseIndex = value(); break;
      case '--hang-ms': args.hangMs = value(); break;
      case '--no-write': args.failureDir = null; break;
      case '--no-oracle': args.oracle = false; break;
      case '--no-path': args.path = false; break;
      case '-h': case '--help':
        process.stdout.write('usage: npm run fuzz -- [--cases N] [--seed S] [--time-limit-ms M] [--case-bound-ms B] [--hang-ms H] [--workers W] [--case I] [--no-write] [--no-oracle] [--no-path]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

interface WorkerJob {
  fuzzWorker: true;
  seed: number;
  start: number;
  cases: number;
  stride: number;
  offset: number;
  skip: number[];
  timeLimitMs?: number;
  caseBoundMs: number;
  failureDir: string | null;
  oracle: boolean;
  path: boolean;
  /** [0]: index being run, [1]: when it started (Date.now()), [2]: last index reported. */
  heartbeat: SharedArrayBuffer;
  /** NETCONFKIT_FUZZ_HANG_AT: a case that never returns, to check the watchdog. */
  simulateHangAt: number;
}

type WorkerMessage = { type: 'progress' | 'done'; stats: FuzzStats; nextIndex: number };

function workerMain(job: WorkerJob): void {
  const beat = new Float64Array(job.heartbeat);
  const seeds = loadSeeds();
  let reported = emptyStats(job.seed);
  const send = (type: 'progress' | 'done', stats: FuzzStats, nextIndex: number) => {
    // Send what is new since the last report, so the main thread can add it up.
    const delta = diffStats(stats, reported);
    reported = cloneStats(stats);
    parentPort!.postMessage({ type, stats: delta, nextIndex } satisfies WorkerMessage);
  };
  let lastIndex = job.start;
  const stats = runFuzz({
    cases: job.cases, seed: job.seed, startIndex: job.start, stride: job.stride, offset: job.offset, skip: new Set(job.skip),
    ...(job.timeLimitMs === undefined ? {} : { timeLimitMs: job.timeLimitMs }),
    caseBoundMs: job.caseBoundMs, seeds, failureDir: job.failureDir, oracle: job.oracle, path: job.path,
    onCaseStart: (index) => {
      lastIndex = index;
      beat[0] = index;
      beat[1] = Date.now();
      // Test hook for the watchdog itself: spin forever on this case.
      if (index === job.simulateHangAt) for (;;);
    },
    progressEvery: 2000,
    onProgress: (s) => send('progress', s, lastIndex + 1),
  });
  beat[1] = 0;
  send('done', stats, job.start + job.cases);
}

function cloneStats(s: FuzzStats): FuzzStats {
  return { ...s, outcomes: { ...s.outcomes }, mutations: { ...s.mutations }, failures: [...s.failures], slowest: s.slowest && { ...s.slowest }, judged: { ...s.judged }, paths: { ...s.paths } };
}

function diffStats(now: FuzzStats, before: FuzzStats): FuzzStats {
  const d = emptyStats(now.seed);
  d.cases = now.cases - before.cases;
  d.bytes = now.bytes - before.bytes;
  d.over100ms = now.over100ms - before.over100ms;
  for (const [k, v] of Object.entries(now.outcomes)) if (v - (before.outcomes[k] ?? 0) > 0) d.outcomes[k] = v - (before.outcomes[k] ?? 0);
  for (const [k, v] of Object.entries(now.mutations)) if (v - (before.mutations[k] ?? 0) > 0) d.mutations[k] = v - (before.mutations[k] ?? 0);
  d.slowest = now.slowest;
  d.failures = now.failures.slice(before.failures.length);
  d.timedOut = now.timedOut;
  d.judged = { wellFormed: now.judged.wellFormed - before.judged.wellFormed, broken: now.judged.broken - before.judged.broken };
  d.paths = { cases: now.paths.cases - before.paths.cases, elements: now.paths.elements - before.paths.elements, judged: now.paths.judged - before.paths.judged };
  return d;
}

/**
 * Runs the cases in worker threads. Each worker shares its heartbeat (the case it is on and
 * since when); a case that runs longer than `hangMs` is a hang: the worker is terminated, the
 * case is written out as a failure, and a new worker carries on after it.
 */
async function runWithWatchdog(args: CliArgs): Promise<FuzzStats> {
  const hangMs = args.hangMs ?? Math.max(10_000, args.caseBoundMs * 5);
  const total = emptyStats(args.seed);
  const t0 = performance.now();
  const seeds = loadSeeds();
  const runWorker = (offset: number, start: number, skip: number[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const heartbeat = new SharedArrayBuffer(3 * 8);
      const beat = new Float64Array(heartbeat);
      const remaining = args.cases - (start - 0);
      const elapsed = performance.now() - t0;
      const job: WorkerJob = {
        fuzzWorker: true, seed: args.seed, start, cases: remaining, stride: args.workers, offset, skip, caseBoundMs: args.caseBoundMs,
        failureDir: args.failureDir, oracle: args.oracle, path: args.path, heartbeat, simulateHangAt: skip.includes(Number(process.env.NETCONFKIT_FUZZ_HANG_AT)) ? -1 : Number(process.env.NETCONFKIT_FUZZ_HANG_AT ?? -1),
        ...(args.timeLimitMs === undefined ? {} : { timeLimitMs: Math.max(0, args.timeLimitMs - elapsed) }),
      };
      const worker = new Worker(new URL(import.meta.url), { workerData: job });
      let resume = start;
      let finished = false;
      const timer = setInterval(() => {
        if (beat[1] === 0 || Date.now() - beat[1]! < hangMs) return;
        // A hang: this case never returned. Report it, and go on without it.
        const index = beat[0]!;
        clearInterval(timer);
        finished = true;
        void worker.terminate();
        const c = makeCase(seeds, args.seed, index);
        const detail = `no result after ${hangMs} ms (the worker was terminated)`;
        const file = args.failureDir === null ? null : writeFailure(args.failureDir, c, 'hang', detail);
        total.failures.push({ kind: 'hang', seed: args.seed, index, detail, source: c.source, mutations: c.mutations, limits: limitsOf(c.options), file });
        total.cases++;
        total.outcomes.hang = (total.outcomes.hang ?? 0) + 1;
        process.stderr.write(`fuzz: case ${index} hung; continuing after it\n`);
        runWorker(offset, resume, [...skip, index]).then(resolve, reject);
      }, 250);
      worker.on('message', (m: WorkerMessage) => {
        mergeStats(total, m.stats);
        resume = m.nextIndex;
        if (m.type === 'done') {
          finished = true;
          clearInterval(timer);
          resolve();
        }
      });
      worker.on('error', (err) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        reject(err);
      });
      worker.on('exit', (code) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        reject(new Error(`fuzz worker exited with code ${code}`));
      });
    });
  const reporter = setInterval(() => {
    process.stderr.write(`fuzz: ${total.cases.toLocaleString('en-US')} cases, ${total.failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }, 30_000);
  try {
    await Promise.all(Array.from({ length: args.workers }, (_, w) => runWorker(w, 0, [])));
  } finally {
    clearInterval(reporter);
  }
  total.elapsedMs = performance.now() - t0;
  total.failures.sort((x, y) => x.index - y.index);
  return total;
}

function describeCase(c: FuzzCase, r: CaseResult): string {
  return [
    `seed ${c.seed} case ${c.index}`,
    `  source:    ${c.source} bytes ${c.window[0]}-${c.window[1]}`,
    `  framed as: ${c.wrap}`,
    `  mutations: ${c.mutations.join(', ') || '-'}`,
    `  options:   ${JSON.stringify(c.options)}`,
    `  pieces:    ${c.cuts.length + 1}`,
    `  input:     ${c.bytes.length} bytes: ${JSON.stringify(c.bytes.subarray(0, 400).toString('latin1'))}${c.bytes.length > 400 ? '…' : ''}`,
    `  outcome:   ${r.label} in ${r.ms.toFixed(2)} ms`,
    r.judged ? `  oracle:    ${r.judged.wellFormed} message(s) well-formed, ${r.judged.broken} structurally broken per saxes` : '  oracle:    off',
    c.path && r.path ? `  path:      ${c.path.names.join('/')}${c.path.maxBytes < 2 ** 30 ? ` (elements up to ${c.path.maxBytes} bytes)` : ''}: ${r.path.elements} element(s) cut out, ${r.path.judged} message(s) compared with saxes` : '  path:      none',
    r.failure ? `  FAILURE:   ${r.failure.kind}: ${r.failure.detail}` : '  no failure',
  ].join('\n');
}

async function cli(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.caseIndex !== undefined) {
    const c = makeCase(loadSeeds(), args.seed, args.caseIndex);
    const r = runInput(c.bytes, c.cuts, c.options, args.caseBoundMs, true, args.oracle, args.path ? c.path : null);
    process.stdout.write(`${describeCase(c, r)}\n`);
    return r.failure ? 1 : 0;
  }
  const stats = await runWithWatchdog(args);
  process.stdout.write(`${formatStats(stats)}\n`);
  return stats.failures.length > 0 ? 1 : 0;
}

if (!isMainThread && (workerData as Partial<WorkerJob> | null)?.fuzzWorker) {
  workerMain(workerData as WorkerJob);
} else if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fuzz: ${describe(err)}\n`);
      process.exitCode = 2;
    },
  );
}
