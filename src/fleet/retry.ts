import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { ClientError } from '../errors/classes.js';
import { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { notify } from '../observability/callbacks.js';

/** How withRetry retries: only what the error model calls retryable, with exponential backoff and jitter. */
export interface RetryOptions {
  /** Tries in all, the first one included (default 3; 1 means no retry). */
  attempts?: number;
  /** The first backoff, in ms (default 250). Later ones grow exponentially, with jitter. */
  initialDelayMs?: number;
  /** The cap on one backoff, in ms (default 5 000). */
  maxDelayMs?: number;
  /** Stops retrying: a backoff in progress ends at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** Which failures to retry (default `isRetryable`). COMMIT_OUTCOME_UNKNOWN never is. */
  shouldRetry?: (error: NetconfError) => boolean;
  /** Called before each backoff; what it throws is reported (`netconfkit:callbackError`) and changes nothing. */
  onRetry?: (event: { error: NetconfError; attempt: number; delayMs: number }) => void;
}

/** What withRetry hands each try. */
export interface AttemptContext {
  /** 1 for the first try. */
  attempt: number;
  signal: AbortSignal;
}

/**
 * Whether the error model says trying again can succeed. A write cut off after it was sent
 * (COMMIT_OUTCOME_UNKNOWN) is never retried, whatever its flag says: the device may have
 * applied it, and applying it twice is not the same as once.
 */
export function isRetryable(error: unknown): boolean {
  const e = toNetconfError(error);
  return e.retryable && e.code !== 'COMMIT_OUTCOME_UNKNOWN';
}

/** The error an aborted signal stands for: its reason when that is a NetconfError, else ABORTED. */
export function abortReason(signal: AbortSignal): NetconfError {
  const reason: unknown = signal.reason;
  return reason instanceof NetconfError ? reason : new ClientError('ABORTED', 'The operation was aborted', { cause: reason });
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not retryable, or has run
 * `attempts` times, with exponential backoff and decorrelated jitter between tries (cockatiel's
 * RetryPolicy). Rejects with the last error as a NetconfError.
 *
 * The signal is handed to `fn`, which should honour it; an abort during a backoff rejects at once.
 */
export function withRetry<T>(fn: (context: AttemptContext) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const shouldRetry = options.shouldRetry ?? isRetryable;
  const signal = options.signal ?? new AbortController().signal;
  // cockatiel counts retries, not tries: maxAttempts 2 means 3 calls.
  const policy = retry(handleWhen((err) => isRetryable(err) && shouldRetry(toNetconfError(err))), {
    maxAttempts: attempts - 1,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 250, maxDelay: options.maxDelayMs ?? 5_000 }),
  }).dangerouslyUnref();

  return new Promise<T>((resolve, reject) => {
    let inAttempt = false;
    // cockatiel's backoff timer is unreferenced so that an abort never keeps the process
    // alive; this one keeps it alive while a backoff is really wanted.
    let keepAlive: NodeJS.Timeout | undefined;
    const settle = () => {
      clearTimeout(keepAlive);
      signal.removeEventListener('abort', onAbort);
      retrying.dispose();
    };
    const onAbort = () => {
      if (inAttempt) return; // the attempt sees the signal and settles by itself
      settle();
      reject(abortReason(signal));
    };
    const retrying = policy.onRetry((event) => {
      keepAlive = setTimeout(() => undefined, event.delay);
      if ('error' in event) notify('onRetry', options.onRetry, [{ error: toNetconfError(event.error), attempt: event.attempt, delayMs: event.delay }]);
    });
    signal.addEventListener('abort', onAbort, { once: true });

    policy
      .execute(async ({ attempt }) => {
        clearTimeout(keepAlive);
        if (signal.aborted) throw abortReason(signal);
        inAttempt = true;
        try {
          return await fn({ attempt: attempt + 1, signal });
        } catch (err) {
          throw toNetconfError(err);
        } finally {
          inAttempt = false;
        }
      }, signal)
      .then(
        (value) => {
          settle();
          resolve(value);
        },
        (err: unknown) => {
          settle();
          reject(toNetconfError(err));
        },
      );
  });
}
