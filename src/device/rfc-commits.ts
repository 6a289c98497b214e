import { elementText } from '../xml/query.js';
import { hasElement } from './junos-requests.js';
import { rpcErrorXml } from './replies.js';
import type { FakeCommit } from './types.js';

/**
 * The commits of FakeDevice's own datastore (RFC 6241 section 8.3 and 8.4): what was
 * committed, and the one confirmed commit that may be pending. A confirmed commit with
 * `persist` outlives its session, so a new session can confirm (`<commit><persist-id>`) or
 * cancel it; without `persist` it is reverted when its session ends. The configuration
 * itself is not modelled: `commitLog` says what happened.
 */

/** RFC 6241 section 8.4.5.1: `confirm-timeout` defaults to 600 seconds. */
const DEFAULT_TIMEOUT_SECONDS = 600;

interface Pending {
  entry: FakeCommit;
  sessionId: number;
  persist: string | null;
  timer: NodeJS.Timeout;
}

export class RfcCommits {
  /** Every commit applied, in order. */
  readonly log: FakeCommit[] = [];
  private pending: Pending | null = null;

  /** `persist11`: the device has `:confirmed-commit:1.1` (persist, persist-id, cancel-commit). */
  constructor(private readonly confirmedCommit: boolean, private readonly persist11: boolean) {}

  /** The confirmed commit awaiting its confirmation, or null. */
  get pendingCommit(): FakeCommit | null {
    return this.pending?.entry ?? null;
  }

  /** `<commit>`: a plain, confirmed, confirming or extending commit. Returns the reply content. */
  commit(xml: string, sessionId: number, user: string): string {
    const confirmed = hasElement(xml, 'confirmed');
    const persist = elementText(xml, 'persist');
    const persistId = elementText(xml, 'persist-id');
    const unknown = (!this.confirmedCommit && confirmed ? 'confirmed' : null) ?? (!this.persist11 && persist !== null ? 'persist' : null)
      ?? (!this.persist11 && persistId !== null ? 'persist-id' : null);
    if (unknown !== null) return unknownElement(unknown);
    let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    const timeoutText = elementText(xml, 'confirm-timeout');
    if (timeoutText !== null) {
      timeoutSeconds = Number(timeoutText);
      if (!/^[1-9][0-9]*$/.test(timeoutText)) return invalidValue(`confirm-timeout must be a positive number of seconds, got ${JSON.stringify(timeoutText)}`, 'confirm-timeout');
    }
    const refused = this.mayFollow(persistId, sessionId);
    if (refused !== null) return refused;
    const confirms = this.pending?.entry ?? null;
    if (confirms) this.settle('committed');
    const entry: FakeCommit = {
      number: this.log.length + 1, sessionId, user, time: new Date(), comment: null,
      confirmed: confirmed ? { timeoutSeconds, persist } : null, status: confirmed ? 'pending' : 'committed', confirms: confirms?.number ?? null,
    };
    this.log.push(entry);
    if (confirmed) {
      const timer = setTimeout(() => this.settle('reverted'), timeoutSeconds * 1000);
      timer.unref();
      this.pending = { entry, sessionId, persist, timer };
    }
    return '<ok/>';
  }

  /** `<cancel-commit>`: reverts the pending confirmed commit. */
  cancel(xml: string, sessionId: number): string {
    if (!this.persist11) return operationNotSupported('cancel-commit');
    const persistId = elementText(xml, 'persist-id');
    if (this.pending === null && persistId === null) return operationFailed('No confirmed commit is pending');
    const refused = this.mayFollow(persistId, sessionId);
    if (refused !== null) return refused;
    this.settle('reverted');
    return '<ok/>';
  }

  /** RFC 6241 section 8.4.1: a confirmed commit without persist is reverted when its session ends. */
  sessionEnded(sessionId: number): void {
    if (this.pending && this.pending.persist === null && this.pending.sessionId === sessionId) this.settle('reverted');
  }

  /** The pending confirmed commit times out now (as its timer would); false when none is pending. */
  expire(): boolean {
    if (!this.pending) return false;
    this.settle('reverted');
    return true;
  }

  /** Stops the timer of a pending confirmed commit (the device is closing). */
  stop(): void {
    if (this.pending) clearTimeout(this.pending.timer);
  }

  /**
   * Who may confirm or cancel the pending confirmed commit: with `persist`, any session
   * giving its persist-id; without, only the session that made it. A persist-id that names
   * no pending commit is `invalid-value` (RFC 6241 section 8.4.5.1).
   */
  private mayFollow(persistId: string | null, sessionId: number): string | null {
    const p = this.pending;
    if (persistId !== null) {
      if (p === null || p.persist !== persistId) return invalidValue(`No pending confirmed commit has persist-id ${JSON.stringify(persistId)}`, 'persist-id');
      return null;
    }
    if (p === null) return null;
    if (p.persist !== null) return operationFailed('A confirmed commit with persist is pending: give its persist-id');
    if (p.sessionId !== sessionId) return operationFailed(`A confirmed commit of session ${p.sessionId} is pending`);
    return null;
  }

  private settle(status: 'committed' | 'reverted'): void {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    this.pending.entry.status = status;
    this.pending = null;
  }
}

function invalidValue(message: string, element: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message, info: `<bad-element>${element}</bad-element>` });
}

function operationFailed(message: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'operation-failed', message });
}

function unknownElement(element: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'unknown-element', message: `<${element}> needs a capability this device does not advertise`, info: `<bad-element>${element}</bad-element>` });
}

function operationNotSupported(op: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'operation-not-supported', message: `The operation <${op}> is not supported by this device` });
}
