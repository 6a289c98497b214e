import { junosMinutes } from '../operations/junos.js';
import { usageError } from './args.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;
/** Junos' ceiling for confirm-timeout (65535 minutes), kept for every device: one rule to learn. */
const MAX_SECONDS = 65535 * 60;

/**
 * `--confirmed 5m | 300s | 1h` in seconds. A bare number is refused: the CLI once took minutes
 * while the library takes seconds, and a guess either way can leave a change live for hours.
 */
export function parseConfirmTimeout(value: string): number {
  if (/^\d+$/.test(value)) throw usageError(`--confirmed needs a unit: ${value}m for minutes, ${value}s for seconds`);
  const m = /^(\d+)([smh])$/.exec(value);
  if (!m) throw usageError(`--confirmed takes a time such as 5m, 300s or 1h, not "${value}"`);
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
  if (seconds < 1) throw usageError('--confirmed must be longer than 0');
  if (seconds > MAX_SECONDS) throw usageError('--confirmed can be at most 65535m');
  return seconds;
}

/** What `commit --confirmed` reports: the device rolls the change back at `until` unless confirmed. */
export interface PendingConfirmation {
  timeoutSeconds: number;
  until: string;
  confirmWith: string;
  persistId?: string;
}

/**
 * The window the device actually applies (Junos counts whole minutes, rounded up) and the
 * command that confirms: a plain commit on Junos, a commit naming the persist token elsewhere.
 */
export function pendingConfirmation(seconds: number, junos: boolean, persistId: string | undefined, now = Date.now()): PendingConfirmation {
  const timeoutSeconds = junos ? junosMinutes(seconds) * 60 : seconds;
  return {
    timeoutSeconds,
    until: new Date(now + timeoutSeconds * 1000).toISOString(),
    confirmWith: persistId === undefined ? 'netconfkit commit' : `netconfkit commit --persist-id ${persistId}`,
    ...(persistId === undefined ? {} : { persistId }),
  };
}

export function describePending(p: PendingConfirmation): string {
  return `confirmation pending: the device rolls this commit back at ${p.until} (in ${span(p.timeoutSeconds)}) unless confirmed;`
    + ` confirm with \`${p.confirmWith}\` (same connection flags)`;
}

function span(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
