import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';

/** Settings of a device's circuit breaker. */
export interface BreakerOptions {
  /** Consecutive transport failures that open the circuit (default 5). */
  threshold?: number;
  /** How long an open circuit fails fast before one probe call may go through (default 30 000 ms). */
  halfOpenAfterMs?: number;
}

/** A breaker's state: `closed` (calls go through), `open` (they fail fast with CIRCUIT_OPEN), `half-open` (one probe may go through), `isolated`. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * What runOnDevice runs a call through: DeviceBreaker (state in this process), or one whose
 * state is shared, as the queue worker's is through Redis.
 */
export interface Breaker {
  /** Runs `fn` unless the circuit is open (then CIRCUIT_OPEN, without calling it), and counts how it went. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
}

/** Only failures to reach or keep talking to the device count against it. */
export function isTransportFailure(error: unknown): boolean {
  return toNetconfError(error).category === 'transport';
}

/**
 * The circuit breaker of one device (cockatiel's CircuitBreakerPolicy with a
 * ConsecutiveBreaker). After `threshold` transport failures in a row, calls fail fast with
 * CIRCUIT_OPEN (retryable: later) until, `halfOpenAfterMs` on, one probe call succeeds.
 * Anything the device answered, errors included, shows it is reachable: it counts as a
 * success for the breaker and is passed on to the caller unchanged.
 */
export class DeviceBreaker implements Breaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly threshold: number;
  private readonly halfOpenAfterMs: number;

  constructor(readonly device: string, options: BreakerOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
    this.policy = circuitBreaker(handleWhen(isTransportFailure), {
      halfOpenAfter: this.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.threshold),
    });
  }

  get state(): BreakerState {
    return STATES[this.policy.state];
  }

  async execute<T>(fn: () => Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = await this.policy.execute(async () => {
        try {
          return { value: await fn() };
        } catch (err) {
          if (isTransportFailure(err)) throw err;
          return { error: err };
        }
      });
    } catch (err) {
      if (!isBrokenCircuitError(err)) throw err;
      const last = this.policy.lastFailure;
      throw circuitOpen(this.device, this.threshold, this.halfOpenAfterMs, last && 'error' in last ? toNetconfError(last.error) : undefined);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

/** The error of a call an open circuit turned away; `cause` is the last failure, when known. */
export function circuitOpen(device: string, threshold: number, halfOpenAfterMs: number, cause?: NetconfError): ClientError {
  return new ClientError(
    'CIRCUIT_OPEN',
    `Circuit open for ${device} after ${threshold} transport failures in a row` +
      `${cause ? ` (last: ${cause.code})` : ''}; calls fail fast for up to ${halfOpenAfterMs} ms, then one probe may go through`,
    { cause },
  );
}

// Recognised across two loaded copies of the library (its ESM and CJS builds in one process),
// as the errors are: a worker from one copy keeps the breakers made with the other.
const BREAKERS_BRAND = Symbol.for('netconfkit.CircuitBreakers');

/** One breaker per device name, created on first use; share it across runs to remember failures. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, DeviceBreaker>();

  /** `instanceof` holds for breakers made by either copy of the library (ESM or CJS). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BREAKERS_BRAND] === true;
  }

  constructor(private readonly options: BreakerOptions = {}) {
    Object.defineProperty(this, BREAKERS_BRAND, { value: true });
  }

  get(device: string): DeviceBreaker {
    let breaker = this.breakers.get(device);
    if (!breaker) {
      breaker = new DeviceBreaker(device, this.options);
      this.breakers.set(device, breaker);
    }
    return breaker;
  }
}
