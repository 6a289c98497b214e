import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { ParseOptions, XmlObject, XmlValue } from '../xml/parse-data.js';
import { ItemParser } from '../xml/parse-item.js';
import type { FlowControl } from './reply-stream.js';
import type { Session } from './session.js';
import type { RpcOptions, RpcReply, RpcRequest } from './types.js';

/** Options of `streamItems`: where the items are, how they are parsed, and the call's own options. */
export interface StreamItemsOptions extends Omit<RpcOptions, 'streamTo' | 'collect' | 'parse'>, ParseOptions {
  /**
   * Where the items are: local names from the reply's root down, the root itself left out,
   * separated by `/`: `data/interfaces/interface`, `configuration/policy-options/policy-statement`.
   * A prefix is allowed and ignored (`nc:data`). Every element at exactly that path is an item.
   */
  path: string;
  /**
   * The largest single item, in bytes as sent (default: the session's `limits.maxItemBytes`,
   * 1 MiB). A bigger one ends the iteration with MESSAGE_TOO_LARGE.
   */
  maxItemBytes?: number;
}

/** What the session gives an item stream when it takes on its call. */
export interface ItemSinkControl {
  /** Pauses reading from the transport (and the idle clocks) while the consumer is behind. */
  flow: FlowControl;
  /** Gives up the call: it fails with `error`, and the rest of its reply is drained. */
  abandon(error: NetconfError): void;
}

/** The stream's side of a call, as the session sees it (see `streamItems`). */
export interface ItemSink {
  readonly path: readonly string[];
  readonly maxItemBytes: number | undefined;
  /** The session has taken the call on. */
  attach(control: ItemSinkControl): void;
  /** An element at the path, whole: `buf[start, end)`, of the transport's bytes, which are never reused. */
  element(buf: Buffer, start: number, end: number): void;
  /** An error-level item was read: the call will fail, no further item is wanted. */
  refuse(): void;
}

/** How a call's options reach the session with its item sink (not part of RpcOptions). */
export const ITEM_SINK = Symbol('netconfkit.itemSink');
export type ItemRpcOptions = RpcOptions & { [ITEM_SINK]?: ItemSink };

// Reading pauses once this much is queued, and resumes once the consumer is down to a quarter.
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = HIGH_WATER_BYTES / 4;

/**
 * The items of one reply, parsed one at a time as the consumer asks for them. Reading from
 * the transport pauses while more than about 1 MiB of items wait, so memory stays bounded
 * whatever the reply's size. The call is sent when the iteration starts. An error ends the
 * iteration after the items read before it; `break` (or `return()`) gives up the call, whose
 * reply is then read to its end and dropped (see `drainTimeoutMs`).
 */
export class ItemStream implements AsyncIterableIterator<XmlObject> {
  /** The path's local names, from the reply's root down. */
  readonly path: readonly string[];
  /** The largest single item, when the call set it (else the session's limit). */
  readonly maxItemBytes: number | undefined;
  /**
   * The reply once it has been read (warnings, items; `xml` null): resolves when the call
   * does, rejects as the iteration fails. Never an unhandled rejection if left unread.
   */
  readonly reply: Promise<RpcReply>;

  /** The elements read and not yet parsed: buffer, start, end, from `head` on (a flat array, no object per element). */
  private queue: (Buffer | number)[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private refused = false;
  private control: ItemSinkControl | null = null;
  /** The call's end: its reply, or why it failed. */
  private outcome: { reply: RpcReply } | { error: NetconfError } | null = null;
  /** The consumer is done with the stream (it ended, failed, or broke out). */
  private finished = false;
  private started = false;
  /** next() calls waiting for the reader (more than one when the caller does not await each). */
  private waiting: (() => void)[] = [];
  private settleReply!: { resolve(reply: RpcReply): void; reject(error: NetconfError): void };
  private readonly parser: ItemParser;
  /** A caller's mistake, found before sending: the first next() rejects with it. */
  private invalid: NetconfError | null = null;

  /**
   * A stream over the reply to `request` (built when the iteration starts; what it throws
   * ends the iteration), sent on `session` with the rest of `options`. Made by `streamItems`
   * and the reads that take `path`.
   * @internal
   */
  constructor(private readonly session: Session, private readonly request: () => RpcRequest, options: StreamItemsOptions) {
    let path: string[] = [];
    try {
      path = parsePath(options.path);
    } catch (err) {
      this.invalid = toNetconfError(err);
    }
    this.path = path;
    this.maxItemBytes = options.maxItemBytes;
    this.parser = new ItemParser({ ...(options.arrays ? { arrays: options.arrays } : {}), ...(options.keepPrefixes ? { keepPrefixes: true } : {}) });
    const { path: _path, maxItemBytes: _max, arrays: _arrays, keepPrefixes: _keep, ...rpcOptions } = options;
    this.rpcOptions = rpcOptions;
    this.reply = new Promise<RpcReply>((resolve, reject) => {
      this.settleReply = { resolve, reject };
    });
    this.reply.catch(() => {});
  }

  private readonly rpcOptions: RpcOptions;

  /** Sends the call; its outcome ends the stream. */
  private begin(): void {
    let request: RpcRequest;
    try {
      if (this.invalid) throw this.invalid;
      request = this.request();
    } catch (err) {
      return this.end({ error: toNetconfError(err) });
    }
    // The session's side is a separate object, so the stream's public type names none of it.
    const sink: ItemSink = {
      path: this.path,
      maxItemBytes: this.maxItemBytes,
      attach: (control) => this.attach(control),
      element: (buf, start, end) => this.element(buf, start, end),
      refuse: () => this.refuse(),
    };
    const options: ItemRpcOptions = { ...this.rpcOptions, [ITEM_SINK]: sink };
    this.session.rpc(request, options).then((reply) => this.end({ reply }), (err: unknown) => this.end({ error: toNetconfError(err) }));
  }

  /** The stream is its own iterator (one pass). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next item, parsed; sends the call on the first one. */
  next(): Promise<IteratorResult<XmlObject>> {
    if (!this.started) {
      this.started = true;
      this.begin();
    }
    // An item already read is given at once (no await): the loop runs at the reader's pace.
    try {
      const ready = this.take();
      if (ready) return Promise.resolve(ready);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.wait();
  }

  /** Waits for the reader: the next item, or the call's end. */
  private async wait(): Promise<IteratorResult<XmlObject>> {
    for (;;) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      const ready = this.take();
      if (ready) return ready;
    }
  }

  /** The next result when there is one (an item, or the end once the queue is empty); null while the reply is still coming. */
  private take(): IteratorResult<XmlObject> | null {
    if (this.finished) return { done: true, value: undefined };
    const queue = this.queue;
    const at = this.head;
    if (at < queue.length) {
      const buf = queue[at] as Buffer;
      const start = queue[at + 1] as number;
      const end = queue[at + 2] as number;
      if (at + 3 === queue.length) {
        queue.length = 0;
        this.head = 0;
      } else {
        this.head = at + 3;
        // Lets go of the buffers already parsed once they are half the array: now and then, not at every item.
        if (at >= 3 * 1024 && 2 * at >= queue.length) {
          this.queue = queue.slice(at + 3);
          this.head = 0;
        }
      }
      this.queuedBytes -= end - start;
      if (this.paused && this.queuedBytes <= LOW_WATER_BYTES) this.release();
      let value: XmlValue;
      try {
        value = this.parser.parse(buf, start, end);
      } catch (err) {
        const error = toNetconfError(err);
        this.giveUp(error);
        throw error;
      }
      return { done: false, value: asObject(value) };
    }
    const outcome = this.outcome;
    if (!outcome) return null;
    this.finished = true;
    if ('error' in outcome) throw outcome.error;
    return { done: true, value: undefined };
  }

  /** The loop ended early (`break`): the call is given up and the rest of its reply drained. */
  async return(): Promise<IteratorResult<XmlObject>> {
    if (!this.finished) this.giveUp(new ClientError('ABORTED', `The streamItems loop over ${this.path.join('/')} ended before the reply did`));
    return { done: true, value: undefined };
  }

  /** Also ends the loop early, like `return()`. */
  async throw(error?: unknown): Promise<IteratorResult<XmlObject>> {
    await this.return();
    throw error;
  }

  // ---- the session's side -------------------------------------------------------------------

  private attach(control: ItemSinkControl): void {
    this.control = control;
  }

  private element(buf: Buffer, start: number, end: number): void {
    if (this.refused || this.finished || this.outcome) return;
    // Kept as it is: the transport's chunk (never reused) or the reader's own copy.
    this.queue.push(buf, start, end);
    this.queuedBytes += end - start;
    if (!this.paused && this.queuedBytes >= HIGH_WATER_BYTES && this.control) {
      this.paused = true;
      this.control.flow.pause();
    }
    this.wakeUp();
  }

  private refuse(): void {
    this.refused = true;
  }

  /** The call settled: the items queued are still given, then its end. No more reading is held up. */
  private end(outcome: { reply: RpcReply } | { error: NetconfError }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if ('reply' in outcome) this.settleReply.resolve(outcome.reply);
    else this.settleReply.reject(outcome.error);
    this.release();
    this.wakeUp();
  }

  /** The consumer gives up (a break, or an item that cannot be parsed): nothing more is queued or held. */
  private giveUp(error: NetconfError): void {
    this.finished = true;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.release();
    if (this.outcome) return;
    // Sent (or on its way): the session gives the call up; otherwise it ends here.
    if (this.control) this.control.abandon(error);
    else if (!this.started) this.end({ error });
  }

  private release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.control?.flow.resume();
  }

  private wakeUp(): void {
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

/** An item is an element: one that holds only text is given as `{ '#text': text }` (`{}` when empty). */
function asObject(value: XmlValue): XmlObject {
  if (typeof value === 'string') return value === '' ? {} : { '#text': value };
  return value as XmlObject;
}

/** `data/interfaces/interface` → local names; a caller's mistake is INVALID_ARGUMENT. */
export function parsePath(path: unknown): string[] {
  if (typeof path !== 'string' || path.trim() === '') throw new ClientError('INVALID_ARGUMENT', 'streamItems needs a path: local names from the reply\'s root down, e.g. "data/interfaces/interface"');
  const names = (path.startsWith('/') ? path.slice(1) : path).split('/');
  return names.map((name) => {
    const local = name.slice(name.indexOf(':') + 1);
    if (local === '' || [...local].some((c) => ' \t\r\n<>&"\'=/:'.includes(c))) {
      throw new ClientError('INVALID_ARGUMENT', `The streamItems path "${path}" has a name that is not an element name: "${name}"`);
    }
    return local;
  });
}

/**
 * The items at `path` of the reply to `request`, one parsed element at a time, with
 * back-pressure: `for await (const item of streamItems(session, request, { path }))`. See
 * ItemStream for errors, `break` and memory; `reply` gives the reply's warnings at the end.
 */
export function streamItems(session: Session, request: RpcRequest, options: StreamItemsOptions): ItemStream {
  return new ItemStream(session, () => request, options);
}
