import { escapeXml } from '../xml/entities.js';
import { SUBSCRIBED_NOTIFICATIONS_NS, YANG_PUSH_NS } from '../xml/namespaces.js';
import { elementText, findElement, innerXml } from '../xml/query.js';
import { type ConfigEdit, type TopLevelSelector, keepsEvent, requestFilter, xpathUnsupported } from './datastores.js';
import { rpcErrorXml } from './replies.js';
import type { FakeDynamicSubscription, FakePushOptions, FakeRequest } from './types.js';

/**
 * FakeDevice's dynamic subscriptions (RFC 8639) and YANG-Push (RFC 8641): establish, modify,
 * delete and kill; periodic push-updates of a datastore's content and on-change
 * push-change-updates when running changes, both cut to the top-level elements a datastore
 * subtree filter names (a stream subtree filter likewise picks events by their element);
 * subscription-completed at stop-time and subscription-terminated when killed. A named
 * filter, an XPath filter (the device evaluates none), a DSCP marking, JSON encoding and
 * replay are refused with their RFC 8639 reasons, so clients can be tested against each.
 */

/** What the subscriptions need from the device. */
export interface PushHost {
  /** Sends a notification's content (wrapped with eventTime) to one session. */
  send(sessionId: number, xml: string): void;
  /** A datastore's content as XML: its top-level elements a filter keeps, all of them without one. */
  contents(datastore: string, selects: TopLevelSelector | null): string;
  log(line: string): void;
}

interface Sub {
  id: number;
  sessionId: number;
  stream: string | null;
  datastore: string | null;
  /** The subtree filter's selection (of the datastore's top-level nodes, or of events); null: everything. */
  selects: TopLevelSelector | null;
  periodMs: number | null;
  onChange: { dampeningMs: number; excluded: Set<string>; pending: ConfigEdit[] } | null;
  stopTime: Date | null;
  timers: Set<NodeJS.Timeout>;
  periodic: NodeJS.Timeout | null;
}

const STREAM = 'NETCONF';
const DATASTORES = new Set(['running', 'candidate', 'startup', 'intended', 'operational']);
/** Datastores whose content is running's: on-change follows running. */
const FOLLOW_RUNNING = new Set(['running', 'intended', 'operational']);

export class FakePush {
  private readonly subs = new Map<number, Sub>();
  private nextId = 1;
  private patches = 0;
  private readonly minPeriodMs: number;
  private readonly onChange: boolean;

  constructor(private readonly host: PushHost, options: FakePushOptions = {}) {
    this.minPeriodMs = options.minPeriodMs ?? 100;
    this.onChange = options.onChange ?? true;
  }

  /** The subscriptions now, in the order they were made. */
  list(): FakeDynamicSubscription[] {
    return [...this.subs.values()].map((s) => ({
      id: s.id, sessionId: s.sessionId, stream: s.stream, datastore: s.datastore, periodMs: s.periodMs, onChange: s.onChange !== null,
      stopTime: s.stopTime,
    }));
  }

  /** Whether a session has a stream subscription whose filter keeps this event (undefined: raw bytes, no filter's to judge). */
  wantsEvent(sessionId: number, xml: string | undefined): boolean {
    for (const s of this.subs.values()) {
      if (s.sessionId === sessionId && s.stream !== null && keepsEvent(s.selects, xml)) return true;
    }
    return false;
  }

  establish(request: FakeRequest): string {
    const xml = request.xml;
    if (findElement(xml, 'stream-filter-name') || findElement(xml, 'selection-filter-ref')) return refuse('filter-unsupported', 'This device has no named filters');
    const selects = selectorOf(request);
    if (typeof selects === 'string') return selects;
    if (findElement(xml, 'dscp')) return refuse('dscp-unavailable', 'This device does not mark notifications with DSCP');
    if (identityName(elementText(xml, 'encoding')) === 'encode-json') return refuse('encoding-unsupported', 'This device encodes notifications in XML only');
    if (findElement(xml, 'replay-start-time')) return refuse('replay-unsupported', 'This device keeps no events to replay');
    const stopTime = this.stopTimeOf(xml);
    if (stopTime === 'invalid') return invalid('stop-time is not a date-and-time');
    const datastoreText = elementText(xml, 'datastore');
    const sub: Sub = { id: 0, sessionId: request.sessionId, stream: null, datastore: null, selects, periodMs: null, onChange: null, stopTime, timers: new Set(), periodic: null };
    let sync = false;
    if (datastoreText !== null) {
      const datastore = identityName(datastoreText);
      if (!DATASTORES.has(datastore)) return refuse('datastore-not-subscribable', `The datastore ${datastoreText} cannot be subscribed to`, 'yp');
      sub.datastore = datastore;
      const trigger = this.triggerOf(xml);
      if (typeof trigger === 'string') return trigger;
      sub.periodMs = trigger.periodMs;
      sub.onChange = trigger.onChange;
      sync = trigger.onChange !== null && elementText(xml, 'sync-on-start') !== 'false';
    } else {
      const stream = elementText(xml, 'stream') ?? STREAM;
      if (stream !== STREAM) return invalid(`No stream named ${stream}`);
      sub.stream = stream;
    }
    sub.id = this.nextId++;
    this.subs.set(sub.id, sub);
    this.host.log(`session ${sub.sessionId}: subscription ${sub.id} established (${sub.stream !== null ? `stream ${sub.stream}` : `datastore ${sub.datastore}`})`);
    // Pushes start after the reply is written (it is written as soon as this returns).
    if (sync) this.later(sub, 0, () => this.pushUpdate(sub));
    this.schedule(sub);
    return `<id xmlns="${SUBSCRIBED_NOTIFICATIONS_NS}">${sub.id}</id>`;
  }

  modify(request: FakeRequest): string {
    const sub = this.own(request);
    if (typeof sub === 'string') return sub;
    const xml = request.xml;
    if (findElement(xml, 'stream-filter-name') || findElement(xml, 'selection-filter-ref')) return refuse('filter-unsupported', 'This device has no named filters');
    const selects = selectorOf(request);
    if (typeof selects === 'string') return selects;
    const stopTime = this.stopTimeOf(xml);
    if (stopTime === 'invalid') return invalid('stop-time is not a date-and-time');
    const period = elementText(xml, 'period');
    if (period !== null) {
      if (sub.periodMs === null) return invalid('The subscription is not periodic');
      const ms = this.periodMsOf(period);
      if (typeof ms === 'string') return ms;
      sub.periodMs = ms;
    }
    const dampening = elementText(xml, 'dampening-period');
    if (dampening !== null) {
      if (sub.onChange === null) return invalid('The subscription is not on-change');
      if (!/^[0-9]+$/.test(dampening)) return invalid('dampening-period is not a number of centiseconds');
      sub.onChange.dampeningMs = Number(dampening) * 10;
    }
    if (stopTime !== null) sub.stopTime = stopTime;
    if (selects !== null) sub.selects = selects;
    this.schedule(sub);
    return '<ok/>';
  }

  delete(request: FakeRequest): string {
    const sub = this.own(request);
    if (typeof sub === 'string') return sub;
    this.remove(sub);
    return '<ok/>';
  }

  /** kill-subscription: any session's subscription; its subscriber gets subscription-terminated. */
  kill(request: FakeRequest): string {
    const sub = this.subs.get(idOf(request.xml) ?? -1);
    if (!sub) return refuse('no-such-subscription', `No subscription with id ${elementText(request.xml, 'id') ?? '(missing)'}`);
    // After the reply, as a subscriber who killed its own subscription would expect it.
    this.remove(sub);
    setTimeout(() => this.terminated(sub, 'no-such-subscription'), 0).unref();
    return '<ok/>';
  }

  /** Ends a subscription with subscription-terminated and a reason (an RFC 8639 identity's name); false when there is none. */
  terminate(id: number, reason: string): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    this.remove(sub);
    this.terminated(sub, reason);
    return true;
  }

  private terminated(sub: Sub, reason: string): void {
    this.host.send(sub.sessionId, `<subscription-terminated xmlns="${SUBSCRIBED_NOTIFICATIONS_NS}"><id>${sub.id}</id><reason xmlns:sn="${SUBSCRIBED_NOTIFICATIONS_NS}">sn:${escapeXml(reason)}</reason></subscription-terminated>`);
  }

  /** Running changed: every on-change subscription that follows it is told (at once, or after its dampening period). */
  configChanged(edits: ConfigEdit[]): void {
    for (const sub of this.subs.values()) {
      if (!sub.onChange || !FOLLOW_RUNNING.has(sub.datastore ?? '')) continue;
      const selects = sub.selects;
      const wanted = edits.filter((e) => !sub.onChange!.excluded.has(e.operation) && (selects === null || selects({ localName: e.name, namespaceURI: e.namespace })));
      if (wanted.length === 0) continue;
      const onChange = sub.onChange;
      if (onChange.dampeningMs === 0) {
        this.pushChange(sub, wanted);
        continue;
      }
      const waiting = onChange.pending.length > 0;
      onChange.pending.push(...wanted);
      if (!waiting) {
        this.later(sub, onChange.dampeningMs, () => {
          const pending = onChange.pending.splice(0);
          if (pending.length > 0) this.pushChange(sub, pending);
        });
      }
    }
  }

  sessionEnded(sessionId: number): void {
    for (const sub of [...this.subs.values()]) if (sub.sessionId === sessionId) this.remove(sub);
  }

  /** Stops every timer (the device is closing). */
  stop(): void {
    for (const sub of [...this.subs.values()]) this.remove(sub);
  }

  private own(request: FakeRequest): Sub | string {
    const id = idOf(request.xml);
    const sub = id === null ? undefined : this.subs.get(id);
    // RFC 8639: another session's subscription is no-such-subscription to this one.
    if (!sub || sub.sessionId !== request.sessionId) return refuse('no-such-subscription', `This session has no subscription with id ${elementText(request.xml, 'id') ?? '(missing)'}`);
    return sub;
  }

  private triggerOf(xml: string): { periodMs: number | null; onChange: Sub['onChange'] } | string {
    const period = elementText(xml, 'period');
    const onChange = findElement(xml, 'on-change');
    if ((period === null) === (onChange === null)) return invalid('A datastore subscription needs periodic or on-change');
    if (period !== null) {
      const ms = this.periodMsOf(period);
      return typeof ms === 'string' ? ms : { periodMs: ms, onChange: null };
    }
    if (!this.onChange) return refuse('on-change-unsupported', 'This device sends periodic updates only', 'yp');
    const dampening = elementText(xml, 'dampening-period') ?? '0';
    if (!/^[0-9]+$/.test(dampening)) return invalid('dampening-period is not a number of centiseconds');
    const excluded = new Set<string>();
    const inner = innerXml(xml, 'on-change');
    for (let at = findElement(inner, 'excluded-change'); at; at = at.end === -1 ? null : findElement(inner, 'excluded-change', at.end)) {
      excluded.add(inner.slice(at.contentStart, at.contentEnd).trim());
    }
    return { periodMs: null, onChange: { dampeningMs: Number(dampening) * 10, excluded, pending: [] } };
  }

  private periodMsOf(text: string): number | string {
    if (!/^[0-9]+$/.test(text) || Number(text) === 0) return invalid('period is not a number of centiseconds');
    const ms = Number(text) * 10;
    if (ms < this.minPeriodMs) return refuse('period-unsupported', `The shortest period this device supports is ${this.minPeriodMs} ms`, 'yp', `<period-hint>${this.minPeriodMs / 10}</period-hint>`);
    return ms;
  }

  private stopTimeOf(xml: string): Date | null | 'invalid' {
    const text = elementText(xml, 'stop-time');
    if (text === null) return null;
    const t = new Date(text);
    return Number.isNaN(t.getTime()) ? 'invalid' : t;
  }

  /** (Re)starts the periodic timer and the stop-time timer. */
  private schedule(sub: Sub): void {
    if (sub.periodic) {
      clearInterval(sub.periodic);
      sub.timers.delete(sub.periodic);
      sub.periodic = null;
    }
    if (sub.periodMs !== null) {
      sub.periodic = setInterval(() => this.pushUpdate(sub), sub.periodMs);
      sub.periodic.unref();
      sub.timers.add(sub.periodic);
    }
    // A stop-time beyond what a timer can wait (about 24.8 days) is as good as none here.
    if (sub.stopTime !== null && sub.stopTime.getTime() - Date.now() < 2 ** 31 - 1) {
      const at = sub.stopTime.getTime();
      this.later(sub, Math.max(0, at - Date.now()), () => {
        if (sub.stopTime === null || sub.stopTime.getTime() !== at || !this.subs.has(sub.id)) return; // modified since
        this.remove(sub);
        this.host.send(sub.sessionId, `<subscription-completed xmlns="${SUBSCRIBED_NOTIFICATIONS_NS}"><id>${sub.id}</id></subscription-completed>`);
      });
    }
  }

  private pushUpdate(sub: Sub): void {
    if (!this.subs.has(sub.id)) return;
    const contents = this.host.contents(sub.datastore ?? 'running', sub.selects);
    this.host.send(sub.sessionId, `<push-update xmlns="${YANG_PUSH_NS}"><id>${sub.id}</id><datastore-contents>${contents}</datastore-contents></push-update>`);
  }

  /** A YANG patch with one edit per changed top-level element, its target `/<name>`. */
  private pushChange(sub: Sub, edits: ConfigEdit[]): void {
    if (!this.subs.has(sub.id)) return;
    const patchId = ++this.patches;
    const body = edits.map((e, i) => {
      const value = e.xml === null ? '' : `<value>${e.xml}</value>`;
      return `<edit><edit-id>edit-${i + 1}</edit-id><operation>${e.operation}</operation><target>/${escapeXml(e.name)}</target>${value}</edit>`;
    }).join('');
    this.host.send(
      sub.sessionId,
      `<push-change-update xmlns="${YANG_PUSH_NS}"><id>${sub.id}</id><datastore-changes><yang-patch><patch-id>patch-${patchId}</patch-id>${body}</yang-patch></datastore-changes></push-change-update>`,
    );
  }

  private later(sub: Sub, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      sub.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    sub.timers.add(timer);
  }

  private remove(sub: Sub): void {
    for (const timer of sub.timers) clearTimeout(timer);
    sub.timers.clear();
    sub.periodic = null;
    this.subs.delete(sub.id);
  }
}

/**
 * A subtree filter's selection, null without one; an XPath filter is refused as RFC 8639 has
 * a publisher refuse a filter it cannot process (filter-unsupported), never ignored.
 */
function selectorOf(request: FakeRequest): TopLevelSelector | null | string {
  const filter = requestFilter(request.xml);
  if (filter === null) return null;
  if ('selects' in filter) return filter.selects;
  return refuse('filter-unsupported', 'xpath' in filter ? xpathUnsupported(filter.xpath) : `No filter type ${filter.unknownType}`);
}

function idOf(xml: string): number | null {
  const text = elementText(xml, 'id');
  return text !== null && /^[0-9]{1,10}$/.test(text) ? Number(text) : null;
}

/** `ds:running` → `running`. */
function identityName(text: string | null): string {
  return text === null ? '' : text.slice(text.lastIndexOf(':') + 1);
}

/** An RFC 8639 / 8641 refusal: the reason identity as error-app-tag, and in error-info as RFC 8640 shows it. */
function refuse(reason: string, message: string, module: 'sn' | 'yp' = 'sn', hint = ''): string {
  const [name, ns] = module === 'sn' ? ['ietf-subscribed-notifications', SUBSCRIBED_NOTIFICATIONS_NS] : ['ietf-yang-push', YANG_PUSH_NS];
  const info = `<subscription-error-info xmlns="${ns}"><reason xmlns:${module}="${ns}">${module}:${reason}</reason>${hint}</subscription-error-info>`;
  return rpcErrorXml({ type: 'application', tag: 'invalid-value', appTag: `${name}:${reason}`, message, info });
}

function invalid(message: string): string {
  return rpcErrorXml({ type: 'application', tag: 'invalid-value', message });
}
