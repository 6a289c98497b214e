/**
 * The ways real devices break the RFCs that netconfkit reads past. Each is reported, never
 * silently absorbed: by a live session on its `quirk` event and the `netconfkit:quirk`
 * channel, and by replay in its result, once per session (or capture) per kind, with what was
 * seen the first time.
 */

/** A kind of tolerated deviation. */
export type QuirkKind =
  /** An `<rpc-reply>` with no message-id, taken as the reply to the oldest call (replies come in request order). */
  | 'reply-without-message-id'
  /** A broken `<rpc-reply>` whose message-id cannot be read: the oldest call fails with its error at once. */
  | 'unreadable-message-id'
  /** NUL bytes between messages, or before or after a message's root element, skipped. */
  | 'nul-padding'
  /** The device closed the session after `<close-session>` without answering it. */
  | 'close-without-ok'
  /** A capability spelt another way (`writeable-running`, a base capability as its namespace URI), read as the RFC's. */
  | 'capability-spelling'
  /** Junos commit or validate results with `<routing-engine>` left open, read up to the mismatch. */
  | 'unclosed-routing-engine';

/** Every kind, in the order the documentation lists them. */
export const QUIRK_KINDS: readonly QuirkKind[] = [
  'reply-without-message-id',
  'unreadable-message-id',
  'nul-padding',
  'close-without-ok',
  'capability-spelling',
  'unclosed-routing-engine',
];

/** One tolerated deviation: its kind and what was seen, in words (never a message body). */
export interface Quirk {
  /** Which deviation. */
  kind: QuirkKind;
  /** What was seen the first time, in words. */
  detail: string;
}

/** Remembers which kinds were reported, so each is reported once. */
export class QuirkLog {
  private readonly seen = new Set<QuirkKind>();

  /** The quirk to report, or null when its kind was reported already. */
  note(kind: QuirkKind, detail: string): Quirk | null {
    if (this.seen.has(kind)) return null;
    this.seen.add(kind);
    return { kind, detail };
  }
}
