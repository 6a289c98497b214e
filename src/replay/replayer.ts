import { MalformedXmlError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { type FramingMode, isBetweenMessages } from '../framing/decoder.js';
import { CallbackQueue } from '../observability/callbacks.js';
import { type IncomingMessage, type MessageOutcome, MessageReader } from '../reader/message-reader.js';
import { type Quirk, type QuirkKind, QuirkLog } from '../reader/quirks.js';
import { Capabilities } from '../session/capabilities.js';
import { parseServerHello } from '../session/hello.js';
import type { Limits, MessageSummary } from '../xml/extractor.js';

/** The framing a capture turned out to use. */
export type ReplayFraming = 'none' | 'eom' | 'chunked' | 'eom+chunked';
/** What followed the last message of a capture: nothing, a closing comment, or other text. */
export type Trailing = 'none' | 'comment' | 'text';

/** One message of a capture: its items, and why it could not be read when it could not. */
export interface ReplayMessage extends MessageSummary {
  index: number;
  /**
   * Why this message could not be read (MALFORMED_XML, a capture cut off inside it…), exactly
   * as a live session would fail the call it answers; null when it was read. Items read
   * before the failure are kept.
   */
  error: NetconfError | null;
}

/** Everything a capture held; replay never throws for bad input, it reports it here. */
export interface ReplayResult {
  framing: ReplayFraming;
  /** Every message read, complete or not, in order. */
  messages: ReplayMessage[];
  /** What followed the last message. */
  trailing: Trailing;
  /** The text of a trailing line (e.g. "Connection to … closed."), trimmed; null when none. */
  trailingText: string | null;
  /**
   * Why reading stopped before the end of the input (the framing broke, a message was over
   * the size limit), or that the input held no message; null otherwise. The messages before
   * it are all there.
   */
  error: NetconfError | null;
  /**
   * The deviations from the RFCs the capture shows and a live session reads past (see
   * `QuirkKind`), once per kind, in the order first seen.
   */
  quirks: Quirk[];
}

/** Options of replay, replayStream and Replayer. */
export interface ReplayOptions {
  /** `auto` (default) detects a bare document, `]]>]]>` framing and chunked framing. */
  framing?: FramingMode | 'none';
  /** Bounds on each message, as for `connect({ limits })`. */
  limits?: Limits;
  /**
   * Each item as it is read: once the reader has finished with the bytes that held its end
   * tag, before `push` returns. What it throws is reported (`netconfkit:callbackError`, else a
   * process warning) and changes nothing in the result.
   */
  onItem?(item: DeviceError, messageIndex: number): void;
  /** Each message once it is complete (or has failed); what it throws is reported as for `onItem`. */
  onMessage?(message: ReplayMessage): void;
  /** Each deviation the first time its kind is seen (see `ReplayResult.quirks`); what it throws is reported as for `onItem`. */
  onQuirk?(quirk: Quirk): void;
}

// How much of a stream after a framing break is examined as a trailing line.
const MAX_TRAILING_BYTES = 64 * 1024;

/**
 * Replays a capture: bytes in (any split), messages and their typed errors out, through the
 * same message reader as a live session, so a message has the same outcome either way.
 * Captured terminal sessions carry banners before the first `<` and a closing line after the
 * last message; both are set aside, not treated as errors.
 */
export class Replayer {
  private readonly reader: MessageReader<never>;
  /** The caller's callbacks run after the reader has finished with each chunk, never inside it. */
  private readonly callbacks = new CallbackQueue();
  private readonly messages: ReplayMessage[] = [];
  private readonly quirkLog = new QuirkLog();
  private readonly quirks: Quirk[] = [];
  private eomMessages = 0;
  private chunkedMessages = 0;
  private finishing = false;
  private trailer: Buffer[] | null = null;
  private trailerBytes = 0;
  private error: NetconfError | null = null;
  /** The framing error that began the trailer, reported if the trailer turns out to be XML. */
  private trailerError: NetconfError | null = null;
  /** Stream offset of the chunk being pushed. */
  private pushed = 0;

  constructor(private readonly options: ReplayOptions = {}) {
    this.reader = new MessageReader<never>(
      {
        onRoot: (m) => this.onRoot(m),
        onItem: (item, m) => {
          const onItem = this.options.onItem;
          if (onItem) this.callbacks.deliver(() => onItem(item, m.index), 'onItem');
        },
        onMessage: (outcome) => this.addMessage(outcome),
        onQuirk: (q) => this.quirk(q.kind, q.detail),
      },
      {
        framing: options.framing ?? 'auto',
        ...(options.limits ? { limits: options.limits } : {}),
      },
    );
  }

  push(chunk: Buffer): void {
    if (this.error) return;
    if (this.trailer) return this.keepTrailer(chunk);
    try {
      this.callbacks.hold(() => this.reader.push(chunk));
    } catch (err) {
      if (isBetweenMessages(err)) {
        // Framing that breaks between messages may be the capture's closing line: the decoder
        // stopped at its first byte; the rest is examined at the end.
        this.trailer = [];
        this.keepTrailer(chunk.subarray(Math.max(0, this.reader.bytesConsumed - this.pushed)));
        this.trailerError = toNetconfError(err);
      } else {
        this.error = toNetconfError(err);
        this.callbacks.hold(() => this.reader.abandon(this.error!));
      }
    } finally {
      this.pushed += chunk.length;
    }
  }

  end(): ReplayResult {
    let trailing: Trailing = 'none';
    let trailingText: string | null = null;
    if (this.trailer) {
      const text = Buffer.concat(this.trailer).toString('utf8').trim();
      if (text.includes('<') || this.trailerBytes >= MAX_TRAILING_BYTES) this.error ??= this.trailerError;
      else if (text !== '') {
        trailing = 'text';
        trailingText = text;
      }
    } else if (!this.error) {
      this.finishing = true;
      try {
        const rest = this.callbacks.hold(() => this.reader.finish());
        if (!rest.reported) {
          if (rest.skippedText !== null) {
            trailing = 'text';
            trailingText = rest.skippedText;
          } else if (this.reader.trailingMarkup) trailing = 'comment';
        }
      } catch (err) {
        this.error = toNetconfError(err);
      }
    }
    if (this.messages.length === 0 && !this.error) this.error = new MalformedXmlError('The input holds no NETCONF message');
    return { framing: this.framing(), messages: this.messages, trailing, trailingText, error: this.error, quirks: this.quirks };
  }

  /** Only a hello is kept (its capabilities are read); a reply's message-id is looked at as a session would. */
  private onRoot(m: IncomingMessage<never>): void {
    const root = m.root!;
    m.keep = root.local === 'hello';
    if (root.local !== 'rpc-reply' || root.messageId !== null) return;
    if (m.error) this.quirk('unreadable-message-id', `message ${m.index}: an <rpc-reply> whose message-id cannot be read (${m.error.code}); a session fails the oldest call with it`);
    else this.quirk('reply-without-message-id', `message ${m.index}: an <rpc-reply> without message-id; a session takes it as the reply to the oldest call`);
  }

  private quirk(kind: QuirkKind, detail: string): void {
    const quirk = this.quirkLog.note(kind, detail);
    if (!quirk) return;
    this.quirks.push(quirk);
    const onQuirk = this.options.onQuirk;
    if (onQuirk) this.callbacks.deliver(() => onQuirk(quirk), 'onQuirk');
  }

  /** A hello's capabilities under another spelling, read as a session reads them. */
  private checkHello(xml: string, index: number): void {
    let uris: string[];
    try {
      uris = parseServerHello(xml, 'the capture').capabilities;
    } catch {
      return; // a hello a session refuses: nothing is read past
    }
    const respelt = new Capabilities(uris).respelt;
    if (respelt.length > 0) this.quirk('capability-spelling', `message ${index}: the <hello> advertises ${respelt.map((r) => `${r.as} for ${r.means}`).join(', ')}`);
  }

  private framing(): ReplayFraming {
    if (this.eomMessages > 0 && this.chunkedMessages > 0) return 'eom+chunked';
    if (this.chunkedMessages > 0) return 'chunked';
    return this.eomMessages > 0 ? 'eom' : 'none';
  }

  private addMessage(outcome: MessageOutcome): void {
    // A message ended by its delimiter counts towards the framing; the last one of a bare
    // document or an eom stream without a final delimiter does not.
    const framing = this.reader.framing;
    if (!this.finishing && framing === 'chunked') this.chunkedMessages++;
    else if (!this.finishing && framing !== 'none') this.eomMessages++;
    const { xml, content: _content, ...summary } = outcome;
    if (xml !== null && outcome.root?.local === 'hello') this.checkHello(xml, outcome.index);
    const message: ReplayMessage = summary;
    this.messages.push(message);
    const onMessage = this.options.onMessage;
    if (onMessage) this.callbacks.deliver(() => onMessage(message), 'onMessage');
  }

  private keepTrailer(chunk: Buffer): void {
    const room = MAX_TRAILING_BYTES - this.trailerBytes;
    const piece = chunk.subarray(0, Math.max(0, room));
    this.trailer!.push(Buffer.from(piece));
    this.trailerBytes += chunk.length;
  }
}

/** Replays a whole capture held in memory. Never throws for bad input: see `error`. */
export function replay(input: Buffer | string, options: ReplayOptions = {}): ReplayResult {
  const replayer = new Replayer(options);
  replayer.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  return replayer.end();
}

/** Replays a capture from a stream (a file, stdin, a socket), delivering items as they arrive. */
export async function replayStream(source: AsyncIterable<Buffer | string>, options: ReplayOptions = {}): Promise<ReplayResult> {
  const replayer = new Replayer(options);
  for await (const chunk of source) replayer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return replayer.end();
}
