import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { ClientError, CommitOutcomeUnknownError, ConnectionError, ProtocolError, TimeoutError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { FrameDecoder } from '../framing/decoder.js';
import { encodeMessage } from '../framing/encoder.js';
import { escapeXml } from '../xml/entities.js';
import { ErrorExtractor, type ExtractorLimits, type RootInfo } from '../xml/extractor.js';
import { type ParseOptions, type XmlObject, parseXml } from '../xml/parse-data.js';
import { CAPABILITY, Capabilities } from './capabilities.js';
import { NETCONF_BASE_NS } from './constants.js';
import { clientHello, parseServerHello } from './hello.js';
import { type WarningPolicy, applyWarningPolicy, mergePolicies } from './warning-policy.js';

/** What the session needs of a transport: a byte stream and a way to end it. */
export interface SessionTransport {
  readonly stream: Duplex;
  close(): void;
  onClose(listener: (error: NetconfError | null) => void): void;
}

export interface SessionOptions {
  /** How long to wait for the device's `<hello>` (default 30 000 ms). */
  helloTimeoutMs?: number;
  /** Default per-RPC timeout (default 120 000 ms); 0 means none. */
  rpcTimeoutMs?: number;
  /** Bound on `close()`: after it the connection is torn down regardless (default 5 000 ms). */
  closeTimeoutMs?: number;
  /** Base versions to offer (default both: chunked framing when the device has 1.1 too). */
  base?: '1.0' | '1.1' | 'both';
  /** Extra client capabilities for the `<hello>`. */
  capabilities?: readonly string[];
  /** Largest message accepted (default 512 MiB): MESSAGE_TOO_LARGE, and the session closes. */
  maxMessageBytes?: number;
  /** Limits of the streaming error extractor. */
  limits?: ExtractorLimits;
  /** Default warning policy for every RPC of the session. */
  warnings?: WarningPolicy;
  /** Names the device in messages (default "the device"). */
  name?: string;
}

export type RpcRequest = string | XMLBuilder;

export interface RpcOptions {
  /** Overrides the session's timeout for this call; 0 means none. */
  timeoutMs?: number;
  signal?: AbortSignal;
  warnings?: WarningPolicy;
  /**
   * Marks a write (edit-config, commit, load): if it is cut off after being sent, the call
   * fails with COMMIT_OUTCOME_UNKNOWN (the device may have applied it), never a retryable code.
   */
  write?: boolean;
  /** Keep the reply text (default true). Off for huge replies read only for their errors. */
  collect?: boolean;
  /** Also parse the reply with fast-xml-parser into `parsed`. */
  parse?: boolean | ParseOptions;
  /** Each error or warning of this reply, as soon as it is read (before the reply ends). */
  onItem?(item: DeviceError): void;
}

export interface RpcReply {
  messageId: string;
  /** The whole `<rpc-reply>` text (null when `collect` was off). */
  xml: string | null;
  /** An `<ok/>` was in the reply. */
  ok: boolean;
  /** Every error and warning of the reply, in document order. */
  items: DeviceError[];
  /** The warnings (ignored ones included, marked `ignored`). */
  warnings: DeviceError[];
  /** The reply parsed by fast-xml-parser, when asked for. */
  parsed?: XmlObject;
}

export interface Notification {
  xml: string;
  eventTime: string | null;
}

export interface SessionEvents {
  /** An error or warning, the moment it is read. */
  item: [item: DeviceError, messageId: string | null];
  notification: [notification: Notification];
  /** A message that could not be matched or read; the session goes on. */
  protocolError: [error: NetconfError];
  close: [error: NetconfError | null];
}

interface Pending {
  id: string;
  options: RpcOptions;
  resolve(reply: RpcReply): void;
  reject(error: NetconfError): void;
  /** The framed request is being handed to the transport / has been. */
  writing: boolean;
  written: boolean;
  cleanup(): void;
}

type Role = 'hello' | 'reply' | 'late' | 'notification' | 'stray';

/** One message being read: its extractor, the bytes kept for the caller, where it goes. */
class Incoming {
  readonly extractor: ErrorExtractor;
  chunks: Buffer[] | null = [];
  role: Role | null = null;
  root: RootInfo | null = null;
  pending: Pending | undefined = undefined;
  failure: NetconfError | null = null;
  /** The first bytes, kept even after a failure, to find the message-id of a broken reply. */
  head: Buffer[] = [];
  headBytes = 0;

  constructor(session: Session, route: (m: Incoming, root: RootInfo) => void, limits: ExtractorLimits | undefined) {
    this.extractor = new ErrorExtractor(
      {
        onRoot: (root) => route(this, root),
        onItem: (item) => {
          this.pending?.options.onItem?.(item);
          session.emit('item', item, this.root?.messageId ?? null);
        },
      },
      limits,
    );
  }
}

const HEAD_BYTES = 4096;

// Message-ids of timed-out or aborted calls are remembered so their late replies are dropped.
const EXPIRED_IDS_KEPT = 4096;

/**
 * One NETCONF session: hello, framing, many RPCs in flight matched by message-id, errors
 * streamed as they are read, and a teardown that settles every pending call.
 */
export class Session extends EventEmitter<SessionEvents> {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<string, Pending>();
  private readonly expired = new Set<string>();
  private nextId = 1;
  private incoming: Incoming | null = null;
  private framing: 'eom' | 'chunked' = 'eom';
  private helloDone = false;
  private helloWaiter: { resolve(): void; reject(err: NetconfError): void } | null = null;
  private preHello: Buffer[] = [];
  private preHelloBytes = 0;
  private closing: Promise<void> | null = null;
  private closeReason: NetconfError | null = null;
  private isClosed = false;
  private readonly name: string;

  /** The device's session-id from its `<hello>`. */
  sessionId: number | null = null;
  /** What the device advertised. */
  capabilities: Capabilities = new Capabilities([]);
  /** The device's `<hello>` as received. */
  serverHello: string | null = null;

  private constructor(private readonly transport: SessionTransport, private readonly options: SessionOptions) {
    super();
    this.name = options.name ?? 'the device';
    this.decoder = new FrameDecoder(
      { onData: (bytes) => this.onData(bytes), onMessageEnd: () => this.onMessageEnd() },
      options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes },
    );
    transport.stream.on('data', (chunk: Buffer) => {
      if (this.isClosed) return;
      try {
        this.decoder.push(chunk);
      } catch (err) {
        // The framing is broken (or a message too large): the stream cannot be resynchronised.
        this.destroy(toNetconfError(err));
      }
    });
    transport.stream.on('error', () => {
      // The transport reports the loss through onClose; the stream error itself adds nothing.
    });
    transport.onClose((error) => this.destroy(error ?? new ConnectionError('CONNECTION_LOST', `The connection to ${this.name} closed`)));
  }

  /**
   * Starts a session over an open transport: sends the client `<hello>`, waits for the
   * device's, and settles on chunked framing when both sides speak base:1.1.
   */
  static async start(transport: SessionTransport, options: SessionOptions = {}): Promise<Session> {
    const session = new Session(transport, options);
    try {
      await session.exchangeHellos();
    } catch (err) {
      session.destroy(toNetconfError(err));
      throw err;
    }
    return session;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The framing in use: `chunked` once both sides said base:1.1. */
  get framingMode(): 'eom' | 'chunked' {
    return this.framing;
  }

  /** How many calls are waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends an RPC (the operation element, as XML text or an xmlbuilder2 node) with a fresh
   * message-id. Resolves with the reply; rejects with an RpcError when the reply carries an
   * error (or a warning the policy raises), or with the transport or timeout error.
   */
  rpc(request: RpcRequest, options: RpcOptions = {}): Promise<RpcReply> {
    if (this.isClosed || this.closing) {
      return Promise.reject(new ClientError('SESSION_CLOSED', `The session to ${this.name} is closed`, { cause: this.closeReason ?? undefined }));
    }
    if (options.signal?.aborted) {
      return Promise.reject(new ClientError('ABORTED', 'The call was aborted before it was sent', { cause: options.signal.reason }));
    }
    const body = typeof request === 'string' ? request : request.toString();
    const id = String(this.nextId++);
    return new Promise<RpcReply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.expire(p, new ClientError('ABORTED', `Call ${id} was aborted`, { cause: options.signal?.reason }));
      const p: Pending = {
        id, options, resolve, reject, writing: false, written: false,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
        },
      };
      this.pending.set(id, p);
      const timeoutMs = options.timeoutMs ?? this.options.rpcTimeoutMs ?? 120_000;
      if (timeoutMs > 0) {
        timer = setTimeout(() => this.onTimeout(p, timeoutMs), timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const rpc = `<rpc xmlns="${NETCONF_BASE_NS}" message-id="${escapeXml(id)}">${body}</rpc>`;
      p.writing = true;
      this.transport.stream.write(encodeMessage(rpc, this.framing), (err) => {
        if (!err) p.written = true;
      });
    });
  }

  /** Ends another session (`<kill-session>`), e.g. the holder of a lock. */
  async killSession(sessionId: number, options: RpcOptions = {}): Promise<RpcReply> {
    return this.rpc(`<kill-session><session-id>${Number(sessionId)}</session-id></kill-session>`, options);
  }

  /**
   * Sends `<close-session>`, waits for its reply (bounded), then closes the connection.
   * Never hangs: after `closeTimeoutMs` the connection is torn down regardless.
   */
  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.closing ??= (async () => {
      const bound = this.options.closeTimeoutMs ?? 5_000;
      const closeCall = this.sendCloseSession(bound);
      await Promise.race([closeCall, new Promise((r) => setTimeout(r, bound).unref())]);
      this.destroy(null);
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Tears the session down now. Every pending call is rejected: with `error` when given (a
   * write already sent gets COMMIT_OUTCOME_UNKNOWN instead), else with SESSION_CLOSED.
   */
  destroy(error: NetconfError | null = null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeReason = error;
    const reason = error ?? new ClientError('SESSION_CLOSED', `The session to ${this.name} was closed`);
    this.helloWaiter?.reject(reason);
    this.helloWaiter = null;
    for (const p of [...this.pending.values()]) {
      p.cleanup();
      p.reject(this.outcomeOf(p, reason));
    }
    this.transport.close();
    this.emit('close', error);
  }

  private sendCloseSession(timeoutMs: number): Promise<unknown> {
    const id = String(this.nextId++);
    return new Promise<void>((resolve) => {
      const p: Pending = {
        id, options: { timeoutMs }, resolve: () => resolve(), reject: () => resolve(), writing: true, written: false,
        cleanup: () => this.pending.delete(id),
      };
      this.pending.set(id, p);
      this.transport.stream.write(encodeMessage(`<rpc xmlns="${NETCONF_BASE_NS}" message-id="${id}"><close-session/></rpc>`, this.framing));
    });
  }

  private exchangeHellos(): Promise<void> {
    const base = this.options.base ?? 'both';
    const caps = [
      ...(base === '1.1' ? [] : [CAPABILITY.base10]),
      ...(base === '1.0' ? [] : [CAPABILITY.base11]),
      ...(this.options.capabilities ?? []),
    ];
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.helloTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        const seen = this.preHelloText();
        reject(new TimeoutError('HELLO_TIMEOUT', seen
          ? `${this.name} sent no <hello> within ${timeoutMs} ms; it sent: ${seen}`
          : `${this.name} sent no <hello> within ${timeoutMs} ms`));
      }, timeoutMs);
      this.helloWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.transport.stream.write(encodeMessage(clientHello(caps), 'eom'));
    });
  }

  private onData(bytes: Buffer): void {
    // Our own copy: the transport may reuse its buffers once the event returns.
    const copy = Buffer.from(bytes);
    if (!this.helloDone && this.preHelloBytes < 2048) {
      this.preHello.push(copy);
      this.preHelloBytes += copy.length;
    }
    const m = (this.incoming ??= this.newIncoming());
    if (m.headBytes < HEAD_BYTES) {
      m.head.push(copy);
      m.headBytes += copy.length;
    }
    if (m.failure) return;
    m.chunks?.push(copy);
    try {
      m.extractor.push(copy);
    } catch (err) {
      m.failure = toNetconfError(err);
      m.chunks = null;
    }
  }

  private newIncoming(): Incoming {
    return new Incoming(this, (m, root) => this.route(m, root), this.options.limits);
  }

  /** Decides from the root start tag where a message goes, before its body is read. */
  private route(m: Incoming, root: RootInfo): void {
    m.root = root;
    if (!this.helloDone) {
      m.role = root.local === 'hello' ? 'hello' : 'stray';
      return;
    }
    if (root.local === 'notification') {
      m.role = 'notification';
    } else if (root.local === 'rpc-reply' && root.messageId !== null) {
      m.pending = this.pending.get(root.messageId);
      m.role = m.pending ? 'reply' : this.expired.has(root.messageId) ? 'late' : 'stray';
    } else {
      m.role = 'stray';
    }
    // Only what will be returned is kept; a late reply or huge stray is not.
    if (m.role === 'late' || (m.role === 'reply' && m.pending?.options.collect === false)) m.chunks = null;
  }

  private onMessageEnd(): void {
    const m = this.incoming ?? this.newIncoming();
    this.incoming = null;
    let items: DeviceError[] = [];
    let ok = false;
    if (!m.failure) {
      try {
        const summary = m.extractor.end();
        items = summary.items;
        ok = summary.hasOk;
        if (!summary.root) {
          // Comments only: nothing to do. Text only: show it.
          if (summary.skippedText !== null) this.strayMessage(new ProtocolError('PROTOCOL_ERROR', `${this.name} sent text that is not XML: ${clip(summary.skippedText)}`));
          return;
        }
      } catch (err) {
        m.failure = toNetconfError(err);
      }
    }
    if (m.failure && m.role === null) this.routeFailed(m);
    const xml = m.chunks ? Buffer.concat(m.chunks).toString('utf8') : null;
    switch (m.role) {
      case 'hello':
        return m.failure ? this.failHello(m.failure) : this.onHello(xml ?? '');
      case 'reply':
        return this.settle(m.pending!, m, xml, items, ok);
      case 'notification':
        if (m.failure) return this.strayMessage(m.failure);
        this.emit('notification', { xml: xml ?? '', eventTime: eventTime(xml ?? '') });
        return;
      case 'late':
        return;
      default: {
        const text = m.root ? `<${m.root.name}>${m.root.messageId === null ? ' without message-id' : ` with unknown message-id "${m.root.messageId}"`}` : 'a message';
        const err = m.failure ?? new ProtocolError('PROTOCOL_ERROR', `${this.name} sent ${text}${items.length > 0 ? `: ${items[0]!.message}` : ''}`);
        if (!this.helloDone) return this.failHello(new ProtocolError('PROTOCOL_ERROR', `${this.name} sent ${text} before its <hello>: ${clip(this.preHelloText())}`, { cause: err }));
        this.strayMessage(err);
      }
    }
  }

  /**
   * A message that failed before its root tag was read (a DOCTYPE first, say) still belongs to
   * a call: find its message-id in the first bytes so that call fails now, not at its timeout.
   */
  private routeFailed(m: Incoming): void {
    const head = Buffer.concat(m.head).toString('utf8');
    const root = /<(?:[\w.-]+:)?rpc-reply\b[^>]*?\smessage-id\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(head);
    const id = root ? (root[1] ?? root[2] ?? null) : null;
    if (id === null || !this.helloDone) return;
    m.pending = this.pending.get(id);
    m.role = m.pending ? 'reply' : this.expired.has(id) ? 'late' : 'stray';
  }

  private settle(p: Pending, m: Incoming, xml: string | null, items: DeviceError[], ok: boolean): void {
    p.cleanup();
    if (m.failure) return p.reject(m.failure);
    const policy = mergePolicies(this.options.warnings, p.options.warnings);
    if (applyWarningPolicy(items, policy).fails) return p.reject(new RpcError(items, { messageId: p.id, replyXml: xml }));
    const reply: RpcReply = {
      messageId: p.id,
      xml,
      ok,
      items,
      warnings: items.filter((i) => i.level === 'warning'),
    };
    if (p.options.parse && xml !== null) {
      try {
        reply.parsed = parseXml(xml, typeof p.options.parse === 'object' ? p.options.parse : {});
      } catch (err) {
        return p.reject(toNetconfError(err));
      }
    }
    p.resolve(reply);
  }

  private onHello(xml: string): void {
    try {
      const hello = parseServerHello(xml, this.name);
      this.serverHello = xml;
      this.sessionId = hello.sessionId;
      this.capabilities = new Capabilities(hello.capabilities);
      const base = this.options.base ?? 'both';
      const weSpeak11 = base !== '1.0';
      const weSpeak10 = base !== '1.1';
      if (!(weSpeak11 && this.capabilities.base11) && !(weSpeak10 && this.capabilities.base10)) {
        throw new ProtocolError('PROTOCOL_ERROR', `${this.name} offers no base version in common with us (it advertised: ${this.capabilities.uris.filter((u) => u.includes(':base:')).join(', ') || 'none'})`);
      }
      if (weSpeak11 && this.capabilities.base11) {
        // From the next message on, both directions are chunked (RFC 6242 §4.1).
        this.framing = 'chunked';
        this.decoder.setMode('chunked');
      }
      this.helloDone = true;
      this.preHello = [];
      this.helloWaiter?.resolve();
      this.helloWaiter = null;
    } catch (err) {
      this.failHello(toNetconfError(err));
    }
  }

  private failHello(err: NetconfError): void {
    const waiter = this.helloWaiter;
    this.helloWaiter = null;
    waiter?.reject(err);
  }

  private strayMessage(err: NetconfError): void {
    if (this.listenerCount('protocolError') > 0) this.emit('protocolError', err);
  }

  private onTimeout(p: Pending, timeoutMs: number): void {
    if (!this.pending.has(p.id)) return;
    const err = new TimeoutError('RPC_TIMEOUT', `No reply to call ${p.id} from ${this.name} within ${timeoutMs} ms`);
    if (p.writing && !p.written) {
      // Cut off in the middle of a write: the device may hold half a message, and the framing
      // can no longer be trusted. Close the session rather than desynchronise it.
      p.cleanup();
      p.reject(this.outcomeOf(p, err));
      this.destroy(new ConnectionError('CONNECTION_LOST', `The session to ${this.name} was closed: call ${p.id} timed out while it was being written`));
      return;
    }
    this.expire(p, err);
  }

  /** Settles a call the caller gave up on, and remembers its id to drop the late reply. */
  private expire(p: Pending, err: NetconfError): void {
    if (!this.pending.has(p.id)) return;
    p.cleanup();
    this.expired.add(p.id);
    if (this.expired.size > EXPIRED_IDS_KEPT) this.expired.delete(this.expired.values().next().value as string);
    p.reject(this.outcomeOf(p, err));
  }

  /** A write that was (perhaps) sent and then cut off has an unknown outcome. */
  private outcomeOf(p: Pending, err: NetconfError): NetconfError {
    if (p.options.write && p.writing) {
      return new CommitOutcomeUnknownError(`Call ${p.id} was sent to ${this.name} but cut off (${err.code}): the device may have applied it`, { cause: err });
    }
    return err;
  }

  private preHelloText(): string {
    return Buffer.concat(this.preHello).toString('utf8').replace(/\s+/g, ' ').trim();
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function eventTime(xml: string): string | null {
  const m = /<(?:[\w.-]+:)?eventTime>([^<]*)</.exec(xml);
  return m ? m[1]!.trim() : null;
}
