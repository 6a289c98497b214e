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

/** Marks the ignored warnings and says whether the reply fails under the policy. */
export function applyWarningPolicy(items: readonly DeviceError[], policy: WarningPolicy): { fails: boolean } {
  let fails = false;
  for (const item of items) {
    if (item.level === 'error') {
      fails = true;
      continue;
    }
    item.ignored = (policy.ignore ?? []).some((m) => matchesWarning(item, m));
    if (policy.raise && !item.ignored) fails = true;
  }
  return { fails };
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
