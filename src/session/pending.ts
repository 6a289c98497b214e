import type { NetconfError } from '../errors/netconf-error.js';

/**
 * Where a call's request is: waiting for its turn to be written (`queued`), handed to the
 * transport but not yet flushed (`writing`), or flushed (`sent`). A write cut off anywhere
 * after `queued` has an unknown outcome.
 */
export type CallStage = 'queued' | 'writing' | 'sent';

/** One call waiting for its reply. */
export interface PendingCall<Reply> {
  readonly id: string;
  /** A write (edit-config, commit…): cut off after it was sent, its outcome is unknown. */
  readonly write: boolean;
  stage: CallStage;
  resolve(reply: Reply): void;
  reject(error: NetconfError): void;
}

export interface CallLimits {
  /** The total deadline; 0 or undefined: no timer. */
  timeoutMs?: number | undefined;
  /** How long the device may send nothing once the request is sent (see `listening`); 0 or undefined: no limit. */
  idleTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onTimeout(): void;
  onIdle?(): void;
  onAbort(): void;
}

interface Entry<Reply> {
  call: PendingCall<Reply>;
  idleMs: number;
  /** When its idle clock started (its request was sent); null until then. */
  listeningSince: number | null;
  onIdle: (() => void) | undefined;
  release(): void;
}

// Ids of calls the caller gave up on are remembered this long, so their late replies are dropped quietly.
const EXPIRED_IDS_KEPT = 4096;

/** The oldest request still owed a reply: a call that waits, or the id of one the caller gave up on. */
export type Owed<Reply> = { call: PendingCall<Reply> } | { expiredId: string };

/**
 * The calls in flight, by message-id. Owns each call's clocks and abort listener: whatever
 * way a call leaves the table (reply, timeout, abort, teardown), they are released.
 *
 * Two clocks per call: the total deadline (a timer of its own) and the idle clock, which
 * counts from the last sign of life (`activity()`: a byte from the device, or reading
 * resumed) and stands still while reading is paused for a slow consumer. One timer serves
 * every idle clock; it is not re-armed per byte, only checked when it fires.
 *
 * It also keeps the order requests were sent in, given-up ones included until their late
 * reply comes, so a reply without a message-id can be taken as the oldest one's.
 */
export class PendingCalls<Reply> {
  private readonly entries = new Map<string, Entry<Reply>>();
  /** Ids owed a reply, in the order they were added: waiting calls (true) and given-up ones (false). */
  private readonly owed = new Map<string, boolean>();
  private expiredCount = 0;
  private lastActivity = performance.now();
  private paused = false;
  private idleTimer: NodeJS.Timeout | null = null;

  get size(): number {
    return this.entries.size;
  }

  /** When the device last sent a byte (or reading resumed after a pause): the idle and drain clocks count from here. */
  get lastActivityAt(): number {
    return this.lastActivity;
  }

  add(call: PendingCall<Reply>, limits: CallLimits): void {
    let timer: NodeJS.Timeout | undefined;
    if (limits.timeoutMs !== undefined && limits.timeoutMs > 0) timer = setTimeout(limits.onTimeout, clampTimer(limits.timeoutMs));
    const signal = limits.signal;
    const onAbort = limits.onAbort;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.owed.set(call.id, true);
    this.entries.set(call.id, {
      call,
      idleMs: limits.idleTimeoutMs !== undefined && limits.idleTimeoutMs > 0 ? limits.idleTimeoutMs : 0,
      listeningSince: null,
      onIdle: limits.onIdle,
      release() {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    });
  }

  get(id: string): PendingCall<Reply> | undefined {
    return this.entries.get(id)?.call;
  }

  has(call: PendingCall<Reply>): boolean {
    return this.entries.get(call.id)?.call === call;
  }

  /** The call's request has been sent: its idle clock starts now. */
  listening(call: PendingCall<Reply>): void {
    const entry = this.entries.get(call.id);
    if (!entry || entry.call !== call || entry.idleMs === 0) return;
    entry.listeningSince = performance.now();
    this.armIdle(entry.idleMs);
  }

  /** The call's reply has been read whole (it stays in the table for another reason): its idle clock stops. */
  heard(call: PendingCall<Reply>): void {
    const entry = this.entries.get(call.id);
    if (entry?.call === call) entry.listeningSince = null;
  }

  /** A byte arrived from the device. Cheap: called for every chunk. */
  activity(): void {
    this.lastActivity = performance.now();
  }

  /** Reading is paused for a slow consumer: the idle clocks stand still meanwhile. */
  pause(): void {
    this.paused = true;
  }

  /** Reading resumes: the idle clocks start again from now. */
  resume(): void {
    this.paused = false;
    this.lastActivity = performance.now();
    this.checkIdle();
  }

  /** Removes a call (its reply came, or it failed, or it was never sent) and releases its timer and listener. */
  take(id: string): PendingCall<Reply> | undefined {
    const call = this.remove(id);
    if (call) this.owed.delete(id);
    return call;
  }

  /** Removes a call the caller gave up on after it was sent: its id stays owed (in its place), so its late reply is dropped. */
  expire(id: string): PendingCall<Reply> | undefined {
    const call = this.remove(id);
    if (!call) return undefined;
    this.owed.set(id, false);
    if (++this.expiredCount > EXPIRED_IDS_KEPT) {
      for (const [old, waiting] of this.owed) {
        if (waiting) continue;
        this.owed.delete(old);
        this.expiredCount--;
        break;
      }
    }
    return call;
  }

  wasExpired(id: string): boolean {
    return this.owed.get(id) === false;
  }

  /** A given-up call's late reply came: it is owed nothing more. */
  answered(id: string): void {
    if (this.owed.get(id) !== false) return;
    this.owed.delete(id);
    this.expiredCount--;
  }

  /** The oldest request owed a reply (replies come in request order, RFC 6241 section 4.5). */
  oldest(): Owed<Reply> | undefined {
    for (const [id, waiting] of this.owed) return waiting ? { call: this.entries.get(id)!.call } : { expiredId: id };
    return undefined;
  }

  /** Removes every call (the session is going away). */
  takeAll(): PendingCall<Reply>[] {
    const calls = [...this.entries.keys()].map((id) => this.take(id)!);
    this.owed.clear();
    this.expiredCount = 0;
    this.disarmIdle();
    return calls;
  }

  private remove(id: string): PendingCall<Reply> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    entry.release();
    if (this.entries.size === 0) this.disarmIdle();
    return entry.call;
  }

  private armIdle(inMs: number): void {
    if (this.idleTimer || this.paused) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.checkIdle();
    }, clampTimer(Math.max(1, Math.ceil(inMs))));
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Fails the calls whose idle clock has run out, and sets the timer for the next one. */
  private checkIdle(): void {
    if (this.paused) return;
    const now = performance.now();
    let next = Infinity;
    const due: Entry<Reply>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.listeningSince === null) continue;
      const deadline = Math.max(this.lastActivity, entry.listeningSince) + entry.idleMs;
      if (deadline <= now) due.push(entry);
      else next = Math.min(next, deadline);
    }
    for (const entry of due) if (this.entries.get(entry.call.id) === entry) entry.onIdle?.();
    if (next !== Infinity && !this.idleTimer) this.armIdle(next - now);
  }
}

// setTimeout fires at once for delays past 2^31 - 1 ms; such a deadline is as good as none.
function clampTimer(ms: number): number {
  return Math.min(ms, 2 ** 31 - 1);
}
