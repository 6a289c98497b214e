import type { ErrorCode } from '../errors/codes.js';
import type { DeviceError, DeviceErrorJSON } from '../errors/device-error.js';
import type { NetconfError, NetconfErrorJSON } from '../errors/netconf-error.js';

/**
 * The outcome of one job on one device, in the shape job systems use: `error` (a readable
 * string), `error_code` and `error_retryable`, all three null on success, plus `errorJson`,
 * the error's full `toJSON()` (`NetconfError.fromJSON(errorJson)` rebuilds the same class).
 */
export type DeviceResult<T> = DeviceSuccess<T> | DeviceFailure;

/** What every device result holds, success or failure. */
export interface DeviceResultBase {
  /** The device's name. */
  device: string;
  /** Warnings the device sent during the last attempt (ignored ones included, marked). */
  warnings: DeviceErrorJSON[];
  /** Tries made (1 when there was no retry). */
  attempts: number;
  /** Time spent on the device, retries included, in whole milliseconds. */
  durationMs: number;
}

/** A device on which the operation succeeded: `value` is what it returned. */
export interface DeviceSuccess<T> extends DeviceResultBase {
  ok: true;
  value: T;
  error: null;
  error_code: null;
  error_retryable: null;
  errorJson: null;
}

/** A device on which the operation failed, with the error in plain data. */
export interface DeviceFailure extends DeviceResultBase {
  ok: false;
  error: string;
  error_code: ErrorCode;
  error_retryable: boolean;
  errorJson: NetconfErrorJSON;
}

export interface ResultFacts {
  device: string;
  warnings: readonly DeviceError[];
  attempts: number;
  durationMs: number;
}

function base(facts: ResultFacts): DeviceResultBase {
  return {
    device: facts.device,
    warnings: facts.warnings.map((w) => w.toJSON()),
    attempts: facts.attempts,
    durationMs: Math.round(facts.durationMs),
  };
}

export function successResult<T>(value: T, facts: ResultFacts): DeviceSuccess<T> {
  return { ...base(facts), ok: true, value, error: null, error_code: null, error_retryable: null, errorJson: null };
}

export function failureResult(error: NetconfError, facts: ResultFacts): DeviceFailure {
  return {
    ...base(facts),
    ok: false,
    error: error.message,
    error_code: error.code,
    error_retryable: error.retryable,
    errorJson: error.toJSON(),
  };
}

/** Whether a failure is about reaching the device (the CLI's exit status 3), not what it said. */
export function isTransportLike(result: DeviceFailure): boolean {
  const { category, code } = result.errorJson;
  return category === 'transport' || category === 'protocol' || code === 'CIRCUIT_OPEN' || code === 'SESSION_CLOSED';
}
