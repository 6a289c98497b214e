/** Timing helpers: a monotonic clock, warm-up then median of runs, and rates. */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Timed<T> {
  /** Median seconds of one call, over the measured samples. */
  seconds: number;
  /** Seconds of one call in each sample (fewer than planned when the budget ran out). */
  runs: number[];
  /** Calls per sample (small workloads are repeated so a sample lasts long enough to time). */
  reps: number;
  /** What the last call returned. */
  result: T;
}

export interface Plan {
  /** Warm-up: at least this many calls, and until this many seconds have passed. */
  warmupCalls: number;
  warmupSeconds: number;
  /** Measured samples; the median is reported. */
  runs: number;
  /** A sample repeats the call until it lasts about this long. */
  sampleSeconds: number;
  /** No new sample starts once the samples have taken this long (there is always one). */
  budgetSeconds: number;
}

/**
 * Warm-up (so the JIT has optimised the code), then the median of several samples. One GC
 * before the warm-up only: a forced full GC between samples was seen to throw away optimised
 * code and to slow the next sample several times over, which is not what a user sees.
 */
export function measure<T>(fn: () => T, plan: Plan): Timed<T> {
  return measureInterleaved([fn], plan)[0]!;
}

/**
 * Like `measure` for several functions at once: each is warmed up, then the samples go round
 * robin (one of each, then again), so a burst of other work on the machine hits every function
 * alike and their ratios hold. Each function has its own time budget.
 */
export function measureInterleaved<T>(fns: readonly (() => T)[], plan: Plan): Timed<T>[] {
  const state = fns.map((fn) => {
    gc();
    let result!: T;
    let calls = 0;
    let last = 0;
    const w0 = now();
    while (calls < plan.warmupCalls || (now() - w0 < plan.warmupSeconds && calls < 10_000)) {
      const t = now();
      result = fn();
      last = now() - t;
      calls++;
    }
    // Without a warm-up there is no estimate: one call per sample (the huge workloads).
    const reps = calls === 0 ? 1 : Math.max(1, Math.ceil(plan.sampleSeconds / Math.max(last, 1e-6)));
    return { fn, result, reps, times: [] as number[], spent: 0 };
  });
  for (let i = 0; i < plan.runs; i++) {
    for (const st of state) {
      if (i > 0 && st.spent >= plan.budgetSeconds) continue;
      minorGc(); // the young garbage of the previous function is not this one's to collect
      const t0 = now();
      for (let r = 0; r < st.reps; r++) st.result = st.fn();
      const dt = now() - t0;
      st.spent += dt;
      st.times.push(dt / st.reps);
    }
  }
  return state.map((st) => ({ seconds: median(st.times), runs: st.times, reps: st.reps, result: st.result }));
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A scavenge of the young generation only (cheap, and it leaves optimised code alone). */
export function minorGc(): void {
  (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
}

export const MIB = 1024 * 1024;

/** MB/s with MB = 10^6 bytes, as throughput is usually quoted. */
export function mbps(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}

export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(bytes >= 10 * MIB ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  memoryGiB: number;
  /** 1-minute load average when the run started (other work on the machine skews every figure). */
  loadAverage: number;
}

export function machine(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg()[0]!,
  };
}
