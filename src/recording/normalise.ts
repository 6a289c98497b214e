import { decodeEntities, escapeXml } from '../xml/entities.js';
import { PLACEHOLDER } from './redaction.js';

/**
 * When a request "is the same" as a recorded one: the same operation and the same body once
 * the `<rpc>` element itself (its message-id and other attributes), namespace prefixes,
 * attribute order, comments, processing instructions and whitespace are set aside. Both
 * sides are written in one canonical form and compared as strings; a secret masked in the
 * recording (`**redacted-N**`) matches whatever stands in its place.
 */

/** A request in canonical form, with its operation. */
export interface RequestKey {
  operation: string;
  /** The `<rpc>` element's children, canonical. */
  body: string;
}

/** Namespace bindings in scope: prefix → URI (`''` the default namespace). */
type Scope = Readonly<Record<string, string>>;

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The canonical key of an `<rpc>` message (or a bare operation element). Text that is not
 * well-formed enough to walk falls back to its whitespace-collapsed self, so it still
 * matches an identical recording.
 */
export function requestKey(xml: string): RequestKey {
  try {
    const root = canonicalElements(xml);
    const rpc = root.length === 1 && root[0]!.local === 'rpc' ? root[0]!.children : root;
    const first = rpc.find((c): c is Canonical => typeof c !== 'string');
    return { operation: first?.local ?? '', body: rpc.map(render).join('') };
  } catch {
    const collapsed = xml.replace(/\s+/g, ' ').trim();
    return { operation: /<(?:[\w.-]+:)?([\w.-]+)/.exec(collapsed.replace(/^<\?[\s\S]*?\?>/, ''))?.[1] ?? '', body: collapsed };
  }
}

/** A recorded request's key as a matcher: equal strings, or a pattern where it holds placeholders. */
export function keyMatcher(recorded: RequestKey): (key: RequestKey) => boolean {
  const hasPlaceholder = recorded.body.search(PLACEHOLDER) !== -1;
  if (!hasPlaceholder) return (key) => key.operation === recorded.operation && key.body === recorded.body;
  const source = recorded.body.split(PLACEHOLDER).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?');
  const pattern = new RegExp(`^${source}$`);
  return (key) => key.operation === recorded.operation && pattern.test(key.body);
}

interface Canonical {
  /** `{namespace}local`. */
  name: string;
  local: string;
  /** ` {ns}name="value"`, sorted; namespace declarations left out. */
  attributes: string;
  children: (Canonical | string)[];
}

function render(node: Canonical | string): string {
  if (typeof node === 'string') return escapeXml(node);
  return `<${node.name}${node.attributes}>${node.children.map(render).join('')}</${node.name}>`;
}

function canonicalElements(xml: string): Canonical[] {
  const top: (Canonical | string)[] = [];
  const stack: { node: Canonical; scope: Scope; raw: string }[] = [];
  let text = '';
  const flush = () => {
    const t = text.replace(/\s+/g, ' ').trim();
    text = '';
    if (t === '') return;
    (stack.length > 0 ? stack[stack.length - 1]!.node.children : top).push(t);
  };
  for (const m of xml.matchAll(TOKEN)) {
    const [whole, cdata, slash, rawName, rawAttributes, selfClose, chars] = m;
    if (chars !== undefined) {
      text += decodeEntities(chars);
      continue;
    }
    if (cdata !== undefined) {
      text += cdata;
      continue;
    }
    if (rawName === undefined) {
      if (whole.startsWith('<') && !whole.startsWith('<!--') && !whole.startsWith('<?') && !whole.startsWith('<!')) throw new Error('unreadable tag');
      continue; // a comment, a processing instruction
    }
    flush();
    if (slash === '/') {
      const open = stack.pop();
      if (!open || open.raw !== rawName) throw new Error('mismatched end tag');
      (stack.length > 0 ? stack[stack.length - 1]!.node.children : top).push(open.node);
      continue;
    }
    const pairs = [...(rawAttributes ?? '').matchAll(ATTRIBUTE)].map((a) => [a[1]!, decodeEntities(a[2] ?? a[3] ?? '')] as const);
    const parent = stack.length > 0 ? stack[stack.length - 1]!.scope : {};
    let scope: Record<string, string> | null = null;
    for (const [name, value] of pairs) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        scope ??= { ...parent };
        scope[name === 'xmlns' ? '' : name.slice(6)] = value;
      }
    }
    const inScope: Scope = scope ?? parent;
    const local = localOf(rawName);
    const attributes = pairs
      .filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:'))
      .map(([name, value]) => {
        // An unprefixed attribute is in no namespace (XML Namespaces §6.2).
        const ns = name.includes(':') ? inScope[name.slice(0, name.indexOf(':'))] ?? name.slice(0, name.indexOf(':')) : '';
        return ` {${ns}}${localOf(name)}="${escapeXml(value)}"`;
      })
      .sort()
      .join('');
    const prefix = rawName.includes(':') ? rawName.slice(0, rawName.indexOf(':')) : '';
    const node: Canonical = { name: `{${inScope[prefix] ?? prefix}}${local}`, local, attributes, children: [] };
    if (selfClose === '/') (stack.length > 0 ? stack[stack.length - 1]!.node.children : top).push(node);
    else stack.push({ node, scope: inScope, raw: rawName });
  }
  flush();
  if (stack.length > 0) throw new Error('unclosed element');
  return top.filter((n): n is Canonical => typeof n !== 'string');
}

function localOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}
