// A message's bytes are kept in a buffer of the collector's, reused from message to message
// (allocating one per message cost more than decoding a small one), doubled as needed up to
// this size (most messages fit)...
const SMALL_BYTES = 64 * 1024;
const SMALL_FIRST_BYTES = 4 * 1024;
// ...and past it in a store that grows in place: address space reserved for the largest text a
// JavaScript string can hold (2^29 UTF-16 units, at most 3 UTF-8 bytes each), memory given
// only as it is written, so the bytes are never copied again while they arrive.
const STORE_MAX_BYTES = 3 * 2 ** 29;
/**
 * The longest message whose text is always one JavaScript string: V8's longest string, in
 * characters, and a message never has more characters than bytes. A longer one may not fit.
 */
export const MAX_KEPT_BYTES = 2 ** 29 - 24;
const STORE_FIRST_BYTES = 1024 * 1024;
// Where address space is limited (ulimit -v) and that much cannot be reserved: this much more
// than is needed at least, and a bigger store when it fills.
const STORE_FALLBACK_BYTES = 64 * 1024 * 1024;

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's lib is ES2022). */
interface ResizableArrayBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

/**
 * A message's text. Its bytes are kept as they arrive (copied: the caller may reuse its
 * buffers) and decoded once, when the text is asked for, into one flat string. Decoding as
 * they arrived gave pieces joined as a rope, which V8 flattens into a second copy the first
 * time the text is read by index or searched: a big reply, once read, held twice the memory
 * it needs, and getting memory the process never touched is most of what keeping one costs.
 * `slice()` gives a part of the text by byte offsets as a slice of that string (V8 shares
 * its memory): a reply's `<data>` costs no second copy of the reply.
 */
export class TextCollector {
  private small: Buffer | null = null;
  private store: ResizableArrayBuffer | null = null;
  /** Where the bytes are (the small buffer or a view of the store), and how many. */
  private bytes: Buffer | null = null;
  private used = 0;
  /** The text of the bytes, once decoded (until the next write). */
  private decoded: string | null = null;

  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.decoded = null;
    const need = this.used + chunk.length;
    if (this.bytes === null || need > this.bytes.length) this.grow(need);
    chunk.copy(this.bytes!, this.used);
    this.used = need;
  }

  /** The whole text; the collector is then empty. */
  end(): string {
    const text = this.text();
    this.clear();
    return text;
  }

  /**
   * The text so far, without a character cut at the end of the last write: those bytes stay
   * to be decoded with the next write, as they would have been had the bytes come whole.
   * What is returned is taken out of the collector (offsets start again from 0).
   */
  take(): string {
    if (this.bytes === null) return '';
    const end = completeUpTo(this.bytes, this.used);
    const text = this.bytes.toString('utf8', 0, end);
    this.bytes.copy(this.bytes, 0, end, this.used);
    this.used -= end;
    this.decoded = null;
    return text;
  }

  /**
   * The text of message bytes `from` to `to`, each at a character boundary (an ASCII byte or
   * the end): a slice of the whole text. Call before `end()`.
   */
  slice(from: number, to: number): string {
    const text = this.text();
    return text.slice(this.charIndex(text, from), this.charIndex(text, to));
  }

  clear(): void {
    this.store = null;
    this.bytes = this.small;
    this.used = 0;
    this.decoded = null;
  }

  /** Every byte written, decoded (once). */
  private text(): string {
    if (this.decoded === null) this.decoded = this.bytes === null ? '' : this.bytes.toString('utf8', 0, this.used);
    return this.decoded;
  }

  /** Room for `need` bytes: the small buffer, grown, else the store, grown in place. */
  private grow(need: number): void {
    if (need <= SMALL_BYTES) {
      const small = Buffer.allocUnsafeSlow(Math.min(SMALL_BYTES, Math.max(need, 2 * (this.small?.length ?? SMALL_FIRST_BYTES / 2))));
      if (this.used > 0) this.bytes!.copy(small, 0, 0, this.used);
      this.bytes = this.small = small;
      return;
    }
    if (need > STORE_MAX_BYTES) throw new RangeError(`A message of more than ${STORE_MAX_BYTES} bytes cannot be kept as one string`);
    const size = Math.min(STORE_MAX_BYTES, Math.max(need, 2 * (this.store?.byteLength ?? STORE_FIRST_BYTES / 2)));
    if (this.store !== null && size <= this.store.maxByteLength) {
      this.store.resize(size);
      this.bytes = Buffer.from(this.store, 0, size);
      return;
    }
    this.store = reserve(size);
    const bytes = Buffer.from(this.store, 0, size);
    if (this.used > 0) this.bytes!.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }

  /** The index in `text` of the character that message byte `at` begins. */
  private charIndex(text: string, at: number): number {
    // As many characters as bytes: each byte is one (ASCII, or an invalid byte read as U+FFFD).
    if (text.length === this.used) return at;
    // Decoding is the same on either side of an ASCII byte: count from the nearer end.
    if (at <= this.used - at) return this.bytes!.toString('utf8', 0, at).length;
    return text.length - this.bytes!.toString('utf8', at, this.used).length;
  }
}

/** A store of `size` bytes that can grow in place to the most a string can hold, or to less where address space is limited. */
function reserve(size: number): ResizableArrayBuffer {
  try {
    return new ResizableArrayBuffer(size, { maxByteLength: STORE_MAX_BYTES });
  } catch {
    return new ResizableArrayBuffer(size, { maxByteLength: Math.min(STORE_MAX_BYTES, size + STORE_FALLBACK_BYTES) });
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
