/**
 * `npm run bench`: proves the speed and memory claims against the alternatives in one run
 * (extraction, time to first error, memory, framing, round trips, big replies, a configuration
 * as items), prints the tables and the
 * targets, and writes dist-bench/results.json. BENCH_QUICK=1 scales it down for a smoke run;
 * BENCH_ONLY=section,… runs only some sections.
 */
import { loadavg } from 'node:os';
import { runAsChild } from './children.js';
import { ONLY, QUICK, SEED, SIZES } from './config.js';
import { measureCorpus, measureGenerated } from './extraction.js';
import { checkFirstError } from './first-error.js';
import { measureFraming } from './framing.js';
import { generateReply, itemCount } from './generate.js';
import { measureMemory } from './memory.js';
import { RESULTS_DIR } from './paths.js';
import { render, type Results, writeJson } from './report.js';
import { measureBigReplies } from './bigreply/measure.js';
import { measureItems } from './items/measure.js';
import { measureReplayProcess } from './replay-process.js';
import { measureRoundTrips } from './roundtrip/measure.js';
import { evaluate, type Measured } from './targets.js';
import { formatBytes, gc, machine, now } from './timing.js';

async function main(): Promise<void> {
  const log = (s: string) => process.stderr.write(`[bench +${(now() - t0).toFixed(0)}s] ${s}\n`);
  const t0 = now();
  const host = machine();
  const startedAt = new Date().toISOString();
  const m: Measured = { extraction: [], firstError: [], memory: [], framing: [], roundTrips: [], bigReplies: null, replayProcess: null, items: null };

  // The corpus first: its many small messages are the most sensitive to a heap left large.
  if (ONLY.has('extraction')) m.extraction.push(...measureCorpus(log));
  if (ONLY.has('extraction') || ONLY.has('first-error')) {
    for (const size of SIZES.extraction) {
      log(`generating a ${formatBytes(size)} reply`);
      const { bytes, marks } = generateReply({ bytes: size, seed: SEED });
      // First, before lxml's process has come and gone: its ms figures are wall-clock times.
      if (ONLY.has('first-error')) {
        log(`time to first error on ${formatBytes(bytes.length)}`);
        m.firstError.push(...checkFirstError(bytes, marks).map((r) => ({ reply: `generated ${formatBytes(bytes.length)}`, ...r })));
      }
      if (ONLY.has('extraction')) m.extraction.push(...measureGenerated(bytes, itemCount({ bytes: size }), log));
      gc();
    }
  }
  if (ONLY.has('extraction')) m.replayProcess = await measureReplayProcess(log);
  if (ONLY.has('memory')) m.memory = await measureMemory(log);
  if (ONLY.has('framing')) {
    log('framing');
    m.framing = measureFraming(log);
  }
  if (ONLY.has('roundtrip')) m.roundTrips = await measureRoundTrips(log);
  if (ONLY.has('big')) m.bigReplies = await measureBigReplies(log);
  if (ONLY.has('items')) m.items = await measureItems(log);

  const results: Results = { machine: host, loadAverageAtEnd: loadavg()[0]!, quick: QUICK, startedAt, seconds: now() - t0, ...m, targets: evaluate(m) };
  console.log(render(results));
  const file = writeJson(results, RESULTS_DIR);
  console.log(`results: ${file}`);
}

if (!(await runAsChild(process.argv))) await main();
