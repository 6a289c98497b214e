import { decodeEntities, escapeXml } from '../xml/entities.js';
import { attributes as attributeSpans, firstStartTag, nextTag, textContent } from '../xml/query.js';
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
    return { operation: firstStartTag(collapsed)?.local ?? '', body: collapsed };
  }
}

/** A recorded request's key as a matcher: equal strings, or a pattern where it holds placeholders. */
export function keyMatcher(recorded: RequestKey): (key: RequestKey) => boolean {
  const parts = recorded.body.split(PLACEHOLDER);
  return (key) => key.operation === recorded.operation && matchesAround(key.body, parts);
}

/** Whether `text` is `parts` in order with anything (markup too) between each two. */
function matchesAround(text: string, parts: readonly string[]): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return text === first;
  const last = parts[parts.length - 1]!;
  const stop = text.length - last.length;
  if (stop < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    // The earliest place for each part leaves the most room for the ones after it.
    const found = text.indexOf(parts[i]!, at);
    if (found === -1 || found + parts[i]!.length > stop) return false;
    at = found + parts[i]!.length;
  }
  return true;
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
  let at = 0;
  for (let tag = nextTag(xml); ; tag = nextTag(xml, at)) {
    // Text, CDATA and references up to the tag; comments, instructions and a DOCTYPE dropped.
    text += textContent(xml, at, tag ? tag.start : xml.length);
    if (!tag) break;
    at = tag.end;
    flush();
    const rawName = tag.name;
    if (tag.kind === 'end') {
      const open = stack.pop();
      if (!open || open.raw !== rawName) throw new Error('mismatched end tag');
      (stack.length > 0 ? stack[stack.length - 1]!.node.children : top).push(open.node);
      continue;
    }
    const spans = attributeSpans(xml, tag);
    const afterAttributes = spans.length > 0 ? spans[spans.length - 1]!.valueEnd + 1 : tag.start + 1 + rawName.length;
    const rest = xml.slice(afterAttributes, tag.end - 1).trim();
    if (rest !== '' && rest !== '/') throw new Error('unreadable tag'); // an attribute without a quoted value
    const pairs = spans.map((a) => [a.name, decodeEntities(xml.slice(a.valueStart, a.valueEnd))] as const);
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
    if (tag.selfClosing) (stack.length > 0 ? stack[stack.length - 1]!.node.children : top).push(node);
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
