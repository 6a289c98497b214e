import { ClientError, FramingError } from '../errors/classes.js';
import type { ErrorCode } from '../errors/codes.js';

/**
 * RFC 6242 framing decoder: pure (no I/O), incremental (any split of the stream), zero-copy on
 * the payload path. Payload bytes are handed to the sink as they arrive; only chunk headers
 * (chunked) or up to 5 bytes that may begin a split `]]>]]>` (eom) are ever held back.
 */

export type FramingMode = 'eom' | 'chunked' | 'auto';

/** Where a FrameDecoder delivers each message's bytes. */
export interface FrameSink {
  /** Some bytes of the current message, in order. Often a view into the pushed buffer. */
  onData(bytes: Buffer): void;
  /** The current message is complete. */
  onMessageEnd(): void;
  /** A NUL byte between messages was skipped (some devices pad their messages with them). */
  onNul?(): void;
}

/** Settings of a FrameDecoder. */
export interface FrameDecoderOptions {
  /** 'eom' (RFC 6242 section 4.3), 'chunked' (section 4.2), or 'auto' to detect per message. Default 'eom'. */
  mode?: FramingMode;
  /** Largest payload of one message, in bytes. Default 512 MiB. */
  maxMessageBytes?: number;
  /** Largest accepted chunk size in a chunk header. Default 4294967295 (the RFC maximum). */
  maxChunkBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024 * 1024;
/** The largest chunk size RFC 6242 allows. */
export const MAX_CHUNK_SIZE = 4294967295;

/** Internal to the framing layer (a Buffer is mutable, so it is not re-exported). */
export const EOM_DELIMITER: Buffer = Buffer.from(']]>]]>', 'latin1');
const DELIM_LEN = EOM_DELIMITER.length;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const NUL = 0x00;
const D0 = 0x30;
const D9 = 0x39;

// Decoder states. Header states consume one byte at a time (headers are a few bytes);
// BODY and EOM hand whole slices to the sink.
const S_BOUNDARY = 0; // between messages: whitespace (and NUL padding) is skipped
const S_AUTO_HASH = 1; // auto mode saw whitespace-with-LF then '#': a digit next means chunked
const S_FIRST_SIZE = 2; // chunked: after a message's first '\n#', expecting digit 1-9
const S_SIZE = 3; // reading chunk-size digits
const S_BODY = 4; // inside a chunk's data
const S_LF = 5; // after chunk data: expecting '\n'
const S_HASH = 6; // after chunk data + '\n': expecting '#'
const S_NEXT = 7; // after '\n#' between chunks: expecting '#' (end marker) or digit 1-9
const S_END_LF = 8; // after '\n##': expecting '\n'
const S_EOM = 9; // inside an end-of-message framed message

/** True for an error the decoder threw before any byte of a new message was accepted. */
export function isBetweenMessages(err: unknown): boolean {
  return err instanceof FramingError && (err as { betweenMessages?: unknown }).betweenMessages === true;
}

/** RFC 6242 framing in: bytes split anywhere in, message payloads out (`]]>]]>` or chunked), in bounded memory; broken framing is FRAMING_ERROR, too much MESSAGE_TOO_LARGE. */
export class FrameDecoder {
  private readonly sink: FrameSink;
  private readonly maxMessageBytes: number;
  private readonly maxChunkBytes: number;
  private currentMode: FramingMode;
  private pendingMode: 'eom' | 'chunked' | null = null;
  private state = S_BOUNDARY;
  /** Whitespace skipped at the current boundary contained an LF (the header's own LF may be among it). */
  private sawLF = false;
  /** Still parsing the first header of a message: errors here count as "between messages". */
  private firstHeader = false;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private messageBytes = 0;
  /** Eom: tail bytes (1-5) of the data so far that are a prefix of `]]>]]>`; always our own copy. */
  private held: Buffer | null = null;
  /** Stream offset of the first byte of the buffer being decoded. */
  private base = 0;
  private consumed = 0;
  private dead: FramingError | null = null;
  private busy = false;
  private finished = false;

  constructor(sink: FrameSink, options: FrameDecoderOptions = {}) {
    this.sink = sink;
    const mode = options.mode ?? 'eom';
    if (mode !== 'eom' && mode !== 'chunked' && mode !== 'auto') {
      throw new ClientError('INVALID_ARGUMENT', `Unknown framing mode ${JSON.stringify(mode)}`);
    }
    this.currentMode = mode;
    this.maxMessageBytes = checkLimit('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, Number.MAX_SAFE_INTEGER);
    this.maxChunkBytes = checkLimit('maxChunkBytes', options.maxChunkBytes, MAX_CHUNK_SIZE, MAX_CHUNK_SIZE);
  }

  /** The framing in force: 'auto' until auto mode has seen a chunk header, then 'chunked'. */
  get mode(): FramingMode {
    return this.currentMode;
  }

  /** True when part of a message (or of its first chunk header) has been consumed but not ended. */
  get inMessage(): boolean {
    return this.state !== S_BOUNDARY;
  }

  /** Stream offset: total bytes consumed so far (including bytes held back for a decision). */
  get bytesConsumed(): number {
    return this.consumed;
  }

  /**
   * Switches framing from the next message on (e.g. to 'chunked' after both peers sent a
   * <hello> with base:1.1). Between messages, including from inside `onMessageEnd`, it
   * applies at once, so the rest of the current buffer is decoded in the new mode.
   */
  setMode(mode: 'eom' | 'chunked'): void {
    if (mode !== 'eom' && mode !== 'chunked') {
      throw new ClientError('INVALID_ARGUMENT', `setMode expects 'eom' or 'chunked', got ${JSON.stringify(mode)}`);
    }
    if (this.state === S_BOUNDARY) {
      this.currentMode = mode;
      this.pendingMode = null;
    } else {
      this.pendingMode = mode;
    }
  }

  push(chunk: Buffer): void {
    this.enter('push');
    let buf: Buffer;
    if (Buffer.isBuffer(chunk)) buf = chunk;
    else if ((chunk as unknown) instanceof Uint8Array) {
      const u = chunk as Uint8Array;
      buf = Buffer.from(u.buffer, u.byteOffset, u.byteLength); // a view, not a copy
    } else {
      this.busy = false;
      throw new ClientError('INVALID_ARGUMENT', 'FrameDecoder.push expects a Buffer');
    }
    this.base = this.consumed;
    try {
      let pos = 0;
      while (pos < buf.length) {
        const state = this.state;
        if (state === S_BODY) pos = this.body(buf, pos);
        else if (state === S_EOM) pos = this.eom(buf, pos);
        else {
          const next = state === S_LF || (state === S_BOUNDARY && this.currentMode === 'chunked') ? this.quickHeader(buf, pos) : -1;
          pos = next >= 0 ? next : this.header(buf, pos);
        }
        this.consumed = this.base + pos;
      }
    } catch (err) {
      this.die(err);
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /**
   * End of input. A chunked message or header left incomplete is a FRAMING_ERROR. An eom
   * message without its delimiter is not an error here: its held-back bytes are delivered and
   * `inMessage` stays true, so the caller decides (a capture may end with trailing text).
   */
  finish(): void {
    this.enter('finish');
    try {
      if (this.finished) return;
      this.finished = true;
      this.base = this.consumed;
      switch (this.state) {
        case S_BOUNDARY:
          return;
        case S_AUTO_HASH: // '\n#' then end of input: not a chunk header, so an eom message starting with '#'
          this.state = S_EOM;
          this.firstHeader = false;
          this.emit(Buffer.from('#'), this.consumed - 1);
          return;
        case S_EOM:
          if (this.held) {
            const held = this.held;
            this.held = null;
            this.emit(held, this.consumed - held.length);
          }
          return;
        default:
          this.fail(
            'FRAMING_ERROR',
            this.state === S_BODY
              ? `Input ended inside a chunk, ${this.remaining} of ${this.size} bytes missing`
              : 'Input ended inside a chunked message',
            this.consumed,
            this.firstHeader,
          );
      }
    } catch (err) {
      this.die(err);
      throw err;
    } finally {
      this.busy = false;
    }
  }

  private enter(what: string): void {
    if (this.dead) {
      const err = new FramingError(this.dead.code, `The decoder stopped after an earlier error: ${this.dead.message}`, {
        cause: this.dead,
      });
      if (isBetweenMessages(this.dead)) Object.assign(err, { betweenMessages: true });
      throw err;
    }
    if (this.busy) throw new ClientError('INVALID_ARGUMENT', `FrameDecoder.${what} called from inside a sink callback`);
    if (this.finished && what === 'push') throw new ClientError('INVALID_ARGUMENT', 'FrameDecoder.push called after finish');
    this.busy = true;
  }

  /** After any error (ours or a sink's) the stream position is lost: refuse all further input. */
  private die(err: unknown): void {
    if (err instanceof FramingError) this.dead = err;
    else {
      this.dead = new FramingError('FRAMING_ERROR', `Decoding stopped at byte offset ${this.consumed}: a sink callback threw`, {
        cause: err,
      });
    }
  }

  private fail(code: ErrorCode, what: string, offset: number, betweenMessages = false): never {
    const err = new FramingError(code, `${what} at byte offset ${offset}`);
    if (betweenMessages) Object.assign(err, { betweenMessages: true });
    throw err;
  }

  /** Delivers payload bytes that start at stream offset `at`, enforcing maxMessageBytes. */
  private emit(bytes: Buffer, at: number): void {
    if (bytes.length === 0) return;
    if (this.messageBytes + bytes.length > this.maxMessageBytes) {
      // The part that fits goes to the sink first, so the outcome never depends on how the
      // input was split: an error the sink finds before the limit wins either way.
      const fits = this.maxMessageBytes - this.messageBytes;
      if (fits > 0) {
        this.messageBytes += fits;
        this.consumed = at + fits;
        this.sink.onData(bytes.subarray(0, fits));
      }
      this.fail('MESSAGE_TOO_LARGE', `Message exceeds maxMessageBytes (${this.maxMessageBytes})`, at + fits);
    }
    this.messageBytes += bytes.length;
    this.consumed = at + bytes.length;
    this.sink.onData(bytes);
  }

  /** Ends the current message; a pending setMode applies before the sink hears of it. */
  private endMessage(at: number): void {
    const hadBytes = this.messageBytes > 0;
    this.state = S_BOUNDARY;
    this.sawLF = false;
    this.messageBytes = 0;
    if (this.pendingMode) {
      this.currentMode = this.pendingMode;
      this.pendingMode = null;
    }
    this.consumed = at;
    // An eom message with nothing but whitespace before its delimiter is no message at all.
    if (hadBytes) this.sink.onMessageEnd();
  }

  private body(buf: Buffer, pos: number): number {
    const n = Math.min(this.remaining, buf.length - pos);
    this.remaining -= n;
    if (this.remaining === 0) this.state = S_LF;
    this.emit(buf.subarray(pos, pos + n), this.base + pos);
    return pos + n;
  }

  private eom(buf: Buffer, pos: number): number {
    const at = this.base + pos;
    const held = this.held;
    if (held) {
      // A delimiter starting inside the held bytes ends within the next 5 bytes of input.
      const avail = buf.length - pos;
      const head = Buffer.concat([held, buf.subarray(pos, pos + Math.min(avail, DELIM_LEN - 1))]);
      const heldAt = at - held.length;
      this.held = null;
      const p = head.indexOf(EOM_DELIMITER);
      if (p >= 0) {
        this.emit(head.subarray(0, p), heldAt);
        this.endMessage(heldAt + p + DELIM_LEN);
        return pos + p + DELIM_LEN - held.length;
      }
      if (avail >= DELIM_LEN - 1) {
        this.emit(held, heldAt); // no delimiter can start in the held bytes: they are data
        return pos;
      }
      // All remaining input fits in `head`: decide on it as a whole.
      const k = delimiterPrefixAtEnd(head, 0);
      this.emit(head.subarray(0, head.length - k), heldAt);
      if (k > 0) this.held = head.subarray(head.length - k);
      return buf.length;
    }
    const i = buf.indexOf(EOM_DELIMITER, pos);
    if (i >= 0) {
      this.emit(buf.subarray(pos, i), at);
      this.endMessage(this.base + i + DELIM_LEN);
      return i + DELIM_LEN;
    }
    const k = delimiterPrefixAtEnd(buf, pos);
    this.emit(buf.subarray(pos, buf.length - k), at);
    // Copy: the caller may reuse its buffer once push returns.
    if (k > 0) this.held = Buffer.from(buf.subarray(buf.length - k));
    return buf.length;
  }

  /**
   * Fast path for small messages: a complete, valid `\n#<size>\n` or `\n##\n` at `pos`, in
   * state S_LF or at a chunked boundary. Returns the position after it, or -1 to leave the
   * bytes to the byte-wise parser (header split across pushes, malformed, or over a limit),
   * which also produces the precise error.
   */
  private quickHeader(buf: Buffer, pos: number): number {
    if (pos + 3 >= buf.length || buf[pos] !== LF || buf[pos + 1] !== HASH) return -1;
    let b = buf[pos + 2]!;
    if (b === HASH) {
      if (this.state !== S_LF || buf[pos + 3] !== LF) return -1;
      this.endMessage(this.base + pos + 4);
      return pos + 4;
    }
    if (b <= D0 || b > D9) return -1;
    let size = 0;
    let p = pos + 2;
    const end = Math.min(buf.length, p + 11); // at most 10 digits, then LF
    while (p < end && (b = buf[p]!) >= D0 && b <= D9) {
      size = size * 10 + (b - D0);
      p++;
    }
    // maxChunkBytes <= MAX_CHUNK_SIZE, so this also bounds the size to the RFC maximum.
    if (p >= end || b !== LF || size > this.maxChunkBytes || this.messageBytes + size > this.maxMessageBytes) return -1;
    this.size = size;
    this.remaining = size;
    this.state = S_BODY;
    this.firstHeader = false;
    return p + 1;
  }

  /** Decodes one byte of boundary whitespace or chunk header; returns the next position. */
  private header(buf: Buffer, pos: number): number {
    const b = buf[pos]!;
    const at = this.base + pos;
    switch (this.state) {
      case S_BOUNDARY: {
        if (b === LF || b === CR || b === SP || b === TAB) {
          if (b === LF) this.sawLF = true;
          return pos + 1;
        }
        if (b === NUL) {
          this.sink.onNul?.();
          return pos + 1;
        }
        const mode = this.currentMode;
        if (mode === 'eom') {
          this.state = S_EOM; // the message starts at its first non-whitespace byte
          return pos;
        }
        if (b === HASH && this.sawLF) {
          this.state = mode === 'auto' ? S_AUTO_HASH : S_FIRST_SIZE;
          this.firstHeader = true;
          return pos + 1;
        }
        if (mode === 'auto') {
          this.state = S_EOM;
          return pos;
        }
        return this.fail(
          'FRAMING_ERROR',
          b === HASH
            ? "Chunk header '#' not preceded by LF"
            : `Expected a chunk header ('\\n#<size>\\n') but found ${describe(b)}`,
          at,
          true,
        );
      }
      case S_AUTO_HASH:
        if (b >= D0 && b <= D9) {
          this.currentMode = 'chunked'; // a chunk header: the capture is chunked from here on
          this.state = S_FIRST_SIZE;
          return pos; // S_FIRST_SIZE validates the digit
        }
        this.state = S_EOM; // '#' begins an eom message
        this.firstHeader = false;
        this.emit(Buffer.from('#'), at - 1);
        return pos;
      case S_FIRST_SIZE:
      case S_NEXT:
        if (b > D0 && b <= D9) {
          this.state = S_SIZE;
          this.size = b - D0;
          this.digits = 1;
          this.checkSize(at);
          return pos + 1;
        }
        if (b === HASH && this.state === S_NEXT) {
          this.state = S_END_LF;
          return pos + 1;
        }
        return this.fail(
          'FRAMING_ERROR',
          b === D0
            ? 'Chunk size may not be 0 or start with 0'
            : b === HASH
              ? 'End-of-chunks marker before any chunk of the message'
              : `Expected a chunk size digit but found ${describe(b)}`,
          at,
          this.firstHeader,
        );
      case S_SIZE:
        if (b >= D0 && b <= D9) {
          if (++this.digits > 10) this.fail('FRAMING_ERROR', 'Chunk size has more than 10 digits', at, this.firstHeader);
          this.size = this.size * 10 + (b - D0);
          this.checkSize(at);
          return pos + 1;
        }
        if (b !== LF) {
          this.fail('FRAMING_ERROR', `Expected a digit or LF in chunk size but found ${describe(b)}`, at, this.firstHeader);
        }
        if (this.messageBytes + this.size > this.maxMessageBytes) {
          this.fail(
            'MESSAGE_TOO_LARGE',
            `A chunk of ${this.size} bytes takes the message over maxMessageBytes (${this.maxMessageBytes})`,
            at + 1 + (this.maxMessageBytes - this.messageBytes),
          );
        }
        this.state = S_BODY;
        this.remaining = this.size;
        this.firstHeader = false;
        return pos + 1;
      case S_LF:
        if (b !== LF) this.fail('FRAMING_ERROR', `Expected LF after a chunk of ${this.size} bytes but found ${describe(b)}`, at);
        this.state = S_HASH;
        return pos + 1;
      case S_HASH:
        if (b !== HASH) this.fail('FRAMING_ERROR', `Expected '#' after a chunk of ${this.size} bytes but found ${describe(b)}`, at);
        this.state = S_NEXT;
        return pos + 1;
      case S_END_LF:
        if (b !== LF) this.fail('FRAMING_ERROR', `Expected LF to end the '\\n##\\n' marker but found ${describe(b)}`, at);
        this.endMessage(at + 1);
        return pos + 1;
      default:
        return this.fail('FRAMING_ERROR', `Decoder in unknown state ${this.state}`, at);
    }
  }

  /** A size prefix only grows with more digits, so it is checked digit by digit. */
  private checkSize(at: number): void {
    if (this.size > MAX_CHUNK_SIZE) {
      this.fail('FRAMING_ERROR', `Chunk size exceeds ${MAX_CHUNK_SIZE}`, at, this.firstHeader);
    }
    if (this.size > this.maxChunkBytes) {
      this.fail('FRAMING_ERROR', `Chunk size exceeds maxChunkBytes (${this.maxChunkBytes})`, at, this.firstHeader);
    }
  }
}

/** Length (0-5) of the longest suffix of buf[from..] that is a proper prefix of `]]>]]>`. */
function delimiterPrefixAtEnd(buf: Buffer, from: number): number {
  const len = buf.length - from;
  for (let k = Math.min(DELIM_LEN - 1, len); k > 0; k--) {
    let j = 0;
    const start = buf.length - k;
    while (j < k && buf[start + j] === EOM_DELIMITER[j]) j++;
    if (j === k) return k;
  }
  return 0;
}

function describe(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b > 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}' (${hex})` : hex;
}

function checkLimit(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ClientError('INVALID_ARGUMENT', `${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}
