/**
 * Measurement 4: RFC 6242 chunked framing. Decode: FrameDecoder over the framed bytes in 64 KiB
 * reads, the sink only counting (the payload is handed over as views, never copied). Encode:
 * encodeChunked of the whole payload. The reference for both is a plain Buffer.concat copy of
 * the same bytes: the least any framing that copies could cost.
 */
import { DEFAULT_ENCODE_CHUNK_BYTES, encodeChunked, FrameDecoder } from '../src/wire.js';
import { CHUNK, FRAMING_PLAN, SEED, SIZES } from './config.js';
import { generateReply } from './generate.js';
import { mbps, measureInterleaved } from './timing.js';

export interface FramingRow {
  id: string;
  label: string;
  bytes: number;
  seconds: number;
  mbps: number;
  /** This operation's MB/s divided by the Buffer.concat copy's. */
  vsCopy: number | null;
  ok: boolean;
}

function reads(framed: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < framed.length; i += CHUNK) out.push(framed.subarray(i, i + CHUNK));
  return out;
}

export function measureFraming(log: (s: string) => void): FramingRow[] {
  const payload = generateReply({ bytes: SIZES.framing, seed: SEED }).bytes;
  const plan = FRAMING_PLAN;
  const rows: FramingRow[] = [];
  const add = (id: string, label: string, bytes: number, seconds: number, ok: boolean) => {
    rows.push({ id, label, bytes, seconds, mbps: mbps(bytes, seconds), vsCopy: null, ok });
    log(`  framing: ${label} ${mbps(bytes, seconds).toFixed(0)} MB/s`);
  };

  // Each operation is timed round robin with its copy, so both see the allocator in the same
  // state, and the copy goes into a buffer of the framed size: malloc serves a block the size
  // of one it just freed from the heap but a larger one with a fresh mmap (page faults), which
  // at a few MiB would otherwise decide the comparison.
  const framedBytes = encodeChunked(payload).length;
  const [copy, enc] = measureInterleaved<number>([() => Buffer.concat([payload], framedBytes).length, () => encodeChunked(payload).length], plan);
  add('copy', 'Buffer.concat copy of the payload', payload.length, copy!.seconds, copy!.result === framedBytes);
  add('encode', `encodeChunked (${DEFAULT_ENCODE_CHUNK_BYTES / 1024} KiB chunks)`, payload.length, enc!.seconds, enc!.result === framedBytes);

  for (const chunkBytes of [DEFAULT_ENCODE_CHUNK_BYTES, 16 * 1024]) {
    const framed = encodeChunked(payload, chunkBytes);
    const parts = reads(framed);
    const decode = () => {
      let got = 0;
      let messages = 0;
      const d = new FrameDecoder({ onData: (b) => (got += b.length), onMessageEnd: () => messages++ }, { mode: 'chunked' });
      for (const r of parts) d.push(r);
      d.finish();
      return messages === 1 ? got : -1;
    };
    const [dec, copyReads] = measureInterleaved<number>([decode, () => Buffer.concat(parts).length], plan);
    add(`decode-${chunkBytes / 1024}k`, `FrameDecoder, ${chunkBytes / 1024} KiB chunks, 64 KiB reads`, framed.length, dec!.seconds, dec!.result === payload.length);
    add(`copy-reads-${chunkBytes / 1024}k`, 'Buffer.concat of the same 64 KiB reads', framed.length, copyReads!.seconds, copyReads!.result === framed.length);
    rows[rows.length - 2]!.vsCopy = rows[rows.length - 2]!.mbps / rows[rows.length - 1]!.mbps;
  }
  rows[1]!.vsCopy = rows[1]!.mbps / rows[0]!.mbps;
  return rows;
}
