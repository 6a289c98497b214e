import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { ClientError, SubscriptionError } from '../errors/classes.js';
import { RpcError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { Notification, RpcOptions, Session } from '../session/session.js';
import { DATASTORES_NS, SUBSCRIBED_NOTIFICATIONS_NS, YANG_PUSH_NS } from '../xml/namespaces.js';
import { type XmlObject, type XmlValue, parseXml, textOf } from '../xml/parse-data.js';
import { type ElementSpan, childElements, elementText, findElement, innerOf, textContent } from '../xml/query.js';
import { type XmlContent, addContent, request, serialise } from './build.js';
import { type End, Fanout } from './notification-queue.js';
import { DEFAULT_MAX_QUEUED, type ParsedNotification, parseNotification } from './notifications.js';

/** A datastore to subscribe to (RFC 8641, RFC 8342 identities), or another identity with its namespace. */
export type PushDatastore = 'running' | 'candidate' | 'startup' | 'intended' | 'operational' | { identity: string; namespace: string };

/**
 * What a subscription selects: a subtree filter (XML content), an XPath filter, or a filter the
 * device has configured, by name (RFC 8639 `stream-filter-name`, RFC 8641 `selection-filter-ref`).
 */
export type SubscriptionFilter = XmlContent | { xpath: string; namespaces?: Record<string, string> } | { filterName: string };

/** A YANG patch operation (RFC 8072). */
export type YangPatchOperation = 'create' | 'delete' | 'insert' | 'merge' | 'move' | 'replace' | 'remove';

/** RFC 8641 on-change updates. */
export interface OnChangeOptions {
  /** The shortest time between two updates (RFC 8641 dampening-period; whole centiseconds). */
  dampeningMs?: number;
  /** Send the whole selection first (push-update), then the changes. The device's default is true. */
  syncOnStart?: boolean;
  /** Changes not to report. */
  excludedChanges?: readonly Exclude<YangPatchOperation, 'merge' | 'remove'>[];
}

/** Options of `establishSubscription`: what to subscribe to, how, and how far an iterator may fall behind. */
export interface EstablishSubscriptionOptions extends Omit<RpcOptions, 'write' | 'collect' | 'streamTo' | 'parse'> {
  /** An event stream (RFC 8639). Default, when no datastore is given: `NETCONF`. */
  stream?: string;
  /** A datastore (RFC 8641 YANG-Push): needs `periodMs` or `onChange`. */
  datastore?: PushDatastore;
  filter?: SubscriptionFilter;
  /** Periodic updates of a datastore, every this many milliseconds (whole centiseconds on the wire). */
  periodMs?: number;
  /** When the periodic updates are anchored. */
  anchorTime?: Date | string;
  /** On-change updates of a datastore (`true`: the device's defaults). */
  onChange?: boolean | OnChangeOptions;
  /** The subscription ends at this time (subscription-completed). */
  stopTime?: Date | string;
  /** Replay a stream's events from this time (needs the device's replay support). */
  replayStartTime?: Date | string;
  /** `xml` (RFC 8639 encode-xml) or `json`; the device's choice when omitted. */
  encoding?: 'xml' | 'json';
  /** The DSCP marking of the notification messages (0-63). */
  dscp?: number;
  /**
   * Notifications each iterator may hold unread (default 10 000). One more and that iterator
   * stops receiving: it yields what it holds, then throws NOTIFICATION_OVERFLOW.
   */
  maxQueued?: number;
  /** Aborts `<establish-subscription>`, and later the subscription: its iterators throw ABORTED and it is deleted. */
  signal?: AbortSignal;
}

/** Options of `modify()`: what may change on a subscription (RFC 8639 modify-subscription, RFC 8641 augments). */
export interface ModifySubscriptionOptions extends Omit<RpcOptions, 'write' | 'collect' | 'streamTo' | 'parse'> {
  filter?: SubscriptionFilter;
  stopTime?: Date | string;
  /** A periodic datastore subscription's new period. */
  periodMs?: number;
  anchorTime?: Date | string;
  /** An on-change datastore subscription's new dampening period. */
  dampeningMs?: number;
}

/** One edit of a YANG patch (RFC 8072). */
export interface YangPatchEdit {
  editId: string | null;
  operation: string;
  /** The target data node, relative to the datastore (`/ietf-interfaces:interfaces/interface=eth0`). */
  target: string;
  point: string | null;
  where: string | null;
  /** The `<value>` parsed (local names), or null when the edit has none (delete, remove, move). */
  value: XmlObject | null;
  /** The inner XML of `<value>`, as sent ('' when none). */
  valueXml: string;
}

/** A YANG patch (RFC 8072): what changed, edit by edit. */
export interface YangPatch {
  patchId: string | null;
  comment: string | null;
  edits: YangPatchEdit[];
}

/** What every notification of a subscription has: the notification as `subscribe()` gives it, and its subscription's id. */
export interface SubscribedNotificationBase extends ParsedNotification {
  /** The subscription's id from the notification; null for an event record (it carries none). */
  subscriptionId: number | null;
}

/** RFC 8641 push-update: the selected datastore contents. */
export interface PushUpdate extends SubscribedNotificationBase {
  kind: 'push-update';
  subscriptionId: number;
  /** `<datastore-contents>` parsed (local names); `{}` when empty. */
  contents: XmlObject;
  /** The inner XML of `<datastore-contents>`, as sent. */
  contentsXml: string;
  /** The device said the update is incomplete (`incomplete-update`). */
  incomplete: boolean;
}

/** RFC 8641 push-change-update: the changes since the last update, as a YANG patch. */
export interface PushChangeUpdate extends SubscribedNotificationBase {
  kind: 'push-change-update';
  subscriptionId: number;
  patch: YangPatch;
  incomplete: boolean;
}

/** An RFC 8639 state change a subscription goes on after (its end, terminated or completed, ends the iteration instead). */
export interface SubscriptionStateChange extends SubscribedNotificationBase {
  kind: 'state';
  event: 'subscription-started' | 'subscription-modified' | 'subscription-suspended' | 'subscription-resumed' | 'replay-completed';
  subscriptionId: number;
  /** The reason identity's name (suspended), without its module; null when none. */
  reason: string | null;
}

/** An event record of a stream subscription (an RFC 5277-style notification, no subscription id). */
export interface SubscriptionEventRecord extends SubscribedNotificationBase {
  kind: 'event';
  subscriptionId: null;
}

/** What a subscription's iterator yields. */
export type SubscribedNotification = PushUpdate | PushChangeUpdate | SubscriptionStateChange | SubscriptionEventRecord;

/**
 * A dynamic subscription (RFC 8639) on one session. Its iterators yield its own notifications
 * only; several subscriptions share a session. Each iterator taken sees every notification
 * from the moment it is taken (the first one also those that arrived before), through its own
 * bounded queue. The iteration ends cleanly on `delete()`, `kill()`, subscription-completed
 * (stop-time) or session close; with SUBSCRIPTION_TERMINATED when the device ends it; leaving
 * the last iterator with `break` deletes the subscription.
 */
export interface EstablishedSubscription extends AsyncIterable<SubscribedNotification> {
  [Symbol.asyncIterator](): AsyncIterableIterator<SubscribedNotification>;
  /** The id the device gave it. */
  readonly id: number;
  /** `stream` (event records) or `datastore` (YANG-Push). */
  readonly kind: 'stream' | 'datastore';
  /** The replay start the device chose instead of the one asked for (RFC 8639), else null. */
  readonly replayStartTimeRevision: string | null;
  /** True once the subscription ended for this client (its iterators end after what they hold). */
  readonly closed: boolean;
  /** RFC 8639 modify-subscription (with RFC 8641's datastore fields). */
  modify(options: ModifySubscriptionOptions): Promise<void>;
  /** RFC 8639 delete-subscription; the iterators end after what they hold. Nothing is sent once it has ended. */
  delete(options?: Omit<RpcOptions, 'write'>): Promise<void>;
  /** RFC 8639 kill-subscription on this subscription (an administrator's operation); then as `delete()`. */
  kill(options?: Omit<RpcOptions, 'write'>): Promise<void>;
}

/**
 * RFC 8639 `<establish-subscription>`, with RFC 8641 (YANG-Push) for a datastore. Resolves
 * once the device answered with the subscription's id. A refusal with an RFC 8639 / 8641
 * reason is a SubscriptionError (SUBSCRIPTION_REJECTED, `reason` e.g. `filter-unsupported`,
 * `period-unsupported`, the RpcError as `cause`); any other error reply is the RpcError.
 */
export async function establishSubscription(session: Session, options: EstablishSubscriptionOptions = {}): Promise<EstablishedSubscription> {
  const { maxQueued = DEFAULT_MAX_QUEUED } = options;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
    throw new ClientError('INVALID_ARGUMENT', `maxQueued must be an integer >= 1, got ${String(maxQueued)}`);
  }
  const xml = establishRequest(options);
  const router = Router.of(session);
  // Registered before the call: a push can follow the reply in the same read.
  const early = router.expect();
  let id: number;
  let revision: string | null;
  try {
    const reply = await session.rpc(xml, { ...rpcOptionsOf(options), collect: true });
    id = subscriptionIdOf(reply.xml ?? '');
    revision = elementText(reply.xml ?? '', 'replay-start-time-revision');
  } catch (err) {
    router.expected(early, null);
    throw rejection(err, 'establish-subscription', null);
  }
  const subscription = new Dynamic(session, router, id, options.datastore === undefined ? 'stream' : 'datastore', revision, maxQueued, options.signal);
  router.expected(early, subscription);
  if (options.signal?.aborted) subscription.abort();
  return subscription;
}

/**
 * RFC 8639 `<kill-subscription>`: ends any session's dynamic subscription by id (an
 * administrator's operation; the subscriber gets subscription-terminated).
 */
export async function killSubscription(session: Session, id: number, options: Omit<RpcOptions, 'write'> = {}): Promise<void> {
  await idRpc(session, 'kill-subscription', id, options);
}

/** `<name>` with the subscription id, as delete- and kill-subscription take it. */
async function idRpc(session: Session, name: 'delete-subscription' | 'kill-subscription', id: number, options: Omit<RpcOptions, 'write'>): Promise<void> {
  checkId(id);
  const op = request(name, undefined, SUBSCRIBED_NOTIFICATIONS_NS);
  op.ele('id').txt(String(id));
  try {
    await session.rpc(serialise(op), options);
  } catch (err) {
    throw rejection(err, name, id);
  }
}

// ---- requests ---------------------------------------------------------------------------------

function establishRequest(o: EstablishSubscriptionOptions): string {
  const datastore = o.datastore !== undefined;
  if (datastore && o.stream !== undefined) throw new ClientError('INVALID_ARGUMENT', 'A subscription is to a stream or to a datastore, not both');
  const op = request('establish-subscription', undefined, SUBSCRIBED_NOTIFICATIONS_NS);
  if (datastore) {
    const hasPeriod = o.periodMs !== undefined;
    const onChange = o.onChange === undefined || o.onChange === false ? null : o.onChange === true ? {} : o.onChange;
    if (hasPeriod === (onChange !== null)) throw new ClientError('INVALID_ARGUMENT', 'A datastore subscription needs periodMs or onChange (one of them)');
    if (o.replayStartTime !== undefined) throw new ClientError('INVALID_ARGUMENT', 'replayStartTime is for stream subscriptions');
    addDatastore(op, o.datastore!);
    if (o.filter !== undefined) addFilter(op, o.filter, 'datastore');
    if (hasPeriod) addPeriodic(op, o.periodMs!, o.anchorTime);
    else addOnChange(op, onChange!);
  } else {
    if (o.periodMs !== undefined || o.onChange !== undefined || o.anchorTime !== undefined) {
      throw new ClientError('INVALID_ARGUMENT', 'periodMs, anchorTime and onChange need a datastore');
    }
    if (o.filter !== undefined) addFilter(op, o.filter, 'stream');
    op.ele('stream').txt(o.stream ?? 'NETCONF');
    if (o.replayStartTime !== undefined) op.ele('replay-start-time').txt(time(o.replayStartTime, 'replayStartTime'));
  }
  if (o.stopTime !== undefined) op.ele('stop-time').txt(time(o.stopTime, 'stopTime'));
  if (o.dscp !== undefined) {
    if (!Number.isInteger(o.dscp) || o.dscp < 0 || o.dscp > 63) throw new ClientError('INVALID_ARGUMENT', `dscp must be an integer 0-63, got ${String(o.dscp)}`);
    op.ele('dscp').txt(String(o.dscp));
  }
  if (o.encoding !== undefined) {
    if (o.encoding !== 'xml' && o.encoding !== 'json') throw new ClientError('INVALID_ARGUMENT', `encoding must be 'xml' or 'json', got ${JSON.stringify(o.encoding)}`);
    op.ele('encoding', { 'xmlns:sn': SUBSCRIBED_NOTIFICATIONS_NS }).txt(`sn:encode-${o.encoding}`);
  }
  return serialise(op);
}

function modifyRequest(id: number, kind: 'stream' | 'datastore', o: ModifySubscriptionOptions): string {
  const op = request('modify-subscription', undefined, SUBSCRIBED_NOTIFICATIONS_NS);
  op.ele('id').txt(String(id));
  if (kind === 'stream' && (o.periodMs !== undefined || o.anchorTime !== undefined || o.dampeningMs !== undefined)) {
    throw new ClientError('INVALID_ARGUMENT', 'periodMs, anchorTime and dampeningMs are for datastore subscriptions');
  }
  if (o.filter !== undefined) addFilter(op, o.filter, kind);
  if (o.periodMs !== undefined) addPeriodic(op, o.periodMs, o.anchorTime);
  else if (o.anchorTime !== undefined) throw new ClientError('INVALID_ARGUMENT', 'anchorTime needs periodMs');
  if (o.dampeningMs !== undefined) {
    if (o.periodMs !== undefined) throw new ClientError('INVALID_ARGUMENT', 'A subscription is periodic or on-change: give periodMs or dampeningMs');
    op.ele('on-change', { xmlns: YANG_PUSH_NS }).ele('dampening-period').txt(String(centiseconds(o.dampeningMs, 'dampeningMs', true)));
  }
  if (o.stopTime !== undefined) op.ele('stop-time').txt(time(o.stopTime, 'stopTime'));
  return serialise(op);
}

const DATASTORE_NAMES = new Set(['running', 'candidate', 'startup', 'intended', 'operational']);

function addDatastore(op: XMLBuilder, datastore: PushDatastore): void {
  if (typeof datastore === 'string' && DATASTORE_NAMES.has(datastore)) {
    op.ele('datastore', { xmlns: YANG_PUSH_NS, 'xmlns:ds': DATASTORES_NS }).txt(`ds:${datastore}`);
    return;
  }
  if (typeof datastore === 'object' && datastore !== null && typeof datastore.identity === 'string' && typeof datastore.namespace === 'string') {
    const local = datastore.identity.slice(datastore.identity.indexOf(':') + 1);
    op.ele('datastore', { xmlns: YANG_PUSH_NS, 'xmlns:dsx': datastore.namespace }).txt(`dsx:${local}`);
    return;
  }
  throw new ClientError('INVALID_ARGUMENT', "datastore must be 'running', 'candidate', 'startup', 'intended', 'operational' or { identity, namespace }");
}

function addFilter(op: XMLBuilder, filter: SubscriptionFilter, kind: 'stream' | 'datastore'): void {
  const ns: Record<string, string> = kind === 'datastore' ? { xmlns: YANG_PUSH_NS } : {};
  const f: Record<string, unknown> | null = isObject(filter) ? filter : null;
  if (f && typeof f.filterName === 'string') {
    op.ele(kind === 'datastore' ? 'selection-filter-ref' : 'stream-filter-name', ns).txt(f.filterName);
  } else if (f && typeof f.xpath === 'string') {
    const attrs = { ...ns };
    for (const [p, uri] of Object.entries((f.namespaces ?? {}) as Record<string, string>)) attrs[`xmlns:${p}`] = uri;
    op.ele(`${kind}-xpath-filter`, attrs).txt(f.xpath);
  } else {
    addContent(op.ele(`${kind}-subtree-filter`, ns), filter as XmlContent, 'The filter');
  }
}

function addPeriodic(op: XMLBuilder, periodMs: number, anchorTime: Date | string | undefined): void {
  const periodic = op.ele('periodic', { xmlns: YANG_PUSH_NS });
  periodic.ele('period').txt(String(centiseconds(periodMs, 'periodMs', false)));
  if (anchorTime !== undefined) periodic.ele('anchor-time').txt(time(anchorTime, 'anchorTime'));
}

const EXCLUDABLE = new Set(['create', 'delete', 'insert', 'move', 'replace']);

function addOnChange(op: XMLBuilder, o: OnChangeOptions): void {
  const onChange = op.ele('on-change', { xmlns: YANG_PUSH_NS });
  if (o.dampeningMs !== undefined) onChange.ele('dampening-period').txt(String(centiseconds(o.dampeningMs, 'dampeningMs', true)));
  if (o.syncOnStart !== undefined) onChange.ele('sync-on-start').txt(String(Boolean(o.syncOnStart)));
  for (const change of o.excludedChanges ?? []) {
    if (!EXCLUDABLE.has(change)) throw new ClientError('INVALID_ARGUMENT', `excludedChanges may hold create, delete, insert, move and replace, not ${JSON.stringify(change)}`);
    onChange.ele('excluded-change').txt(change);
  }
}

/** RFC 8641 counts periods in centiseconds: a time that is not a whole number of them is refused, not rounded. */
function centiseconds(ms: number, name: string, zeroAllowed: boolean): number {
  if (!Number.isSafeInteger(ms) || ms < (zeroAllowed ? 0 : 10) || ms % 10 !== 0) {
    throw new ClientError('INVALID_ARGUMENT', `${name} must be a whole number of centiseconds (a multiple of 10 ms${zeroAllowed ? '' : ', at least 10'}), got ${String(ms)}`);
  }
  return ms / 10;
}

function time(t: Date | string, name: string): string {
  if (t instanceof Date && !Number.isNaN(t.getTime())) return t.toISOString();
  if (typeof t === 'string' && t.trim() !== '') return t;
  throw new ClientError('INVALID_ARGUMENT', `${name} must be a Date or a date-and-time string`);
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0 || id > 0xffffffff) throw new ClientError('INVALID_ARGUMENT', `A subscription id is a uint32, got ${String(id)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { ele?: unknown }).ele !== 'function';
}

function rpcOptionsOf<T extends Omit<RpcOptions, 'write'>>(options: T): Omit<RpcOptions, 'write'> {
  const {
    stream: _s, datastore: _d, filter: _f, periodMs: _p, anchorTime: _a, onChange: _o, stopTime: _t, replayStartTime: _r, encoding: _e, dscp: _c,
    maxQueued: _m, dampeningMs: _dm, ...rest
  } = options as T & Record<string, unknown>;
  return rest as Omit<RpcOptions, 'write'>;
}

function subscriptionIdOf(replyXml: string): number {
  const text = elementText(replyXml, 'id');
  const id = text !== null && /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id) || id > 0xffffffff) {
    throw new ClientError('INVALID_ARGUMENT', `The device's establish-subscription reply holds no subscription id (got ${text === null ? 'no <id>' : JSON.stringify(text)})`);
  }
  return id;
}

/**
 * An error reply that names an RFC 8639 / 8641 reason (as error-app-tag, or `reason` in
 * error-info) becomes a SubscriptionError; anything else is rethrown as it is.
 */
function rejection(err: unknown, operation: string, id: number | null): NetconfError {
  const error = toNetconfError(err);
  if (!(error instanceof RpcError)) return error;
  for (const item of error.items) {
    if (item.level !== 'error') continue;
    const identity = reasonOf(item.appTag) ?? reasonOf(textOf(item.info?.reason as XmlValue | undefined)) ?? reasonInUnknownInfo(item.unknownInfo);
    if (identity === null) continue;
    const name = identity.slice(identity.lastIndexOf(':') + 1);
    return new SubscriptionError('SUBSCRIPTION_REJECTED', `The device refused ${operation}${id === null ? '' : ` of subscription ${id}`}: ${name}${item.deviceMessage ? ` (${item.deviceMessage})` : ''}`, {
      cause: error, reasonIdentity: identity, subscriptionId: id, step: error.step,
    });
  }
  return error;
}

const REASONS = new Set([
  // RFC 8639
  'dscp-unavailable', 'encoding-unsupported', 'filter-unsupported', 'insufficient-resources', 'no-such-subscription', 'replay-unsupported',
  'stream-unavailable', 'filter-unavailable', 'suspension-timeout', 'unsupportable-volume',
  // RFC 8641
  'cant-exclude', 'datastore-not-subscribable', 'no-such-subscription-resync', 'on-change-unsupported', 'on-change-sync-unsupported',
  'period-unsupported', 'update-too-big', 'sync-too-big', 'unchanging-selection',
]);

function reasonOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  const colon = trimmed.lastIndexOf(':');
  const module = colon === -1 ? '' : trimmed.slice(0, colon);
  const name = trimmed.slice(colon + 1);
  return REASONS.has(name) || module === 'ietf-subscribed-notifications' || module === 'ietf-yang-push' ? trimmed : null;
}

/** RFC 8639 puts the reason inside a container of error-info (`establish-subscription-stream-error-info`). */
function reasonInUnknownInfo(unknownInfo: readonly string[]): string | null {
  for (const xml of unknownInfo) {
    const reason = reasonOf(elementText(xml, 'reason'));
    if (reason !== null) return reason;
  }
  return null;
}

// ---- routing ----------------------------------------------------------------------------------

/** What the router hands a subscription. */
interface Receiver {
  readonly kind: 'stream' | 'datastore';
  receive(item: Classified): void;
  sessionClosed(error: NetconfError | null): void;
}

/** A notification read once: what it is and whose. */
type Classified =
  | { to: 'id'; id: number; item: SubscribedNotification | null; end: End | null }
  | { to: 'streams'; item: SubscriptionEventRecord };

/** An establish-subscription on its way: notifications for ids not known yet are held for it. */
interface Expectation {
  held: Classified[];
}

/** How many notifications with an unknown id are held while an establish-subscription is answered. */
const MAX_HELD = 1000;

/**
 * One per session: listens to the session's notifications once and hands each to the
 * subscription it belongs to. State changes and pushes carry their subscription's `id` and go
 * to it alone; an id this session did not establish (a configured subscription, another
 * client's) goes nowhere. Event records carry no id (RFC 8639 section 2.6): a NETCONF session
 * carries only the records of its own dynamic subscriptions, so each goes to every stream
 * subscription of the session (never to a datastore one); with one stream subscription per
 * session, that is exact.
 */
class Router {
  private static readonly all = new WeakMap<Session, Router>();
  private readonly receivers = new Map<number, Receiver>();
  private readonly expecting = new Set<Expectation>();

  static of(session: Session): Router {
    let router = Router.all.get(session);
    if (!router) {
      router = new Router(session);
      Router.all.set(session, router);
    }
    return router;
  }

  private constructor(private readonly session: Session) {
    session.on('notification', this.onNotification);
    session.on('close', this.onClose);
  }

  expect(): Expectation {
    const expectation: Expectation = { held: [] };
    this.expecting.add(expectation);
    return expectation;
  }

  /** The establish-subscription was answered: the subscription (or null) gets what was held for its id. */
  expected(expectation: Expectation, receiver: (Receiver & { id: number }) | null): void {
    this.expecting.delete(expectation);
    if (receiver) {
      this.receivers.set(receiver.id, receiver);
      for (const c of expectation.held) if (c.to === 'id' && c.id === receiver.id) receiver.receive(c);
    }
    this.idleCheck();
  }

  remove(id: number, receiver: Receiver): void {
    if (this.receivers.get(id) === receiver) this.receivers.delete(id);
    this.idleCheck();
  }

  private idleCheck(): void {
    if (this.receivers.size > 0 || this.expecting.size > 0) return;
    this.session.off('notification', this.onNotification);
    this.session.off('close', this.onClose);
    Router.all.delete(this.session);
  }

  // Runs inside the session's reader: classify() does not throw.
  private readonly onNotification = (n: Notification): void => {
    const c = classify(n);
    if (c.to === 'streams') {
      for (const receiver of this.receivers.values()) if (receiver.kind === 'stream') receiver.receive(c);
      return;
    }
    const receiver = this.receivers.get(c.id);
    if (receiver) return receiver.receive(c);
    for (const expectation of this.expecting) if (expectation.held.length < MAX_HELD) expectation.held.push(c);
  };

  private readonly onClose = (error: NetconfError | null): void => {
    const receivers = [...this.receivers.values()];
    this.receivers.clear();
    this.expecting.clear();
    this.idleCheck();
    for (const receiver of receivers) receiver.sessionClosed(error);
  };
}

const STATES = new Set(['subscription-started', 'subscription-modified', 'subscription-suspended', 'subscription-resumed', 'replay-completed']);
const ENDS = new Set(['subscription-terminated', 'subscription-completed']);

/** Reads a notification once: which subscription it is for, and what it says. */
function classify(n: Notification): Classified {
  const base = parseNotification(n);
  const body = base.event !== null && base.parsed ? objectAt(objectAt(base.parsed, 'notification'), base.event) : null;
  const idText = body ? textOf(body.id) : null;
  const id = idText !== null && /^[0-9]{1,10}$/.test(idText.trim()) ? Number(idText.trim()) : null;
  const event = base.event ?? '';
  if (id === null || body === null || !(STATES.has(event) || ENDS.has(event) || event === 'push-update' || event === 'push-change-update')) {
    return { to: 'streams', item: { ...base, kind: 'event', subscriptionId: null } };
  }
  if (event === 'subscription-completed') return { to: 'id', id, item: null, end: { error: null } };
  if (event === 'subscription-terminated') {
    const reasonIdentity = textOf(body.reason);
    const name = reasonIdentity?.slice(reasonIdentity.lastIndexOf(':') + 1) ?? 'no reason given';
    const error = new SubscriptionError('SUBSCRIPTION_TERMINATED', `The device terminated subscription ${id}: ${name}`, { reasonIdentity, subscriptionId: id });
    return { to: 'id', id, item: null, end: { error } };
  }
  if (event === 'push-update') {
    const contents = body['datastore-contents'];
    const contentsXml = innerOf(n.xml, findElement(n.xml, 'datastore-contents'));
    return {
      to: 'id', id, end: null,
      item: { ...base, kind: 'push-update', subscriptionId: id, contents: isXmlObject(contents) ? contents : {}, contentsXml, incomplete: 'incomplete-update' in body },
    };
  }
  if (event === 'push-change-update') {
    return { to: 'id', id, end: null, item: { ...base, kind: 'push-change-update', subscriptionId: id, patch: yangPatch(n.xml), incomplete: 'incomplete-update' in body } };
  }
  const reason = textOf(body.reason);
  return {
    to: 'id', id, end: null,
    item: { ...base, kind: 'state', event: event as SubscriptionStateChange['event'], subscriptionId: id, reason: reason === null ? null : reason.slice(reason.lastIndexOf(':') + 1) },
  };
}

function objectAt(value: XmlObject | null, key: string): XmlObject | null {
  const child = value?.[key];
  return isXmlObject(child) ? child : null;
}

function isXmlObject(value: XmlValue | undefined): value is XmlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The YANG patch of a push-change-update, edit by edit, read from the text (values kept as sent). */
function yangPatch(xml: string): YangPatch {
  const patch = findElement(xml, 'yang-patch');
  const out: YangPatch = { patchId: null, comment: null, edits: [] };
  if (!patch) return out;
  for (const child of childElements(xml, patch)) {
    const local = child.tag.local;
    if (local === 'patch-id') out.patchId = text(xml, child);
    else if (local === 'comment') out.comment = text(xml, child);
    else if (local === 'edit') out.edits.push(edit(xml, child));
  }
  return out;
}

function edit(xml: string, span: ElementSpan): YangPatchEdit {
  const e: YangPatchEdit = { editId: null, operation: '', target: '', point: null, where: null, value: null, valueXml: '' };
  for (const child of childElements(xml, span)) {
    switch (child.tag.local) {
      case 'edit-id': e.editId = text(xml, child); break;
      case 'operation': e.operation = text(xml, child); break;
      case 'target': e.target = text(xml, child); break;
      case 'point': e.point = text(xml, child); break;
      case 'where': e.where = text(xml, child); break;
      case 'value': {
        e.valueXml = innerOf(xml, child);
        try {
          const parsed = parseXml(`<value>${e.valueXml}</value>`).value;
          e.value = isXmlObject(parsed) ? parsed : {};
        } catch {
          e.value = null; // the notification as a whole parsed, so this cannot happen; kept raw if it does
        }
        break;
      }
    }
  }
  return e;
}

function text(xml: string, span: ElementSpan): string {
  return span.contentEnd === -1 ? '' : textContent(xml, span.contentStart, span.contentEnd).trim();
}

// ---- the subscription -------------------------------------------------------------------------

class Dynamic implements EstablishedSubscription, Receiver {
  private readonly fanout: Fanout<SubscribedNotification>;
  /** Set once it ended for this client; the router no longer routes to it. */
  private over = false;
  /** This client is deleting or killing it: the device's subscription-terminated is no failure. */
  private ending = false;

  constructor(
    private readonly session: Session,
    private readonly router: Router,
    readonly id: number,
    readonly kind: 'stream' | 'datastore',
    readonly replayStartTimeRevision: string | null,
    maxQueued: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    // The last iterator left (break, overflow): the subscription is of no more use.
    this.fanout = new Fanout(maxQueued, () => this.leave());
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.over;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SubscribedNotification> {
    return this.fanout.iterator();
  }

  async modify(options: ModifySubscriptionOptions): Promise<void> {
    const xml = modifyRequest(this.id, this.kind, options);
    try {
      await this.session.rpc(xml, rpcOptionsOf(options));
    } catch (err) {
      throw rejection(err, 'modify-subscription', this.id);
    }
  }

  async delete(options: Omit<RpcOptions, 'write'> = {}): Promise<void> {
    await this.endWith(() => idRpc(this.session, 'delete-subscription', this.id, options));
  }

  async kill(options: Omit<RpcOptions, 'write'> = {}): Promise<void> {
    await this.endWith(() => killSubscription(this.session, this.id, options));
  }

  private async endWith(call: () => Promise<void>): Promise<void> {
    if (this.over) return;
    this.ending = true;
    try {
      await call();
    } catch (err) {
      this.ending = false;
      throw err;
    }
    this.end({ error: null }, false);
  }

  abort(): void {
    this.end({ error: new ClientError('ABORTED', 'The subscription was aborted', { cause: this.signal?.reason }) }, true);
    this.deleteQuietly();
  }

  // ---- the router's side ----

  receive(c: Classified): void {
    if (this.over) return;
    if (c.to === 'streams') this.fanout.push(c.item);
    else if (c.item) this.fanout.push(c.item);
    if (c.to === 'id' && c.end) this.end(this.ending ? { error: null } : c.end, false);
  }

  sessionClosed(error: NetconfError | null): void {
    this.end({ error }, false);
  }

  /** Ends the iteration for this client (`drop`: without yielding what is queued). */
  private end(end: End, drop: boolean): void {
    if (!this.over) {
      this.over = true;
      this.router.remove(this.id, this);
      this.signal?.removeEventListener('abort', this.onAbort);
    }
    this.fanout.stop(end, drop);
  }

  private leave(): void {
    this.end({ error: null }, true);
    this.deleteQuietly();
  }

  /** Nobody waits on this delete: a failure (the session closing meanwhile) has nowhere to go. */
  private deleteQuietly(): void {
    if (this.session.closed) return;
    idRpc(this.session, 'delete-subscription', this.id, {}).catch(() => {});
  }

  private readonly onAbort = (): void => this.abort();
}
