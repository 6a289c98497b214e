import { ClientError } from '../errors/classes.js';
import { notify } from '../observability/callbacks.js';
import { CircuitBreakers } from './breaker.js';
import { type FleetEvent, deviceEvents } from './events.js';
import { type DeviceResult, failureResult } from './result.js';
import { abortReason } from './retry.js';
import { type DeviceOperation, type FleetDevice, type RunOptions, runOnDevice } from './run-device.js';

/** Reported by fanOut after each device finishes. */
export interface FanOutProgress<T> {
  /** Devices finished so far, this one included. */
  done: number;
  total: number;
  ok: number;
  failed: number;
  /** The device just finished. */
  result: DeviceResult<T>;
}

/** How fanOut runs: concurrency, per-device budget and retries, breakers, progress. */
export interface FanOutOptions<T> extends Omit<RunOptions, 'breaker'> {
  /** Devices worked on at once (default 10). */
  concurrency?: number;
  /** Per-device circuit breakers; pass one instance to every run so it remembers failures (default: fresh ones). */
  breakers?: CircuitBreakers;
  /**
   * Aborts the run: devices in progress are torn down as when their time is up, and devices not
   * started yet are not connected to; their results fail with ABORTED (attempts 0).
   */
  signal?: AbortSignal;
  /** After each device; what it throws is reported (`netconfkit:callbackError`, else a process warning) and changes no result. */
  onProgress?: (progress: FanOutProgress<T>) => void;
  /**
   * Each device's progress as data (started, retrying with the code and delay, breaker open,
   * done with its result), for a dashboard or NDJSON; what it throws is reported as for `onProgress`.
   */
  onEvent?: (event: FleetEvent<T>) => void;
}

/**
 * Runs `operation` on every device, at most `concurrency` at once, each with its timeout,
 * retries and circuit breaker (see runOnDevice). Resolves with one result per device, in the
 * order given; one device's failure never stops the others, and every session is closed.
 */
export async function fanOut<T>(devices: readonly FleetDevice[], operation: DeviceOperation<T>, options: FanOutOptions<T> = {}): Promise<DeviceResult<T>[]> {
  const names = new Set<string>();
  for (const d of devices) {
    if (!d.name) throw new ClientError('INVALID_ARGUMENT', 'every device needs a name');
    if (names.has(d.name)) throw new ClientError('INVALID_ARGUMENT', `two devices are named "${d.name}"`);
    names.add(d.name);
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 10));
  const breakers = options.breakers ?? new CircuitBreakers();
  const results: DeviceResult<T>[] = new Array(devices.length);
  let next = 0;
  let ok = 0;
  let failed = 0;

  const lane = async () => {
    for (let i = next++; i < devices.length; i = next++) {
      const device = devices[i]!;
      const events = options.onEvent && deviceEvents(options.onEvent, device.name, i, options.retry); // observability
      if (events && !options.signal?.aborted) events.started();
      const signal = options.signal;
      const result = signal?.aborted
        ? failureResult(abortReason(signal), { device: device.name, warnings: [], attempts: 0, durationMs: 0 })
        : await runOnDevice(device, operation, { ...options, ...events?.run, breaker: breakers.get(device.name) });
      results[i] = result;
      if (result.ok) ok++;
      else failed++;
      events?.done(result, breakers.get(device.name), { done: ok + failed, total: devices.length, ok, failed });
      notify('onProgress', options.onProgress, [{ done: ok + failed, total: devices.length, ok, failed, result }]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, lane));
  return results;
}
