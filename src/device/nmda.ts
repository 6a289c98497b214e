import type { Element, Node } from '@oozcitak/dom/lib/dom/interfaces.js';
import { builder, create, fragment } from 'xmlbuilder2';
import { DATASTORES_NS, NETCONF_BASE_NS, NMDA_NS, ORIGIN_NS } from '../xml/namespaces.js';
import { rpcErrorXml } from './replies.js';
import type { FakeDatastores } from './types.js';

/**
 * The fake device's NMDA datastores (RFC 8342) behind `<get-data>` and `<edit-data>`
 * (RFC 8526), without a schema: each datastore is XML content. `intended` is `running` unless
 * given; `operational` is `intended` (origin `or:intended`) followed by the state given as
 * `operational` (origin `or:learned` where it names none). List entries are told apart by
 * their first child leaf, where YANG puts a list's keys.
 */

const WRITABLE = ['running', 'candidate', 'startup'] as const;
type Writable = (typeof WRITABLE)[number];

export class NmdaStore {
  private readonly stores = new Map<string, string>();

  constructor(initial: FakeDatastores) {
    for (const name of WRITABLE) this.stores.set(name, initial[name] ?? '');
    if (initial.intended !== undefined) this.stores.set('intended', initial.intended);
    this.stores.set('operational', initial.operational ?? '');
  }

  /** A datastore's content now (`intended` and `operational` as a `<get-data>` shows them, without origins). */
  content(datastore: string): string {
    if (datastore === 'operational') return this.operational(false);
    if (datastore === 'intended') return this.stores.get('intended') ?? this.stores.get('running')!;
    return this.stores.get(datastore) ?? '';
  }

  /** Answers a `<get-data>` request (the whole `<rpc>` text). */
  getData(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const datastore = datastoreOf(op);
    if (typeof datastore !== 'string') return datastore.error;
    const withOrigin = elementChildren(op).some((c) => c.localName === 'with-origin');
    const content = datastore === 'operational' ? this.operational(withOrigin) : this.content(datastore);
    const filter = elementChildren(op).find((c) => c.localName === 'subtree-filter');
    return `<data xmlns="${NMDA_NS}">${filter ? selectTop(content, filter) : content}</data>`;
  }

  /** Answers an `<edit-data>` request: merges (or replaces) its config into a writable datastore. */
  editData(rpcXml: string): string {
    const op = operationElement(rpcXml);
    const datastore = datastoreOf(op);
    if (typeof datastore !== 'string') return datastore.error;
    if (!(WRITABLE as readonly string[]).includes(datastore)) return invalidValue(`The ${datastore} datastore is read-only`);
    const config = elementChildren(op).find((c) => c.localName === 'config');
    if (!config) return rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: '<edit-data> needs <config>', info: '<bad-element>config</bad-element>' });
    const defaultOp = elementChildren(op).find((c) => c.localName === 'default-operation')?.textContent?.trim() ?? 'merge';
    const target = parse(this.stores.get(datastore) ?? '');
    try {
      if (defaultOp === 'replace') for (const child of [...elementChildren(target)]) target.removeChild(child);
      for (const change of elementChildren(config)) apply(target, change, defaultOp === 'none' ? 'none' : 'merge');
    } catch (err) {
      if (err instanceof EditError) return rpcErrorXml({ type: 'application', tag: err.tag, message: err.message });
      throw err;
    }
    this.stores.set(datastore, toXml(elementChildren(target)));
    return '<ok/>';
  }

  private operational(withOrigin: boolean): string {
    const nodes: Element[] = [];
    for (const [xml, origin] of [[this.content('intended'), 'intended'], [this.stores.get('operational')!, 'learned']] as const) {
      for (const el of elementChildren(parse(xml))) {
        const copy = el.cloneNode(true) as Element;
        if (!withOrigin) stripOrigins(copy);
        else if (!copy.hasAttributeNS(ORIGIN_NS, 'origin')) copy.setAttributeNS(ORIGIN_NS, 'or:origin', `or:${origin}`);
        nodes.push(copy);
      }
    }
    return toXml(nodes);
  }
}

class EditError extends Error {
  constructor(readonly tag: string, message: string) {
    super(message);
  }
}

/** Applies one element of an edit under `parent`: RFC 6241's `operation` attribute, else `inherited`. */
function apply(parent: Node, change: Element, inherited: string): void {
  const operation = change.getAttributeNS(NETCONF_BASE_NS, 'operation') ?? inherited;
  change.removeAttributeNS(NETCONF_BASE_NS, 'operation');
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

/** The sibling `change` edits: same name and namespace, and the same first leaf (a list entry's key) when it has one. */
function findMatch(parent: Node, change: Element): Element | undefined {
  const key = firstLeaf(change);
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

/** The top-level elements of `content` that a subtree filter names at its top (by namespace and name). */
function selectTop(content: string, filter: Element): string {
  const wanted = elementChildren(filter);
  return toXml(elementChildren(parse(content)).filter((el) => wanted.some((w) => w.localName === el.localName && w.namespaceURI === el.namespaceURI)));
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
  if (ns !== DATASTORES_NS || !['running', 'candidate', 'startup', 'intended', 'operational'].includes(name)) {
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
