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
  /** 0 or undefined: no timer. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onTimeout(): void;
  onAbort(): void;
}

interface Entry<Reply> {
  call: PendingCall<Reply>;
  release(): void;
}

// Ids of calls the caller gave up on are remembered this long, so their late replies are dropped quietly.
const EXPIRED_IDS_KEPT = 4096;

/**
 * The calls in flight, by message-id. Owns each call's timer and abort listener: whatever
 * way a call leaves the table (reply, timeout, abort, teardown), both are released.
 */
export class PendingCalls<Reply> {
  private readonly entries = new Map<string, Entry<Reply>>();
  private readonly expired = new Set<string>();

  get size(): number {
    return this.entries.size;
  }

  add(call: PendingCall<Reply>, limits: CallLimits): void {
    let timer: NodeJS.Timeout | undefined;
    if (limits.timeoutMs !== undefined && limits.timeoutMs > 0) timer = setTimeout(limits.onTimeout, limits.timeoutMs);
    const signal = limits.signal;
    const onAbort = limits.onAbort;
    signal?.addEventListener('abort', onAbort, { once: true });
    this.entries.set(call.id, {
      call,
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

  /** Removes a call (its reply came, or it failed) and releases its timer and listener. */
  take(id: string): PendingCall<Reply> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    entry.release();
    return entry.call;
  }

  /** Removes a call the caller gave up on and remembers its id, so its late reply is dropped. */
  expire(id: string): PendingCall<Reply> | undefined {
    const call = this.take(id);
    if (!call) return undefined;
    this.expired.add(id);
    if (this.expired.size > EXPIRED_IDS_KEPT) this.expired.delete(this.expired.values().next().value as string);
    return call;
  }

  wasExpired(id: string): boolean {
    return this.expired.has(id);
  }

  /** Removes every call (the session is going away). */
  takeAll(): PendingCall<Reply>[] {
    const calls = [...this.entries.keys()].map((id) => this.take(id)!);
    return calls;
  }
}
