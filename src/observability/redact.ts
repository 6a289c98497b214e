import { decodeEntities, escapeXml, isXmlSpace } from '../xml/entities.js';
import { type Tag, attributes, findElement, nextTag, textContent } from '../xml/query.js';

/**
 * Masks secrets in NETCONF message text before it is logged, recorded or published. The text
 * is read as XML with the query helpers (tolerant: a body cut off, or text that is no XML at
 * all, is read as far as it goes and never fails):
 * - a secret element (encrypted-password, any `*-password`, secret, pre-shared-key, community,
 *   key…; any prefix, any case) loses its whole content, nested elements, CDATA and comments
 *   included; one the text ends inside is masked to the end;
 * - a secret attribute (`password="…"`) loses its value;
 * - character data elsewhere (text, CDATA, comments, attribute values) is free text: Junos
 *   text and set configuration, JSON, a log line. There, secret statements and JSON fields,
 *   crypt hashes, Junos `$9$` strings and PEM private keys are masked.
 */

export const MASK = '****';

/** What is masked besides nothing: the built-in kinds, and element names of the caller's. */
export interface MaskRules {
  /** The built-in secret kinds (default true). */
  defaults?: boolean;
  /** More element names whose content is a secret (any prefix, any case). */
  elements?: readonly string[];
}

type Mask = (secret: string) => string;

/** The text with every secret value replaced by `****`. */
export function redactSecrets(text: string): string {
  return maskSecrets(text, () => MASK);
}

/**
 * The same masking, each secret value handed to `mask` for its replacement (recordings give
 * the same secret the same placeholder). `mask` sees the value alone: an element's text (its
 * entities decoded), a statement's value without quotes, a JSON string without quotes (its
 * escapes left as they are).
 */
export function maskSecrets(text: string, mask: Mask, rules: MaskRules = {}): string {
  const defaults = rules.defaults ?? true;
  const extra = new Set((rules.elements ?? []).map((n) => n.toLowerCase()));
  if (extra.size === 0 && (!defaults || !mayHoldSecret(text))) return text;
  return new Masker(mask, defaults, extra).xml(text, 0);
}

/** How a message body is shown in a log line: cut to a length, secrets masked. */
export interface ClipOptions {
  /** Characters of a body kept (default 4096); the rest is counted, not shown. */
  maxChars?: number;
  /** Mask secrets (default true). */
  redact?: boolean;
}

/**
 * A body for a log line: redacted, then cut to `maxChars`. Redaction looks a little past the
 * cut, so a secret straddling it is still seen whole; a secret the look-ahead itself cuts is
 * masked to its end.
 */
export function clipBody(text: string, options: ClipOptions = {}): string {
  const max = Math.max(0, options.maxChars ?? 4096);
  const redact = options.redact ?? true;
  const window = text.length > max ? text.slice(0, max + 1024) : text;
  const out = redact ? redactSecrets(window) : window;
  if (text.length <= max) return out;
  return `${out.slice(0, max)}… (${text.length - max} more characters)`;
}

// Names whose value is a secret: anything ending in password, passphrase or secret
// (encrypted-password, simple-password, authentication-password…), keys that are shared
// secrets, and SNMP communities (their name is the credential).
const SECRET_WORDS = ['password', 'passphrase', 'secret'];
const SECRET_NAMES = new Set(['pre-shared-key', 'authentication-key', 'private-key', 'community']);

function isSecretName(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_NAMES.has(n) || SECRET_WORDS.some((w) => n === w || n.endsWith(`-${w}`));
}

// As an element, a <key> too (an MD5 or key-chain key): over-masking a log beats leaking one.
function isSecretElement(local: string): boolean {
  return isSecretName(local) || local.toLowerCase() === 'key';
}

/**
 * The free-text rules. They run only on character data the XML walk hands over (or on text
 * that holds no XML at all), never on markup, so patterns are the simplest right tool here:
 * Junos statements and JSON have no nesting the patterns would have to follow.
 */
const SECRET_NAME = String.raw`(?:[\w-]*-)?(?:password|passphrase|secret)|pre-shared-key|authentication-key|private-key|community`;
// Text and set formats: `encrypted-password "$6$…";`, `set snmp community public …`,
// `pre-shared-key ascii-text "…"`, `authentication-key "…"`, `md5 1 key …`. A quoted value the
// text ends inside is masked to the end.
const STATEMENT = new RegExp(String.raw`(^|[\s{;])(${SECRET_NAME}|md5\s+\d+\s+key)(\s+(?:ascii-text|hexadecimal|plain-text)?\s*)("(?:[^"\\]|\\.)*(?:"|\\?$)|[^\s;{}<]+)`, 'gim');
// JSON: "encrypted-password" : "…" (or a string the text ends inside).
const JSON_FIELD = new RegExp(String.raw`("(?:${SECRET_NAME}|key)"\s*:\s*)"((?:[^"\\]|\\.)*)("|\\?$)`, 'gi');
// JSON SNMP communities are lists of objects: their names are the secrets.
const JSON_COMMUNITY = /"community"\s*:\s*(?:\[[^\]]*(?:\]|$)|\{[^}]*(?:\}|$))/gi;
const JSON_NAME = /("name"\s*:\s*)"((?:[^"\\]|\\.)*)("|\\?$)/g;
// Junos $9$ strings and crypt(3) hashes ($1$ MD5, $5$ SHA-256, $6$ SHA-512) anywhere.
const HASH = /\$(?:1|5|6|9)\$[^\s"'<>;&]*/g;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;

// Every secret kind above has one of these words in its name or a hash marker: text without
// any (most of a large reply) has nothing to mask. Character references are decoded first, as
// they could spell one.
const TRIGGER = /\$[1569]\$|pass(?:word|phrase)|secret|key|community/i;
const TRIGGERS = new RegExp(TRIGGER.source, 'gi');

function mayHoldSecret(text: string): boolean {
  return TRIGGER.test(text.includes('&#') ? decoded(text) : text);
}

function maskFreeText(text: string, mask: Mask): string {
  const jsonString = (_m: string, field: string, value: string, close: string) => `${field}"${mask(value)}${close}`;
  return text
    .replace(PEM, (m) => mask(m))
    .replace(STATEMENT, (_m, lead: string, name: string, gap: string, value: string) => {
      if (!value.startsWith('"')) return `${lead}${name}${gap}${mask(value)}`;
      const closed = value.length > 1 && value.endsWith('"') && !value.endsWith('\\"');
      return `${lead}${name}${gap}"${mask(value.slice(1, closed ? -1 : undefined))}${closed ? '"' : ''}`;
    })
    .replace(JSON_FIELD, jsonString)
    .replace(JSON_COMMUNITY, (m) => m.replace(JSON_NAME, jsonString))
    .replace(HASH, (m) => mask(m));
}

const SLASH = 0x2f, GT = 0x3e, EQUALS = 0x3d;

/** Comments in comments, CDATA in comments: past this depth their content is free text only. */
const MAX_NESTING = 4;

class Masker {
  constructor(private readonly mask: Mask, private readonly defaults: boolean, private readonly extra: ReadonlySet<string>) {}

  /**
   * XML text, walked tag by tag; `depth` counts comment and CDATA contents read as XML. Only
   * what holds a trigger word is looked at closer (or every name, with names of the caller's).
   */
  xml(xml: string, depth: number): string {
    const edit = new Edits(xml);
    const hits = new Hits(xml);
    let k = 0;
    for (;;) {
      const lt = xml.indexOf('<', k);
      const textEnd = lt === -1 ? xml.length : lt;
      if (hits.within(k, textEnd)) this.text(edit, k, textEnd);
      if (lt === -1) break;
      k = this.markup(xml, lt, depth, edit, hits);
    }
    return edit.result();
  }

  /** Masks the markup at `lt`; returns where the walk goes on. */
  private markup(xml: string, lt: number, depth: number, edit: Edits, hits: Hits): number {
    const inner = (open: string, close: string): number => {
      const from = lt + open.length;
      const at = xml.indexOf(close, from);
      const to = at === -1 ? xml.length : at;
      if (hits.within(from, to)) {
        const content = xml.slice(from, to);
        edit.replace(from, to, depth < MAX_NESTING ? this.xml(content, depth + 1) : this.free(content));
      }
      return at === -1 ? xml.length : at + close.length;
    };
    if (xml.startsWith('<!--', lt)) return inner('<!--', '-->');
    if (xml.startsWith('<![CDATA[', lt)) return inner('<![CDATA[', ']]>');
    if (xml.startsWith('<?', lt)) return inner('<?', '?>');
    if (xml.startsWith('<!', lt)) return inner('<!', '>');
    const tag = nextTag(xml, lt);
    if (tag === null || tag.start !== lt) {
      // A "<" that opens no tag is text up to the next "<"; the last one may be a tag the text ends inside.
      const next = xml.indexOf('<', lt + 1);
      if (next !== -1) {
        if (hits.within(lt, next)) this.text(edit, lt, next);
        return next;
      }
      if (hits.within(lt, xml.length)) edit.replace(lt, xml.length, this.danglingTag(xml.slice(lt)));
      return xml.length;
    }
    if (tag.kind === 'end') return tag.end;
    const named = hits.within(tag.start, tag.start + 1 + tag.name.length);
    if (hits.within(tag.start, tag.end)) this.attributes(xml, tag, edit, hits);
    if (tag.selfClosing || !((named && this.defaults && isSecretElement(tag.local)) || this.extra.has(tag.local.toLowerCase()))) return tag.end;
    const span = findElement(xml, tag.local, tag.start)!;
    const to = span.contentEnd === -1 ? xml.length : span.contentEnd;
    edit.replace(span.contentStart, to, this.mask(elementText(xml, span.contentStart, to)));
    return span.end === -1 ? xml.length : span.end;
  }

  /** Each attribute value of a start tag masked: whole for a secret name, as free text otherwise. */
  private attributes(xml: string, tag: Tag, edit: Edits, hits: Hits): void {
    for (const a of attributes(xml, tag)) {
      if (this.isSecretAttribute(a.name)) edit.replace(a.valueStart, a.valueEnd, escapeXml(this.mask(decoded(xml.slice(a.valueStart, a.valueEnd)))));
      else if (hits.within(a.valueStart, a.valueEnd)) this.text(edit, a.valueStart, a.valueEnd);
    }
  }

  /**
   * A tag the text ends inside (a cut body): masked from the value of its first secret
   * attribute, or from a value the text ends inside (it may be a secret's, cut). Text that
   * only holds a stray "<" is free text.
   */
  private danglingTag(rest: string): string {
    if (!this.defaults) return rest;
    let k = 1;
    const skip = (stop: (c: number) => boolean): void => {
      while (k < rest.length && !stop(rest.charCodeAt(k))) k++;
    };
    skip((c) => isXmlSpace(c) || c === SLASH || c === GT);
    for (;;) {
      skip((c) => !isXmlSpace(c) && c !== SLASH);
      const nameStart = k;
      skip((c) => c === EQUALS || isXmlSpace(c));
      const name = rest.slice(nameStart, k);
      skip((c) => !isXmlSpace(c));
      if (rest.charCodeAt(k) !== EQUALS) return this.maskedText(rest);
      k++;
      skip((c) => !isXmlSpace(c));
      const quote = rest[k];
      const close = quote === '"' || quote === "'" ? rest.indexOf(quote, k + 1) : -1;
      if (close === -1 || this.isSecretAttribute(name)) return `${rest.slice(0, k)}${this.mask(rest.slice(k))}`;
      k = close + 1;
    }
  }

  private isSecretAttribute(name: string): boolean {
    if (!this.defaults || name === 'xmlns' || name.startsWith('xmlns:')) return false;
    return isSecretName(name.slice(name.indexOf(':') + 1));
  }

  /** Character data as written, masked as free text. */
  private text(edit: Edits, from: number, to: number): void {
    const raw = edit.source.slice(from, to);
    const masked = this.maskedText(raw);
    if (masked !== raw) edit.replace(from, to, masked);
  }

  /** Free text decoded first when it holds references, escaped again when masked; `raw` itself when nothing is. */
  private maskedText(raw: string): string {
    if (!this.defaults) return raw;
    const plain = decoded(raw);
    const masked = this.free(plain);
    if (masked === plain) return raw;
    return plain === raw ? masked : escapeXml(masked);
  }

  private free(text: string): string {
    return this.defaults ? maskFreeText(text, this.mask) : text;
  }
}

/** The text rebuilt from its unchanged stretches and the replacements, in order; the text itself when nothing changed. */
class Edits {
  private out = '';
  private copied = 0;
  constructor(readonly source: string) {}

  replace(from: number, to: number, text: string): void {
    this.out += this.source.slice(this.copied, from) + text;
    this.copied = to;
  }

  result(): string {
    return this.copied === 0 ? this.source : this.out + this.source.slice(this.copied);
  }
}

/**
 * Where the trigger words stand, found in one pass; asked in text order. Text with character
 * references could spell a word in them: every stretch of it is looked at.
 */
class Hits {
  private readonly at: number[] | null = null;
  private next = 0;
  constructor(text: string) {
    if (text.includes('&#')) return;
    this.at = [];
    for (const m of text.matchAll(TRIGGERS)) this.at.push(m.index);
  }

  /** Whether a trigger word starts in [from, to); `from` never goes back between calls. */
  within(from: number, to: number): boolean {
    const at = this.at;
    if (at === null) return to > from;
    while (this.next < at.length && at[this.next]! < from) this.next++;
    return this.next < at.length && at[this.next]! < to;
  }
}

/** A secret element's content as its mask sees it: the text, trimmed (the raw content when it will not decode). */
function elementText(xml: string, from: number, to: number): string {
  try {
    return textContent(xml, from, to).trim();
  } catch {
    return xml.slice(from, to).trim();
  }
}

/** Entities decoded; text whose references will not decode (broken, or no XML at all) as it is. */
function decoded(raw: string): string {
  if (!raw.includes('&')) return raw;
  try {
    return decodeEntities(raw);
  } catch {
    return raw;
  }
}
