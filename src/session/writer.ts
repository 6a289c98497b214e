import type { Writable } from 'node:stream';

/** One framed message on its way out. */
export interface OutgoingMessage {
  readonly bytes: Buffer;
  /** Handed to the stream (it may still be buffered there). */
  onStart?(): void;
  /** Flushed, or failed. */
  onDone?(error: Error | null): void;
}

/**
 * Writes framed messages in order, one at a time as the stream accepts them: when the stream
 * says its buffer is full, the rest wait for `drain` instead of piling up in memory.
 * A message still waiting can be withdrawn; one handed to the stream cannot.
 */
export class MessageWriter {
  private readonly queue: OutgoingMessage[] = [];
  private waiting = false;

  constructor(private readonly stream: Writable) {}

  write(message: OutgoingMessage): void {
    this.queue.push(message);
    if (!this.waiting) this.pump();
  }

  /** Takes a message back if it has not been handed to the stream; says whether it was. */
  withdraw(message: OutgoingMessage): boolean {
    const at = this.queue.indexOf(message);
    if (at === -1) return false;
    this.queue.splice(at, 1);
    return true;
  }

  /** Drops every message not yet handed to the stream (the session is going away). */
  clear(): void {
    this.queue.length = 0;
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.waiting) {
      const message = this.queue.shift()!;
      message.onStart?.();
      const more = this.stream.write(message.bytes, (err) => message.onDone?.(err ?? null));
      if (!more && !this.stream.destroyed) {
        this.waiting = true;
        this.stream.once('drain', () => {
          this.waiting = false;
          this.pump();
        });
      }
    }
  }
}
