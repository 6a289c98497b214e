import { TimeoutError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { type ConnectOptions, connect } from '../session/connect.js';
import type { Session } from '../session/session.js';
import type { Breaker } from './breaker.js';
import { type DeviceResult, failureResult, successResult } from './result.js';
import { type RetryOptions, abortReason, isRetryable, withRetry } from './retry.js';

/** A device of a fleet: how to connect to it, and a name that identifies it. */
export interface FleetDevice extends ConnectOptions {
  name: string;
}

/** What an operation gets besides the session: the device, the try and the signal to pass on. */
export interface OperationContext {
  device: FleetDevice;
  /** 1 for the first try. */
  attempt: number;
  /** Fires when the device's time is up or the run is aborted; pass it to `session.rpc`. */
  signal: AbortSignal;
}

/** What to do on one device: an RPC, a get-config, the commit flow… */
export type DeviceOperation<T> = (session: Session, device: FleetDevice, context: OperationContext) => Promise<T>;

/** How runOnDevice runs: the device's budget, retries and breaker. */
export interface RunOptions {
  /** The whole budget for the device, retries and backoffs included (default 60 000 ms). */
  timeoutMs?: number;
  /** Retry settings; `{ attempts: 1 }` for none. CIRCUIT_OPEN is not retried within a run. */
  retry?: Omit<RetryOptions, 'signal' | 'shouldRetry'>;
  /** The device's circuit breaker (see CircuitBreakers). */
  breaker?: Breaker;
  signal?: AbortSignal;
}

/** How long an operation may take to settle by itself once its session was torn down. */
const SETTLE_GRACE_MS = 1_000;

type Phase = 'connect' | 'operation' | 'between';

interface RunState {
  phase: Phase;
  attempts: number;
  warnings: DeviceError[];
  lastError: NetconfError | undefined;
}

/**
 * Runs one operation on one device and reports it as a DeviceResult; never rejects.
 * Each try opens a session (through the breaker), runs the operation, and closes the session
 * whatever happened. When the time is up the session is torn down: calls in flight fail
 * (a write already sent as COMMIT_OUTCOME_UNKNOWN), and the result is CONNECT_TIMEOUT or
 * RPC_TIMEOUT by where it was, or the last error when it was waiting to retry.
 */
export async function runOnDevice<T>(device: FleetDevice, operation: DeviceOperation<T>, options: RunOptions = {}): Promise<DeviceResult<T>> {
  const state: RunState = { phase: 'between', attempts: 0, warnings: [], lastError: undefined };
  const { timeoutMs, signal, facts, stop } = startClock(device, state, options);
  try {
    const value = await withRetry(
      async ({ attempt }) => {
        state.attempts = attempt;
        state.warnings = [];
        const once = () => attemptOnce(device, operation, { attempt, signal, state, timeoutMs });
        try {
          return await (options.breaker ? options.breaker.execute(once) : once());
        } catch (err) {
          state.lastError = toNetconfError(err);
          throw state.lastError;
        } finally {
          state.phase = 'between';
        }
      },
      { ...options.retry, signal, shouldRetry: (e) => isRetryable(e) && e.code !== 'CIRCUIT_OPEN' },
    );
    return successResult(value, facts());
  } catch (err) {
    return failureResult(toNetconfError(err), facts());
  } finally {
    stop();
  }
}

function timeUp(device: FleetDevice, state: RunState, timeoutMs: number): NetconfError {
  const target = `${device.name} (${device.host}:${device.port ?? 830})`;
  if (state.phase === 'connect') return new TimeoutError('CONNECT_TIMEOUT', `Timed out connecting to ${target}: its ${timeoutMs} ms were up`);
  if (state.phase === 'operation') return new TimeoutError('RPC_TIMEOUT', `Timed out waiting for ${target}: its ${timeoutMs} ms were up`);
  return state.lastError ?? new TimeoutError('CONNECT_TIMEOUT', `Timed out before reaching ${target}: its ${timeoutMs} ms were up`);
}

async function attemptOnce<T>(
  device: FleetDevice,
  operation: DeviceOperation<T>,
  ctx: { attempt: number; signal: AbortSignal; state: RunState; timeoutMs: number },
): Promise<T> {
  const { signal, state } = ctx;
  state.phase = 'connect';
  // The run's deadline aborts connect() at whatever stage it is, so nothing lingers past it.
  // Cut short by the deadline, it fails with the run's reason (CONNECT_TIMEOUT), not ABORTED.
  const connecting = connect({ ...device, signal }).catch((err: unknown) => {
    throw signal.aborted ? abortReason(signal) : err;
  });
  const session = await untilAborted(connecting, signal, 0, (late) => {
    late.then((s) => s.close(), () => undefined);
  });
  if (signal.aborted) {
    // it fired just as the session came up: the operation never starts
    await session.close();
    throw abortReason(signal);
  }
  return operate(session, device, operation, ctx);
}

/**
 * Runs the operation on an open session, collecting the device's warnings; when the signal
 * fires the session is torn down. The session is closed whatever happened.
 */
async function operate<T>(
  session: Session,
  device: FleetDevice,
  operation: DeviceOperation<T>,
  ctx: { attempt: number; signal: AbortSignal; state: RunState },
): Promise<T> {
  const { signal, state } = ctx;
  state.phase = 'operation';
  session.on('item', (item) => {
    if (item.level === 'warning') state.warnings.push(item);
  });
  const tearDown = () => session.destroy(abortReason(signal));
  signal.addEventListener('abort', tearDown, { once: true });
  try {
    return await untilAborted(operation(session, device, { device, attempt: ctx.attempt, signal }), signal, SETTLE_GRACE_MS);
  } finally {
    signal.removeEventListener('abort', tearDown);
    await session.close();
  }
}

/**
 * runOnDevice for a session already open, such as a device that dialled in (Call Home): one
 * try, since we cannot dial it again; when `timeoutMs` is up the session is torn down and the
 * result is RPC_TIMEOUT. Never rejects; the session is closed.
 */
export async function runOnSession<T>(
  session: Session,
  device: FleetDevice,
  operation: DeviceOperation<T>,
  options: Pick<RunOptions, 'timeoutMs' | 'signal'> = {},
): Promise<DeviceResult<T>> {
  const state: RunState = { phase: 'operation', attempts: 1, warnings: [], lastError: undefined };
  const { signal, facts, stop } = startClock(device, state, options);
  try {
    return successResult(await operate(session, device, operation, { attempt: 1, signal, state }), facts());
  } catch (err) {
    return failureResult(toNetconfError(err), facts());
  } finally {
    stop();
  }
}

/**
 * A run's clock, started now: the deadline that ends it (timeUp says how, by where the run is),
 * joined with the caller's signal, and the facts every result carries.
 */
function startClock(device: FleetDevice, state: RunState, options: Pick<RunOptions, 'timeoutMs' | 'signal'>) {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(timeUp(device, state, timeoutMs)), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  return {
    timeoutMs,
    signal,
    facts: () => ({ device: device.name, warnings: state.warnings, attempts: state.attempts, durationMs: performance.now() - started }),
    stop: () => clearTimeout(timer),
  };
}

/**
 * Settles like `promise`, or, `graceMs` after the signal fires, rejects with its reason
 * (handing the still-running promise to `onLate`, e.g. to close a session that came too late).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, graceMs: number, onLate?: (late: Promise<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', giveUp);
        onLate?.(promise);
        reject(abortReason(signal));
      }, graceMs);
    };
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
    };
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}
