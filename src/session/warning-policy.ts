import { ClientError } from '../errors/classes.js';
import type { ErrorCode } from '../errors/codes.js';
import type { DeviceError } from '../errors/device-error.js';

/** Which warnings to set aside. Every field given must match; strings match exactly. */
export interface WarningMatcher {
  tag?: string;
  appTag?: string;
  code?: ErrorCode;
  /** Tested against the device's message text. */
  message?: RegExp | string;
  /** Junos `source-daemon`. */
  sourceDaemon?: string;
}

/**
 * What a reply's warnings do. By default they ride on the result and the call succeeds;
 * `raise` makes any warning that is not ignored fail the call like an error; `ignore` marks
 * matching warnings as ignored (they stay on the result, never silently dropped).
 */
export interface WarningPolicy {
  raise?: boolean;
  ignore?: readonly WarningMatcher[];
}

export function matchesWarning(item: DeviceError, m: WarningMatcher): boolean {
  if (m.tag !== undefined && item.tag !== m.tag) return false;
  if (m.appTag !== undefined && item.appTag !== m.appTag) return false;
  if (m.code !== undefined && item.code !== m.code) return false;
  if (m.sourceDaemon !== undefined && item.sourceDaemon !== m.sourceDaemon) return false;
  if (m.message !== undefined) {
    const text = item.deviceMessage ?? '';
    if (typeof m.message === 'string' ? text !== m.message : !statelessTest(m.message, text)) return false;
  }
  return true;
}

/**
 * Marks the ignored warnings and says whether the reply fails under the policy. The matchers
 * are the caller's (a RegExp may be a subclass of theirs): one that throws is INVALID_ARGUMENT,
 * for the call it was applied to alone.
 */
export function applyWarningPolicy(items: readonly DeviceError[], policy: WarningPolicy): { fails: boolean } {
  let fails = false;
  for (const item of items) {
    if (item.level === 'error') {
      fails = true;
      continue;
    }
    try {
      item.ignored = (policy.ignore ?? []).some((m) => matchesWarning(item, m));
    } catch (err) {
      throw new ClientError('INVALID_ARGUMENT', `The warning policy could not be applied: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (policy.raise && !item.ignored) fails = true;
  }
  return { fails };
}

/**
 * A caller's mistake in a policy, found before anything is sent: an `ignore` that is not a list
 * of matchers, or a `message` that is neither a string nor a RegExp.
 */
export function checkWarningPolicy(policy: WarningPolicy | undefined): void {
  if (policy === undefined) return;
  const ignore: unknown = policy.ignore;
  if (ignore === undefined) return;
  if (!Array.isArray(ignore)) throw new ClientError('INVALID_ARGUMENT', 'The warning policy\'s ignore must be a list of matchers');
  for (const m of ignore as unknown[]) {
    if (typeof m !== 'object' || m === null) throw new ClientError('INVALID_ARGUMENT', 'Each matcher of the warning policy\'s ignore must be an object');
    const message: unknown = (m as WarningMatcher).message;
    if (message !== undefined && typeof message !== 'string' && !(message instanceof RegExp)) {
      throw new ClientError('INVALID_ARGUMENT', 'A warning matcher\'s message must be a string or a RegExp');
    }
  }
}

/** Per-call settings win over per-session ones; ignore lists add up. */
export function mergePolicies(session: WarningPolicy | undefined, call: WarningPolicy | undefined): WarningPolicy {
  return {
    raise: call?.raise ?? session?.raise ?? false,
    ignore: [...(session?.ignore ?? []), ...(call?.ignore ?? [])],
  };
}

// A `g` or `y` RegExp remembers `lastIndex` between test() calls, so it would match only every
// other warning: each test starts from 0, and the caller's lastIndex is left as it was.
function statelessTest(re: RegExp, text: string): boolean {
  if (!re.global && !re.sticky) return re.test(text);
  const saved = re.lastIndex;
  re.lastIndex = 0;
  try {
    return re.test(text);
  } finally {
    re.lastIndex = saved;
  }
}
