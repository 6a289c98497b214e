/**
 * Measurement 2: time to first error. For every error item of a generated reply (start,
 * middle, end), the number of bytes fed when `onItem` fired, against `k`, the offset where the
 * item's end tag ends. Fed in 64 KiB chunks, an item must be reported by the chunk that
 * completes it: k ≤ fed < k + 64 KiB (or fed = N, the last, shorter chunk). Checked on the
 * bare ErrorExtractor and through the full Replayer over chunked framing.
 */
import { encodeChunked, ErrorExtractor } from '../src/wire.js';
import { Replayer } from '../src/index.js';
import { CHUNK } from './config.js';
import type { ItemMark } from './generate.js';
import { now } from './timing.js';

export interface FirstErrorRow {
  path: 'ErrorExtractor' | 'Replayer (chunked framing)';
  /** Bytes of what was fed (the reply, or the framed stream). */
  total: number;
  kind: ItemMark['kind'];
  position: ItemMark['position'];
  /** Where the item ends, in the bytes fed. */
  k: number;
  /** Bytes fed when onItem fired (null: it never did). */
  fed: number | null;
  /** Milliseconds from the first push to onItem, and to the end of the whole reply. */
  ms: number | null;
  totalMs: number;
  pass: boolean;
}

/** Framing chunk size of the Replayer check: not a divisor of the 64 KiB reads, so headers straddle reads. */
const FRAME_CHUNK = 40_000;

function judge(k: number, fed: number | null, total: number): boolean {
  return fed !== null && fed >= k && (fed - k < CHUNK || fed === total);
}

interface Reader {
  push(chunk: Buffer): void;
  end(): unknown;
}

/** Feeds `bytes` in 64 KiB chunks; records, for each item, the bytes fed and the time when it fired. */
function stream(bytes: Buffer, make: (onItem: () => void) => Reader): { seen: { fed: number; ms: number }[]; totalMs: number } {
  const seen: { fed: number; ms: number }[] = [];
  let fed = 0;
  const t0 = now();
  const reader = make(() => seen.push({ fed, ms: (now() - t0) * 1000 }));
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const chunk = bytes.subarray(i, i + CHUNK);
    fed += chunk.length;
    reader.push(chunk);
  }
  reader.end();
  return { seen, totalMs: (now() - t0) * 1000 };
}

/** Offset in the chunk-framed stream just past payload byte `end - 1`. */
function framedOffset(end: number, payloadBytes: number): number {
  let framed = 0;
  for (let from = 0; from < payloadBytes; from += FRAME_CHUNK) {
    const size = Math.min(FRAME_CHUNK, payloadBytes - from);
    framed += `\n#${size}\n`.length;
    if (end <= from + size) return framed + (end - from);
    framed += size;
  }
  throw new Error(`offset ${end} is past the payload`);
}

export function checkFirstError(reply: Buffer, marks: readonly ItemMark[]): FirstErrorRow[] {
  const rows: FirstErrorRow[] = [];
  const framed = encodeChunked(reply, FRAME_CHUNK);
  const runs = [
    { path: 'ErrorExtractor' as const, bytes: reply, k: (m: ItemMark) => m.end, make: (onItem: () => void): Reader => new ErrorExtractor({ onItem }) },
    {
      path: 'Replayer (chunked framing)' as const, bytes: framed, k: (m: ItemMark) => framedOffset(m.end, reply.length),
      make: (onItem: () => void): Reader => new Replayer({ framing: 'chunked', onItem }),
    },
  ];
  for (const run of runs) {
    const { seen, totalMs } = stream(run.bytes, run.make);
    marks.forEach((m, i) => {
      const s = seen[i];
      const k = run.k(m);
      rows.push({
        path: run.path, total: run.bytes.length, kind: m.kind, position: m.position, k, fed: s?.fed ?? null, ms: s?.ms ?? null, totalMs,
        pass: seen.length === marks.length && judge(k, s?.fed ?? null, run.bytes.length),
      });
    });
  }
  return rows;
}
