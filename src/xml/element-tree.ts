import { decodeEntities, escapeXml, normaliseLineEnds } from './entities.js';

/** Namespace bindings in scope: prefix → URI, `''` for the default namespace. */
export type NamespaceBindings = Readonly<Record<string, string>>;

/** A small element tree, built only for the elements the extractor captures. */
export interface XmlElement {
  readonly name: string;
  readonly prefix: string;
  readonly local: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: (XmlElement | string)[];
  readonly namespaces: NamespaceBindings;
}

export function splitName(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  return colon === -1 ? { prefix: '', local: name } : { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

/** Adds an element's own `xmlns` / `xmlns:p` attributes to the bindings it inherits. */
export function withDeclarations(parent: NamespaceBindings, attributes: ReadonlyArray<readonly [string, string]>): NamespaceBindings {
  let own: Record<string, string> | undefined;
  for (const [name, value] of attributes) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      const prefix = name === 'xmlns' ? '' : name.slice(6);
      // Re-declaring what is already in scope (YANG lists repeat xmlns on every entry) changes nothing.
      if ((own ?? parent)[prefix] === value) continue;
      own ??= { ...parent };
      own[prefix] = value;
    }
  }
  return own ?? parent;
}

/**
 * Receives the tokens of one captured element from the scanner and builds its tree. Text and
 * CDATA arrive as raw byte pieces (possibly split inside a UTF-8 sequence, a CR LF or an
 * entity), so a run of either is decoded only when something else ends it.
 */
export class TreeBuilder {
  private readonly stack: XmlElement[] = [];
  private pending: Buffer[] = [];
  /** The pending run is CDATA (no entities), not text. */
  private pendingCData = false;
  root: XmlElement | null = null;

  constructor(private readonly inherited: NamespaceBindings) {}

  start(name: string, attributes: [string, string][], selfClosing: boolean): void {
    this.flushText();
    const parent = this.stack[this.stack.length - 1];
    const { prefix, local } = splitName(name);
    const element: XmlElement = {
      name, prefix, local, attributes, children: [],
      namespaces: withDeclarations(parent ? parent.namespaces : this.inherited, attributes),
    };
    if (parent) parent.children.push(element);
    else this.root = element;
    if (!selfClosing) this.stack.push(element);
  }

  end(): void {
    this.flushText();
    this.stack.pop();
  }

  text(bytes: Buffer): void {
    this.run(bytes, false);
  }

  cdata(bytes: Buffer): void {
    this.run(bytes, true);
  }

  /**
   * Text that a start or end tag in the same bytes ends (`buf` is the caller's to reuse): when
   * nothing is pending and it holds no reference, it is a whole run and is decoded now, with no
   * copy of its bytes. Otherwise it waits for that tag like any piece (a malformed reference is
   * reported after a malformed tag, as before).
   */
  textBeforeTag(buf: Buffer, from: number, to: number): void {
    if (this.pending.length === 0 && to > from && this.stack.length > 0) {
      const text = normaliseLineEnds(buf.toString('utf8', from, to));
      if (!text.includes('&')) {
        this.stack[this.stack.length - 1]!.children.push(text);
        return;
      }
    }
    this.run(Buffer.from(buf.subarray(from, to)), false);
  }

  private run(bytes: Buffer, cdata: boolean): void {
    if (bytes.length === 0 || this.stack.length === 0) return;
    if (cdata !== this.pendingCData) this.flushText();
    this.pendingCData = cdata;
    this.pending.push(bytes);
  }

  private flushText(): void {
    if (this.pending.length === 0) return;
    const raw = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    const text = normaliseLineEnds(raw.toString('utf8'));
    this.stack[this.stack.length - 1]?.children.push(this.pendingCData ? text : decodeEntities(text));
  }
}

/** The XPath string value: all descendant text, CDATA included, comments already left out. */
export function stringValue(element: XmlElement): string {
  // A loop, not recursion: an element may nest as deep as the caller's maxDepth allows.
  let out = '';
  const stack: { element: XmlElement; next: number }[] = [{ element, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const child = top.element.children[top.next++];
    if (child === undefined) stack.pop();
    else if (typeof child === 'string') out += child;
    else stack.push({ element: child, next: 0 });
  }
  return out;
}

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function attribute(element: XmlElement, name: string): string | null {
  for (const [n, v] of element.attributes) if (n === name) return v;
  return null;
}

/** Serialises an element back to XML, declaring the namespaces it uses from outer scope. */
export function toXml(element: XmlElement, outer: NamespaceBindings = {}): string {
  // A loop, not recursion, for the same reason as stringValue.
  let out = startTag(element, outer);
  if (element.children.length === 0) return out;
  const stack: { element: XmlElement; next: number }[] = [{ element, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const child = top.element.children[top.next++];
    if (child === undefined) {
      out += `</${top.element.name}>`;
      stack.pop();
    } else if (typeof child === 'string') out += escapeXml(child);
    else {
      out += startTag(child, top.element.namespaces);
      if (child.children.length > 0) stack.push({ element: child, next: 0 });
    }
  }
  return out;
}

/** An element's start tag (`<a …/>` when it has no children). */
function startTag(element: XmlElement, outer: NamespaceBindings): string {
  const declared = new Set(element.attributes.map(([n]) => n));
  let attrs = '';
  // The binding of the element's own prefix, when inherited from outside, is declared on it
  // so the cut-out XML still means the same.
  const own = element.prefix === '' ? 'xmlns' : `xmlns:${element.prefix}`;
  const uri = element.namespaces[element.prefix];
  if (uri !== undefined && !declared.has(own) && outer[element.prefix] !== uri) attrs += ` ${own}="${escapeXml(uri)}"`;
  for (const [n, v] of element.attributes) attrs += ` ${n}="${escapeXml(v)}"`;
  return element.children.length === 0 ? `<${element.name}${attrs}/>` : `<${element.name}${attrs}>`;
}
