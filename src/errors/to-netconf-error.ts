import { NetconfError } from './netconf-error.js';

/**
 * Turns any thrown value into a NetconfError: a NetconfError passes through, anything else
 * becomes `UNKNOWN` (not retryable) with the original kept as `cause`.
 */
export function toNetconfError(value: unknown): NetconfError {
  if (value instanceof NetconfError) return value;
  const text = value instanceof Error ? value.message : typeof value === 'string' ? value : 'Unexpected failure';
  return new NetconfError('UNKNOWN', text, { cause: value });
}
