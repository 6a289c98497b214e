// Up to this many bytes a message is decoded chunk by chunk (most messages are small).
const DIRECT_BYTES = 64 * 1024;
// Past it, a batch this size at a time: a piece of text this large is allocated straight in
// V8's large-object space, which the garbage collector never copies.
const BATCH_BYTES = 256 * 1024;

/** Decoded text and the message bytes it came from. */
interface Piece {
  /** Message byte offsets of those bytes. */
  from: number;
  to: number;
  text: string;
  /** The bytes, kept only when they were not valid UTF-8 (the text's length then says nothing of them). */
  raw: Buffer | null;
}

/**
 * A message's text, decoded as it arrives into pieces that are joined without copying (a rope
 * V8 flattens only when the text is searched). No pushed chunk is kept, so the caller may reuse
 * its buffers. A big message is copied into a batch and decoded a batch at a time: decoded
 * 64 KiB at a time, its pieces would sit in the young generation and be copied on every
 * scavenge and again when promoted, which made a big reply several times slower to keep.
 * `slice()` gives a part of the text by byte offsets, sharing the pieces: a reply's `<data>`
 * costs no second copy of the reply.
 */
export class TextCollector {
  private pieces: Piece[] = [];
  /** Direct mode: the text decoded since `directFrom`, and a character cut at the end of the last chunk. */
  private direct = '';
  private directFrom = 0;
  private directTo = 0;
  private cut: Buffer | null = null;
  /** Batch mode: bytes not yet decoded, from message offset `batchFrom`. */
  private batch: Buffer | null = null;
  private batchFrom = 0;
  private used = 0;

  write(chunk: Buffer): void {
    if (this.batch === null && this.directTo + (this.cut?.length ?? 0) + chunk.length <= DIRECT_BYTES) {
      const buf = this.cut ? Buffer.concat([this.cut, chunk]) : chunk;
      const end = completeUpTo(buf, buf.length);
      const text = buf.toString('utf8', 0, end);
      if (Buffer.byteLength(text) === end) {
        this.direct += text;
        this.directTo += end;
      } else {
        // Not valid UTF-8: a piece of its own, with its bytes.
        this.sealDirect();
        this.add(this.directTo, this.directTo + end, text, buf.subarray(0, end));
        this.directFrom = this.directTo += end;
      }
      this.cut = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
      return;
    }
    if (this.batch === null) this.startBatches();
    let from = 0;
    while (from < chunk.length) {
      const n = chunk.copy(this.batch!, this.used, from);
      this.used += n;
      from += n;
      if (this.used === BATCH_BYTES) this.flush(false);
    }
  }

  /** The whole text; the collector is then empty. */
  end(): string {
    this.finish();
    let text = '';
    for (const p of this.pieces) text += p.text;
    this.clear();
    return text;
  }

  /**
   * The text decoded so far, without a character cut at the end of the last write: those bytes
   * stay to be decoded with the next write, as they would have been had the bytes come whole.
   * What is returned is taken out of the collector (offsets start again from 0).
   */
  take(): string {
    let rest: Buffer | null;
    if (this.batch) {
      this.flush(false);
      rest = this.used > 0 ? Buffer.from(this.batch.subarray(0, this.used)) : null;
    } else {
      this.sealDirect();
      rest = this.cut;
    }
    let text = '';
    for (const p of this.pieces) text += p.text;
    this.clear();
    this.cut = rest;
    return text;
  }

  /**
   * The text of message bytes `from` to `to`, each at a character boundary (an ASCII byte or
   * the end), sharing the decoded pieces. Call before `end()`.
   */
  slice(from: number, to: number): string {
    this.finish();
    let text = '';
    for (const p of this.pieces) {
      if (p.to <= from || p.from >= to) continue;
      const a = from > p.from ? charIndex(p, from) : 0;
      const b = to < p.to ? charIndex(p, to) : p.text.length;
      text += a === 0 && b === p.text.length ? p.text : p.text.slice(a, b);
    }
    return text;
  }

  clear(): void {
    this.pieces = [];
    this.direct = '';
    this.directFrom = 0;
    this.directTo = 0;
    this.cut = null;
    this.batch = null;
    this.batchFrom = 0;
    this.used = 0;
  }

  /** From direct decoding to batches: what was decoded is the first piece. */
  private startBatches(): void {
    this.sealDirect();
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.batchFrom = this.directTo;
    this.used = 0;
    if (this.cut) {
      this.used = this.cut.copy(this.batch);
      this.cut = null;
    }
  }

  /** Decodes the batch; a character cut at its end waits for its other bytes unless `last`. */
  private flush(last: boolean): void {
    const batch = this.batch!;
    const end = last ? this.used : completeUpTo(batch, this.used);
    if (end === 0) return;
    this.add(this.batchFrom, this.batchFrom + end, batch.toString('utf8', 0, end), batch.subarray(0, end));
    batch.copy(batch, 0, end, this.used);
    this.used -= end;
    this.batchFrom += end;
  }

  /** Every byte written decoded into pieces. */
  private finish(): void {
    if (this.batch) return this.flush(true);
    this.sealDirect();
    if (this.cut) {
      // A character cut off by the end of the message.
      this.add(this.directTo, this.directTo + this.cut.length, this.cut.toString('utf8'), this.cut);
      this.cut = null;
    }
  }

  /** The text decoded directly so far becomes a piece. */
  private sealDirect(): void {
    if (this.directTo > this.directFrom) this.pieces.push({ from: this.directFrom, to: this.directTo, text: this.direct, raw: null });
    this.direct = '';
    this.directFrom = this.directTo;
  }

  private add(from: number, to: number, text: string, bytes: Buffer): void {
    // Valid UTF-8 re-encodes to exactly its bytes; otherwise keep them to find offsets in.
    const raw = Buffer.byteLength(text) === to - from ? null : Buffer.from(bytes);
    this.pieces.push({ from, to, text, raw });
  }
}

/** Where the last complete UTF-8 character of `buf[0, end)` ends: a sequence cut at the end is left out. */
function completeUpTo(buf: Buffer, end: number): number {
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    return i + length > end ? i : end;
  }
  return end;
}

/** The index in `p.text` of the character that message byte `at` begins. */
function charIndex(p: Piece, at: number): number {
  if (p.raw) return p.raw.toString('utf8', 0, at - p.from).length;
  const text = p.text;
  // Count from the nearer end (the tail after a reply's <data> is a few bytes).
  if (at - p.from <= p.to - at) {
    let bytes = at - p.from;
    let i = 0;
    while (bytes > 0) bytes -= utf8Length(text, i++);
    return i;
  }
  let bytes = p.to - at;
  let i = text.length;
  while (bytes > 0) bytes -= utf8Length(text, --i);
  return i;
}

/** UTF-8 bytes of the UTF-16 unit at `i` (a surrogate pair's four bytes counted as two and two). */
function utf8Length(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
}
