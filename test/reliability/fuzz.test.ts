/**
 * The fuzzer (fuzz/fuzz.ts) in CI: a fixed-seed run of 100,000 cases, in this process, and
 * every regression input in fixtures/fuzz/. Each case is a corpus capture or fixture, mutated
 * (bit flips, truncation, duplicated and deleted ranges, `]]>]]>` and chunk headers, huge
 * chunk sizes, deep nesting, unclosed tags, invalid UTF-8, DOCTYPEs and entity bombs) and fed
 * to a Replayer in random pieces, then whole; a third are also read with a watched path (fuzz/path.ts).
 *
 * The long runs are `npm run fuzz -- --cases 2000000 --seed 7` (worker threads under a
 * watchdog that also catches a case that never returns).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FuzzStats, checkRegressionInput, formatStats, loadRegressionInputs, loadSeeds, makeCase, runFuzz, runInput,
} from '../../fuzz/fuzz.js';
import { judgeMessages } from '../../fuzz/oracle.js';
import { UNBOUNDED, checkPath, choosePath } from '../../fuzz/path.js';

const CASES = 100_000;
const SEED = 20_240_607;
/** A case (split run + whole run) slower than this fails. */
const CASE_BOUND_MS = 2_000;

let stats: FuzzStats;

beforeAll(() => {
  // Nothing is written from CI: `npm run fuzz -- --seed ${SEED} --case I` rebuilds any case.
  stats = runFuzz({ cases: CASES, seed: SEED, caseBoundMs: CASE_BOUND_MS, failureDir: null });
  process.stdout.write(`${formatStats(stats, 'fuzz (CI run)')}\n`);
  if (stats.failures.length > 0) process.stdout.write(`  reproduce one: npm run fuzz -- --seed ${SEED} --case ${stats.failures[0]!.index}\n`);
}, 300_000);

describe(`fuzzing the Replayer: ${CASES.toLocaleString('en-US')} cases, seed ${SEED}`, () => {
  it('runs every case', () => {
    expect(stats.cases).toBe(CASES);
    expect(stats.timedOut).toBe(false);
  });

  it('every case ends in output or a typed NetconfError: nothing else is ever thrown', () => {
    const crashes = stats.failures.filter((f) => f.kind === 'crash');
    expect(crashes.map((f) => `case ${f.index}: ${f.detail}`)).toEqual([]);
    expect(stats.outcomes.crash).toBeUndefined();
    // The outcomes are NetconfError codes (and `ok`), and the mutations reach every layer.
    for (const label of Object.keys(stats.outcomes)) expect(label).toMatch(/^(ok|[A-Z_]+)$/);
    expect(stats.outcomes.ok).toBeGreaterThan(0);
    for (const code of ['MALFORMED_XML', 'FRAMING_ERROR', 'MESSAGE_TOO_LARGE']) expect(stats.outcomes[code]).toBeGreaterThan(0);
  });

  it(`every case ends within ${CASE_BOUND_MS} ms`, () => {
    const slow = stats.failures.filter((f) => f.kind === 'slow' || f.kind === 'hang');
    expect(slow.map((f) => `case ${f.index}: ${f.detail}`)).toEqual([]);
    expect(stats.slowest!.ms).toBeLessThan(CASE_BOUND_MS);
  });

  it('a case fed in pieces gives the same outcome as fed whole', () => {
    const variant = stats.failures.filter((f) => f.kind === 'split-variance');
    expect(variant.map((f) => `case ${f.index} (${JSON.stringify(makeCase(seeds(), SEED, f.index).options)}): ${f.detail}`).slice(0, 10)).toEqual([]);
  });

  it('the reader agrees with an independent parser (saxes) on every message it judges', () => {
    const disagreements = stats.failures.filter((f) => f.kind === 'oracle');
    expect(disagreements.map((f) => `case ${f.index}: ${f.detail}`).slice(0, 10)).toEqual([]);
    // Both checks are exercised: well-formed messages read without error, broken ones refused.
    expect(stats.judged.wellFormed).toBeGreaterThan(1000);
    expect(stats.judged.broken).toBeGreaterThan(10_000);
  });

  it('a watched path cuts out the same elements in pieces and whole, and the ones saxes finds', () => {
    const disagreements = stats.failures.filter((f) => f.kind === 'path');
    expect(disagreements.map((f) => `case ${f.index}: ${f.detail}`).slice(0, 10)).toEqual([]);
    // A share of the cases is read with a path, and elements are cut out and compared.
    expect(stats.paths.cases).toBeGreaterThan(CASES / 5);
    expect(stats.paths.elements).toBeGreaterThan(1000);
    expect(stats.paths.judged).toBeGreaterThan(500);
  });

  it('is deterministic: a case rebuilt alone is the same case with the same outcome', () => {
    const all = seeds();
    for (const index of [0, 1, 777, 31_337, CASES - 1]) {
      const a = makeCase(all, SEED, index);
      const b = makeCase(all, SEED, index);
      expect(b.bytes.equals(a.bytes)).toBe(true);
      expect(b.cuts).toEqual(a.cuts);
      expect(runInput(b.bytes, b.cuts, b.options, CASE_BOUND_MS).label).toBe(runInput(a.bytes, a.cuts, a.options, CASE_BOUND_MS).label);
    }
  });
});

let cachedSeeds: ReturnType<typeof loadSeeds> | null = null;
function seeds() {
  return (cachedSeeds ??= loadSeeds());
}

describe('regression inputs in fixtures/fuzz/', () => {
  const inputs = loadRegressionInputs();

  it('there are some', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  it.each(inputs.map((input) => [input.name, input] as const))('%s: output or a NetconfError, in time, whole or in any pieces', (_name, input) => {
    const r = checkRegressionInput(input, CASE_BOUND_MS);
    expect(r.failures).toEqual([]);
    expect(r.runs).toBeGreaterThan(10);
  });
});

describe('the oracle (fuzz/oracle.ts)', () => {
  const NC = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"';
  it.each([
    ['a well-formed reply', `<rpc-reply ${NC} message-id="1"><ok/></rpc-reply>`, 'none', 1, 0],
    ['two well-formed messages and an empty one', `<rpc-reply ${NC}><ok/></rpc-reply>]]>]]>\n]]>]]><rpc-reply ${NC}><data/></rpc-reply>]]>]]>`, 'eom', 2, 0],
    ['an end tag that does not match', `<rpc-reply ${NC}><data></dato></rpc-reply>`, 'none', 0, 1],
    ['a message cut inside an element', `<rpc-reply ${NC}><data>`, 'none', 0, 1],
    ['a second root', `<rpc-reply ${NC}/><rpc-reply ${NC}/>`, 'none', 0, 1],
    ['a DOCTYPE', `<!DOCTYPE rpc-reply><rpc-reply ${NC}/>`, 'none', 0, 1],
    ['a banner, then a broken reply', `Welcome\n<rpc-reply ${NC}><a></b></rpc-reply>`, 'none', 0, 1],
    ['a lexical fault first (not judged)', `<rpc-reply ${NC}><a b></a></rpc-reply>`, 'none', 0, 0],
    ['too deep for the default limits (not judged)', `${'<a>'.repeat(600)}${'</a>'.repeat(600)}`, 'none', 0, 0],
    ['no element (not judged)', '<!-- a comment between messages -->', 'none', 0, 0],
  ] as const)('%s', (_, xml, framing, wellFormed, broken) => {
    expect(judgeMessages(Buffer.from(xml), { framing })).toEqual({ wellFormed, broken, disagreement: null });
  });

  it('does not judge well-formed a message with invalid UTF-8 (saxes would read replacement characters)', () => {
    // Start and end tag differ only in an invalid byte each: alike once decoded, not alike as bytes.
    const xml = Buffer.concat([Buffer.from(`<rpc-reply ${NC}><a`), Buffer.from([0xff]), Buffer.from('b></a'), Buffer.from([0x80]), Buffer.from('b></rpc-reply>')]);
    expect(judgeMessages(xml, { framing: 'none' })).toEqual({ wellFormed: 0, broken: 0, disagreement: null });
  });

  it('judges a well-formed message that limits refuse only for its structure', () => {
    expect(judgeMessages(Buffer.from('<a><b><c/></b></a>'), { framing: 'none', maxDepth: 1 })).toEqual({ wellFormed: 0, broken: 0, disagreement: null });
  });
});

describe('the watched path check (fuzz/path.ts)', () => {
  const NC = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"';
  const LIST = `<rpc-reply ${NC}><data><ifs><if><name>a</name></if><x:if xmlns:x="urn:x"><name>b</name></x:if><if/><other><if>no</if></other><if><name>c</name></if ></ifs></data></rpc-reply>`;

  it('picks a path from the markup, a repeated one first', () => {
    expect(choosePath(Buffer.from(LIST), () => 0, true)).toEqual(['data', 'ifs', 'if']);
    expect(choosePath(Buffer.from(LIST), () => 0, false)).toEqual(['data']);
    expect(choosePath(Buffer.from('no markup'), () => 0, true)).toBeNull();
  });

  it('finds the elements saxes finds, in pieces and whole, framed or not', () => {
    const path = { names: ['data', 'ifs', 'if'], maxBytes: UNBOUNDED };
    const bytes = Buffer.from(`${LIST}]]>]]>${LIST}]]>]]>`);
    const bytewise = Array.from(bytes, (_, k) => bytes.subarray(k, k + 1));
    expect(checkPath(bytewise, bytes, { framing: 'eom' }, path)).toEqual({ elements: 8, judged: 2, disagreement: null });
    expect(checkPath([bytes], Buffer.from(LIST), { framing: 'none' }, path)).toEqual({ elements: 4, judged: 1, disagreement: null });
  });

  it('also reads a long list: the first element repeated past the pass\'s window, whole and in pieces', () => {
    const bytes = Buffer.from(LIST);
    const times = Math.ceil(70_000 / Buffer.byteLength('<if><name>a</name></if>'));
    const r = checkPath([bytes], bytes, { framing: 'none' }, { names: ['data', 'ifs', 'if'], maxBytes: UNBOUNDED, longList: 70_000 });
    expect(r).toEqual({ elements: 4 + 4 + times, judged: 2, disagreement: null });
  });

  it('allows MESSAGE_TOO_LARGE for an element over the bound, and only then a different outcome', () => {
    const bytes = Buffer.from(LIST);
    expect(checkPath([bytes.subarray(0, 99), bytes.subarray(99)], bytes, { framing: 'none' }, { names: ['data', 'ifs', 'if'], maxBytes: 30 }).disagreement).toBeNull();
  });
});
