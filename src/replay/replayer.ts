import { MalformedXmlError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import { FrameDecoder, type FramingMode, isBetweenMessages } from '../framing/decoder.js';
import { ErrorExtractor, type ExtractorLimits, type MessageSummary } from '../xml/extractor.js';

export type ReplayFraming = 'none' | 'eom' | 'chunked' | 'eom+chunked';
export type Trailing = 'none' | 'comment' | 'text';

export interface ReplayMessage extends MessageSummary {
  index: number;
}

export interface ReplayResult {
  framing: ReplayFraming;
  messages: ReplayMessage[];
  /** What followed the last complete message. */
  trailing: Trailing;
  /** The text of a trailing line (e.g. "Connection to … closed."), trimmed; null when none. */
  trailingText: string | null;
}

export interface ReplayOptions extends ExtractorLimits {
  /** `auto` (default) detects a bare document, `]]>]]>` framing and chunked framing. */
  framing?: FramingMode | 'none';
  maxMessageBytes?: number;
  /** Each item the moment its end tag is read. */
  onItem?(item: DeviceError, messageIndex: number): void;
  /** Each message once it is complete. */
  onMessage?(message: ReplayMessage): void;
}

// How much of a stream after a framing break is examined as a trailing line.
const MAX_TRAILING_BYTES = 64 * 1024;

/**
 * Replays a capture: bytes in (any split), messages and their typed errors out, exactly as a
 * live session reads them (the same framing decoder and extractor). Captured terminal
 * sessions carry banners before the first `<` and a closing line after the last message;
 * both are set aside, not treated as errors.
 */
export class Replayer {
  private readonly decoder: FrameDecoder | null;
  private extractor: ErrorExtractor;
  private readonly messages: ReplayMessage[] = [];
  private eomMessages = 0;
  private chunkedMessages = 0;
  private inMessage = false;
  private trailer: Buffer[] | null = null;
  private trailerBytes = 0;
  private trailerError: Error | null = null;
  /** Stream offset of the chunk being pushed. */
  private pushed = 0;

  constructor(private readonly options: ReplayOptions = {}) {
    this.extractor = this.newExtractor();
    const framing = options.framing ?? 'auto';
    this.decoder = framing === 'none' ? null : new FrameDecoder(
      {
        onData: (bytes) => {
          this.inMessage = true;
          this.extractor.push(bytes);
        },
        onMessageEnd: () => this.endMessage(true),
      },
      { mode: framing, ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }) },
    );
  }

  push(chunk: Buffer): void {
    if (this.trailer) return this.keepTrailer(chunk);
    if (!this.decoder) {
      this.inMessage = true;
      return this.extractor.push(chunk);
    }
    try {
      this.decoder.push(chunk);
    } catch (err) {
      // Chunked framing that breaks between messages is the capture's closing line.
      if (!isBetweenMessages(err)) throw err;
      this.trailer = [];
      this.trailerError = err as Error;
      // The decoder stopped at the first byte that was not a chunk header.
      this.keepTrailer(chunk.subarray(Math.max(0, this.decoder.bytesConsumed - this.pushed)));
    } finally {
      this.pushed += chunk.length;
    }
  }

  end(): ReplayResult {
    let trailing: Trailing = 'none';
    let trailingText: string | null = null;
    if (this.trailer) {
      const text = Buffer.concat(this.trailer).toString('utf8').trim();
      if (text.includes('<')) throw this.trailerError!;
      trailing = text === '' ? 'none' : 'text';
      trailingText = text === '' ? null : text;
    } else {
      this.decoder?.finish();
      // The last message of an eom stream (or a bare document) has no delimiter after it.
      if (this.inMessage || !this.decoder) {
        const extractor = this.extractor;
        const summary = extractor.end();
        if (summary.root) this.addMessage(summary);
        else if (summary.skippedText !== null) {
          trailing = 'text';
          trailingText = summary.skippedText;
        } else if (extractor.sawMarkup) trailing = 'comment';
      }
    }
    if (this.messages.length === 0) throw new MalformedXmlError('The input holds no NETCONF message');
    return { framing: this.framing(), messages: this.messages, trailing, trailingText };
  }

  private framing(): ReplayFraming {
    if (this.eomMessages > 0 && this.chunkedMessages > 0) return 'eom+chunked';
    if (this.chunkedMessages > 0) return 'chunked';
    return this.eomMessages > 0 ? 'eom' : 'none';
  }

  private endMessage(delimited: boolean): void {
    const mode = this.decoder?.mode;
    const summary = this.extractor.end();
    this.inMessage = false;
    if (summary.root) {
      if (delimited && mode === 'chunked') this.chunkedMessages++;
      else if (delimited) this.eomMessages++;
      this.addMessage(summary);
    } else if (summary.skippedText !== null) {
      throw new MalformedXmlError(`A message holds text but no element: "${summary.skippedText.slice(0, 80)}"`);
    }
    this.extractor = this.newExtractor();
  }

  private addMessage(summary: MessageSummary): void {
    const message: ReplayMessage = { ...summary, index: this.messages.length };
    this.messages.push(message);
    this.options.onMessage?.(message);
  }

  private newExtractor(): ErrorExtractor {
    const index = this.messages.length;
    return new ErrorExtractor({ onItem: (item) => this.options.onItem?.(item, index) }, this.options);
  }

  private keepTrailer(chunk: Buffer): void {
    const room = MAX_TRAILING_BYTES - this.trailerBytes;
    if (room <= 0) throw this.trailerError!;
    const piece = chunk.subarray(0, room);
    this.trailer!.push(Buffer.from(piece));
    this.trailerBytes += piece.length;
  }
}

/** Replays a whole capture held in memory. */
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
