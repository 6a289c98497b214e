/**
 * Measurement 3: memory. Peak RSS growth over a post-GC baseline while
 *  - a reply with no errors is generated on the fly in 64 KiB pieces (never held whole),
 *    framed in chunks, and streamed through FrameDecoder + ErrorExtractor;
 *  - the same generator runs alone (the control: what generating costs, with no reader);
 *  - fast-xml-parser parses a smaller reply of the same kind held as one string.
 * Each runs in a fresh process. RSS is sampled during the run (process.memoryUsage.rss());
 * the kernel's high-water mark (VmHWM, reset through /proc/self/clear_refs after the
 * baseline) also catches what happens between samples, e.g. inside one parse call.
 */
import { XMLParser } from 'fast-xml-parser';
import { ErrorExtractor, FrameDecoder, MessageReader } from '../src/wire.js';
import { CHUNK, SEED, SIZES } from './config.js';
import { registerChild, runChild } from './children.js';
import { resetHwm, vmHwm } from './rss.js';
import { replyPieces } from './generate.js';
import { gc, now } from './timing.js';

export interface MemoryRow {
  id: 'stream' | 'generator-only' | 'fast-xml-parser' | 'collected' | 'collected-ascii' | 'collected-searched' | 'collected-control';
  label: string;
  bytes: number;
  baselineRss: number;
  /** Highest sampled RSS minus the baseline. */
  peakSampledGrowth: number;
  /** VmHWM minus the baseline (null where /proc is not there). */
  peakHwmGrowth: number | null;
  samples: number;
  seconds: number;
  items: number;
}

class RssProbe {
  readonly baseline: number;
  peak: number;
  samples = 0;
  constructor() {
    gc();
    gc();
    this.baseline = process.memoryUsage().rss;
    this.peak = this.baseline;
    resetHwm();
  }
  sample(): void {
    const rss = process.memoryUsage.rss();
    this.samples++;
    if (rss > this.peak) this.peak = rss;
  }
  result(id: MemoryRow['id'], label: string, bytes: number, seconds: number, items: number): MemoryRow {
    this.sample();
    const hwm = vmHwm();
    return {
      id, label, bytes, baselineRss: this.baseline, peakSampledGrowth: this.peak - this.baseline,
      peakHwmGrowth: hwm === null ? null : hwm - this.baseline, samples: this.samples, seconds, items,
    };
  }
}

function chunkHeader(size: number): Buffer {
  return Buffer.from(`\n#${size}\n`, 'latin1');
}

registerChild('memory-stream', async ([size, readerArg]) => {
  const bytes = Number(size);
  const withReader = readerArg !== 'generator-only';
  // Warm the code paths on a small reply first, so the JIT's own memory is in the baseline.
  for (let warm = 0; warm < 2; warm++) {
    let items = 0;
    const ex = new ErrorExtractor({ onItem: () => items++ });
    const dec = new FrameDecoder({ onData: (b) => ex.push(b), onMessageEnd: () => ex.end() }, { mode: 'chunked' });
    for (const piece of replyPieces({ bytes: 2 * 1024 * 1024, seed: SEED, pieceBytes: CHUNK })) dec.push(Buffer.concat([chunkHeader(piece.length), piece]));
    dec.push(Buffer.from('\n##\n'));
  }
  const probe = new RssProbe();
  let items = 0;
  let streamed = 0;
  const extractor = new ErrorExtractor({ onItem: () => items++ });
  const decoder = new FrameDecoder({ onData: (b) => extractor.push(b), onMessageEnd: () => extractor.end() }, { mode: 'chunked' });
  const t0 = now();
  for (const piece of replyPieces({ bytes, seed: SEED, items: false, pieceBytes: CHUNK })) {
    // One framed chunk per piece, handed over as one socket read would be.
    const read = Buffer.concat([chunkHeader(piece.length), piece]);
    streamed += read.length;
    if (withReader) decoder.push(read);
    probe.sample();
  }
  if (withReader) decoder.push(Buffer.from('\n##\n'));
  return withReader
    ? probe.result('stream', 'FrameDecoder + ErrorExtractor, streamed', streamed, now() - t0, items)
    : probe.result('generator-only', 'generator alone (control)', streamed, now() - t0, 0);
});

/**
 * A reply collected as a session keeps it: MessageReader (framing, extractor, the bytes kept
 * and decoded once at the end) fed fresh 64 KiB reads, its text (and the content of a root
 * `<data>`, if any) held to the end. `control`: the same reading with nothing kept, what
 * reading alone costs (the generator's garbage, the heap's growth). `ascii`: the reply with
 * every non-ASCII byte replaced, as most configurations are (V8 then keeps one byte per
 * character, not two). `searched`: the caller then reads the content's last character and
 * searches the text once (a text made of pieces would be flattened into a second copy there).
 */
registerChild('memory-collected', async ([size, variant]) => {
  const bytes = Number(size);
  let kept: [string | null, string | null] = [null, null];
  const reader = new MessageReader({
    onRoot: (m) => (m.keep = variant !== 'control'), onItem: () => {}, onMessage: (o) => (kept = [o.xml, o.content?.text ?? null]),
  }, { framing: 'chunked' });
  const probe = new RssProbe();
  const t0 = now();
  let streamed = 0;
  for (let piece of replyPieces({ bytes, seed: SEED, items: false, pieceBytes: CHUNK })) {
    if (variant === 'ascii') piece = Buffer.from(piece.map((b) => (b < 0x80 ? b : 0x78)));
    const read = Buffer.concat([chunkHeader(piece.length), piece]);
    streamed += piece.length;
    reader.push(read);
    probe.sample();
  }
  reader.push(Buffer.from('\n##\n'));
  probe.sample();
  const [xml] = kept;
  const held = variant === 'control' ? xml === null : (xml?.length ?? 0) > streamed / 2;
  if (variant === 'searched') {
    kept[1]?.charCodeAt(kept[1].length - 1);
    xml?.lastIndexOf('</rpc-reply>');
  }
  probe.sample();
  (globalThis as { benchKeep?: unknown }).benchKeep = kept;
  const rows = {
    control: ['collected-control', 'MessageReader, same reply, nothing kept (the control)'],
    utf8: ['collected', 'MessageReader, reply kept, non-ASCII text throughout'],
    ascii: ['collected-ascii', 'MessageReader, ASCII reply kept'],
    searched: ['collected-searched', 'MessageReader, reply kept, then read and searched by the caller'],
  } as const;
  const [id, label] = rows[variant as keyof typeof rows];
  return probe.result(id, `${label}${held ? '' : ' — WRONG: the text was not as asked'}`, streamed, now() - t0, 0);
});

registerChild('memory-fxp', async ([size]) => {
  const bytes = Number(size);
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true });
  parser.parse([...replyPieces({ bytes: 1024 * 1024, seed: SEED })].map(String).join('')); // warm-up
  const probe = new RssProbe();
  const t0 = now();
  // The reply as a user holds it before parsing: one string.
  let parts: Buffer[] = [];
  for (const piece of replyPieces({ bytes, seed: SEED, items: false, pieceBytes: 1024 * 1024 })) {
    parts.push(piece);
    probe.sample();
  }
  let buf: Buffer | null = Buffer.concat(parts);
  parts = [];
  probe.sample();
  const text = buf.toString('utf8');
  buf = null;
  probe.sample();
  const tree: unknown = parser.parse(text);
  probe.sample();
  // What a user holds after parsing (the text and the tree) stays reachable for the last sample.
  (globalThis as { benchKeep?: unknown }).benchKeep = [text, tree];
  return probe.result('fast-xml-parser', 'fast-xml-parser, held as one string', bytes, now() - t0, 0);
});

export async function measureMemory(log: (s: string) => void): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  log(`memory: streaming ${SIZES.streamed / 2 ** 20} MiB through FrameDecoder + ErrorExtractor`);
  rows.push(await runChild<MemoryRow>('memory-stream', [String(SIZES.streamed), 'reader']));
  log('memory: the generator alone');
  rows.push(await runChild<MemoryRow>('memory-stream', [String(SIZES.streamed), 'generator-only']));
  for (const variant of ['control', 'utf8', 'ascii', 'searched']) {
    log(`memory: a ${SIZES.held / 2 ** 20} MiB reply collected by the reader (${variant})`);
    rows.push(await runChild<MemoryRow>('memory-collected', [String(SIZES.held), variant]));
  }
  log(`memory: fast-xml-parser on ${SIZES.held / 2 ** 20} MiB held as a string`);
  rows.push(await runChild<MemoryRow>('memory-fxp', [String(SIZES.held)]));
  return rows;
}
