import { StringDecoder } from 'node:string_decoder';

// Up to this many bytes a message is decoded chunk by chunk (most messages are small).
const DIRECT_BYTES = 64 * 1024;
// Past it, a batch this size at a time: a piece of text this large is allocated straight in
// V8's large-object space, which the garbage collector never copies.
const BATCH_BYTES = 256 * 1024;

/**
 * A message's text, decoded as it arrives into pieces that make one string (a rope that V8
 * flattens once, when it is first read). No pushed chunk is kept, so the caller may reuse its
 * buffers. A big message is copied into a batch and decoded a batch at a time: decoded 64 KiB at
 * a time, its pieces would sit in the young generation and be copied on every scavenge and
 * again when promoted, which made a big reply several times slower to keep.
 */
export class TextCollector {
  private text = '';
  private decoder: StringDecoder | null = null;
  private batch: Buffer | null = null;
  private used = 0;
  private bytes = 0;

  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes <= DIRECT_BYTES) {
      this.text += (this.decoder ??= new StringDecoder('utf8')).write(chunk);
      return;
    }
    let from = 0;
    while (from < chunk.length) {
      const batch = (this.batch ??= Buffer.allocUnsafe(BATCH_BYTES));
      const n = chunk.copy(batch, this.used, from);
      this.used += n;
      from += n;
      if (this.used === batch.length) this.flush();
    }
  }

  /** The text read so far. */
  peek(): string {
    this.flush();
    return this.text;
  }

  /** The whole text; the collector is then empty. */
  end(): string {
    this.flush();
    const text = this.text + (this.decoder?.end() ?? '');
    this.clear();
    return text;
  }

  clear(): void {
    this.text = '';
    this.decoder = null;
    this.batch = null;
    this.used = 0;
    this.bytes = 0;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.text += (this.decoder ??= new StringDecoder('utf8')).write(this.batch!.subarray(0, this.used));
    this.used = 0;
  }
}
