import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { NETCONF_NOTIFICATION_NS } from '../xml/namespaces.js';
import { findElement, nextTag } from '../xml/query.js';
import type { Notification, RpcOptions, Session } from '../session/session.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type XmlContent, addContent, request, requireCapability, serialise } from './build.js';
import { type End, Fanout } from './notification-queue.js';

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

/**
 * The subscription: listens to the session and hands every notification, parsed once, to
 * each attached iterator. It stops listening when its last iterator leaves.
 */
class Hub implements Subscription {
  private readonly fanout: Fanout<ParsedNotification>;

  constructor(
    private readonly session: Session,
    maxQueued: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.fanout = new Fanout(maxQueued, () => this.stop({ error: null }, false));
    session.on('notification', this.onNotification);
    session.on('close', this.onClose);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.fanout.closed;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ParsedNotification> {
    return this.fanout.iterator();
  }

  close(): void {
    this.stop({ error: null }, false);
  }

  abort(): void {
    this.stop({ error: new ClientError('ABORTED', 'The subscription was aborted', { cause: this.signal?.reason }) }, true);
  }

  /** Stops listening and ends every iterator (`drop`: without yielding what they hold). */
  stop(end: End, drop: boolean): void {
    this.session.off('notification', this.onNotification);
    this.session.off('close', this.onClose);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.fanout.stop(end, drop);
  }

  // Runs inside the session's reader: it must not throw, and parsing is the only thing that could.
  private readonly onNotification = (n: Notification): void => {
    const notification = parseNotification(n);
    this.fanout.push(notification);
    if (notification.event === 'notificationComplete') this.stop({ error: null }, false);
  };

  private readonly onClose = (error: NetconfError | null): void => this.stop({ error: error ?? null }, false);

  private readonly onAbort = (): void => this.abort();
}

/** Parses once for every consumer; a notification that does not parse is delivered raw, with why. */
export function parseNotification(n: Notification): ParsedNotification {
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
