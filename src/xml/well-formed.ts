import { ClientError } from '../errors/classes.js';

/** Deepest element nesting accepted in a caller's XML (the reply scanner's default limit too). */
export const MAX_FRAGMENT_DEPTH = 512;

/**
 * Checks XML a caller hands over to go inside a request (an RPC body, a config, a filter)
 * before anything parses or sends it, and throws `ClientError('INVALID_ARGUMENT')` when it is
 * not a well-formed XML fragment.
 *
 * A fragment is zero or more elements, with whitespace, comments and processing instructions
 * around them; an empty or whitespace-only string passes (and returns 0). Refused:
 * - text other than whitespace outside every element (so a body that is only text fails);
 * - end tags that do not name the open element exactly, elements never closed, stray end tags;
 * - DOCTYPE, `<!ENTITY` and any other `<!` that is not a comment or a CDATA section (and CDATA
 *   outside every element), and an XML declaration `<?xml …?>`, which cannot stand inside a request;
 * - entity references other than `&lt; &gt; &amp; &quot; &apos;`, character references to
 *   characters XML does not allow, a bare `&`, `]]>` in text, characters XML does not allow;
 * - `<` in an attribute value, an unquoted value, an attribute given twice on one element;
 * - `--` inside a comment;
 * - names that are not XML names, or not namespace-shaped (at most one `:`, not at either end);
 * - a prefix no `xmlns:p="…"` in the fragment declares (the request around it binds none), and
 *   declaring `xmlns`;
 * - nesting deeper than {@link MAX_FRAGMENT_DEPTH}.
 *
 * The message starts with `what` ("The config", "The filter", "The request"), says what is
 * wrong and gives the line and column in `xml` itself. One pass, no recursion.
 *
 * @returns how many top-level elements the fragment holds.
 */
export function checkXmlFragment(xml: string, what: string): number {
  return new FragmentChecker(xml, what).run();
}

const LT = 0x3c, GT = 0x3e, AMP = 0x26, SLASH = 0x2f, BANG = 0x21, QUESTION = 0x3f, EQUALS = 0x3d;
const DQUOTE = 0x22, SQUOTE = 0x27, SEMI = 0x3b, COLON = 0x3a, HASH = 0x23, BRACKET = 0x5d;
const PREDEFINED = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

class FragmentChecker {
  private i = 0;
  /** Names of the open elements, innermost last, and where each start tag began. */
  private readonly open: string[] = [];
  private readonly openAt: number[] = [];
  /** The prefixes each open element declared, and how many open declarations bind each prefix. */
  private readonly declared: (string[] | null)[] = [];
  private readonly bound = new Map<string, number>();
  private elements = 0;

  constructor(private readonly xml: string, private readonly what: string) {}

  run(): number {
    const s = this.xml;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === LT) this.markup();
      else if (c === AMP) {
        if (this.open.length === 0) this.fail('text outside any element', this.i);
        this.i = this.reference(this.i);
      } else this.text();
    }
    const depth = this.open.length;
    if (depth > 0) this.fail(`the element <${clip(this.open[depth - 1]!)}> is never closed`, this.openAt[depth - 1]!);
    return this.elements;
  }

  /** Character data up to the next `<` or `&`. */
  private text(): void {
    const s = this.xml;
    const outside = this.open.length === 0;
    let k = this.i;
    while (k < s.length) {
      const c = s.charCodeAt(k);
      if (c === LT || c === AMP) break;
      if (outside && !isSpace(c)) this.fail('text outside any element', k);
      if (c === BRACKET && s.startsWith(']]>', k)) this.fail('"]]>" in text (write "]]&gt;")', k);
      // Most text is plain characters: check them here, the rest in char().
      k = c >= 0x20 && c < 0xd800 ? k + 1 : this.char(k);
    }
    this.i = k;
  }

  private markup(): void {
    const s = this.xml;
    const at = this.i;
    const c = s.charCodeAt(at + 1);
    if (c === SLASH) return this.endTag(at);
    if (c === QUESTION) return this.pi(at);
    if (c !== BANG) return this.startTag(at);
    if (s.startsWith('<!--', at)) return this.comment(at);
    if (s.startsWith('<![CDATA[', at)) return this.cdata(at);
    if (s.startsWith('<!DOCTYPE', at)) this.fail('a DOCTYPE (not allowed in NETCONF)', at);
    if (s.startsWith('<!ENTITY', at)) this.fail('an entity declaration (not allowed in NETCONF)', at);
    this.fail('"<!" that starts neither a comment nor a CDATA section', at);
  }

  private startTag(at: number): void {
    const s = this.xml;
    const nameEnd = this.name(at + 1);
    if (nameEnd === at + 1) this.fail('a "<" that starts no tag (write "&lt;")', at);
    const name = s.slice(at + 1, nameEnd);
    // Each attribute's name and where it starts.
    let attributes: Map<string, number> | null = null;
    let k = nameEnd;
    let selfClosing = false;
    for (;;) {
      const spaced = skipSpace(s, k);
      const c = s.charCodeAt(spaced);
      if (spaced >= s.length) this.fail(`the start tag <${clip(name)}> is never closed`, at);
      if (c === GT) {
        k = spaced + 1;
        break;
      }
      if (c === SLASH) {
        if (s.charCodeAt(spaced + 1) !== GT) this.fail(`"/" not followed by ">" in the start tag <${clip(name)}>`, spaced);
        k = spaced + 2;
        selfClosing = true;
        break;
      }
      const attrEnd = spaced > k ? this.name(spaced) : spaced;
      if (attrEnd === spaced) this.fail(`an unexpected ${describe(s, spaced)} in the start tag <${clip(name)}>`, spaced);
      const attr = s.slice(spaced, attrEnd);
      attributes ??= new Map();
      if (attributes.has(attr)) this.fail(`the attribute "${clip(attr)}" appears twice on <${clip(name)}>`, spaced);
      attributes.set(attr, spaced);
      k = skipSpace(s, attrEnd);
      if (s.charCodeAt(k) !== EQUALS) this.fail(`the attribute "${clip(attr)}" has no value`, spaced);
      k = skipSpace(s, k + 1);
      k = this.attributeValue(k, attr);
    }
    if (!selfClosing && this.open.length >= MAX_FRAGMENT_DEPTH) this.fail(`elements nest deeper than ${MAX_FRAGMENT_DEPTH}`, at);
    const declared = this.declare(name, at, attributes);
    if (this.open.length === 0) this.elements++;
    this.i = k;
    if (selfClosing) return this.undeclare(declared);
    this.open.push(name);
    this.openAt.push(at);
    this.declared.push(declared);
  }

  /**
   * Binds the prefixes this element declares (`xmlns:p="…"`), then checks that its name and
   * its attributes' names use only bound prefixes. Returns the prefixes it declared.
   */
  private declare(name: string, at: number, attributes: Map<string, number> | null): string[] | null {
    let declared: string[] | null = null;
    for (const [attr, attrAt] of attributes ?? []) {
      if (!attr.startsWith('xmlns:')) continue;
      const prefix = attr.slice(6);
      if (prefix === 'xmlns') this.fail('the prefix "xmlns" cannot be declared', attrAt);
      (declared ??= []).push(prefix);
      this.bound.set(prefix, (this.bound.get(prefix) ?? 0) + 1);
    }
    this.checkPrefix(name, at, 'element');
    for (const [attr, attrAt] of attributes ?? []) {
      if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) this.checkPrefix(attr, attrAt, 'attribute');
    }
    return declared;
  }

  private undeclare(declared: string[] | null): void {
    if (declared) for (const prefix of declared) this.bound.set(prefix, this.bound.get(prefix)! - 1);
  }

  private checkPrefix(name: string, at: number, kind: string): void {
    const colon = name.indexOf(':');
    if (colon === -1) return;
    const prefix = name.slice(0, colon);
    if (prefix === 'xml' || (this.bound.get(prefix) ?? 0) > 0) return;
    if (prefix === 'xmlns') this.fail(`the ${kind} name "${clip(name)}" uses the reserved prefix "xmlns"`, at);
    this.fail(`the ${kind} name "${clip(name)}" uses the prefix "${clip(prefix)}", which is not declared (add xmlns:${clip(prefix)}="…")`, at);
  }

  /** A quoted value starting at `k`; returns the index after its closing quote. */
  private attributeValue(k: number, attr: string): number {
    const s = this.xml;
    const quote = s.charCodeAt(k);
    if (quote !== DQUOTE && quote !== SQUOTE) this.fail(`the value of the attribute "${clip(attr)}" is not quoted`, k);
    let v = k + 1;
    for (;;) {
      if (v >= s.length) this.fail(`the value of the attribute "${clip(attr)}" is never closed`, k);
      const c = s.charCodeAt(v);
      if (c === quote) return v + 1;
      if (c === LT) this.fail(`"<" in the value of the attribute "${clip(attr)}" (write "&lt;")`, v);
      v = c === AMP ? this.reference(v) : c >= 0x20 && c < 0xd800 ? v + 1 : this.char(v);
    }
  }

  private endTag(at: number): void {
    const s = this.xml;
    const nameEnd = this.name(at + 2);
    if (nameEnd === at + 2) this.fail('"</" not followed by a name', at);
    const name = s.slice(at + 2, nameEnd);
    const gt = skipSpace(s, nameEnd);
    if (s.charCodeAt(gt) !== GT) {
      this.fail(gt >= s.length ? `the end tag </${clip(name)}> is never closed` : `an unexpected ${describe(s, gt)} in the end tag </${clip(name)}>`, gt >= s.length ? at : gt);
    }
    const depth = this.open.length;
    if (depth === 0) this.fail(`the end tag </${clip(name)}> closes no open element`, at);
    const open = this.open[depth - 1]!;
    if (open !== name) {
      const [line, column] = this.position(this.openAt[depth - 1]!);
      this.fail(`the end tag </${clip(name)}> does not match the start tag <${clip(open)}> opened at line ${line}, column ${column}`, at);
    }
    this.open.pop();
    this.openAt.pop();
    this.undeclare(this.declared.pop()!);
    this.i = gt + 1;
  }

  private comment(at: number): void {
    const s = this.xml;
    const dashes = s.indexOf('--', at + 4);
    if (dashes === -1) this.fail('a comment that is never closed', at);
    if (s.charCodeAt(dashes + 2) !== GT) this.fail('"--" inside a comment', dashes);
    this.chars(at + 4, dashes);
    this.i = dashes + 3;
  }

  private cdata(at: number): void {
    if (this.open.length === 0) this.fail('a CDATA section outside any element', at);
    const end = this.xml.indexOf(']]>', at + 9);
    if (end === -1) this.fail('a CDATA section that is never closed', at);
    this.chars(at + 9, end);
    this.i = end + 3;
  }

  private pi(at: number): void {
    const s = this.xml;
    const targetEnd = this.name(at + 2);
    if (targetEnd === at + 2) this.fail('"<?" not followed by a processing instruction target', at);
    const target = s.slice(at + 2, targetEnd);
    if (target.toLowerCase() === 'xml') this.fail('an XML declaration "<?xml …?>" (it cannot stand inside a request: leave it out)', at);
    const end = s.indexOf('?>', targetEnd);
    if (end === -1) this.fail(`the processing instruction <?${clip(target)} is never closed`, at);
    if (end > targetEnd && !isSpace(s.charCodeAt(targetEnd))) this.fail(`an unexpected ${describe(s, targetEnd)} after <?${clip(target)}`, targetEnd);
    this.chars(targetEnd, end);
    this.i = end + 2;
  }

  /**
   * An entity or character reference at `at` (the `&`); returns the index after its `;`.
   * The scan is bounded by the reference itself, so a run of bare `&`s stays linear.
   */
  private reference(at: number): number {
    const s = this.xml;
    if (s.charCodeAt(at + 1) === HASH) {
      const hex = s.charCodeAt(at + 2) === 0x78;
      let k = at + (hex ? 3 : 2);
      let value = 0;
      const digitsFrom = k;
      for (; k < s.length; k++) {
        const d = digit(s.charCodeAt(k), hex);
        if (d < 0) break;
        value = Math.min(value * (hex ? 16 : 10) + d, 0x110000);
      }
      if (k === digitsFrom || s.charCodeAt(k) !== SEMI) this.fail('a malformed character reference (write "&amp;" for a literal "&")', at);
      if (!isXmlChar(value)) this.fail(`the character reference ${clip(s.slice(at, k + 1))} names a character XML does not allow`, at);
      return k + 1;
    }
    const end = this.nameChars(at + 1);
    if (end === at + 1 || s.charCodeAt(end) !== SEMI) this.fail('a bare "&" (write "&amp;")', at);
    const name = s.slice(at + 1, end);
    if (!PREDEFINED.has(name)) {
      this.fail(`the entity &${clip(name)}; is not defined (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`, at);
    }
    return end + 1;
  }

  /**
   * A name at `k`: returns its end (`k` when no name starts there). A name that starts with a
   * character names may not start with, or is not namespace-shaped, fails.
   */
  private name(k: number): number {
    const end = this.nameChars(k);
    if (end === k) return k;
    const s = this.xml;
    const name = s.slice(k, end);
    if (!isNameStart(s.codePointAt(k)!)) this.fail(`the name "${clip(name)}" does not start with a letter, "_" or ":"`, k);
    const colon = name.indexOf(':');
    if (colon !== -1 && (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1)) {
      this.fail(`the name "${clip(name)}" is not a valid prefixed name (one ":" between a prefix and a local name)`, k);
    }
    return end;
  }

  /** The end of the run of name characters at `k`. */
  private nameChars(k: number): number {
    const s = this.xml;
    while (k < s.length) {
      const c = s.codePointAt(k)!;
      if (!isNameChar(c)) break;
      k += c > 0xffff ? 2 : 1;
    }
    return k;
  }

  /** Checks every character in `[from, to)`. */
  private chars(from: number, to: number): void {
    for (let k = from; k < to; ) k = this.char(k);
  }

  /** Checks the character at `k` is one XML allows; returns the index after it. */
  private char(k: number): number {
    const c = this.xml.charCodeAt(k);
    if (c >= 0x20 ? c < 0xd800 || (c >= 0xe000 && c <= 0xfffd) : c === 0x09 || c === 0x0a || c === 0x0d) return k + 1;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = this.xml.charCodeAt(k + 1);
      if (low >= 0xdc00 && low <= 0xdfff) return k + 2;
    }
    return this.fail(`the character U+${c.toString(16).toUpperCase().padStart(4, '0')}, which XML does not allow`, k);
  }

  /** 1-based line and column (in characters) of index `k` of the caller's text. */
  private position(k: number): [number, number] {
    const s = this.xml;
    let line = 1;
    let lineStart = 0;
    for (let p = 0; p < k; p++) {
      const c = s.charCodeAt(p);
      if (c === 0x0a || (c === 0x0d && s.charCodeAt(p + 1) !== 0x0a)) {
        line++;
        lineStart = p + 1;
      }
    }
    let column = 1;
    for (let p = lineStart; p < k; p++) {
      const c = s.charCodeAt(p);
      if (c < 0xdc00 || c > 0xdfff) column++;
    }
    return [line, column];
  }

  private fail(problem: string, at: number): never {
    const [line, column] = this.position(at);
    throw new ClientError('INVALID_ARGUMENT', `${this.what} is not well-formed XML: ${problem} (line ${line}, column ${column})`);
  }
}

function skipSpace(s: string, k: number): number {
  while (k < s.length && isSpace(s.charCodeAt(k))) k++;
  return k;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** What sits at `k`, for a message: a quoted character, or the end of the input. */
function describe(s: string, k: number): string {
  if (k >= s.length) return 'end of input';
  const c = s.codePointAt(k)!;
  return c < 0x20 || c === 0x7f ? `character U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `"${String.fromCodePoint(c)}"`;
}

/** A name short enough to quote in a message. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function digit(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x09 || cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** XML 1.0 (fifth edition) NameStartChar. */
function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === COLON;
  return (
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff)
  );
}

/** XML 1.0 (fifth edition) NameChar. */
function isNameChar(c: number): boolean {
  if (c < 0x80) return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}
