import { FramingError, MalformedXmlError, type TagMismatch } from '../errors/classes.js';
import type { DeviceError, DeviceErrorKind } from '../errors/device-error.js';
import { buildDeviceError } from './device-error-builder.js';
import { decodeEntities, isXmlSpace, normaliseLineEnds, trimXml } from './entities.js';
import { XNM_NAMESPACE } from './namespaces.js';
import { type NamespaceBindings, TreeBuilder, splitName, withDeclarations } from './element-tree.js';
import { ElementStack, type SkimLimits } from './element-stack.js';


/** Bounds on what the streaming error extractor accepts in one message. */
export interface ExtractorLimits {
  /** Deepest element nesting accepted (default 512). */
  maxDepth?: number;
  /** Longest start tag, attributes included, and so the longest carry between chunks (default 64 KiB). */
  maxTagBytes?: number;
  /** Largest single rpc-error / xnm item captured (default 1 MiB). */
  maxItemBytes?: number;
  /** How much text before the first `<` is kept for `skippedText` (default 8 KiB). */
  maxSkippedTextBytes?: number;
}

/**
 * Every bound on reading a message, in one shape for `connect({ limits })` and
 * `replay(input, { limits })`: the framing's message size and the extractor's limits.
 */
export interface Limits extends ExtractorLimits {
  /** Largest message accepted (default 512 MiB): MESSAGE_TOO_LARGE, and reading stops. */
  maxMessageBytes?: number;
}

/** A message's root start tag: its name, namespace, message-id and attributes. */
export interface RootInfo {
  name: string;
  local: string;
  namespace: string | null;
  messageId: string | null;
  attributes: [string, string][];
}

/** What ErrorExtractor reports while it reads. */
export interface ExtractorEvents {
  /** The root element's start tag has been read. */
  onRoot?(root: RootInfo): void;
  /** An item's end tag has been read: it is delivered now, before the message ends. */
  onItem?(item: DeviceError): void;
  /**
   * The next bytes of the content of the root's first `<data>` or `<configuration>` child
   * (any prefix): what lies between its start tag's `>` and its end tag's `<`, in order, as
   * soon as they are read. Each piece is a view of the pushed bytes (or of the extractor's
   * carry): copy it if the pushed buffer is reused.
   */
  onContent?(piece: Buffer): void;
  /** That element ended: every piece has been given; the span is in message byte offsets. */
  onContentEnd?(span: ContentSpan): void;
  /**
   * An element at the path given to `watchPath` has ended: its bytes, start tag to end tag,
   * are `buf[start, end)`, where `buf` is the pushed buffer (or the extractor's own copy, for
   * an element that spans pushes): copy them to keep them if the pushed buffer is reused.
   * Given as offsets rather than a view: no object per element.
   */
  onPathElement?(buf: Buffer, start: number, end: number): void;
  /** NUL bytes outside the root element were skipped (padding some devices add). */
  onNul?(): void;
}

/** Where the content of the root's `<data>` / `<configuration>` child lies in the message. */
export interface ContentSpan {
  /** The element's qualified name as written (`data`, `nc:data`, `configuration`). */
  name: string;
  /** Message offset of the first byte after its start tag. */
  start: number;
  /** Message offset of the `<` of its end tag (equal to `start` when empty or `<data/>`). */
  end: number;
}

/** What the extractor learnt about a message once it ended. */
export interface MessageSummary {
  root: RootInfo | null;
  messageId: string | null;
  /** Some element named `ok` (any namespace) appeared. */
  hasOk: boolean;
  /** The message began with a UTF-8 byte order mark. */
  bom: boolean;
  /** Non-XML text before the first `<` (SSH banners, prompts), trimmed; null when none. */
  skippedText: string | null;
  items: DeviceError[];
}

// What the scanner needs to know about an element, kept per depth in a byte array.
const enum Kind { Other, RpcError, Error, Warning, Ok, Configuration, Results, EngineContainer, EngineName, Data }
const enum State { Text, Comment, CData, Pi }
/** How far a tag carried between pushes has been read: quoted values hold a ">" that ends nothing. */
const enum TagState { Unknown = -1, Name = 0, Attributes = 1, EndTag = 2, DoubleQuoted = 0x22, SingleQuoted = 0x27 }

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, BANG = 0x21, QUESTION = 0x3f, COLON = 0x3a, DQUOTE = 0x22, SQUOTE = 0x27;

/** Names compared byte-wise, so the hot path never builds strings for ordinary elements. */
const NAMES = {
  ok: Buffer.from('ok'), name: Buffer.from('name'), data: Buffer.from('data'), error: Buffer.from('error'), warning: Buffer.from('warning'),
  reName: Buffer.from('re-name'), rpcError: Buffer.from('rpc-error'), configuration: Buffer.from('configuration'),
  commitResults: Buffer.from('commit-results'), routingEngine: Buffer.from('routing-engine'),
  multiReItem: Buffer.from('multi-routing-engine-item'), loadResults: Buffer.from('load-configuration-results'),
};
const CDATA_OPEN = Buffer.from('<![CDATA[');
const XML_TARGET = Buffer.from('xml');

interface Capture {
  builder: TreeBuilder;
  depth: number;
  kind: DeviceErrorKind;
  start: number;
  inConfigResults: boolean;
}

/**
 * Streams one NETCONF message and pulls out every `<rpc-error>` (any namespace, any depth)
 * and every Junos `<xnm:error>` / `<xnm:warning>` outside `<configuration>`, each delivered as
 * soon as its end tag is read.
 *
 * It is a byte scanner: `indexOf('<')` skips text, tags are read once, and only the element
 * being captured is turned into a tree. Memory is that element plus one incomplete tag.
 * Structure is checked (matching end tags, one root, no DOCTYPE); text outside captured
 * elements is not decoded.
 */
export class ErrorExtractor {
  private readonly maxDepth: number;
  private readonly maxTagBytes: number;
  private readonly maxItemBytes: number;
  private readonly maxSkippedTextBytes: number;

  private carry: Buffer | null = null;
  /** Pieces of a trickling tag that arrived after the carry, not yet joined to it. */
  private carryTail: Buffer[] = [];
  private carryTailBytes = 0;
  /** Where a carried start or end tag has been read to (see carriedTagEnd). */
  private carryTagState = TagState.Unknown;
  /** Message offset of the first byte not yet consumed (the carry's first byte). */
  private consumed = 0;
  private state = State.Text;
  private started = false;
  private hasMarkup = false;
  /** Nothing but text (a banner) came before: an XML declaration may still come. */
  private prolog = true;
  private skipped: Buffer[] = [];
  private skippedBytes = 0;

  private depth = 0;
  /**
   * Per depth: the open element's kind and name. End tags are compared with the name's bytes
   * exactly, not a hash. Ordinary stretches of the message are walked by the stack's
   * WebAssembly pass, which stops at every token read here.
   */
  private readonly stack = new ElementStack();
  private readonly skimLimits: SkimLimits;
  /** The namespace scopes opened by elements still open: each one's depth and bindings (two arrays, no object per scope). */
  private scopeDepths: number[] = [];
  private scopes: NamespaceBindings[] = [];
  private configDepth = 0;
  private resultsDepth = 0;
  private capture: Capture | null = null;
  private engineName: { parts: Buffer[]; depth: number } | null = null;
  private engine: { name: string; containerDepth: number } | null = null;
  private rootClosed = false;
  private failure: Error | null = null;
  /** The content being streamed (the root's first data/configuration child), once seen. */
  private content: ContentSpan | null = null;
  /** Message offset of the first content byte not yet given to onContent; -1 outside it. */
  private contentFrom = -1;
  /** watchPath: the local names, from the root's child down, as bytes (null: not asked for). */
  private path: Buffer[] | null = null;
  private maxPathElementBytes = 0;
  /** The depth (the root's is 0) whose start tags are matched against the path next; -1: none. */
  private pathNext = -1;
  /** The depth whose end tag moves the path back: the element being cut out, else the deepest matched; -1: none. */
  private pathClose = -1;
  /** The element being cut out: its first byte's message offset, the first not yet kept, and what was kept. */
  private elementStart = -1;
  private elementFrom = -1;
  private elementParts: Buffer[] = [];

  private readonly summary: MessageSummary = { root: null, messageId: null, hasOk: false, bom: false, skippedText: null, items: [] };

  constructor(private readonly events: ExtractorEvents = {}, limits: ExtractorLimits = {}) {
    this.maxDepth = limits.maxDepth ?? 512;
    this.maxTagBytes = limits.maxTagBytes ?? 64 * 1024;
    this.maxItemBytes = limits.maxItemBytes ?? 1024 * 1024;
    this.maxSkippedTextBytes = limits.maxSkippedTextBytes ?? 8 * 1024;
    this.skimLimits = { maxDepth: this.maxDepth, maxTagBytes: this.maxTagBytes, pathNext: -1, pathClose: -1, topNamespaceDepth: -1, engineDepth: -1, declaration: null, declarationOpens: false, item: null, itemDepth: -1, maxItemBytes: 0 };
  }

  /**
   * Also cuts out every element at `path` (local names, from the root's child down: `data`,
   * `interfaces`, `interface`) and gives each whole to onPathElement as its end tag is read.
   * One longer than `maxBytes` (default: the `maxItemBytes` limit) is MESSAGE_TOO_LARGE. Call
   * it before the root's content is read (from onRoot).
   */
  watchPath(path: readonly string[], maxBytes = this.maxItemBytes): void {
    this.path = path.map((name) => Buffer.from(name));
    this.maxPathElementBytes = maxBytes;
    // The skeleton pass cuts out the ordinary ones itself.
    this.skimLimits.item = this.path[this.path.length - 1]!;
    this.skimLimits.itemDepth = this.path.length;
    this.skimLimits.maxItemBytes = maxBytes;
    this.pathNext = 1;
    this.pathClose = -1;
  }

  /** Whether any markup (a tag, comment or PI) has been read: a message with none is only text. */
  get sawMarkup(): boolean {
    return this.hasMarkup;
  }

  /** Feeds the next bytes of the message, split anywhere. Throws a NetconfError on bad input. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    try {
      let rest = chunk;
      // A tag cut at the last push's end ends at the first ">" outside its quoted values:
      // join only that much, rather than copying the whole chunk behind the carry.
      while (this.carry && this.state === State.Text && this.carry[0] === LT) {
        const isTag = this.carryIsTag();
        const gt = isTag ? this.carriedTagEnd(rest) : rest.indexOf(GT);
        if (gt === -1) {
          if (!isTag) break;
          // A tag trickling in: collect the pieces instead of joining and rescanning them on
          // every push, or at every ">" inside a quoted value (quadratic otherwise).
          this.carryTail.push(Buffer.from(rest));
          this.carryTailBytes += rest.length;
          if (this.carry.length + this.carryTailBytes > this.maxTagBytes) this.fail(`A tag is longer than ${this.maxTagBytes} bytes`, this.consumed);
          return;
        }
        const head = Buffer.concat([this.carry, ...this.carryTail, rest.subarray(0, gt + 1)]);
        this.dropCarry();
        this.scan(head, this.consumed);
        rest = rest.subarray(gt + 1);
      }
      if (rest.length === 0) return;
      const buf = this.carry ? Buffer.concat([this.carry, ...this.carryTail, rest]) : rest;
      this.dropCarry();
      this.scan(buf, this.consumed);
    } catch (err) {
      this.failure = err as Error;
      throw err;
    }
  }

  private dropCarry(): void {
    this.carry = null;
    this.carryTail = [];
    this.carryTailBytes = 0;
    this.carryTagState = TagState.Unknown;
  }

  /**
   * Where in `buf` the carried tag ends (its ">"), or -1; the carry's bytes are read once, and
   * each push's only up to that ">". The quotes are those startTag reads: only after the name.
   */
  private carriedTagEnd(buf: Buffer): number {
    if (this.carryTagState === TagState.Unknown) {
      const carry = this.carry!;
      this.carryTagState = carry[1] === SLASH ? TagState.EndTag : TagState.Name;
      for (const piece of [carry.subarray(2), ...this.carryTail]) this.tagEnd(piece);
    }
    return this.tagEnd(buf);
  }

  /** Reads `buf` on from `carryTagState`: the index of the ">" that ends the tag, or -1 (the state then holds at its end). */
  private tagEnd(buf: Buffer): number {
    let state = this.carryTagState;
    const len = buf.length;
    for (let k = 0; k < len; k++) {
      const b = buf[k]!;
      if (state === TagState.DoubleQuoted || state === TagState.SingleQuoted) {
        if (b === state) state = TagState.Attributes;
      } else if (b === GT) {
        return k;
      } else if (state === TagState.Name) {
        if (b <= 0x20 || b === SLASH) state = TagState.Attributes;
      } else if (state === TagState.Attributes && (b === DQUOTE || b === SQUOTE)) {
        state = b;
      }
    }
    this.carryTagState = state;
    return -1;
  }

  /** The carry is the start of a start or end tag (not a comment, CDATA, PI or a lone "<"). */
  private carryIsTag(): boolean {
    const c = this.carry!;
    return this.state === State.Text && c.length >= 2 && c[0] === LT && c[1] !== BANG && c[1] !== QUESTION;
  }

  /** Ends the message and returns what it held. Throws when it ended inside an element. */
  end(): MessageSummary {
    if (this.failure) throw this.failure;
    const s = this.summary;
    if (this.skipped.length > 0) {
      const text = trimXml(Buffer.concat(this.skipped).toString('utf8'));
      s.skippedText = text === '' ? null : text;
    }
    const at = this.consumed;
    if (this.state === State.Comment) this.fail('The message ended inside a comment', at);
    if (this.state === State.CData) this.fail('The message ended inside a CDATA section', at);
    if (this.state === State.Pi) this.fail('The message ended inside a processing instruction', at);
    if (this.carry && this.carry.length + this.carryTailBytes > 0) {
      if (this.summary.root === null && !this.hasMarkup) return s;
      this.fail('The message ended inside a tag', at);
    }
    if (s.root && !this.rootClosed) this.fail(`The message ended before </${s.root.name}>`, at);
    return s;
  }

  private scan(buf: Buffer, base: number): void {
    this.stack.newChunk();
    this.scanTags(buf, base);
  }

  private scanTags(buf: Buffer, base: number): void {
    const len = buf.length;
    let i = 0;
    if (!this.started) {
      if (len < 3 && buf[0] === 0xef) return this.keep(buf, 0, base);
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        this.summary.bom = true;
        i = 3;
      }
    }
    while (i < len) {
      if (this.state !== State.Text) {
        const next = this.skipSpecial(buf, i, base);
        if (next < 0) return;
        i = next;
        continue;
      }
      if (this.depth > 0 && this.capture === null && this.engineName === null) {
        i = this.skim(buf, i, base);
        if (i >= len) break;
      }
      // Text between tags is mostly a few bytes: a loop finds the "<" sooner than a native
      // call would; longer text is left to indexOf.
      let lt = i;
      const near = i + 16 < len ? i + 16 : len;
      while (lt < near && buf[lt] !== LT) lt++;
      if (lt === near) lt = lt < len ? buf.indexOf(LT, lt) : -1;
      if (lt === -1) {
        this.text(buf, i, len, base);
        break;
      }
      // Only text inside an item, an engine name, or outside the root is looked at.
      if (lt > i && (this.depth === 0 || this.capture !== null || this.engineName !== null)) this.text(buf, i, lt, base);
      i = lt;
      // An item is measured at every "<" inside it (and at each push's end), so the outcome
      // is the same however the input was split.
      if (this.capture) this.checkCaptureSize(base + i);
      if (i + 1 >= len) return this.keep(buf, i, base);
      this.hasMarkup = true;
      const c = buf[i + 1]!;
      let next: number;
      if (c === SLASH) next = this.endTag(buf, i, base);
      else if (c === BANG) next = this.markup(buf, i, base);
      else if (c === QUESTION) next = this.pi(buf, i, base);
      else next = this.startTag(buf, i, base);
      if (next < 0) return this.keep(buf, i, base);
      i = next;
    }
    this.consumed = base + len;
    this.checkCaptureSize(base + len);
    if (this.contentFrom >= 0) this.emitContent(buf, base, base + len);
    if (this.elementFrom >= 0) this.keepElement(buf, base, base + len);
  }

  /** Keeps an incomplete token for the next push; a tag may not grow past the limit. */
  private keep(buf: Buffer, from: number, base: number): void {
    // Only a start or end tag can grow without bound here; a "<!" or "<?" opener waits for a
    // few bytes to tell what it is.
    const opener = buf[from + 1];
    // (A carried partial byte order mark is not a tag.)
    const isTag = buf[from] === LT && buf.length - from >= 2 && opener !== BANG && opener !== QUESTION;
    if (isTag && buf.length - from > this.maxTagBytes) this.fail(`A tag is longer than ${this.maxTagBytes} bytes`, base + from);
    // Our own copy: the caller may reuse its buffer once push returns.
    this.carry = Buffer.from(buf.subarray(from));
    this.consumed = base + from;
    this.checkCaptureSize(base + from);
    if (this.contentFrom >= 0) this.emitContent(buf, base, base + from);
    if (this.elementFrom >= 0) this.keepElement(buf, base, base + from);
  }

  /** Inside a comment, CDATA section or processing instruction: find its end. */
  private skipSpecial(buf: Buffer, i: number, base: number): number {
    const terminator = this.state === State.Comment ? '-->' : this.state === State.CData ? ']]>' : '?>';
    const end = buf.indexOf(terminator, i);
    if (end === -1) {
      // Keep the bytes that could begin the terminator; everything before them is done with.
      const keepFrom = Math.max(i, buf.length - (terminator.length - 1));
      if (this.state === State.CData) this.cdata(buf, i, keepFrom);
      this.carry = Buffer.from(buf.subarray(keepFrom));
      this.consumed = base + keepFrom;
      this.checkCaptureSize(base + keepFrom);
      if (this.contentFrom >= 0) this.emitContent(buf, base, base + keepFrom);
      if (this.elementFrom >= 0) this.keepElement(buf, base, base + keepFrom);
      return -1;
    }
    if (this.state === State.CData) this.cdata(buf, i, end);
    this.state = State.Text;
    return end + terminator.length;
  }

  private cdata(buf: Buffer, from: number, to: number): void {
    if (to > from) this.capture?.builder.cdata(Buffer.from(buf.subarray(from, to)));
  }

  private markup(buf: Buffer, i: number, base: number): number {
    const len = buf.length;
    if (i + 2 >= len) return -1;
    const c = buf[i + 2];
    if (c === 0x2d) {
      if (i + 3 >= len) return -1;
      if (buf[i + 3] !== 0x2d) this.fail('Malformed comment', base + i);
      this.prolog = false;
      this.state = State.Comment;
      return i + 4;
    }
    if (c === 0x5b) {
      if (i + CDATA_OPEN.length > len) return -1;
      if (buf.compare(CDATA_OPEN, 0, CDATA_OPEN.length, i, i + CDATA_OPEN.length) !== 0) this.fail('Malformed CDATA section', base + i);
      if (this.depth === 0) this.fail('CDATA outside the root element', base + i);
      this.state = State.CData;
      return i + CDATA_OPEN.length;
    }
    return this.fail('DOCTYPE and entity declarations are not allowed in NETCONF messages', base + i);
  }

  /**
   * A processing instruction. `<?xml …?>`, the XML declaration, may only come first (after
   * text a device printed before the message, at most): once an element, comment or other
   * instruction has been read, one is not well-formed.
   */
  private pi(buf: Buffer, i: number, base: number): number {
    // Its target tells: wait for the bytes that show whether it is `xml` (any case).
    for (let k = 0; k < 4; k++) {
      if (i + 2 + k >= buf.length) return -1;
      const b = buf[i + 2 + k]!;
      if (k === 3) {
        if ((isXmlSpace(b) || b === QUESTION) && (!this.prolog || this.summary.root !== null)) this.fail('An XML declaration that is not at the start of the message', base + i);
      } else if ((b | 0x20) !== XML_TARGET[k]) break;
    }
    this.prolog = false;
    this.state = State.Pi;
    return i + 2;
  }

  private startTag(buf: Buffer, i: number, base: number): number {
    const len = buf.length;
    let j = i + 1;
    let colon = -1;
    // Letters (above ">") go on at one comparison; below it, a space, control, ">" or "/"
    // ends the name and the first colon is noted.
    for (; j < len; j++) {
      const b = buf[j]!;
      if (b > GT) continue;
      if (b <= 0x20 || b === GT || b === SLASH) break;
      if (b === COLON && colon === -1) colon = j;
    }
    if (j >= len) return -1;
    let b = buf[j]!;
    const nameEnd = j;
    if (nameEnd === i + 1) this.fail('A "<" that starts no tag', base + i);
    let end = j;
    let declares = false;
    if (b !== GT) {
      // Attribute values are skipped with indexOf: only quotes, ">" and "xmlns" matter here.
      for (; end < len; end++) {
        b = buf[end]!;
        if (b === GT) break;
        if (b === DQUOTE || b === SQUOTE) {
          const q = buf.indexOf(b, end + 1);
          if (q === -1) return -1;
          end = q;
        } else if (b === 0x78 && buf[end - 1]! <= 0x20 && buf[end + 1] === 0x6d && buf[end + 2] === 0x6c && buf[end + 3] === 0x6e && buf[end + 4] === 0x73) {
          declares = true; // "xmlns"
        }
      }
      if (end >= len) return -1;
    }
    if (end + 1 - i > this.maxTagBytes) this.fail(`A tag is longer than ${this.maxTagBytes} bytes`, base + i);
    const selfClosing = buf[end - 1] === SLASH;
    const depth = this.depth;
    const localStart = colon === -1 ? i + 1 : colon + 1;
    const kind = classify(buf, localStart, nameEnd - localStart, depth > 0 ? this.stack.kind(depth - 1) : Kind.Other);
    if (depth === this.pathNext) this.pathStart(buf, i, localStart, nameEnd, end, selfClosing, base);
    // The bulk of a big reply: an element of no interest, outside any item. Only its name is
    // kept, for its end tag; no string is built.
    if (kind === Kind.Other && depth > 0 && !declares && this.capture === null) {
      if (!selfClosing) this.open(buf, i, nameEnd, kind, base);
      return end + 1;
    }
    return this.notableStartTag(buf, i, nameEnd, end, kind, declares, selfClosing, base);
  }

  /** A start tag that matters: the root, an item or what is inside one, a namespace declaration, a kind the scanner tracks. */
  private notableStartTag(buf: Buffer, i: number, nameEnd: number, end: number, kind: Kind, declares: boolean, selfClosing: boolean, base: number): number {
    const isRoot = this.depth === 0;
    if (isRoot && this.summary.root !== null) this.fail('A second root element', base + i);

    const capturing = this.capture !== null;
    const interesting = kind === Kind.RpcError || kind === Kind.Error || kind === Kind.Warning;
    const attrEnd = selfClosing ? end - 1 : end;
    // Parsed only when something reads them (the root, an item, a new declaration).
    let attributes: [string, string][] | null = null;
    const outer = this.bindings();
    let bindings = outer;
    if (declares) {
      bindings = this.declarations(buf, nameEnd, attrEnd, outer, base);
      if (!selfClosing && bindings !== outer) {
        this.scopeDepths.push(this.depth);
        this.scopes.push(bindings);
      }
    }
    const name = capturing || interesting || isRoot ? utf8(buf, i + 1, nameEnd) : '';

    if (isRoot) {
      const { prefix, local } = splitName(name);
      const a = (attributes ??= parseAttributes(buf, nameEnd, attrEnd, base));
      const messageId = a.find(([n]) => n === 'message-id')?.[1] ?? null;
      this.summary.root = { name, local, namespace: bindings[prefix] ?? null, messageId, attributes: a };
      this.summary.messageId = messageId;
      this.events.onRoot?.(this.summary.root);
    }

    if (capturing) {
      this.capture!.builder.start(name, (attributes ??= parseAttributes(buf, nameEnd, attrEnd, base)), selfClosing);
    } else if (interesting) {
      const itemKind = this.itemKind(kind, name, bindings);
      if (itemKind) {
        this.capture = {
          builder: new TreeBuilder(outer), depth: this.depth, kind: itemKind, start: base + i,
          inConfigResults: this.resultsDepth > 0,
        };
        this.capture.builder.start(name, (attributes ??= parseAttributes(buf, nameEnd, attrEnd, base)), selfClosing);
        if (selfClosing) this.finishCapture();
      }
    }

    if (kind === Kind.Ok) this.summary.hasOk = true;
    if ((kind === Kind.Data || kind === Kind.Configuration) && this.depth === 1 && this.content === null) {
      // The root's first data/configuration child: its content is what onContent streams.
      const start = base + end + 1;
      this.content = { name: utf8(buf, i + 1, nameEnd), start, end: start };
      if (selfClosing) this.events.onContentEnd?.(this.content);
      else this.contentFrom = start;
    }
    if (selfClosing) {
      if (isRoot) this.rootClosed = true;
      return end + 1;
    }
    if (kind === Kind.Configuration) this.configDepth++;
    else if (kind === Kind.Results) this.resultsDepth++;
    else if (kind === Kind.EngineName && !capturing) this.engineName = { parts: [], depth: this.depth };
    this.open(buf, i, nameEnd, kind, base);
    return end + 1;
  }

  /**
   * The bindings in scope inside a start tag whose attributes (`buf[from, to)`) declare
   * namespaces. A list's entries repeat the same declaration under the same parent, and one
   * device's replies repeat their root's and their children's: the last few declarations' bytes
   * and outcomes are kept (for every extractor: bindings are never changed once made), and the
   * same bytes under the same bindings give the same bindings (they were checked when first
   * parsed).
   */
  private declarations(buf: Buffer, from: number, to: number, outer: NamespaceBindings, base: number): NamespaceBindings {
    const len = to - from;
    for (let k = 0; k < DECLARATIONS_KEPT; k++) {
      const d = declarations[k]!;
      if (d.outer === outer && d.raw.length === len && sameBytes(buf, from, d.raw)) return d.bindings;
    }
    const bindings = withDeclarations(outer, parseAttributes(buf, from, to, base));
    declarations[nextDeclaration] = { outer, raw: Buffer.from(buf.subarray(from, to)), bindings };
    nextDeclaration = (nextDeclaration + 1) % DECLARATIONS_KEPT;
    return bindings;
  }

  /** Pushes an element (its kind and name) onto the stack. */
  private open(buf: Buffer, i: number, nameEnd: number, kind: Kind, base: number): void {
    if (this.depth >= this.maxDepth) this.fail(`Elements nest deeper than ${this.maxDepth}`, base + i);
    this.stack.push(this.depth, buf, i + 1, nameEnd, kind);
    this.depth++;
  }

  private endTag(buf: Buffer, i: number, base: number): number {
    // The name expected is the open element's: its length tells where ">" must be, then the
    // bytes are compared. Anything else (spaces before ">", a mismatch) takes the long way.
    const depth = this.depth;
    if (depth > 1) {
      const nameLen = this.stack.nameLength(depth - 1);
      const gt = i + 2 + nameLen;
      if (gt < buf.length && buf[gt] === GT && this.stack.isName(buf, i + 2, depth - 1, nameLen)) {
        this.close(depth - 1);
        if (depth - 1 === this.pathClose) this.pathEnd(buf, gt, base);
        const sd = this.scopeDepths;
        if (this.stack.kind(depth - 1) === Kind.Other && this.capture === null && this.engineName === null && (sd.length === 0 || sd[sd.length - 1]! < depth - 1)) {
          if (this.engine && this.engine.containerDepth === depth - 1) this.engine = null;
          return gt + 1;
        }
        return this.closed(buf, i, gt, base);
      }
    }
    const len = buf.length;
    let j = i + 2;
    for (; j < len; j++) {
      const b = buf[j]!;
      if (b === GT || b <= 0x20) break;
    }
    const gt = buf.indexOf(GT, j);
    if (gt === -1) return -1;
    if (gt + 1 - i > this.maxTagBytes) this.fail(`A tag is longer than ${this.maxTagBytes} bytes`, base + i);
    if (this.depth === 0) this.fail('An end tag with no open element', base + i);
    const d = this.depth - 1;
    if (this.stack.nameLength(d) !== j - i - 2 || !this.stack.isName(buf, i + 2, d, j - i - 2)) {
      const end = clip(utf8(buf, i + 2, j));
      const start = clip(this.stack.name(d));
      this.fail(`The end tag </${end}> does not match its start tag <${start}>`, base + i, { start, end });
    }
    this.close(d);
    for (let k = j; k < gt; k++) if (!isXmlSpace(buf[k]!)) this.fail('An end tag holds more than a name', base + i);
    if (d === this.pathClose) this.pathEnd(buf, gt, base);
    return this.closed(buf, i, gt, base);
  }

  /** What an end tag (at `i`, its ">" at `gt`) ends besides the element, which has left the stack. */
  private closed(buf: Buffer, i: number, gt: number, base: number): number {
    const kind = this.stack.kind(this.depth);
    const capture = this.capture;
    if (capture) {
      capture.builder.end();
      if (this.depth === capture.depth) {
        // The item is measured to the end of its end tag, wherever the input was split.
        this.checkCaptureSize(base + gt + 1);
        this.finishCapture();
      }
    }
    const sd = this.scopeDepths;
    while (sd.length > 0 && sd[sd.length - 1]! >= this.depth) {
      sd.pop();
      this.scopes.pop();
    }
    if (kind === Kind.Configuration) this.configDepth--;
    else if (kind === Kind.Results) this.resultsDepth--;
    if (this.contentFrom >= 0 && this.depth === 1) {
      // The content element ended: the rest of its content, then its span.
      this.emitContent(buf, base, base + i);
      this.contentFrom = -1;
      this.content!.end = base + i;
      this.events.onContentEnd?.(this.content!);
    }
    const engineName = this.engineName;
    if (engineName && engineName.depth === this.depth) {
      this.engine = { name: trimXml(decodeEntities(normaliseLineEnds(Buffer.concat(engineName.parts).toString('utf8')))), containerDepth: this.depth - 1 };
      this.engineName = null;
    }
    if (this.engine && this.engine.containerDepth === this.depth) this.engine = null;
    if (this.depth === 0) this.rootClosed = true;
    return gt + 1;
  }

  /** A start tag at the depth the path looks at next: one more name matched, or the element to cut out. */
  private pathStart(buf: Buffer, i: number, localStart: number, nameEnd: number, end: number, selfClosing: boolean, base: number): void {
    const path = this.path!;
    const depth = this.depth;
    const name = path[depth - 1]!;
    if (nameEnd - localStart !== name.length || !is(buf, localStart, name)) return;
    if (depth < path.length) {
      if (selfClosing) return;
      this.pathNext = depth + 1;
      this.pathClose = depth;
      return;
    }
    if (selfClosing) return this.events.onPathElement?.(buf, i, end + 1);
    this.elementStart = this.elementFrom = base + i;
    this.pathNext = -1;
    this.pathClose = depth;
  }

  /** The element at depth `this.depth` that the path is in has ended: the element cut out is given; its siblings are looked at next. */
  private pathEnd(buf: Buffer, gt: number, base: number): void {
    const depth = this.depth;
    this.pathNext = depth;
    this.pathClose = depth > 1 ? depth - 1 : -1;
    if (this.elementStart < 0) return;
    const end = base + gt + 1;
    this.checkElementSize(end);
    const from = this.elementFrom - base;
    const parts = this.elementParts;
    this.elementStart = this.elementFrom = -1;
    if (parts.length === 0) return this.events.onPathElement?.(buf, from, gt + 1);
    this.elementParts = [];
    parts.push(buf.subarray(from, gt + 1));
    const whole = Buffer.concat(parts);
    this.events.onPathElement?.(whole, 0, whole.length);
  }

  /** A push ends inside the element being cut out: our own copy of its bytes up to `upTo`. */
  private keepElement(buf: Buffer, base: number, upTo: number): void {
    if (upTo <= this.elementFrom) return;
    this.checkElementSize(upTo);
    this.elementParts.push(Buffer.from(buf.subarray(this.elementFrom - base, upTo - base)));
    this.elementFrom = upTo;
  }

  private checkElementSize(at: number): void {
    if (at - this.elementStart > this.maxPathElementBytes) {
      const path = this.path!.map((n) => n.toString()).join('/');
      throw new FramingError('MESSAGE_TOO_LARGE', `An element at ${path} is larger than ${this.maxPathElementBytes} bytes (at byte ${this.elementStart} of the message)`);
    }
  }

  /** Gives onContent the content bytes read up to message offset `upTo`. */
  private emitContent(buf: Buffer, base: number, upTo: number): void {
    const from = this.contentFrom;
    if (upTo <= from) return;
    this.contentFrom = upTo;
    this.events.onContent?.(buf.subarray(from - base, upTo - base));
  }

  private text(buf: Buffer, from: number, to: number, base: number): void {
    if (this.depth > 0) {
      if (this.capture) {
        // Ended here by a start or end tag (not a comment, CDATA or PI, which a run spans).
        const next = buf[to + 1];
        if (to + 1 < buf.length && next !== BANG && next !== QUESTION) this.capture.builder.textBeforeTag(buf, from, to);
        else this.capture.builder.text(Buffer.from(buf.subarray(from, to)));
      }
      else if (this.engineName) this.engineName.parts.push(Buffer.from(buf.subarray(from, to)));
      return;
    }
    // Outside the root: text before the first "<" is a banner or prompt, kept aside;
    // anything else that is neither whitespace nor NUL padding is not XML.
    if (!this.hasMarkup) {
      const room = this.maxSkippedTextBytes - this.skippedBytes;
      if (room > 0) {
        const piece = this.withoutNul(buf.subarray(from, to)).subarray(0, room);
        this.skipped.push(Buffer.from(piece));
        this.skippedBytes += piece.length;
      }
      return;
    }
    let nul = false;
    for (let k = from; k < to; k++) {
      const b = buf[k]!;
      if (b === 0) nul = true;
      else if (!isXmlSpace(b)) this.fail('Text outside the root element', base + k);
    }
    if (nul) this.events.onNul?.();
  }

  /** The bytes with any NUL left out (and reported). */
  private withoutNul(piece: Buffer): Buffer {
    if (piece.indexOf(0) === -1) return piece;
    this.events.onNul?.();
    return Buffer.from(piece.filter((b) => b !== 0));
  }

  /** The element open at depth `d` (the innermost) has ended: it leaves the stack. */
  private close(d: number): void {
    this.depth = d;
    this.stack.close(d);
  }

  /** Lets the stack's WebAssembly pass walk ordinary stretches from `i`; returns where a token needs reading here. */
  private skim(buf: Buffer, i: number, base: number): number {
    const l = this.skimLimits;
    l.pathNext = this.pathNext;
    l.pathClose = this.pathClose;
    const sd = this.scopeDepths;
    l.topNamespaceDepth = sd.length > 0 ? sd[sd.length - 1]! : -1;
    l.engineDepth = this.engine ? this.engine.containerDepth : -1;
    // A list's entries repeat one declaration: the newest one kept that was read under this
    // scope (declarations() would find it again).
    const scope = this.bindings();
    let known: (typeof declarations)[number] | null = null;
    for (let k = 1; k <= DECLARATIONS_KEPT; k++) {
      const d = declarations[(nextDeclaration + DECLARATIONS_KEPT - k) % DECLARATIONS_KEPT]!;
      if (d.outer === scope) {
        known = d;
        break;
      }
    }
    l.declaration = known ? known.raw : null;
    l.declarationOpens = known !== null && known.bindings !== scope;
    const stack = this.stack;
    const at = stack.skim(buf, i, this.depth, l);
    this.depth = stack.currentDepth;
    // The pass stopped inside an element it opened with that declaration: its scope, as
    // notableStartTag would have pushed it.
    if (stack.scopeDepth >= 0) {
      this.scopeDepths.push(stack.scopeDepth);
      this.scopes.push(known!.bindings);
    }
    if (this.path) {
      // The items the pass cut out are given in order, once the state is the pass's (a callback may push elsewhere).
      this.pathNext = stack.pathNext;
      this.pathClose = stack.pathClose;
      if (stack.openItem >= 0) this.elementStart = this.elementFrom = base + stack.openItem;
      const spans = stack.spans;
      if (spans.length > 0) {
        const events = this.events;
        if (events.onPathElement) for (let k = 0; k < spans.length; k += 2) events.onPathElement(buf, spans[k]!, spans[k + 1]!);
        spans.length = 0;
      }
    }
    return at;
  }

  private itemKind(kind: Kind, name: string, bindings: NamespaceBindings): DeviceErrorKind | null {
    if (kind === Kind.RpcError) return 'rpc-error';
    // Junos names are data inside <configuration> (syslog severities are written <error/>).
    if (this.configDepth > 0) return null;
    const { prefix } = splitName(name);
    if (bindings[prefix] !== XNM_NAMESPACE) return null;
    return kind === Kind.Error ? 'xnm:error' : 'xnm:warning';
  }

  private finishCapture(): void {
    const capture = this.capture!;
    this.capture = null;
    const root = capture.builder.root;
    if (!root) return;
    const item = buildDeviceError(root, capture.kind, {
      routingEngine: this.engine?.name ?? null,
      inConfigResults: capture.inConfigResults,
    });
    this.summary.items.push(item);
    this.events.onItem?.(item);
  }

  private checkCaptureSize(at: number): void {
    if (this.capture && at - this.capture.start > this.maxItemBytes) {
      throw new FramingError('MESSAGE_TOO_LARGE', `An error element is larger than ${this.maxItemBytes} bytes (at byte ${this.capture.start} of the message)`);
    }
  }

  private bindings(): NamespaceBindings {
    const scopes = this.scopes;
    return scopes.length > 0 ? scopes[scopes.length - 1]! : NO_BINDINGS;
  }

  private fail(message: string, offset: number, tagMismatch: TagMismatch | null = null): never {
    throw new MalformedXmlError(`${message} (at byte ${offset} of the message)`, { offset, tagMismatch });
  }
}

const NO_BINDINGS: NamespaceBindings = Object.freeze({ xml: 'http://www.w3.org/XML/1998/namespace' });

/** The last namespace declarations parsed by any extractor (see `declarations`); the oldest is replaced. */
const DECLARATIONS_KEPT = 8;
const declarations: { outer: NamespaceBindings | null; raw: Buffer; bindings: NamespaceBindings }[] = Array.from({ length: DECLARATIONS_KEPT }, () => ({ outer: null, raw: Buffer.alloc(0), bindings: NO_BINDINGS }));
let nextDeclaration = 0;

/** Whether `buf` holds `bytes` at `from` (the caller checked there is room): a loop, cheaper than `compare` for a few dozen bytes. */
function sameBytes(buf: Buffer, from: number, bytes: Buffer): boolean {
  for (let k = 0; k < bytes.length; k++) if (buf[from + k] !== bytes[k]) return false;
  return true;
}

function classify(buf: Buffer, start: number, len: number, parentKind: Kind): Kind {
  switch (len) {
    case 2: return is(buf, start, NAMES.ok) ? Kind.Ok : Kind.Other;
    case 4: return is(buf, start, NAMES.data) ? Kind.Data
      : parentKind === Kind.EngineContainer && is(buf, start, NAMES.name) ? Kind.EngineName : Kind.Other;
    case 5: return is(buf, start, NAMES.error) ? Kind.Error : Kind.Other;
    case 7: return is(buf, start, NAMES.warning) ? Kind.Warning
      : parentKind === Kind.EngineContainer && is(buf, start, NAMES.reName) ? Kind.EngineName : Kind.Other;
    case 9: return is(buf, start, NAMES.rpcError) ? Kind.RpcError : Kind.Other;
    case 13: return is(buf, start, NAMES.configuration) ? Kind.Configuration : Kind.Other;
    case 14: return is(buf, start, NAMES.commitResults) ? Kind.Results
      : is(buf, start, NAMES.routingEngine) ? Kind.EngineContainer : Kind.Other;
    case 25: return is(buf, start, NAMES.multiReItem) ? Kind.EngineContainer : Kind.Other;
    case 26: return is(buf, start, NAMES.loadResults) ? Kind.Results : Kind.Other;
    default: return Kind.Other;
  }
}

function is(buf: Buffer, start: number, name: Buffer): boolean {
  if (buf[start] !== name[0]) return false;
  for (let k = 1; k < name.length; k++) if (buf[start + k] !== name[k]) return false;
  return true;
}

function utf8(buf: Buffer, from: number, to: number): string {
  return buf.toString('utf8', from, to);
}

/** A name short enough to quote in a message. */
function clip(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

/** Reads `name="value"` pairs; values are entity-decoded. Used only on tags that need it. */
export function parseAttributes(buf: Buffer, from: number, to: number, base = 0): [string, string][] {
  const out: [string, string][] = [];
  let k = from;
  while (k < to) {
    while (k < to && buf[k]! <= 0x20) k++;
    if (k >= to) break;
    const nameStart = k;
    while (k < to && buf[k] !== 0x3d && buf[k]! > 0x20) k++;
    const name = buf.toString('utf8', nameStart, k);
    while (k < to && buf[k]! <= 0x20) k++;
    if (buf[k] !== 0x3d) throw new MalformedXmlError(`Attribute "${name}" has no value (at byte ${base + nameStart})`, { offset: base + nameStart });
    k++;
    while (k < to && buf[k]! <= 0x20) k++;
    const quote = buf[k];
    if (quote !== DQUOTE && quote !== SQUOTE) throw new MalformedXmlError(`Attribute "${name}" is not quoted (at byte ${base + k})`, { offset: base + k });
    const close = buf.indexOf(quote, k + 1);
    if (close === -1 || close >= to) throw new MalformedXmlError(`Attribute "${name}" is not closed (at byte ${base + k})`, { offset: base + k });
    out.push([name, decodeEntities(normaliseLineEnds(buf.toString('utf8', k + 1, close)))]);
    k = close + 1;
  }
  return out;
}
