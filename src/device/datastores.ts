import type { Element, Node } from '@oozcitak/dom/lib/dom/interfaces.js';
import { builder, create, fragment } from 'xmlbuilder2';
import { DATASTORES_NS, NETCONF_BASE_NS, NMDA_NS, ORIGIN_NS } from '../xml/namespaces.js';
import { rpcErrorXml } from './replies.js';
import type { FakeDatastores } from './types.js';

/**
 * The fake device's configuration, one store behind every operation that reads or writes it
 * (RFC 8342 datastores, without a schema; each is XML content): `<get-config>`,
 * `<edit-config>`, `<commit>` and `<discard-changes>`, NMDA `<get-data>` and `<edit-data>`
 * (RFC 8526), and YANG-Push. `candidate` follows `running` until it is edited, and again after
 * a commit or a discard; `intended` is `running` unless given; `operational` is `intended`
 * (origin `or:intended`) followed by the state given as `operational` (origin `or:learned`
 * where it names none). List entries are told apart by their first child leaf, where YANG
 * puts a list's keys. Each change of running is reported, one edit per top-level element.
 */

/** One top-level element that changed in running. */
export interface ConfigEdit {
  operation: 'create' | 'replace' | 'delete';
  /** The element's local name. */
  name: string;
  /** Its namespace, or null. */
  namespace: string | null;
  /** The element as it is now (null once deleted). */
  xml: string | null;
}

const WRITABLE = new Set(['running', 'candidate', 'startup']);
const ALL = new Set(['running', 'candidate', 'startup', 'intended', 'operational']);

export class Datastores {
  private running: string;
  private startup: string;
  /** Null while the candidate follows running (not edited since the start, the last commit or discard). */
  private candidate: string | null;
  private readonly intended: string | null;
  private readonly state: string;

  constructor(initial: FakeDatastores, private readonly onChange: (edits: ConfigEdit[]) => void) {
    this.running = initial.running ?? '';
    this.startup = initial.startup ?? '';
    this.candidate = initial.candidate ?? null;
    this.intended = initial.intended ?? null;
    this.state = initial.operational ?? '';
  }

  /** A datastore's content now (`operational` as a `<get-data>` shows it, without origins); '' for one the device has not. */
  content(datastore: string): string {
    switch (datastore) {
      case 'running': return this.running;
      case 'candidate': return this.candidate ?? this.running;
      case 'startup': return this.startup;
      case 'intended': return this.intended ?? this.running;
      case 'operational': return this.operational(false);
      default: return '';
    }
  }

  /** A datastore's top-level elements that `selects` keeps (a subscription's filter). */
  selected(datastore: string, selects: TopLevelSelector): string {
    return toXml(elementChildren(parse(this.content(datastore))).filter(selects));
  }

  /**
   * Answers a `<get>` request (RFC 6241): running and the state data (what `operational` adds
   * to intended), both cut by its filter, as `<data>`.
   */
  get(rpcXml: string): string {
    const op = operationElement(rpcXml);
    return readReply(op, `${this.running}${this.stateData(false)}`, '<data>', '</data>');
  }

  /** Answers a `<get-config>` request: its `<source>`'s configuration, cut by its filter, as `<data>`. */
  getConfig(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const sourceElement = elementChildren(op).find((c) => c.localName === 'source');
    const source = sourceElement ? elementChildren(sourceElement)[0]?.localName ?? '' : 'running';
    return readReply(op, WRITABLE.has(source) ? this.content(source) : '', '<data>', '</data>');
  }

  /** Answers a `<get-data>` request (the whole `<rpc>` text). */
  getData(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const datastore = datastoreOf(op);
    if (typeof datastore !== 'string') return datastore.error;
    const withOrigin = elementChildren(op).some((c) => c.localName === 'with-origin');
    const content = datastore === 'operational' ? this.operational(withOrigin) : this.content(datastore);
    return readReply(op, content, `<data xmlns="${NMDA_NS}">`, '</data>');
  }

  /** Answers an `<edit-data>` request: merges (or replaces) its config into a writable datastore. */
  editData(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const datastore = datastoreOf(op);
    if (typeof datastore !== 'string') return datastore.error;
    if (!WRITABLE.has(datastore)) return invalidValue(`The ${datastore} datastore is read-only`);
    return this.write(op, datastore);
  }

  /** Answers an `<edit-config>` request (RFC 6241): the same edit, its target named by `<target>`. */
  editConfig(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const target = elementChildren(op).find((c) => c.localName === 'target');
    const name = target ? elementChildren(target)[0]?.localName : undefined;
    // Without a target, or with one this device does not model (a url): accepted and left alone.
    return name !== undefined && WRITABLE.has(name) ? this.write(op, name) : '<ok/>';
  }

  /** `<commit>`: running becomes the candidate. */
  commit(): void {
    if (this.candidate !== null) this.setRunning(this.candidate);
    this.candidate = null;
  }

  /** `<discard-changes>`: the candidate follows running again. */
  discard(): void {
    this.candidate = null;
  }

  /** Applies the `<config>` of an edit operation to a writable datastore; `<ok/>` or the rpc-error. */
  private write(op: Element, datastore: string): string {
    const config = elementChildren(op).find((c) => c.localName === 'config');
    if (!config) return rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: `<${op.localName}> needs <config>`, info: '<bad-element>config</bad-element>' });
    const defaultOp = elementChildren(op).find((c) => c.localName === 'default-operation')?.textContent?.trim() ?? 'merge';
    const target = parse(this.content(datastore));
    try {
      if (defaultOp === 'replace') for (const child of [...elementChildren(target)]) target.removeChild(child);
      for (const change of elementChildren(config)) apply(target, change, defaultOp === 'none' ? 'none' : 'merge');
    } catch (err) {
      if (err instanceof EditError) return rpcErrorXml({ type: 'application', tag: err.tag, message: err.message });
      throw err;
    }
    const xml = toXml(elementChildren(target));
    if (datastore === 'running') this.setRunning(xml);
    else if (datastore === 'candidate') this.candidate = xml;
    else this.startup = xml;
    return '<ok/>';
  }

  private setRunning(xml: string): void {
    const before = topLevel(this.running);
    this.running = xml;
    const after = topLevel(xml);
    const edits: ConfigEdit[] = [];
    for (const [key, now] of after) {
      const was = before.get(key);
      if (was?.xml === now.xml) continue;
      edits.push({ operation: was ? 'replace' : 'create', ...now });
    }
    for (const [key, was] of before) if (!after.has(key)) edits.push({ operation: 'delete', ...was, xml: null });
    if (edits.length > 0) this.onChange(edits);
  }

  private operational(withOrigin: boolean): string {
    return `${toXml(withOrigins(this.content('intended'), 'intended', withOrigin))}${this.stateData(withOrigin)}`;
  }

  /** The state data: what operational holds beyond intended. */
  private stateData(withOrigin: boolean): string {
    return toXml(withOrigins(this.state, 'learned', withOrigin));
  }
}

/** Content's top-level elements, copied: with `origin` where they name none, or every origin stripped. */
function withOrigins(xml: string, origin: 'intended' | 'learned', withOrigin: boolean): Element[] {
  return elementChildren(parse(xml)).map((el) => {
    const copy = el.cloneNode(true) as Element;
    if (!withOrigin) stripOrigins(copy);
    else if (!copy.hasAttributeNS(ORIGIN_NS, 'origin')) copy.setAttributeNS(ORIGIN_NS, 'or:origin', `or:${origin}`);
    return copy;
  });
}

/**
 * A read's reply: the content its filter keeps, between `open` and `close` (`<data/>` for
 * none when `open` is a bare `<data>`), or the rpc-error refusing the filter.
 */
function readReply(op: Element, content: string, open: string, close: string): string {
  const filter = filterOf(op);
  if (filter !== null && !('selects' in filter)) return filterRefusal(filter);
  const kept = filter === null ? content : toXml(elementChildren(parse(content)).filter(filter.selects));
  return kept === '' && open === '<data>' ? '<data/>' : `${open}${kept}${close}`;
}

/**
 * A request's filter, as every operation that takes one reads it (`<get>`, `<get-config>`,
 * `<get-data>`, `<create-subscription>`, `<establish-subscription>`, `<modify-subscription>`):
 * a subtree filter's selection; an XPath filter's expression, which the device does not
 * evaluate (each operation refuses it in its own RFC's terms, never ignores it); a `<filter>`
 * of another type; null without one.
 */
export type RequestFilter = { selects: TopLevelSelector } | { xpath: string } | { unknownType: string };

/** The filter of a request (the whole `<rpc>` text); null without one. */
export function requestFilter(rpcXml: string): RequestFilter | null {
  return filterOf(operationElement(rpcXml));
}

/** The element names of a subtree filter (RFC 8526, RFC 8639, RFC 8641) and of an XPath one. */
const SUBTREE_FILTERS = new Set(['subtree-filter', 'stream-subtree-filter', 'datastore-subtree-filter']);
const XPATH_FILTERS = new Set(['xpath-filter', 'stream-xpath-filter', 'datastore-xpath-filter']);

function filterOf(op: Element): RequestFilter | null {
  for (const el of elementChildren(op)) {
    const name = el.localName;
    if (SUBTREE_FILTERS.has(name)) return { selects: namedBy(elementChildren(el)) };
    if (XPATH_FILTERS.has(name)) return { xpath: (el.textContent ?? '').trim() };
    if (name !== 'filter') continue;
    // RFC 6241 and RFC 5277: `type` unqualified as clients write it, or nc:type as ietf-netconf annotates it.
    const type = el.getAttribute('type') ?? el.getAttributeNS(NETCONF_BASE_NS, 'type') ?? 'subtree';
    if (type === 'subtree') return { selects: namedBy(elementChildren(el)) };
    if (type === 'xpath') return { xpath: el.getAttribute('select') ?? el.getAttributeNS(NETCONF_BASE_NS, 'select') ?? '' };
    return { unknownType: type };
  }
  return null;
}

/** Why the device does not apply an XPath filter: the same words wherever one comes. */
export function xpathUnsupported(expression: string): string {
  return `This device does not evaluate XPath filters, so it cannot apply ${JSON.stringify(expression)}: use a subtree filter`;
}

/** The rpc-error of RFC 6241 / RFC 5277 / RFC 8526 operations for a filter the device does not apply. */
export function filterRefusal(filter: { xpath: string } | { unknownType: string }): string {
  if ('xpath' in filter) return rpcErrorXml({ type: 'protocol', tag: 'operation-not-supported', message: xpathUnsupported(filter.xpath) });
  return rpcErrorXml({
    type: 'protocol', tag: 'bad-attribute', message: `No filter type ${JSON.stringify(filter.unknownType)}: subtree or xpath`,
    info: '<bad-attribute>type</bad-attribute><bad-element>filter</bad-element>',
  });
}

/**
 * Whether a subscription's subtree filter keeps an event notification: it names the event's
 * element (the child of `<notification>` after `<eventTime>`, or the content's top element).
 * No filter keeps everything; raw bytes (no `xml`), content with no element, or content that is
 * not XML are not the filter's to judge: they are kept.
 */
export function keepsEvent(selects: TopLevelSelector | null, xml: string | undefined): boolean {
  if (selects === null || xml === undefined) return true;
  let top: Element[];
  try {
    top = elementChildren(parse(xml));
  } catch {
    return true;
  }
  const events = top.length === 1 && top[0]!.localName === 'notification'
    ? elementChildren(top[0]!).filter((el) => el.localName !== 'eventTime')
    : top;
  return events.length === 0 || events.some(selects);
}

/** Content's top-level elements by namespace and name, each as XML. */
function topLevel(content: string): Map<string, Omit<ConfigEdit, 'operation'> & { xml: string }> {
  const out = new Map<string, Omit<ConfigEdit, 'operation'> & { xml: string }>();
  for (const el of elementChildren(parse(content))) {
    out.set(`{${el.namespaceURI ?? ''}}${el.localName}`, { name: el.localName, namespace: el.namespaceURI, xml: toXml([el]) });
  }
  return out;
}

/** Keeps the top-level elements a subtree filter names at its top (by namespace and name). */
export type TopLevelSelector = (el: { localName: string; namespaceURI: string | null }) => boolean;

function namedBy(wanted: readonly Element[]): TopLevelSelector {
  return (el) => wanted.some((w) => w.localName === el.localName && w.namespaceURI === el.namespaceURI);
}

class EditError extends Error {
  constructor(readonly tag: string, message: string) {
    super(message);
  }
}

/** Applies one element of an edit under `parent`: RFC 6241's `operation` attribute, else `inherited`. */
function apply(parent: Node, change: Element, inherited: string): void {
  // nc:operation; an unprefixed `operation` too, as clients without the prefix send it.
  const operation = change.getAttributeNS(NETCONF_BASE_NS, 'operation') ?? change.getAttribute('operation') ?? inherited;
  change.removeAttributeNS(NETCONF_BASE_NS, 'operation');
  change.removeAttribute('operation');
  const existing = findMatch(parent, change);
  const name = change.localName;
  switch (operation) {
    case 'delete':
    case 'remove':
      if (!existing) {
        if (operation === 'delete') throw new EditError('data-missing', `<${name}> does not exist`);
        return;
      }
      parent.removeChild(existing);
      return;
    case 'create':
      if (existing) throw new EditError('data-exists', `<${name}> already exists`);
      parent.appendChild(change.cloneNode(true));
      return;
    case 'replace':
      if (existing) parent.replaceChild(change.cloneNode(true), existing);
      else parent.appendChild(change.cloneNode(true));
      return;
    default: {
      // merge, or none (only navigate to the operations below)
      const leaf = elementChildren(change).length === 0;
      if (!existing) {
        if (operation === 'none') {
          if (leaf) throw new EditError('data-missing', `<${name}> does not exist`);
          const shell = change.cloneNode(false) as Element;
          for (const c of elementChildren(change)) apply(shell, c, operation);
          if (elementChildren(shell).length > 0) parent.appendChild(shell);
          return;
        }
        parent.appendChild(change.cloneNode(true));
        return;
      }
      if (leaf) {
        if (operation === 'merge') parent.replaceChild(change.cloneNode(true), existing);
        return;
      }
      for (const c of elementChildren(change)) apply(existing, c, operation);
    }
  }
}

/**
 * The sibling `change` edits: same name and namespace, and below the top level the same first
 * leaf (a list entry's key) when it has one. Top-level nodes are taken for containers, as YANG
 * modules mostly make them.
 */
function findMatch(parent: Node, change: Element): Element | undefined {
  const key = parent.nodeType === 1 ? firstLeaf(change) : null;
  return elementChildren(parent).find((el) => {
    if (el.localName !== change.localName || el.namespaceURI !== change.namespaceURI) return false;
    if (key === null) return true;
    const own = firstLeaf(el);
    return own !== null && own.name === key.name && own.value === key.value;
  });
}

function firstLeaf(el: Element): { name: string; value: string } | null {
  const first = elementChildren(el)[0];
  if (!first || elementChildren(first).length > 0) return null;
  return { name: first.localName, value: (first.textContent ?? '').trim() };
}

function stripOrigins(el: Element): void {
  el.removeAttributeNS(ORIGIN_NS, 'origin');
  for (const c of elementChildren(el)) stripOrigins(c);
}

function operationElement(rpcXml: string): Element {
  return elementChildren(create(rpcXml).root().node)[0]!;
}

/** The datastore a request names, by its `ds:` identity; an error reply when it names none the device has. */
function datastoreOf(op: Element): string | { error: string } {
  const el = elementChildren(op).find((c) => c.localName === 'datastore');
  if (!el) return { error: rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: `<${op.localName}> needs <datastore>`, info: '<bad-element>datastore</bad-element>' }) };
  const text = (el.textContent ?? '').trim();
  const colon = text.indexOf(':');
  const prefix = colon === -1 ? null : text.slice(0, colon);
  const ns = el.lookupNamespaceURI(prefix);
  const name = text.slice(colon + 1);
  if (ns !== DATASTORES_NS || !ALL.has(name)) {
    return { error: invalidValue(`This device has no datastore ${text}`) };
  }
  return name;
}

function invalidValue(message: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message, info: '<bad-element>datastore</bad-element>' });
}

function elementChildren(el: Node): Element[] {
  return [...el.childNodes].filter((n): n is Element => n.nodeType === 1);
}

/** Content as a fragment node; blank content is an empty one (xmlbuilder2 reads '' as an element without a name). */
function parse(xml: string): Node {
  return xml.trim() === '' ? fragment().node : fragment(xml).node;
}

/** Elements as XML text ('' for none: xmlbuilder2 writes an empty fragment as `</>`). */
function toXml(elements: readonly Element[]): string {
  if (elements.length === 0) return '';
  const out = fragment();
  for (const el of elements) out.import(builder(el));
  return out.toString();
}
