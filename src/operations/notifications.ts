import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { NETCONF_NOTIFICATION_NS } from '../xml/namespaces.js';
import { findElement, nextTag } from '../xml/query.js';
import type { Notification, RpcOptions, Session } from '../session/session.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type XmlContent, addContent, request, requireCapability, serialise } from './build.js';

/** How many notifications one iterator may hold unread before it overflows. */
export const DEFAULT_MAX_QUEUED = 10_000;

/** Options of subscribe(): the stream, a filter, replay times, and how far an iterator may fall behind. */
export interface SubscribeOptions extends Omit<RpcOptions, 'write'> {
  /** Default: the device's default stream (`NETCONF`). */
  stream?: string;
  filter?: XmlContent;
  /** Replay from this time (needs the device's replay support). */
  startTime?: Date | string;
  /** Ends the subscription at this time (needs startTime). */
  stopTime?: Date | string;
  /**
   * Notifications each iterator may hold unread (default 10 000). One more and that iterator
   * stops receiving: it yields what it holds, then throws NOTIFICATION_OVERFLOW.
   */
  maxQueued?: number;
  /** Aborts `<create-subscription>`, and later the subscription: its iterators throw ABORTED at once. */
  signal?: AbortSignal;
}

/** A notification from a subscription, with its event parsed (or why it could not be). */
export interface ParsedNotification extends Notification {
  /**
   * Local name of the event element (the first child after eventTime). When the notification
   * cannot be parsed, read from the raw text as best it can be, or null.
   */
  event: string | null;
  /** The notification parsed by fast-xml-parser, or null when it cannot be parsed. */
  parsed: XmlObject | null;
  /** Why `parsed` is null (MALFORMED_XML, e.g. an entity no DOCTYPE declares); null when it parsed. */
  parseError: NetconfError | null;
}

/**
 * The notifications of one `<create-subscription>`. Each iterator taken from it sees every
 * notification from the moment it is taken (the first one also those that arrived before),
 * through its own bounded queue.
 */
export interface Subscription extends AsyncIterable<ParsedNotification> {
  [Symbol.asyncIterator](): AsyncIterableIterator<ParsedNotification>;
  /**
   * Stops listening: iterators yield what they hold, then end. The device subscription lasts
   * as long as the session (RFC 5277 has no cancel), so notifications still arrive; they
   * are the session's 'notification' events.
   */
  close(): void;
  /** True once it stopped listening (close, the last iterator gone, the session closed, notificationComplete, abort). */
  readonly closed: boolean;
}

/**
 * RFC 5277 `<create-subscription>`; notifications arrive as an async iterator while RPCs
 * keep working on the same session. It ends at `notificationComplete`, when the session
 * closes (a session closed by an error makes the iterators throw that error), on `close()`,
 * or when its last iterator is left with `break`.
 */
export async function subscribe(session: Session, options: SubscribeOptions = {}): Promise<Subscription> {
  requireCapability(session.capabilities.notification, ':notification', 'create-subscription');
  const { stream, filter, startTime, stopTime, maxQueued = DEFAULT_MAX_QUEUED, ...rpcOptions } = options;
  if (stopTime !== undefined && startTime === undefined) {
    throw new ClientError('INVALID_ARGUMENT', 'stopTime needs startTime');
  }
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
    throw new ClientError('INVALID_ARGUMENT', `maxQueued must be an integer >= 1, got ${String(maxQueued)}`);
  }
  const op = request('create-subscription', undefined, NETCONF_NOTIFICATION_NS);
  if (stream !== undefined) op.ele('stream').txt(stream);
  if (filter !== undefined) addContent(op.ele('filter', { type: 'subtree' }), filter);
  if (startTime !== undefined) op.ele('startTime').txt(time(startTime));
  if (stopTime !== undefined) op.ele('stopTime').txt(time(stopTime));
  const xml = serialise(op);

  // Listen before subscribing: a replayed notification can follow the reply at once.
  const hub = new Hub(session, maxQueued, options.signal);
  try {
    await session.rpc(xml, rpcOptions);
  } catch (err) {
    hub.stop({ error: null }, true);
    throw err;
  }
  if (options.signal?.aborted) hub.abort();
  return hub;
}

/** How a queue ends once drained: cleanly, or by throwing `error`. */
interface End {
  error: NetconfError | null;
}

/**
 * The subscription: listens to the session and hands every notification, parsed once, to
 * each attached consumer. It stops listening when its last consumer detaches.
 */
class Hub implements Subscription {
  private readonly consumers = new Set<Consumer>();
  /** The first consumer, made at once so nothing that arrives before anyone iterates is lost. */
  private unclaimed: Consumer | null;
  private ended: End | null = null;

  constructor(
    private readonly session: Session,
    private readonly maxQueued: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.unclaimed = new Consumer(this, maxQueued);
    this.consumers.add(this.unclaimed);
    session.on('notification', this.onNotification);
    session.on('close', this.onClose);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.ended !== null;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ParsedNotification> {
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

  close(): void {
    this.stop({ error: null }, false);
  }

  abort(): void {
    this.stop({ error: new ClientError('ABORTED', 'The subscription was aborted', { cause: this.signal?.reason }) }, true);
  }

  /** A consumer left (break, return(), overflow); the last one out stops the subscription. */
  detach(consumer: Consumer): void {
    this.consumers.delete(consumer);
    if (this.consumers.size === 0) this.stop({ error: null }, false);
  }

  /** Stops listening and ends every consumer (`drop`: without yielding what they hold). */
  stop(end: End, drop: boolean): void {
    if (!this.ended) {
      this.ended = end;
      this.session.off('notification', this.onNotification);
      this.session.off('close', this.onClose);
      this.signal?.removeEventListener('abort', this.onAbort);
    }
    for (const consumer of this.consumers) consumer.finish(end, drop);
    this.consumers.clear();
  }

  // Runs inside the session's reader: it must not throw, and parsing is the only thing that could.
  private readonly onNotification = (n: Notification): void => {
    const notification = parseNotification(n);
    for (const consumer of this.consumers) consumer.push(notification);
    if (notification.event === 'notificationComplete') this.stop({ error: null }, false);
  };

  private readonly onClose = (error: NetconfError | null): void => this.stop({ error: error ?? null }, false);

  private readonly onAbort = (): void => this.abort();
}

interface Waiter {
  resolve(result: IteratorResult<ParsedNotification>): void;
  reject(error: NetconfError): void;
}

/** One iterator: its own bounded queue, read in order, then an end. */
class Consumer implements AsyncIterableIterator<ParsedNotification> {
  private items: ParsedNotification[] = [];
  private head = 0;
  private waiters: Waiter[] = [];
  private end: End | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly maxQueued: number,
  ) {}

  push(notification: ParsedNotification): void {
    if (this.end) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve({ value: notification, done: false });
    if (this.items.length - this.head >= this.maxQueued) {
      // Never drop silently: the consumer reads what it holds, then learns it fell behind.
      const message = `More than ${this.maxQueued} notifications were waiting unread; this iterator stopped receiving (raise maxQueued, or read faster)`;
      this.finish({ error: new ClientError('NOTIFICATION_OVERFLOW', message) }, false);
      this.hub.detach(this);
      return;
    }
    this.items.push(notification);
  }

  /** No more items after what is queued (`drop`: nor those). The first end wins. */
  finish(end: End, drop: boolean): void {
    if (drop) this.clear();
    if (this.end) return;
    this.end = { error: end.error }; // its own copy: the error is thrown once per consumer
    // Waiting means the queue is empty: the first waiter gets the end, any others `done`.
    for (const waiter of this.waiters.splice(0)) this.settle(waiter);
  }

  next(): Promise<IteratorResult<ParsedNotification>> {
    if (this.head < this.items.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.end) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** `break` in `for await`: this iterator detaches and ends at once. */
  return(): Promise<IteratorResult<ParsedNotification>> {
    this.finish({ error: null }, true);
    this.hub.detach(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ParsedNotification> {
    return this;
  }

  /** The end, once: an error is thrown to one reader, after which the iterator is done. */
  private settle(waiter: Waiter): void {
    const error = this.end?.error ?? null;
    if (error && this.end) {
      this.end.error = null;
      waiter.reject(error);
    } else waiter.resolve({ value: undefined, done: true });
  }

  private take(): ParsedNotification {
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

/** Parses once for every consumer; a notification that does not parse is delivered raw, with why. */
function parseNotification(n: Notification): ParsedNotification {
  try {
    const parsed = parseXml(n.xml);
    return { xml: n.xml, eventTime: n.eventTime, event: eventOf(parsed), parsed, parseError: null };
  } catch (err) {
    return { xml: n.xml, eventTime: n.eventTime, event: eventFromText(n.xml), parsed: null, parseError: toNetconfError(err) };
  }
}

function eventOf(parsed: XmlObject): string | null {
  const body = parsed.notification;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  return Object.keys(body).find((k) => k !== 'eventTime' && k !== '#text' && !k.startsWith('@_')) ?? null;
}

/** The local name of the first element after `<eventTime>`, read from text that did not parse. */
function eventFromText(xml: string): string | null {
  const eventTime = findElement(xml, 'eventTime');
  const next = eventTime && eventTime.end !== -1 ? nextTag(xml, eventTime.end) : null;
  return next && next.kind === 'start' ? next.local : null;
}

function time(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString();
}
