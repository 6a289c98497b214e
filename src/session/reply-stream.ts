import { type Writable, finished } from 'node:stream';
import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';

/** Where the bytes come from: paused while the consumer is behind (an SSH channel then stops its window). */
export interface FlowControl {
  pause(): unknown;
  resume(): unknown;
}

/** How a call settles; a ReplyStream wraps it so that the stream ends as the call does. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: NetconfError): void;
}

/** A caller's mistake, found before anything is sent (a file path is opened later, as the request goes). */
export function checkReplyStream(stream: unknown): void {
  if (typeof stream === 'string') {
    if (stream === '') throw new ClientError('INVALID_ARGUMENT', 'The streamTo option is an empty file path');
    return;
  }
  const w = stream as Partial<Writable> | null;
  if (typeof w !== 'object' || w === null || typeof w.write !== 'function' || typeof w.end !== 'function' || typeof w.on !== 'function') {
    throw new ClientError('INVALID_ARGUMENT', 'The streamTo option must be a Writable stream or a file path');
  }
  if (w.destroyed || w.writableEnded) throw new ClientError('INVALID_ARGUMENT', 'The streamTo option is a Writable that has already ended');
}

/**
 * A call's `streamTo` option: the content of its reply's `<data>` / `<configuration>` is written
 * to the caller's Writable as it is read. When the Writable asks to wait (`write` returns
 * false) the transport is paused until it drains, so memory stays bounded by the SSH window
 * whatever the reply's size. The Writable ends when the call resolves (and the call resolves
 * once it has finished, within the call's timeout); it is destroyed with the error when the
 * call fails. A Writable that fails or is closed by its consumer first gives up the call
 * (`gone`: ABORTED).
 */
export class ReplyStream<T> {
  private paused = false;
  /**
   * `open` while the reply is read; `ending` once it was read and the Writable is finishing
   * (the call's timeout and signal still run: a consumer that stops reading cannot hold the
   * call); `done` once nothing more will be written or waited for.
   */
  private state: 'open' | 'ending' | 'done' = 'open';
  readonly settle: Settle<T>;

  constructor(private readonly out: Writable, private readonly flow: FlowControl, gone: (error: NetconfError) => void, settle: Settle<T>) {
    const lost = (err?: Error) => {
      if (this.state !== 'open') return;
      this.state = 'done';
      this.release();
      gone(new ClientError('ABORTED', err ? `The reply's stream failed: ${err.message}` : "The reply's stream was closed before the reply ended", { cause: err }));
    };
    out.on('error', lost);
    out.on('close', () => lost());
    out.on('drain', () => this.release());
    this.settle = {
      resolve: (value) => this.end().then(() => settle.resolve(value), settle.reject),
      reject: (error) => {
        this.fail(error);
        settle.reject(error);
      },
    };
    // Kept so that a synchronous throw from write() can give up the call outside the reader.
    this.lost = lost;
  }

  private readonly lost: (err?: Error) => void;

  /** The reply was read and the Writable is finishing: the call is not settled yet. */
  get ending(): boolean {
    return this.state === 'ending';
  }

  /** The next content bytes (a view of the transport's chunk, which is not reused). */
  write(piece: Buffer): void {
    if (this.state !== 'open') return;
    let more: boolean;
    try {
      more = this.out.write(piece);
    } catch (err) {
      queueMicrotask(() => this.lost(err as Error));
      return;
    }
    if (!more && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
  }

  private end(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    this.state = 'ending';
    return new Promise((resolve, reject) => {
      finished(this.out, (err) => {
        this.state = 'done';
        this.release();
        if (err) reject(new ClientError('ABORTED', `The reply's stream failed while it was being finished: ${err.message}`, { cause: err }));
        else resolve();
      });
      this.out.end();
    });
  }

  /** The call failed (an error reply, its timeout or signal, even while the Writable was finishing): the Writable is destroyed with the error. */
  private fail(error: NetconfError): void {
    this.release();
    if (this.state === 'done') return;
    this.state = 'done';
    this.out.destroy(error);
  }

  private release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flow.resume();
  }
}
