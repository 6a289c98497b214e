import type { QuirkKind } from '../reader/quirks.js';

type Reporter = (kind: QuirkKind, detail: string) => void;

// Each session's own reporter, so that an operation that reads past a deviation (Junos'
// unclosed <routing-engine>) reports it where the session reports its own, without a public method.
const reporters = new WeakMap<object, Reporter>();

/** @internal A session registers how it reports. */
export function registerQuirkReporter(session: object, report: Reporter): void {
  reporters.set(session, report);
}

/** Reports a deviation on the session's `quirk` event and `netconfkit:quirk` (once per kind). */
export function reportQuirk(session: object, kind: QuirkKind, detail: string): void {
  reporters.get(session)?.(kind, detail);
}
