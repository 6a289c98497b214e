import { BASE_1_0, BASE_1_1, NETCONF_BASE_NS, escapeXml } from './replies.js';
import type { JunosItem } from './junos-types.js';
import { JUNOS_CAPABILITY, XNM_NAMESPACE } from '../xml/namespaces.js';

/**
 * The XML a Junos box writes, as plain strings: its hello (comments first), the reply
 * envelope with the `junos` namespace, Junos-style rpc-errors (severity, `[edit …]` path,
 * newline-padded message, bad-element; usually no type or tag) and xnm items. With
 * `rfc-compliant` every NETCONF element carries the `nc:` prefix and the Junos elements are
 * in no namespace, as on the real thing.
 */

export const JUNOS_RELEASE = '23.4R1';
export const JUNOS_VERSION = '23.4R1.10';
export const JUNOS_NS = `http://xml.juniper.net/junos/${JUNOS_RELEASE}/junos`;
export const XNM_NS = XNM_NAMESPACE;
export { JUNOS_CAPABILITY };
export const JUNOS_DMI_CAPABILITY = 'http://xml.juniper.net/dmi/system/1.0';

/** What most Junos releases advertise (base:1.0 only; rfc-compliant adds base:1.1 after it). */
export const JUNOS_CAPABILITIES: readonly string[] = Object.freeze([
  BASE_1_0,
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:confirmed-commit:1.0',
  'urn:ietf:params:netconf:capability:validate:1.0',
  'urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file',
  'urn:ietf:params:xml:ns:netconf:base:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:candidate:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:validate:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:url:1.0?scheme=http,ftp,file',
  'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring',
  // The YANG module and its features, as real servers list them: strict clients (libnetconf2)
  // enable candidate and validate only from these.
  'urn:ietf:params:xml:ns:netconf:base:1.0?module=ietf-netconf&revision=2011-06-01&features=candidate,confirmed-commit,validate,url',
  JUNOS_CAPABILITY,
  JUNOS_DMI_CAPABILITY,
]);

export function junosCapabilities(rfcCompliant: boolean): string[] {
  return rfcCompliant ? JUNOS_CAPABILITIES.flatMap((c) => (c === BASE_1_0 ? [c, BASE_1_1] : [c])) : [...JUNOS_CAPABILITIES];
}

export const BANNER_COMMENT = '<!-- No zombies were killed during the creation of this user interface -->';

/** Writes NETCONF element names with or without the `nc:` prefix. */
export class Flavour {
  constructor(readonly rfcCompliant: boolean) {}

  /** A NETCONF element name: `nc:ok` when rfc-compliant. */
  nc(name: string): string {
    return this.rfcCompliant ? `nc:${name}` : name;
  }

  ok(): string {
    return `<${this.nc('ok')}/>`;
  }

  /** The whole `<rpc-reply>`, with the `junos` namespace and the request's message-id. */
  reply(content: string, messageId: string | null): string {
    const ns = this.rfcCompliant ? `xmlns:nc="${NETCONF_BASE_NS}"` : `xmlns="${NETCONF_BASE_NS}"`;
    const id = messageId === null ? '' : ` message-id="${escapeXml(messageId)}"`;
    const root = this.nc('rpc-reply');
    return `<${root} ${ns} xmlns:junos="${JUNOS_NS}"${id}>\n${content}\n</${root}>`;
  }

  /** A Junos hello: the banner comments, then the hello, pretty printed, `]]>]]>` on its own line. */
  hello(capabilities: readonly string[], sessionId: number, username: string): string {
    const caps = capabilities.map((c) => `    <${this.nc('capability')}>${escapeXml(c)}</${this.nc('capability')}>\n`).join('');
    const ns = this.rfcCompliant ? `xmlns:nc="${NETCONF_BASE_NS}"` : `xmlns="${NETCONF_BASE_NS}"`;
    return (
      `${BANNER_COMMENT}\n<!-- user ${username}, class j-super-user -->\n` +
      `<${this.nc('hello')} ${ns}>\n  <${this.nc('capabilities')}>\n${caps}  </${this.nc('capabilities')}>\n` +
      `  <${this.nc('session-id')}>${sessionId}</${this.nc('session-id')}>\n</${this.nc('hello')}>\n]]>]]>\n`
    );
  }

  /**
   * A Junos `<rpc-error>`: no type or tag unless given (load and commit errors have none),
   * the path in `[edit …]` form, bad-element, and the message padded with newlines.
   */
  rpcError(item: JunosItem, severity: 'error' | 'warning', tag?: { type: string; tag: string }, sessionId?: number): string {
    const el = (name: string, text: string) => `<${this.nc(name)}>${text}</${this.nc(name)}>\n`;
    const bad = item.element ?? item.statement;
    const info = (bad !== undefined ? el('bad-element', escapeXml(bad)) : '') + (sessionId !== undefined ? el('session-id', String(sessionId)) : '');
    return (
      `<${this.nc('rpc-error')}>\n` +
      (tag ? el('error-type', tag.type) + el('error-tag', tag.tag) : '') +
      el('error-severity', severity) +
      (item.path !== undefined ? el('error-path', escapeXml(editPath(item.path))) : '') +
      (info !== '' ? `<${this.nc('error-info')}>\n${info}</${this.nc('error-info')}>\n` : '') +
      el('error-message', `\n${escapeXml(item.message)}\n`) +
      `</${this.nc('rpc-error')}>`
    );
  }
}

/** An `<xnm:error>` / `<xnm:warning>` as commit results carry them (its children in the xnm namespace). */
export function xnmItem(item: JunosItem, kind: 'error' | 'warning'): string {
  const el = (name: string, text: string | undefined) => (text === undefined ? '' : `<${name}>${escapeXml(text)}</${name}>\n`);
  return (
    `<xnm:${kind} xmlns="${XNM_NS}" xmlns:xnm="${XNM_NS}">\n` +
    el('edit-path', item.path === undefined ? undefined : editPath(item.path)) +
    el('statement', item.statement) +
    el('token', item.element) +
    el('message', item.message) +
    `</xnm:${kind}>`
  );
}

/** `system services` → `[edit system services]`; a path already in brackets is kept. */
export function editPath(path: string): string {
  const p = path.trim();
  if (p.startsWith('[')) return p;
  return p === '' ? '[edit]' : `[edit ${p}]`;
}

/** Element text content: escaped, between newlines (how Junos writes text outputs). */
export function textBlock(name: string, text: string): string {
  return text === '' ? `<${name}>\n</${name}>` : `<${name}>\n${escapeXml(text)}\n</${name}>`;
}
