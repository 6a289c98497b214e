/** Which user callback failed: an event name, or a per-call `onItem`. */
export type CallbackSource = 'item' | 'notification' | 'protocolError' | 'close' | 'onItem';

interface Delivery {
  run(): unknown;
  source: CallbackSource;
}

/**
 * Runs user code at arm's length. While the session is reading bytes, callbacks are queued;
 * they run once the reader has finished with the chunk, in order, each on its own: one that
 * throws (or returns a rejected promise) is reported and the next still runs. Nothing a
 * callback does can reach the reader's stack or another call's outcome.
 */
export class Callbacks {
  private readonly queue: Delivery[] = [];
  private holds = 0;
  private running = false;

  constructor(private readonly report: (error: unknown, source: CallbackSource) => void) {}

  /** Queues a callback; it runs now when nothing holds the queue. */
  deliver(run: () => unknown, source: CallbackSource): void {
    this.queue.push({ run, source });
    if (this.holds === 0) this.flush();
  }

  /** Runs `work` (the reading path) with callbacks held, then delivers them. */
  hold<T>(work: () => T): T {
    this.holds++;
    try {
      return work();
    } finally {
      this.holds--;
      if (this.holds === 0) this.flush();
    }
  }

  private flush(): void {
    // A callback that delivers more (closing the session, say) adds to this same loop.
    if (this.running) return;
    this.running = true;
    try {
      for (let d = this.queue.shift(); d; d = this.queue.shift()) {
        const source = d.source;
        try {
          const result = d.run();
          if (isThenable(result)) result.then(undefined, (err: unknown) => this.safeReport(err, source));
        } catch (err) {
          this.safeReport(err, source);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private safeReport(error: unknown, source: CallbackSource): void {
    try {
      this.report(error, source);
    } catch {
      // The reporter itself is user code (a 'callbackError' listener): nothing further to tell.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
