/**
 * Measurement 1: extraction throughput. Every method finds the error items of the same bytes
 * (generated Junos-like replies at three sizes, then the whole shared corpus as one workload);
 * MB/s is the median of several samples after a warm-up (the JavaScript methods' samples taken
 * round robin, so other work on the machine skews them alike), and a method whose item count differs
 * from the expected one has its figure marked invalid.
 */
import { replay } from '../src/index.js';
import { PLANS, planFor } from './config.js';
import { loadCorpus } from './corpus.js';
import { fastXmlParser } from './extractors/fast-xml-parser.js';
import { htmlparser2 } from './extractors/htmlparser2.js';
import { indexOfFloor } from './extractors/indexof-floor.js';
import { runLxml } from './extractors/lxml.js';
import { netconfkit } from './extractors/netconfkit.js';
import { saxes } from './extractors/saxes.js';
import type { Method } from './extractors/types.js';
import { formatBytes, gc, mbps, measure, measureInterleaved, type Plan } from './timing.js';

export interface ExtractionRow {
  workload: string;
  bytes: number;
  method: string;
  label: string;
  seconds: number | null;
  mbps: number | null;
  /** Items found (null for the floor, which finds none by design). */
  count: number | null;
  expected: number;
  /** The count matches (the floor is always valid: it is a speed bound, not a reader). */
  valid: boolean;
  /** netconfkit's MB/s divided by this method's: above 1, netconfkit is faster. */
  netconfkitRatio: number | null;
  runs: number[];
  /** Not run on this workload (see note). */
  skipped?: boolean;
  note?: string;
}

const METHODS: Method[] = [netconfkit, fastXmlParser, saxes, htmlparser2, indexOfFloor];

/** Says so when fewer samples than planned were taken (the time budget ran out). */
function sampling(plan: Plan, samples: number): string | undefined {
  return samples < plan.runs ? `${samples} of ${plan.runs} samples (time budget)` : undefined;
}

function row(workload: string, bytes: number, expected: number, method: string, label: string, seconds: number, count: number | null, runs: number[], note?: string): ExtractionRow {
  return {
    workload, bytes, method, label, seconds, mbps: mbps(bytes, seconds), count, expected,
    valid: count === null || count === expected, netconfkitRatio: null, runs, ...(note ? { note } : {}),
  };
}

function runWorkload(workload: string, messages: readonly Buffer[], bytes: number, expected: number, log: (s: string) => void): ExtractionRow[] {
  const plan = planFor(Math.max(...messages.map((m) => m.length)));
  const rows: ExtractionRow[] = [];
  const largest = Math.max(...messages.map((m) => m.length));
  const runnable = METHODS.filter((method) => !(method.limit && largest > method.limit.bytes));
  const timed = measureInterleaved(runnable.map((method) => () => method.count(messages)), plan);
  for (const method of METHODS) {
    const at = runnable.indexOf(method);
    if (at === -1) {
      rows.push({ ...row(workload, bytes, expected, method.id, method.label, 1, null, []), seconds: null, mbps: null, skipped: true, note: method.limit!.why });
      log(`  ${workload}: ${method.label} ${method.limit!.why}`);
      continue;
    }
    const t = timed[at]!;
    rows.push(row(workload, bytes, expected, method.id, method.label, t.seconds, t.result, t.runs, sampling(plan, t.runs.length)));
    log(`  ${workload}: ${method.label} ${mbps(bytes, t.seconds).toFixed(1)} MB/s`);
  }
  gc();
  const lx = runLxml(messages, plan);
  for (const [id, label] of [['lxml-fromstring', 'fromstring + XPath'], ['lxml-iterparse', 'iterparse']] as const) {
    const v = 'error' in lx ? lx : lx[id === 'lxml-fromstring' ? 'fromstring' : 'iterparse'];
    const name = `lxml ${'error' in lx ? '' : `${lx.lxml} `}${label}`;
    if ('error' in v) {
      rows.push({ ...row(workload, bytes, expected, id, name, 1, null, []), seconds: null, mbps: null, valid: false, note: v.error });
      log(`  ${workload}: ${name} failed: ${v.error}`);
      continue;
    }
    const notes = [v.recovered > 0 ? `${v.recovered} message(s) parsed with recover=True` : '', sampling(plan, v.runs.length) ?? ''].filter(Boolean);
    rows.push(row(workload, bytes, expected, id, name, v.seconds, v.count, v.runs, notes.join('; ') || undefined));
    log(`  ${workload}: ${name} ${mbps(bytes, v.seconds).toFixed(1)} MB/s`);
  }
  const ours = rows[0]!.mbps!;
  for (const r of rows) r.netconfkitRatio = r.mbps === null ? null : ours / r.mbps;
  return rows;
}

/** One generated reply, held whole. */
export function measureGenerated(reply: Buffer, expected: number, log: (s: string) => void): ExtractionRow[] {
  return runWorkload(`generated ${formatBytes(reply.length)}`, [reply], reply.length, expected, log);
}

/** The whole shared corpus as one workload, plus the library's replay() on the raw files. */
export function measureCorpus(log: (s: string) => void): ExtractionRow[] {
  log('extraction: the shared corpus');
  const corpus = loadCorpus();
  const workload = `corpus: ${corpus.files} files, ${corpus.messages.length} messages`;
  const rows = runWorkload(workload, corpus.messages, corpus.bytes, corpus.expectedItems, log);
  // The library as a user runs it on captures: framing and banners included, whole files.
  const t = measure(() => {
    let n = 0;
    for (const raw of corpus.raw) for (const m of replay(raw, { onItem: () => {} }).messages) n += m.items.length;
    return n;
  }, PLANS.small);
  rows.push(row(workload, corpus.fileBytes, corpus.expectedItems, 'netconfkit-replay', 'netconfkit replay() on the raw files', t.seconds, t.result, t.runs,
    'framing and banners included; bytes are file bytes; each file pushed whole'));
  log(`  ${workload}: netconfkit replay() ${mbps(corpus.fileBytes, t.seconds).toFixed(1)} MB/s`);
  return rows;
}
