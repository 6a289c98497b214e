import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';

/** How a queue ends once drained: cleanly, or by throwing `error`. */
export interface End {
  error: NetconfError | null;
}

/**
 * Hands every item to each attached iterator, through its own bounded queue. The first
 * iterator is made at once, so nothing that arrives before anyone iterates is lost; later
 * ones see items from the moment they are taken. When the last iterator leaves (break,
 * return(), overflow) `onIdle` runs: the owner stops listening or ends its subscription.
 */
export class Fanout<T> {
  private readonly consumers = new Set<Consumer<T>>();
  private unclaimed: Consumer<T> | null;
  private ended: End | null = null;

  constructor(
    private readonly maxQueued: number,
    private readonly onIdle: () => void,
  ) {
    this.unclaimed = new Consumer(this, maxQueued);
    this.consumers.add(this.unclaimed);
  }

  get closed(): boolean {
    return this.ended !== null;
  }

  iterator(): AsyncIterableIterator<T> {
    const first = this.unclaimed;
    if (first) {
      this.unclaimed = null;
      return first;
    }
    const consumer = new Consumer(this, this.maxQueued);
    if (this.ended) consumer.finish(this.ended, true);
    else this.consumers.add(consumer);
    return consumer;
  }

  push(item: T): void {
    for (const consumer of this.consumers) consumer.push(item);
  }

  /** Ends every iterator (`drop`: without yielding what they hold); the first end wins. */
  stop(end: End, drop: boolean): void {
    this.ended ??= end;
    for (const consumer of this.consumers) consumer.finish(end, drop);
    this.consumers.clear();
  }

  /** An iterator left; the last one out makes the owner idle. */
  detach(consumer: Consumer<T>): void {
    if (!this.consumers.delete(consumer)) return;
    if (this.consumers.size === 0 && !this.ended) this.onIdle();
  }
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: NetconfError): void;
}

/** One iterator: its own bounded queue, read in order, then an end. */
class Consumer<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiters: Waiter<T>[] = [];
  private end: End | null = null;

  constructor(
    private readonly fanout: Fanout<T>,
    private readonly maxQueued: number,
  ) {}

  push(item: T): void {
    if (this.end) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve({ value: item, done: false });
    if (this.items.length - this.head >= this.maxQueued) {
      // Never drop silently: the consumer reads what it holds, then learns it fell behind.
      const message = `More than ${this.maxQueued} notifications were waiting unread; this iterator stopped receiving (raise maxQueued, or read faster)`;
      this.finish({ error: new ClientError('NOTIFICATION_OVERFLOW', message) }, false);
      this.fanout.detach(this);
      return;
    }
    this.items.push(item);
  }

  /** No more items after what is queued (`drop`: nor those). The first end wins. */
  finish(end: End, drop: boolean): void {
    if (drop) this.clear();
    if (this.end) return;
    this.end = { error: end.error }; // its own copy: the error is thrown once per consumer
    // Waiting means the queue is empty: the first waiter gets the end, any others `done`.
    for (const waiter of this.waiters.splice(0)) this.settle(waiter);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.end) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** `break` in `for await`: this iterator detaches and ends at once. */
  return(): Promise<IteratorResult<T>> {
    this.finish({ error: null }, true);
    this.fanout.detach(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** The end, once: an error is thrown to one reader, after which the iterator is done. */
  private settle(waiter: Waiter<T>): void {
    const error = this.end?.error ?? null;
    if (error && this.end) {
      this.end.error = null;
      waiter.reject(error);
    } else waiter.resolve({ value: undefined, done: true });
  }

  private take(): T {
    const item = this.items[this.head++]!;
    // Drop the read part now and then, so a long queue is not copied on every read.
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private clear(): void {
    this.items = [];
    this.head = 0;
  }
}
