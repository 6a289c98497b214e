import { ClientError } from '../errors/classes.js';
import { NETCONF_NOTIFICATION_NS } from '../session/constants.js';
import type { Notification, RpcOptions, Session } from '../session/session.js';
import { type XmlObject, parseXml } from '../xml/parse-data.js';
import { type XmlContent, addContent, request, requireCapability, serialise } from './build.js';

export interface SubscribeOptions extends Omit<RpcOptions, 'write'> {
  /** Default: the device's default stream (`NETCONF`). */
  stream?: string;
  filter?: XmlContent;
  /** Replay from this time (needs the device's replay support). */
  startTime?: Date | string;
  /** Ends the subscription at this time (needs startTime). */
  stopTime?: Date | string;
}

export interface ParsedNotification extends Notification {
  /** Local name of the event element (the first child after eventTime). */
  event: string | null;
  /** The notification parsed by fast-xml-parser. */
  parsed: XmlObject;
}

export interface Subscription extends AsyncIterable<ParsedNotification> {
  /** Stops delivering (the device subscription lasts as long as the session). */
  close(): void;
}

/**
 * RFC 5277 `<create-subscription>`; notifications arrive as an async iterator while RPCs
 * keep working on the same session. It ends with the session, at `notificationComplete`,
 * or on `close()`.
 */
export async function subscribe(session: Session, options: SubscribeOptions = {}): Promise<Subscription> {
  requireCapability(session.capabilities.notification, ':notification', 'create-subscription');
  if (options.stopTime !== undefined && options.startTime === undefined) {
    throw new ClientError('INVALID_ARGUMENT', 'stopTime needs startTime');
  }
  const op = request('create-subscription', undefined, NETCONF_NOTIFICATION_NS);
  if (options.stream !== undefined) op.ele('stream').txt(options.stream);
  if (options.filter !== undefined) addContent(op.ele('filter', { type: 'subtree' }), options.filter);
  if (options.startTime !== undefined) op.ele('startTime').txt(time(options.startTime));
  if (options.stopTime !== undefined) op.ele('stopTime').txt(time(options.stopTime));

  const queue: ParsedNotification[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const finish = () => {
    done = true;
    session.off('notification', onNotification);
    session.off('close', finish);
    wake?.();
  };
  const onNotification = (n: Notification) => {
    const parsed = parseXml(n.xml);
    const body = (parsed.notification ?? {}) as XmlObject;
    const event = Object.keys(body).find((k) => k !== 'eventTime' && !k.startsWith('@_')) ?? null;
    queue.push({ ...n, event, parsed });
    if (event === 'notificationComplete') finish();
    wake?.();
  };
  // Listen before subscribing: a replayed notification can follow the reply at once.
  session.on('notification', onNotification);
  session.on('close', finish);
  try {
    await session.rpc(serialise(op), options);
  } catch (err) {
    finish();
    throw err;
  }
  return {
    close: finish,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (done) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
  };
}

function time(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString();
}
