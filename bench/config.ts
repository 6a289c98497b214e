/**
 * Workload sizes and run plans. `BENCH_QUICK=1` scales every workload down about ten times for
 * a smoke run; the figures it prints are not comparable with a full run's. `BENCH_ONLY` picks
 * sections (for profiling one of them).
 */
import type { Plan } from './timing.js';

export const QUICK = process.env.BENCH_QUICK === '1';
/** `BENCH_LONG=1` adds the 1 GiB reply to the big-reply section. */
export const LONG = process.env.BENCH_LONG === '1';

export type Section = 'extraction' | 'first-error' | 'memory' | 'framing' | 'roundtrip' | 'big' | 'items';
const SECTIONS: readonly Section[] = ['extraction', 'first-error', 'memory', 'framing', 'roundtrip', 'big', 'items'];

/** `BENCH_ONLY=roundtrip,framing` runs only those sections (default: all). */
export const ONLY: ReadonlySet<Section> = new Set(
  process.env.BENCH_ONLY ? (process.env.BENCH_ONLY.split(',').map((s) => s.trim()).filter((s) => (SECTIONS as readonly string[]).includes(s)) as Section[]) : SECTIONS,
);

const MB = 1024 * 1024;
const scale = (full: number, quick: number) => (QUICK ? quick : full);

/** What a socket read typically delivers, and what every streaming method is fed. */
export const CHUNK = 64 * 1024;

export const SIZES = {
  /** Extraction throughput: the reply sizes held in memory. */
  extraction: QUICK ? [0.1 * MB, 1.6 * MB, 12.8 * MB] : [1 * MB, 16 * MB, 128 * MB],
  /** Memory: the streamed reply (never held) and the one fast-xml-parser holds whole. */
  streamed: scale(256 * MB, 25.6 * MB),
  held: scale(64 * MB, 6.4 * MB),
  /**
   * Framing throughput, in a quick run too: above 32 MiB every buffer is a fresh mmap, so the
   * copy it is compared with costs the same each time; at a few MiB, whether malloc hands back
   * recently freed pages decides the copy's speed (1 to 8 GB/s here, run to run).
   */
  framing: 64 * MB,
};

/** Run plans by workload size: small ones are warmed up for a while and repeated. */
export const PLANS: Record<'small' | 'large' | 'huge', Plan> = {
  small: { warmupCalls: 3, warmupSeconds: scale(0.5, 0.2), runs: 5, sampleSeconds: scale(0.2, 0.05), budgetSeconds: 5 },
  large: { warmupCalls: 1, warmupSeconds: scale(0.3, 0.1), runs: 3, sampleSeconds: scale(0.2, 0.05), budgetSeconds: 8 },
  // Warmed up by the smaller sizes; a method that needs more than the budget for one call
  // (lxml: about 10 s at 128 MiB here) is measured once.
  huge: { warmupCalls: 0, warmupSeconds: 0, runs: 3, sampleSeconds: 0, budgetSeconds: 10 },
};

/** Framing: warmed up and repeated by time at any size; more samples, as a 64 MiB copy varies a lot run to run. */
export const FRAMING_PLAN: Plan = { warmupCalls: 3, warmupSeconds: scale(0.5, 0.2), runs: 9, sampleSeconds: scale(0.2, 0.1), budgetSeconds: 5 };

export function planFor(bytes: number): Plan {
  return bytes <= 4 * MB ? PLANS.small : bytes <= 32 * MB ? PLANS.large : PLANS.huge;
}

export const RPC = {
  /**
   * RPCs per round-trip measurement: 1,000; 300 in a quick run, not 100: with 64 in flight, 100
   * RPCs are less than two windows and the ramp-up and drain would be most of what is timed.
   */
  count: scale(1000, 300),
  /** ncclient as shipped waits up to 0.1 s before each send (10 RPC/s): a smaller count, reported as such. */
  ncclientShippedCount: scale(50, 20),
  inFlight: [8, 64],
};

export const SEED = 6;

/** Big replies end to end (bench/bigreply). */
export const BIG = {
  sizes: QUICK ? [4 * MB] : [64 * MB, 256 * MB, ...(LONG ? [1024 * MB] : [])],
  /** Best of this many runs of each client (round robin). */
  runs: (bytes: number) => (QUICK ? 1 : bytes <= 64 * MB ? 3 : bytes <= 256 * MB ? 2 : 1),
  ncclientMaxBytes: QUICK ? 4 * MB : 64 * MB,
  /** The reply whose <rpc-error> comes first. */
  firstErrorBytes: QUICK ? 4 * MB : 64 * MB,
};

/** A big configuration as items (bench/items): streamItems against streamTo, and the slow consumer. */
export const ITEMS = {
  sizes: QUICK ? [16 * MB] : [256 * MB, 1024 * MB],
  /** Best of this many runs of each client (round robin). */
  runs: QUICK ? 1 : 3,
  /** The slow consumer's reply (big enough that the device could run far ahead) and how many items it takes. */
  slowConsumerBytes: QUICK ? 32 * MB : 64 * MB,
  slowConsumerItems: QUICK ? 40 : 100,
};
