import { type XmlObject, type XmlValue, parseXml } from '../xml/parse-data.js';

/**
 * Reading the Junos operational replies facts() asks for: parsed with local names, then
 * searched like XPath's `.//name`, because the same element sits at different depths on
 * different platforms (a bare `<software-information>`, or one per
 * `<multi-routing-engine-item>`, with or without `<rpc-reply>` around it).
 */

/** Element names that may repeat and are read as lists everywhere. */
const LISTS = [
  'route-engine', 'software-information', 'package-information', 'chassis', 'chassis-module', 'member', 'redundancy-group', 'device-stats',
  'device-name', 'device-priority', 'redundancy-group-status', 'preempt', 'failover-mode', 'member-id', 'member-role', 'banner', 'domain-name',
  'junos-version', 'host-name', 'product-model', 're-name', 'serial-number', 'version-information', 'monitor-failures',
  'address-family', 'interface-address', 'ifa-local', 'system-nodes-info-entry', 'system-node-info-node-attributes-list',
  'system-node-info-node-attribute', 'set-disk-info', 'vmhost-version-information', 'directory-list',
];

export function parseReply(xml: string): XmlObject {
  return parseXml(xml, { arrays: LISTS });
}

function asList(value: XmlValue | undefined): XmlValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function asObject(value: XmlValue): XmlObject {
  return typeof value === 'object' && !Array.isArray(value) ? value : value === '' ? {} : { '#text': value as string };
}

/** The first element of the reply (under `<rpc-reply>`): what PyEZ's RPC calls return. Null when there is none. */
export function firstElement(doc: XmlObject): { name: string; node: XmlObject } | null {
  const root = child(doc, 'rpc-reply') ?? doc;
  for (const [key, value] of Object.entries(root)) {
    if (key.startsWith('@_') || key === '#text' || key.startsWith('?')) continue;
    const first = asList(value)[0];
    if (first !== undefined) return { name: key, node: asObject(first) };
  }
  return null;
}

/** The children named `name`, as objects (an empty element is `{}`). */
export function children(obj: XmlObject, name: string): XmlObject[] {
  return asList(obj[name]).map(asObject);
}

/** The first child named `name`. */
export function child(obj: XmlObject, name: string): XmlObject | null {
  return children(obj, name)[0] ?? null;
}

/** Every descendant named `name`, in document order, with the chain of its ancestors. */
export function descendants(obj: XmlObject, name: string): { node: XmlObject; ancestors: XmlObject[] }[] {
  const out: { node: XmlObject; ancestors: XmlObject[] }[] = [];
  const walk = (o: XmlObject, ancestors: XmlObject[]) => {
    for (const [key, value] of Object.entries(o)) {
      if (key.startsWith('@_') || key === '#text') continue;
      for (const v of asList(value)) {
        if (typeof v !== 'object' || Array.isArray(v)) {
          if (key === name) out.push({ node: asObject(v), ancestors: [...ancestors, o] });
          continue;
        }
        if (key === name) out.push({ node: v, ancestors: [...ancestors, o] });
        walk(v, [...ancestors, o]);
      }
    }
  };
  walk(obj, []);
  return out;
}

/** The trimmed text of the first child named `name`, or null when absent or empty. */
export function text(obj: XmlObject | null, name: string): string | null {
  if (!obj) return null;
  const first = asList(obj[name])[0];
  if (first === undefined) return null;
  const t = typeof first === 'string' ? first : Array.isArray(first) ? '' : typeof first['#text'] === 'string' ? first['#text'] : '';
  const trimmed = t.trim();
  return trimmed === '' ? null : trimmed;
}

/** An element's own text, trimmed; null when empty. */
export function ownText(node: XmlObject): string | null {
  return text({ self: node }, 'self');
}

/** The texts of every child named `name`, in order (empty ones as ''). */
export function texts(obj: XmlObject, name: string): string[] {
  return asList(obj[name]).map((v) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? '' : typeof v['#text'] === 'string' ? v['#text'].trim() : ''));
}

/** An attribute of the first child named `name` (`junos:seconds` is read as `seconds`). */
export function attributeOf(obj: XmlObject | null, name: string, attribute: string): string | null {
  if (!obj) return null;
  const first = asList(obj[name])[0];
  if (first === undefined || typeof first !== 'object' || Array.isArray(first)) return null;
  const value = first[`@_${attribute}`];
  return typeof value === 'string' ? value : null;
}

/** The `re-name` of the `<multi-routing-engine-item>` an element sits in, or null. */
export function reNameOf(ancestors: XmlObject[]): string | null {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const name = text(ancestors[i]!, 're-name');
    if (name !== null) return name;
  }
  return null;
}
