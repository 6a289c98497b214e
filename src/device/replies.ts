/**
 * The XML the device writes: hello, rpc-reply wrapping, rpc-error, notification and the padding
 * for huge replies. Plain strings, because the device must also be able to send exactly what
 * a test scripted, byte for byte.
 */

import { escapeXml } from '../xml/entities.js';
import { CAPABILITY, NETCONF_BASE_NS, NETCONF_NOTIFICATION_NS, NMDA_NS } from '../xml/namespaces.js';
import { findElement, nextTag, textContent } from '../xml/query.js';

export { NETCONF_BASE_NS, escapeXml };
export const BASE_1_0 = CAPABILITY.base10;
export const BASE_1_1 = CAPABILITY.base11;

/** What the device advertises by default (the bases are filtered by the `base` option). */
export const FAKE_DEVICE_CAPABILITIES: readonly string[] = Object.freeze([
  BASE_1_0,
  BASE_1_1,
  CAPABILITY.candidate,
  CAPABILITY.confirmedCommit11,
  CAPABILITY.validate11,
  CAPABILITY.xpath,
  CAPABILITY.notification,
  CAPABILITY.interleave,
  `${CAPABILITY.withDefaults}?basic-mode=explicit`,
  CAPABILITY.partialLock,
]);

/** What a device with NMDA datastores advertises besides: the module of `<get-data>` and `<edit-data>`. */
export const NMDA_MODULE_CAPABILITY = `${NMDA_NS}?module=ietf-netconf-nmda&revision=2019-01-07`;

export function helloXml(capabilities: readonly string[], sessionId: number): string {
  const caps = capabilities.map((c) => `<capability>${escapeXml(c)}</capability>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<hello xmlns="${NETCONF_BASE_NS}"><capabilities>${caps}</capabilities><session-id>${sessionId}</session-id></hello>`;
}

/** A reply string is complete (sent as is) when it already starts with its own `<rpc-reply>`. */
export function isCompleteReply(reply: string): boolean {
  return startsWithElement(reply, 'rpc-reply');
}

/** Turns reply content into the rpc-reply message for a request with this message-id. */
export function renderReply(reply: string, messageId: string | null): string {
  const id = escapeXml(messageId ?? '');
  if (isCompleteReply(reply)) return reply.replaceAll('{{message-id}}', id);
  const attr = messageId === null ? '' : ` message-id="${id}"`;
  return `<rpc-reply xmlns="${NETCONF_BASE_NS}"${attr}>${reply}</rpc-reply>`;
}

export interface RpcErrorFields {
  type: 'transport' | 'rpc' | 'protocol' | 'application';
  tag: string;
  message: string;
  /** `<error-app-tag>`, when given. */
  appTag?: string;
  /** Already-serialised children of `<error-info>`. */
  info?: string;
}

export function rpcErrorXml(e: RpcErrorFields): string {
  const info = e.info === undefined ? '' : `<error-info>${e.info}</error-info>`;
  const appTag = e.appTag === undefined ? '' : `<error-app-tag>${escapeXml(e.appTag)}</error-app-tag>`;
  return (
    `<rpc-error><error-type>${e.type}</error-type><error-tag>${e.tag}</error-tag>` +
    `<error-severity>error</error-severity>${appTag}<error-message xml:lang="en">${escapeXml(e.message)}</error-message>${info}</rpc-error>`
  );
}

/** Wraps notification content with the RFC 5277 envelope unless it already is a `<notification>`. */
export function notificationXml(xml: string, now: Date = new Date()): string {
  if (startsWithElement(xml, 'notification')) return xml;
  return `<notification xmlns="${NETCONF_NOTIFICATION_NS}"><eventTime>${now.toISOString()}</eventTime>${xml}</notification>`;
}

/**
 * Inserts `bytes` bytes of padding into the reply's `<data>` (the first, any prefix): before
 * its end tag when there is one, else as a new `<data>` element. Whole `<filler>` elements separated by
 * newlines, topped up with spaces, so the padding is exactly `bytes` long and still XML.
 */
export function padReply(message: string, bytes: number): Buffer {
  const padding = filler(bytes);
  let data = findElement(message, 'data');
  // An empty `<data/>` (the default get reply) is opened up rather than doubled.
  if (data?.tag.selfClosing) {
    const { name, start, end } = data.tag;
    const attrs = message.slice(start + 1 + name.length, end - 2).trimEnd();
    message = `${message.slice(0, start)}<${name}${attrs}></${name}>${message.slice(end)}`;
    data = findElement(message, 'data', start);
  }
  const dataEnd = data ? data.contentEnd : -1;
  let before: string;
  let after: string;
  if (dataEnd >= 0) {
    before = message.slice(0, dataEnd);
    after = message.slice(dataEnd);
  } else {
    // No <data> yet: add one as the last child of the root.
    const rootEnd = message.lastIndexOf('</');
    before = message.slice(0, rootEnd) + '<data>';
    after = '</data>' + message.slice(rootEnd);
  }
  return Buffer.concat([Buffer.from(before, 'utf8'), padding, Buffer.from(after, 'utf8')]);
}

const FILLER_UNIT = '<filler>' + 'x'.repeat(47) + '</filler>\n'; // 65 bytes

function filler(bytes: number): Buffer {
  const whole = Math.floor(bytes / FILLER_UNIT.length) * FILLER_UNIT.length;
  const out = Buffer.alloc(bytes, ' ');
  if (whole > 0) out.fill(FILLER_UNIT, 0, whole, 'latin1'); // fill repeats the unit
  return out;
}

/**
 * Whether the text's first element has this local name (any prefix), with nothing before it
 * but white space, an XML declaration, comments and processing instructions.
 */
function startsWithElement(xml: string, local: string): boolean {
  const tag = nextTag(xml);
  if (!tag || tag.kind !== 'start' || tag.local !== local) return false;
  try {
    return textContent(xml, 0, tag.start).trim() === '';
  } catch {
    return false; // text with a bad entity before it
  }
}
