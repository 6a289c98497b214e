import type { ErrorCode } from '../errors/codes.js';
import { notify } from '../observability/callbacks.js';
import type { DeviceBreaker } from './breaker.js';
import type { DeviceResult } from './result.js';
import type { RunOptions } from './run-device.js';

/**
 * fanOut's per-device progress as data, for dashboards and `netconfkit fleet --ndjson`: each
 * event is plain JSON (no error objects, no credentials), stamped with the time it happened.
 */
export type FleetEvent<T = unknown> =
  | FleetStarted
  | FleetRetrying
  | FleetBreakerOpen
  | FleetDone<T>;

/** Work on a device began (its first connect). */
export interface FleetStarted {
  type: 'started';
  device: string;
  /** The device's position in the list given to fanOut. */
  index: number;
  time: string;
}

/** A try failed with a retryable error; the next one starts after `delayMs`. */
export interface FleetRetrying {
  type: 'retrying';
  device: string;
  /** The try that failed (1 for the first). */
  attempt: number;
  code: ErrorCode;
  message: string;
  delayMs: number;
  time: string;
}

/** The device's circuit breaker is open: calls to it fail fast (CIRCUIT_OPEN) for a while. */
export interface FleetBreakerOpen {
  type: 'breaker-open';
  device: string;
  /** The failure that left it open (CIRCUIT_OPEN when the device was not tried at all). */
  code: ErrorCode;
  time: string;
}

/** The device is finished: its result, and the run's counts so far. */
export interface FleetDone<T = unknown> {
  type: 'done';
  device: string;
  ok: boolean;
  code: ErrorCode | null;
  attempts: number;
  durationMs: number;
  progress: { done: number; total: number; ok: number; failed: number };
  result: DeviceResult<T>;
  time: string;
}

/** The events of one device of a run; only built when someone listens (`onEvent`). */
export function deviceEvents<T>(emit: (event: FleetEvent<T>) => void, device: string, index: number, retry: RunOptions['retry']) {
  const send = (event: FleetEvent<T>) => notify('onEvent', emit, [event]);
  const time = () => new Date().toISOString();
  return {
    started(): void {
      send({ type: 'started', device, index, time: time() });
    },
    /** Run options that also report each retry. */
    run: {
      retry: {
        ...retry,
        onRetry: (e: { error: { code: ErrorCode; message: string }; attempt: number; delayMs: number }) => {
          send({ type: 'retrying', device, attempt: e.attempt, code: e.error.code, message: e.error.message, delayMs: Math.round(e.delayMs), time: time() });
          retry?.onRetry?.(e as Parameters<NonNullable<typeof retry.onRetry>>[0]);
        },
      },
    } satisfies Partial<RunOptions>,
    done(result: DeviceResult<T>, breaker: DeviceBreaker, progress: FleetDone['progress']): void {
      if (!result.ok && breaker.state === 'open') send({ type: 'breaker-open', device, code: result.error_code, time: time() });
      send({
        type: 'done', device, ok: result.ok, code: result.ok ? null : result.error_code, attempts: result.attempts,
        durationMs: result.durationMs, progress, result, time: time(),
      });
    },
  };
}
