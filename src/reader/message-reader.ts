import { FramingError, MalformedXmlError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { FrameDecoder, type FramingMode } from '../framing/decoder.js';
import type { Quirk } from './quirks.js';
import { readReplyHead } from './reply-head.js';
import { MAX_KEPT_BYTES, TextCollector } from './text-collector.js';
import { type ContentSpan, ErrorExtractor, type Limits, type MessageSummary, type RootInfo } from '../xml/extractor.js';

/**
 * The one path from bytes to messages, for live sessions and replayed captures alike:
 * RFC 6242 framing, then the streaming error extractor for each message, then one outcome per
 * message. Pure: no I/O, no timers, no user code. Its owner routes each message at its root
 * start tag (`onRoot`) and receives items and outcomes through a handler it controls.
 */

export interface ReaderOptions {
  /** `eom` (a live session before the hellos), `chunked`, `auto` (captures), or `none` (one bare document). */
  framing: FramingMode | 'none';
  /** `maxMessageBytes` (default 512 MiB; more is MESSAGE_TOO_LARGE, and the stream stops) and the extractor's limits. */
  limits?: Limits;
}

/** A message being read. Its owner sets `keep` (and whatever it routes by) in `onRoot`. */
export class IncomingMessage<Route = unknown> {
  /** The root start tag, once read (or recovered from the first bytes of a broken reply). */
  root: RootInfo | null = null;
  /** Keep the message's bytes so its text can be given back (default true until routed). */
  keep = true;
  /** Where the owner sent it, set in `onRoot`. */
  route: Route | undefined = undefined;
  /** The first failure; the rest of the message is skipped, its framing still followed. */
  error: NetconfError | null = null;
  /** The items read so far, in document order. */
  readonly items: DeviceError[] = [];
  /** @internal */ bytes = 0;
  /** @internal */ routed = false;
  /** @internal NUL padding around the root was skipped: the text loses it. */ padded = false;
  /** @internal The first text of a message that failed before its root was routed (null once decided). */ head: string | null = '';
  /** @internal Where the root's data/configuration child's content lies, once it has ended. */ content: ContentSpan | null = null;

  constructor(readonly index: number, /** @internal */ readonly extractor: ErrorExtractor) {}

  /**
   * Also cut out every element at `path` (local names from the root's child down) and give
   * each to the handler's onPathElement. Call from onRoot.
   */
  watchPath(path: readonly string[], maxBytes?: number): void {
    this.extractor.watchPath(path, maxBytes);
  }
}

/** What one message turned out to be. */
export interface MessageOutcome extends MessageSummary {
  index: number;
  /** The message text, when it was kept (null otherwise). */
  xml: string | null;
  /**
   * When the message was kept and its root has a `<data>` / `<configuration>` child: that
   * element's name as written and the text of its content, a part of `xml` (no second copy).
   */
  content: { name: string; text: string } | null;
  /** Why the message could not be read (MALFORMED_XML, MESSAGE_TOO_LARGE…); null when it was. */
  error: NetconfError | null;
}

/** Where a MessageReader reports each message. */
export interface ReaderHandler<Route> {
  /** The root start tag was read: route the message (set `route`, `keep`). Also called with a root recovered from a broken reply's first bytes. */
  onRoot(message: IncomingMessage<Route>): void;
  /** An error or warning, the moment its end tag is read. */
  onItem(item: DeviceError, message: IncomingMessage<Route>): void;
  /** A message ended. Messages of only whitespace and comments are not reported. */
  onMessage(outcome: MessageOutcome, message: IncomingMessage<Route>): void;
  /**
   * The next bytes of the content of the root's first `<data>` / `<configuration>` child, as
   * they are read (see ExtractorEvents.onContent): a view of the pushed bytes.
   */
  onContent?(piece: Buffer, message: IncomingMessage<Route>): void;
  /** That content ended (before the message's outcome). */
  onContentEnd?(span: ContentSpan, message: IncomingMessage<Route>): void;
  /** An element at the path the message watches (see `watchPath`), whole: `buf[start, end)`, of the pushed bytes (copy them to keep them). */
  onPathElement?(buf: Buffer, start: number, end: number, message: IncomingMessage<Route>): void;
  /** A deviation read past (see QuirkKind); the reader reports each kind it sees once. */
  onQuirk?(quirk: Quirk): void;
}

// How much of a broken message is searched for its message-id.
const HEAD_BYTES = 4096;

/** Framing and extraction in one: bytes in, and for each message its root, its items and one outcome. What live sessions and replay both read through. */
export class MessageReader<Route = unknown> {
  private readonly decoder: FrameDecoder | null;
  private current: IncomingMessage<Route> | null = null;
  private count = 0;
  private lastSawMarkup = false;
  private nulSeen = false;
  /** The bytes of the message being read, copied as they arrive (no chunk is kept) and decoded once at its end. */
  private readonly text = new TextCollector();

  constructor(private readonly handler: ReaderHandler<Route>, private readonly options: ReaderOptions) {
    this.decoder = options.framing === 'none' ? null : new FrameDecoder(
      { onData: (bytes) => this.data(bytes), onMessageEnd: () => this.messageEnd(), onNul: () => this.nul(null) },
      { mode: options.framing, ...(options.limits?.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.limits.maxMessageBytes }) },
    );
  }

  /** The message being read, if any byte of one has arrived. */
  get message(): IncomingMessage<Route> | null {
    return this.current;
  }

  /** Part of a message (or a chunk header) has been read and it has not ended. */
  get inMessage(): boolean {
    return this.decoder ? this.decoder.inMessage : this.current !== null;
  }

  /** The framing in force (`auto` until a capture shows which). */
  get framing(): FramingMode | 'none' {
    return this.decoder?.mode ?? 'none';
  }

  /** Stream offset of the next byte the decoder will read. */
  get bytesConsumed(): number {
    return this.decoder?.bytesConsumed ?? 0;
  }

  /** Whether the final, unterminated part of the stream held any markup (a trailing comment, say). */
  get trailingMarkup(): boolean {
    return this.lastSawMarkup;
  }

  /** Switches framing from the next message on (after the hellos, RFC 6242 §4.1). */
  setFraming(mode: 'eom' | 'chunked'): void {
    this.decoder?.setMode(mode);
  }

  /**
   * Reads the next bytes, split anywhere. Throws a FramingError (FRAMING_ERROR or
   * MESSAGE_TOO_LARGE) when the stream itself is broken: nothing after it can be trusted.
   * A message that is not well-formed is an outcome, not a throw.
   */
  push(chunk: Buffer): void {
    if (this.decoder) this.decoder.push(chunk);
    else this.data(chunk);
  }

  /**
   * End of input (captures). A last message without its delimiter (a bare document, or an eom
   * stream's last message) is ended here; one cut off inside an element is reported with its
   * error. Returns false when the unterminated rest held no element (only text, comments or
   * nothing) and was therefore not reported as a message: `skippedText` says what it held.
   */
  finish(): { reported: boolean; skippedText: string | null } {
    try {
      this.decoder?.finish();
    } catch (err) {
      // Cut inside a chunk: the message so far is reported with the framing error.
      const m = this.current;
      if (!m) throw err;
      m.error ??= toNetconfError(err);
      this.messageEnd();
      return { reported: true, skippedText: null };
    }
    const m = this.current;
    if (!m) return { reported: false, skippedText: null };
    this.lastSawMarkup = m.extractor.sawMarkup;
    let summary: MessageSummary | null = null;
    if (!m.error) {
      try {
        summary = m.extractor.end();
      } catch (err) {
        this.failMessage(m, err);
      }
    }
    // Only text or comments after the last message: a closing line or comment, not a message.
    if (summary && !summary.root) {
      this.current = null;
      return { reported: false, skippedText: summary.skippedText };
    }
    this.messageEnd(summary);
    return { reported: true, skippedText: null };
  }

  /**
   * The stream broke (`push` threw): the message being read, if it had begun, is reported
   * with that error and the items read so far, so nothing read is lost.
   */
  abandon(error: NetconfError): void {
    const m = this.current;
    if (!m || (!m.routed && m.items.length === 0 && !m.error)) {
      this.current = null;
      return;
    }
    m.error ??= error;
    this.messageEnd();
  }

  private data(bytes: Buffer): void {
    const m = (this.current ??= this.newMessage());
    // Copied now, so the caller may reuse its buffer once push returns (replay's callers may).
    // A message broken before its root was read keeps its first bytes: its message-id is looked for in them.
    const undecided = m.error !== null && !m.routed && m.head !== null;
    if (m.keep || undecided) this.text.write(bytes);
    m.bytes += bytes.length;
    if (undecided) return this.recoverRoot(m, false);
    if (m.error) return;
    try {
      m.extractor.push(bytes);
    } catch (err) {
      this.failMessage(m, err);
    }
    // Past the longest string there is, its text cannot be given back: the message fails (typed),
    // is read to its end without being kept, and the session goes on.
    if (m.keep && !m.error && m.bytes > MAX_KEPT_BYTES) this.failMessage(m, tooLongToKeep());
  }

  /** NUL padding was skipped, between messages or around a message's root. */
  private nul(m: IncomingMessage<Route> | null): void {
    if (m) m.padded = true;
    if (this.nulSeen) return;
    this.nulSeen = true;
    this.handler.onQuirk?.({ kind: 'nul-padding', detail: 'NUL bytes between messages or around a root element were skipped' });
  }

  private newMessage(): IncomingMessage<Route> {
    this.text.clear();
    const index = this.count;
    let m!: IncomingMessage<Route>;
    const extractor = new ErrorExtractor(
      {
        onRoot: (root) => {
          m.root = root;
          m.routed = true;
          this.handler.onRoot(m);
          if (!m.keep) this.text.clear();
        },
        onItem: (item) => {
          m.items.push(item);
          this.handler.onItem(item, m);
        },
        ...(this.handler.onContent ? { onContent: (piece: Buffer) => this.handler.onContent!(piece, m) } : {}),
        ...(this.handler.onPathElement ? { onPathElement: (buf: Buffer, start: number, end: number) => this.handler.onPathElement!(buf, start, end, m) } : {}),
        onContentEnd: (span: ContentSpan) => {
          m.content = span;
          this.handler.onContentEnd?.(span, m);
        },
        onNul: () => this.nul(m),
      },
      this.options.limits,
    );
    m = new IncomingMessage<Route>(index, extractor);
    return m;
  }

  private failMessage(m: IncomingMessage<Route>, err: unknown): void {
    m.error = toNetconfError(err);
    m.keep = false;
    if (m.routed) this.text.clear();
    else this.recoverRoot(m, false);
  }

  /**
   * A reply broken before its root was read (a DOCTYPE first, a start tag over `maxTagBytes`,
   * a malformed attribute) still answers a call: as soon as its first bytes show its root, it
   * is routed (with the message-id, null when that cannot be read), so its call fails now
   * rather than at its timeout. The owner sees `error` already set in `onRoot`.
   */
  private recoverRoot(m: IncomingMessage<Route>, ended: boolean): void {
    // A start tag is read no further than the extractor would have read it.
    const bound = Math.min(HEAD_BYTES, this.options.limits?.maxTagBytes ?? HEAD_BYTES);
    // A character cut by the end of this push is decoded with the next one, as if read whole.
    m.head = ((m.head ?? '') + (ended ? this.text.end() : this.text.take())).slice(0, bound);
    const found = readReplyHead(m.head, ended || m.head.length >= bound);
    if (found === 'more') return;
    m.head = null;
    if (!found) return;
    m.root = { name: found.name, local: 'rpc-reply', namespace: null, messageId: found.messageId, attributes: [] };
    m.routed = true;
    this.handler.onRoot(m);
    m.keep = false;
  }

  private messageEnd(ended: MessageSummary | null = null): void {
    const m = this.current ?? this.newMessage();
    this.current = null;
    let summary = ended;
    if (!summary && !m.error) {
      try {
        summary = m.extractor.end();
      } catch (err) {
        this.failMessage(m, err);
      }
    }
    if (summary && !summary.root) {
      // Whitespace and comments only (Junos writes comments between messages): not a message.
      if (summary.skippedText === null) return;
      this.failMessage(m, new MalformedXmlError(`A message holds text but no element: "${clip(summary.skippedText)}"`));
      summary = null;
    }
    if (m.error && !m.routed && m.head !== null) this.recoverRoot(m, true);
    this.count++;
    const span = summary && m.keep ? m.content : null;
    const content = span ? { name: span.name, text: this.text.slice(span.start, span.end) } : null;
    const outcome: MessageOutcome = summary
      ? { ...summary, index: m.index, xml: m.keep ? withoutPadding(this.text.end(), m.padded) : null, content, error: null }
      : {
          root: m.root, messageId: m.root?.messageId ?? null, hasOk: false, bom: false, skippedText: null,
          items: m.items, index: m.index, xml: null, content: null, error: m.error,
        };
    this.text.clear();
    this.handler.onMessage(outcome, m);
  }
}

function tooLongToKeep(): FramingError {
  return new FramingError('MESSAGE_TOO_LARGE', `A message of more than ${MAX_KEPT_BYTES} bytes cannot be kept as one string: read it with streamTo or collect: false`);
}

/** The text without the NUL padding around its root (the extractor checked there is nothing else there). */
function withoutPadding(xml: string, padded: boolean): string {
  if (!padded) return xml;
  const first = xml.indexOf('<');
  const last = xml.lastIndexOf('>');
  if (first === -1) return xml.split('\0').join('');
  return xml.slice(0, first).split('\0').join('') + xml.slice(first, last + 1) + xml.slice(last + 1).split('\0').join('');
}

function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
