import { diagnostics } from './diagnostics.js';

/**
 * Caller code at arm's length: the one rule for every function a caller hands to netconfkit,
 * and the helpers that keep it.
 *
 * A caller's exception never changes another outcome. A callback that only tells the caller
 * something (a session's event listeners, `onItem`, replay's `onMessage`, `onStep`,
 * `onProgress`, `onEvent`, `onRetry`, a wire `logger`) has no outcome of its own: it runs
 * through `notify` or a `CallbackQueue`, and what it throws, or the promise it returns
 * rejects with, is reported and otherwise swallowed. It is published on
 * `netconfkit:callbackError`, given to the session's `callbackError` event when the callback
 * was given to a session (its listeners, a call's `onItem`), and, when nobody heard it either
 * way, emitted as a process warning (NETCONFKIT_CALLBACK_ERROR). A callback whose answer a
 * call needs (commitFlow's `healthCheck`, `onKeyboardInteractive`, a worker's `credentials`
 * through `ask`; a `streamTo` Writable, a warning policy's matchers, a fleet operation by
 * their call's own path) fails that one call, login or job, with its typed error, and
 * nothing else.
 */

/** Which caller callback failed: a session event, or a per-call / per-run callback. */
export type CallbackSource =
  | 'item' | 'notification' | 'protocolError' | 'quirk' | 'close'
  | 'onItem' | 'onMessage' | 'onQuirk' | 'onStep' | 'onProgress' | 'onEvent' | 'onRetry' | 'logger';

/** Where an owner hears of a failed callback besides the channel; returns whether anyone listened. */
export type CallbackReporter = (error: unknown, source: CallbackSource) => boolean;

/** Who owns the callbacks: the name on the channel, and the owner's own report (a session's event). */
export interface CallbackOwner {
  device?: string | null;
  report?: CallbackReporter;
}

/** Reports one failed callback by the rule above. Never throws. */
export function reportCallbackError(error: unknown, source: CallbackSource, owner: CallbackOwner = {}): void {
  let heard = false;
  if (diagnostics.callbackError.hasSubscribers) {
    diagnostics.callbackError.publish({ device: owner.device ?? null, source, error });
    heard = true;
  }
  if (owner.report) {
    try {
      if (owner.report(error, source)) heard = true;
    } catch {
      // The reporter is caller code too (a 'callbackError' listener): nothing further to tell.
      heard = true;
    }
  }
  if (!heard) process.emitWarning(`A netconfkit '${source}' callback threw: ${error instanceof Error ? error.message : String(error)}`, { code: 'NETCONFKIT_CALLBACK_ERROR' });
}

/** Runs a telling callback now: what it throws or rejects with is reported, never returned or thrown. */
export function notify<A extends unknown[]>(source: CallbackSource, callback: ((...args: A) => unknown) | undefined, args: A, owner?: CallbackOwner): void {
  if (!callback) return;
  runReported(() => callback(...args), source, owner);
}

/**
 * Runs a callback whose answer the call needs: a throw becomes the returned promise's
 * rejection (never a synchronous throw into the caller of `ask`), for that call alone to fail with.
 */
export function ask<T>(callback: () => T | PromiseLike<T>): Promise<Awaited<T>> {
  try {
    return Promise.resolve(callback()) as Promise<Awaited<T>>;
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Telling callbacks raised while bytes are being read: queued while the reader works on a
 * chunk, then run in order once it has finished, each on its own. Nothing a callback does
 * can reach the reader's stack (a callback that pushes more bytes, closes the session or
 * throws runs after the reader, not inside it).
 */
export class CallbackQueue {
  private readonly queue: { run(): unknown; source: CallbackSource }[] = [];
  private holds = 0;
  private running = false;

  constructor(private readonly owner: CallbackOwner = {}) {}

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
      for (let d = this.queue.shift(); d; d = this.queue.shift()) runReported(d.run, d.source, this.owner);
    } finally {
      this.running = false;
    }
  }
}

function runReported(run: () => unknown, source: CallbackSource, owner: CallbackOwner | undefined): void {
  try {
    const result = run();
    if (isThenable(result)) result.then(undefined, (err: unknown) => reportCallbackError(err, source, owner));
  } catch (err) {
    reportCallbackError(err, source, owner);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
