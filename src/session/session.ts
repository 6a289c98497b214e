import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { ClientError, CommitOutcomeUnknownError, ConnectionError, ProtocolError, TimeoutError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { encodeMessage } from '../framing/encoder.js';
import { type IncomingMessage, type MessageOutcome, MessageReader } from '../reader/message-reader.js';
import { type CallbackSource, CallbackQueue } from '../observability/callbacks.js';
import { type Quirk, type QuirkKind, QuirkLog } from '../reader/quirks.js';
import { diagnostics, traced } from '../observability/diagnostics.js';
import type { RpcContext } from '../observability/diagnostics.js';
import { countReply, traceRpc } from '../observability/session-hooks.js';
import { type WireLog, createWireLog, observeWire } from '../observability/wire-log.js';
import { escapeXml } from '../xml/entities.js';
import { parseXml } from '../xml/parse-data.js';
import { checkXmlFragment } from '../xml/well-formed.js';
import { setReplyContent } from './reply-content.js';
import { Capabilities } from './capabilities.js';
import { NETCONF_BASE_NS } from '../xml/namespaces.js';
import { elementText } from '../xml/query.js';
import { HelloWait, clientCapabilities, clientHello, negotiate } from './hello.js';
import { PendingCalls, type PendingCall } from './pending.js';
import { ITEM_SINK, type ItemRpcOptions, type ItemSink } from './item-stream.js';
import { registerQuirkReporter } from './quirk-report.js';
import { openFileSink } from './file-sink.js';
import { type FlowControl, ReplyStream, checkReplyStream } from './reply-stream.js';
import type { CallHomeInfo, Notification, RpcOptions, RpcReply, RpcRequest, SessionEvents, SessionOptions, SessionState, SessionTransport, StartOptions } from './types.js';
import { applyWarningPolicy, checkWarningPolicy, mergePolicies } from './warning-policy.js';
import { MessageWriter, type OutgoingMessage } from './writer.js';

export type { CallHomeInfo, Notification, RpcOptions, RpcReply, RpcRequest, SessionEvents, SessionOptions, SessionState, SessionTransport, StartOptions } from './types.js';

interface Call extends PendingCall<RpcReply> {
  readonly options: RpcOptions;
  readonly message: OutgoingMessage;
  /** The `netconfkit:rpc` context, when the call is traced. */
  readonly trace?: RpcContext | undefined;
  /** Where the reply's data goes, with the `streamTo` option. */
  readonly sink?: ReplyStream<RpcReply> | undefined;
  /** Where the elements at a path go, for `streamItems`. */
  readonly items?: ItemSink | undefined;
}

/** Where a message being read goes, decided at its root start tag. */
type Route =
  | { kind: 'hello' }
  | { kind: 'reply'; call: Call }
  | { kind: 'late' }
  | { kind: 'notification' }
  | { kind: 'stray' };

const HELLO: Route = { kind: 'hello' };
const LATE: Route = { kind: 'late' };
const NOTIFICATION: Route = { kind: 'notification' };
const STRAY: Route = { kind: 'stray' };

/**
 * One NETCONF session: hello, framing, many RPCs in flight matched by message-id, errors
 * streamed as they are read, and a teardown that settles every pending call.
 */
export class Session extends EventEmitter<SessionEvents> {
  private current: SessionState = 'hello';
  private closeReason: NetconfError | null = null;
  /** The name the session goes by in messages and diagnostics (`name`, default "the device"; connect() defaults it to `host:port`). */
  readonly name: string;
  private readonly reader: MessageReader<Route>;
  private readonly writer: MessageWriter;
  private readonly calls = new PendingCalls<RpcReply>();
  private readonly callbacks: CallbackQueue;
  private nextId = 1;
  private framing: 'eom' | 'chunked' = 'eom';
  private helloWait: HelloWait | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  /** Reading paused for slow consumers (streamTo, streamItems): how many hold it paused. */
  private pauses = 0;
  private readonly flow: FlowControl = {
    pause: () => {
      if (this.pauses++ === 0) {
        this.transport.stream.pause();
        this.calls.pause();
      }
    },
    resume: () => {
      if (this.pauses === 0 || --this.pauses > 0) return;
      this.transport.stream.resume();
      this.calls.resume();
    },
  };
  private closing: Promise<void> | null = null;
  private hello: { sessionId: number; capabilities: Capabilities; xml: string } | null = null;
  /** The message-id of our `<close-session>`, once sent. */
  private closeSessionId: string | null = null;
  private readonly quirkLog = new QuirkLog();
  private readonly reported: Quirk[] = [];
  // observability: the wire log asked for by `logger` or NODE_DEBUG=netconfkit (null: none)
  private readonly wireLog: WireLog | null;

  private constructor(private readonly transport: SessionTransport, private readonly options: SessionOptions) {
    super();
    this.name = options.name ?? 'the device';
    this.wireLog = createWireLog(options);
    this.callbacks = new CallbackQueue({ device: this.name, report: (error, source) => this.reportCallbackError(error, source) });
    registerQuirkReporter(this, (kind, detail) => this.quirk(kind, detail));
    this.writer = new MessageWriter(transport.stream);
    this.reader = new MessageReader<Route>(
      {
        onRoot: (m) => this.route(m),
        onItem: (item, m) => this.onItem(item, m),
        onContent: (piece, m) => this.onContent(piece, m),
        onPathElement: (buf, start, end, m) => this.onPathElement(buf, start, end, m),
        onMessage: (outcome, m) => this.onMessage(outcome, m.route, m.bytes),
        onQuirk: (q) => this.quirk(q.kind, q.detail),
      },
      { framing: 'eom', ...(options.limits ? { limits: options.limits } : {}) },
    );
    const stream = transport.stream;
    stream.on('data', (chunk: Buffer) => this.onBytes(chunk));
    // A custom transport may report its end only through the stream. The transport's own
    // report (which says why, for SSH) comes first when it has one: give it a turn.
    stream.on('error', (err: Error) => setImmediate(() => this.lost(new ConnectionError('CONNECTION_LOST', `The connection to ${this.name} failed: ${err.message}`, { cause: err }))));
    stream.on('close', () => setImmediate(() => this.lost(new ConnectionError('CONNECTION_LOST', `The connection to ${this.name} closed`))));
    transport.onClose((error) => this.lost(error ?? new ConnectionError('CONNECTION_LOST', `The connection to ${this.name} closed`)));
  }

  /**
   * Starts a session over an open transport: sends the client `<hello>`, waits for the
   * device's, and settles on chunked framing when both sides speak base:1.1.
   */
  static async start(transport: SessionTransport, options: StartOptions = {}): Promise<Session> {
    const session = new Session(transport, options);
    try {
      checkWarningPolicy(options.warnings);
      await session.exchangeHellos(options.signal);
    } catch (err) {
      const error = toNetconfError(err);
      session.teardown(error);
      throw error;
    }
    return session;
  }

  /** Where the session is in its lifecycle. */
  get state(): SessionState {
    return this.current;
  }

  get closed(): boolean {
    return this.current === 'closed';
  }

  /** For a device that dialled in (listenCallHome): where from and who it said it was; null otherwise. */
  get callHome(): CallHomeInfo | null {
    return this.transport.callHome ?? null;
  }

  /** The device's session-id from its `<hello>`. */
  get sessionId(): number | null {
    return this.hello?.sessionId ?? null;
  }

  /** What the device advertised. */
  get capabilities(): Capabilities {
    return this.hello?.capabilities ?? NO_CAPABILITIES;
  }

  /** The device's `<hello>` as received. */
  get serverHello(): string | null {
    return this.hello?.xml ?? null;
  }

  /** The framing in use: `chunked` once both sides said base:1.1. */
  get framingMode(): 'eom' | 'chunked' {
    return this.framing;
  }

  /** The deviations from the RFCs this session has read past so far, one per kind (see the `quirk` event). */
  get quirks(): readonly Quirk[] {
    return this.reported;
  }

  /** How many calls are waiting for a reply. */
  get inFlight(): number {
    return this.calls.size;
  }

  /**
   * Sends an RPC (the operation element, as XML text or an xmlbuilder2 node) with a fresh
   * message-id. Resolves with the reply; rejects with an RpcError when the reply carries an
   * error (or a warning the policy raises), or with the transport or timeout error.
   * Caller XML is checked first: a request that is not well-formed is INVALID_ARGUMENT and is
   * never sent.
   */
  rpc(request: RpcRequest, options: RpcOptions = {}): Promise<RpcReply> {
    // observability: the call under `netconfkit:rpc` when anyone listens
    if (traced(diagnostics.rpc)) return traceRpc(this, request, options.write === true, (trace) => this.call(request, options, trace));
    return this.call(request, options);
  }

  private call(request: RpcRequest, options: RpcOptions, trace?: RpcContext): Promise<RpcReply> {
    if (this.current !== 'open') {
      return Promise.reject(new ClientError('SESSION_CLOSED', `The session to ${this.name} is ${this.current === 'closing' ? 'closing' : 'closed'}`, { cause: this.closeReason ?? undefined }));
    }
    if (options.signal?.aborted) {
      return Promise.reject(new ClientError('ABORTED', 'The call was aborted before it was sent', { cause: options.signal.reason }));
    }
    try {
      const body = typeof request === 'string' ? request : request.toString();
      checkXmlFragment(body, 'The request');
      if (options.streamTo !== undefined) checkReplyStream(options.streamTo);
      checkWarningPolicy(options.warnings);
      return this.send(body, options, trace);
    } catch (err) {
      return Promise.reject(toNetconfError(err));
    }
  }

  /**
   * Sends `<close-session>`, waits for its reply (bounded), then closes the connection.
   * Never hangs: after `closeTimeoutMs`, or when `signal` aborts, the connection is torn down
   * regardless. Calls still pending then get SESSION_CLOSED.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.current === 'closed') return Promise.resolve();
    this.closing ??= this.closeGracefully(options.signal);
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
    this.teardown(error);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * The one way a session ends, whatever ended it (the connection dropped, broken framing, a
   * stalled reply, close(), destroy()): every pending call and the hello wait are settled,
   * every timer is cleared, the transport is closed, and `close` is emitted once.
   */
  private teardown(reason: NetconfError | null): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.closeReason = reason;
    this.clearDrainTimer();
    this.writer.clear();
    const error = reason ?? new ClientError('SESSION_CLOSED', `The session to ${this.name} was closed`);
    this.helloWait?.reject(error);
    this.helloWait = null;
    for (const call of this.calls.takeAll()) call.reject(this.outcomeOf(call as Call, error));
    this.transport.close();
    // observability
    if (diagnostics.sessionClose.hasSubscribers) diagnostics.sessionClose.publish({ device: this.name, sessionId: this.sessionId, error: reason });
    this.publish('close', reason);
  }

  /** The connection went away: a clean end while closing, a loss otherwise. */
  private lost(error: NetconfError): void {
    if (this.current === 'closing' && this.closeSessionId !== null && this.calls.get(this.closeSessionId)) {
      this.quirk('close-without-ok', `${this.name} closed the session without answering <close-session>`);
    }
    this.teardown(this.current === 'closing' ? null : error);
  }

  private async closeGracefully(signal: AbortSignal | undefined): Promise<void> {
    if (this.current === 'open') {
      this.current = 'closing';
      const bound = this.options.closeTimeoutMs ?? 5_000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, bound);
        signal?.addEventListener('abort', done, { once: true });
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        if (signal?.aborted) return done();
        this.closeSessionId = String(this.nextId);
        this.send('<close-session/>', { timeoutMs: bound }).then(done, done);
      });
    }
    this.teardown(null);
  }

  private exchangeHellos(signal: AbortSignal | undefined): Promise<void> {
    const wait = new HelloWait(this.name, this.options.helloTimeoutMs ?? 30_000, signal);
    this.helloWait = wait;
    const hello = clientHello(clientCapabilities(this.options.base ?? 'both', this.options.capabilities ?? []));
    this.writer.write({ bytes: encodeMessage(hello, 'eom') });
    // observability
    if (this.wireLog || diagnostics.wire.hasSubscribers) this.observeWire('sent', 'hello', null, hello);
    return wait.done;
  }

  private onHello(xml: string): void {
    try {
      const negotiated = negotiate(xml, this.options.base ?? 'both', this.name);
      this.hello = { sessionId: negotiated.sessionId, capabilities: negotiated.capabilities, xml };
      const respelt = negotiated.capabilities.respelt;
      if (respelt.length > 0) this.quirk('capability-spelling', `${this.name} advertised ${respelt.map((r) => `${r.as} for ${r.means}`).join(', ')}`);
      this.framing = negotiated.framing;
      // From the next message on, both directions use it (RFC 6242 §4.1).
      this.reader.setFraming(negotiated.framing);
      this.current = 'open';
      this.helloWait?.resolve();
      this.helloWait = null;
    } catch (err) {
      this.helloWait?.reject(toNetconfError(err));
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  /** Frames and queues a request; the call lives in the pending table until it settles. */
  private send(body: string, options: RpcOptions, trace?: RpcContext): Promise<RpcReply> {
    const id = String(this.nextId);
    const text = `<rpc xmlns="${NETCONF_BASE_NS}" message-id="${escapeXml(id)}">${body}</rpc>`;
    let bytes: Buffer;
    try {
      bytes = encodeMessage(text, this.framing);
    } catch (err) {
      // Only `]]>]]>` in the request can stop it being framed (end-of-message framing).
      return Promise.reject(new ClientError('INVALID_ARGUMENT', `The request cannot be sent to ${this.name}: ${(err as Error).message}`, { cause: err }));
    }
    // A file path is opened now, once nothing else can stop the request from being sent.
    let out: Writable | undefined;
    try {
      out = typeof options.streamTo === 'string' ? openFileSink(options.streamTo) : options.streamTo;
    } catch (err) {
      return Promise.reject(toNetconfError(err));
    }
    this.nextId++;
    // observability
    if (trace) Object.assign(trace, { messageId: id, bytesOut: Buffer.byteLength(text) });
    if (this.wireLog || diagnostics.wire.hasSubscribers) this.observeWire('sent', 'rpc', id, text);
    return new Promise<RpcReply>((resolveCall, rejectCall) => {
      // The streamTo option: the reply's data goes to the caller's Writable (or file), which ends as the call settles.
      // Its call leaves the pending table only as it settles, so the call's timeout and signal also bound the Writable's finish.
      const sink = out
        ? new ReplyStream<RpcReply>(out, this.flow, (error) => this.abandon(call, error), {
          resolve: (reply) => {
            this.calls.take(id);
            resolveCall(reply);
          },
          reject: (error) => {
            this.calls.take(id);
            rejectCall(error);
          },
        })
        : undefined;
      const { resolve, reject } = sink?.settle ?? { resolve: resolveCall, reject: rejectCall };
      const message: OutgoingMessage = {
        bytes,
        onStart: () => {
          call.stage = 'writing';
        },
        onDone: (err) => {
          if (err || call.stage !== 'writing') return;
          call.stage = 'sent';
          this.calls.listening(call);
        },
      };
      const items = (options as ItemRpcOptions)[ITEM_SINK];
      const call: Call = { id, write: options.write === true, stage: 'queued', options, message, resolve, reject, trace, sink, items };
      items?.attach({ flow: this.flow, abandon: (error) => this.abandon(call, error) });
      const { timeoutMs, idleTimeoutMs } = this.clocksOf(call);
      this.calls.add(call, {
        timeoutMs,
        idleTimeoutMs,
        signal: options.signal,
        onTimeout: () => this.onCallTimeout(call, new TimeoutError('RPC_TIMEOUT', call.sink?.ending
          ? `The reply to call ${id} from ${this.name} was read, but its streamTo Writable did not finish within ${timeoutMs} ms`
          : `No reply to call ${id} from ${this.name} within ${timeoutMs} ms`)),
        onIdle: () => this.onCallTimeout(call, new TimeoutError('RPC_TIMEOUT', `Call ${id} timed out idle: ${this.name} sent nothing for ${idleTimeoutMs} ms (idleTimeoutMs) while it waited for its reply`)),
        onAbort: () => this.abandon(call, new ClientError('ABORTED', `Call ${id} was aborted`, { cause: options.signal?.reason })),
      });
      this.writer.write(message);
    });
  }

  /** A call's own clocks: the total deadline and the idle limit (0: none). */
  private clocksOf(call: Call): { timeoutMs: number; idleTimeoutMs: number } {
    return {
      timeoutMs: call.options.timeoutMs ?? this.options.rpcTimeoutMs ?? 120_000,
      idleTimeoutMs: call.options.idleTimeoutMs ?? this.options.idleTimeoutMs ?? 0,
    };
  }

  private onCallTimeout(call: Call, error: TimeoutError): void {
    if (call.stage === 'writing') {
      // Still being written: the device has stopped reading. Close the session rather than
      // leave a half-written message in the stream.
      this.calls.take(call.id);
      call.reject(this.outcomeOf(call, error));
      this.teardown(new ConnectionError('CONNECTION_LOST', `The session to ${this.name} was closed: call ${call.id} timed out while it was being written`));
      return;
    }
    this.abandon(call, error);
  }

  /**
   * The caller gave up on a call (timeout or abort): it settles now, its late reply will be
   * dropped, and if its reply is the message being read, the rest of that message gets a
   * bounded time (see `watchDrain`).
   */
  private abandon(call: Call, error: NetconfError): void {
    if (!this.calls.has(call)) return;
    // Never sent: no reply will come. Sent: its reply is still owed, and dropped when it comes.
    if (call.stage === 'queued' && this.writer.withdraw(call.message)) this.calls.take(call.id);
    else this.calls.expire(call.id);
    call.reject(this.outcomeOf(call, error));
    this.watchDrain(call);
  }

  /**
   * The abandoned-reply rule: when the message being read belongs to no waiting call, it must
   * end within the drain bound, or the session closes with REPLY_STALLED so that every later
   * call fails fast instead of waiting behind a message that may never end. The bound is
   * `drainTimeoutMs`, or the abandoned call's own timeout (total or idle) when smaller, counted
   * from the last byte received: a caller who allowed 2 s does not hold the next call for 10.
   */
  private watchDrain(abandoned: Call): void {
    if (this.drainTimer || this.current === 'closed' || !this.reader.inMessage) return;
    const route = this.reader.message?.route;
    if (route?.kind === 'reply' && this.calls.has(route.call)) return;
    let ms = this.options.drainTimeoutMs ?? 10_000;
    // Its own bounds apply when the message is its reply, or may be (not yet routed: its root tag is still coming).
    if (route === undefined || (route.kind === 'reply' && route.call === abandoned)) {
      const own = this.clocksOf(abandoned);
      for (const bound of [own.timeoutMs, own.idleTimeoutMs]) if (bound > 0 && bound < ms) ms = bound;
    }
    const left = Math.max(0, this.calls.lastActivityAt + ms - performance.now());
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      this.teardown(new ProtocolError('REPLY_STALLED', `The session to ${this.name} was closed: a reply no call waits for any more stopped partway and did not finish within ${ms} ms of its last byte (the drain bound)`));
    }, Math.min(left, 2 ** 31 - 1));
  }

  private clearDrainTimer(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
  }

  /** A write that was (perhaps) sent, then cut off or answered unreadably, has an unknown outcome. */
  private outcomeOf(call: Call, error: NetconfError): NetconfError {
    if (call.write && call.stage !== 'queued') {
      return new CommitOutcomeUnknownError(`Call ${call.id} was sent to ${this.name}, but its outcome cannot be known (${error.code}): the device may have applied it`, { cause: error });
    }
    return error;
  }

  // ---- reading -----------------------------------------------------------------------------

  private onBytes(chunk: Buffer): void {
    if (this.current === 'closed') return;
    this.calls.activity();
    if (this.current === 'hello') this.helloWait?.see(chunk);
    this.callbacks.hold(() => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        // The framing is broken (or a message too large): the stream cannot be resynchronised.
        this.teardown(toNetconfError(err));
      }
    });
  }

  /** Decides from the root start tag where a message goes, before its body is read. */
  private route(m: IncomingMessage<Route>): void {
    const root = m.root!;
    let route: Route;
    if (this.current === 'hello') route = root.local === 'hello' ? HELLO : STRAY;
    else if (root.local === 'notification') route = NOTIFICATION;
    else if (root.local === 'rpc-reply' && root.messageId !== null) {
      const call = this.calls.get(root.messageId) as Call | undefined;
      route = call ? { kind: 'reply', call } : this.calls.wasExpired(root.messageId) ? LATE : STRAY;
      if (route === LATE) this.calls.answered(root.messageId);
    } else if (root.local === 'rpc-reply') route = this.oldestOwed(m);
    else route = STRAY;
    if (route.kind === 'reply' && m.error) {
      // Broken before its root was read: its call fails now, and the rest is drained.
      this.calls.take(route.call.id);
      route.call.reject(this.outcomeOf(route.call, m.error));
      route = LATE;
    }
    m.route = route;
    // Only what will be handed back is kept: not a late reply, a stray, or a reply read for its errors only.
    m.keep = route.kind === 'hello' || route.kind === 'notification' || (route.kind === 'reply' && route.call.options.collect !== false && !route.call.sink && !route.call.items);
    // streamItems: the elements at its path are cut out as they are read.
    if (route.kind === 'reply' && route.call.items) m.watchPath(route.call.items.path, route.call.items.maxItemBytes);
    // A message routed to a waiting call is that call's to time out, not the drain rule's.
    if (route.kind === 'reply') this.clearDrainTimer();
  }

  /**
   * A reply without a message-id (or whose message-id cannot be read) answers the oldest
   * request still owed one: replies come in request order (RFC 6241 section 4.5).
   */
  private oldestOwed(m: IncomingMessage<Route>): Route {
    const owed = this.calls.oldest();
    if (!owed) return STRAY;
    const to = 'call' in owed ? `call ${owed.call.id}` : `call ${owed.expiredId}, which was given up on`;
    if (m.error) this.quirk('unreadable-message-id', `${this.name} sent an <rpc-reply> whose message-id cannot be read (${m.error.code}): taken as the reply to ${to}, the oldest waiting`);
    else this.quirk('reply-without-message-id', `${this.name} sent an <rpc-reply> without message-id: taken as the reply to ${to}, the oldest waiting`);
    if ('call' in owed) return { kind: 'reply', call: owed.call as Call };
    this.calls.answered(owed.expiredId);
    return LATE;
  }

  /**
   * Reports a deviation read past: the `quirk` event and `netconfkit:quirk`, once per kind.
   * One seen before the session is handed out (in the hello) is emitted once the caller has
   * had its turn to listen; the `quirks` getter lists them all.
   */
  private quirk(kind: QuirkKind, detail: string): void {
    const quirk = this.quirkLog.note(kind, detail);
    if (!quirk) return;
    this.reported.push(quirk);
    // observability
    if (diagnostics.quirk.hasSubscribers) diagnostics.quirk.publish({ device: this.name, sessionId: this.sessionId, ...quirk });
    if (this.current === 'hello') setImmediate(() => this.publish('quirk', quirk));
    else this.publish('quirk', quirk);
  }

  private onItem(item: DeviceError, m: IncomingMessage<Route>): void {
    const route = m.route;
    if (route?.kind === 'reply' && this.calls.has(route.call)) {
      const onItem = route.call.options.onItem;
      if (onItem) this.callbacks.deliver(() => onItem(item), 'onItem');
      // An item that fails the call: streamItems wants no element after it.
      const items = route.call.items;
      if (items) {
        let fails = true; // a matcher that throws fails the call too, as the reply ends
        try {
          fails = applyWarningPolicy([item], mergePolicies(this.options.warnings, route.call.options.warnings)).fails;
        } catch {}
        if (fails) items.refuse();
      }
    }
    // observability
    if (diagnostics.item.hasSubscribers) diagnostics.item.publish({ device: this.name, sessionId: this.sessionId, messageId: m.root?.messageId ?? null, item });
    this.publish('item', item, m.root?.messageId ?? null);
  }

  /** An element at a streamItems call's path, whole. */
  private onPathElement(buf: Buffer, start: number, end: number, m: IncomingMessage<Route>): void {
    const route = m.route;
    if (route?.kind === 'reply' && route.call.items && this.calls.has(route.call)) route.call.items.element(buf, start, end);
  }

  /** Content of a streamed reply's data, as it is read. */
  private onContent(piece: Buffer, m: IncomingMessage<Route>): void {
    const route = m.route;
    if (route?.kind === 'reply' && route.call.sink && this.calls.has(route.call)) route.call.sink.write(piece);
  }

  private onMessage(outcome: MessageOutcome, route: Route | undefined, bytes = 0): void {
    this.clearDrainTimer();
    // observability
    if (this.wireLog || diagnostics.wire.hasSubscribers) this.observeWire('received', outcome.root?.local ?? 'message', outcome.messageId, outcome.xml, bytes);
    if (route?.kind === 'reply' && route.call.trace) countReply(route.call.trace, outcome, bytes);
    switch (route?.kind) {
      case 'hello':
        if (outcome.error) return this.helloWait?.reject(outcome.error);
        return this.onHello(outcome.xml ?? '');
      case 'reply': {
        const call = route.call;
        if (!this.calls.has(call)) return; // abandoned while it was read
        // A streamed reply's call stays in the table until its Writable has finished (see send);
        // with the reply read, only its total deadline and signal still run.
        if (!call.sink) this.calls.take(call.id);
        else this.calls.heard(call);
        return this.settle(call, outcome);
      }
      case 'late':
        return;
      case 'notification':
        if (outcome.error) return this.protocolError(outcome.error);
        // observability
        if (diagnostics.notification.hasSubscribers) diagnostics.notification.publish({ device: this.name, sessionId: this.sessionId, eventTime: eventTime(outcome.xml ?? ''), bytes });
        return this.publish('notification', { xml: outcome.xml ?? '', eventTime: eventTime(outcome.xml ?? '') });
      default: {
        const root = outcome.root;
        const what = root ? `<${root.name}>${root.messageId === null ? ' without message-id' : ` with unknown message-id "${root.messageId}"`}` : 'a message';
        const error = outcome.error ?? new ProtocolError('PROTOCOL_ERROR', `${this.name} sent ${what}${outcome.items.length > 0 ? `: ${outcome.items[0]!.message}` : ''}`);
        if (this.current === 'hello') {
          this.helloWait?.reject(new ProtocolError('PROTOCOL_ERROR', `${this.name} sent ${what} before its <hello>: ${clip(this.helloWait?.text() ?? '')}`, { cause: error }));
          return;
        }
        this.protocolError(error);
      }
    }
  }

  private settle(call: Call, outcome: MessageOutcome): void {
    // A write whose reply cannot be read may still have been applied.
    if (outcome.error) return call.reject(this.outcomeOf(call, outcome.error));
    const items = outcome.items;
    const policy = mergePolicies(this.options.warnings, call.options.warnings);
    let fails: boolean;
    try {
      fails = applyWarningPolicy(items, policy).fails;
    } catch (err) {
      return call.reject(toNetconfError(err)); // the caller's matcher failed: this call alone
    }
    if (fails) return call.reject(new RpcError(items, { messageId: call.id, replyXml: outcome.xml }));
    const reply: RpcReply = {
      messageId: call.id,
      xml: outcome.xml,
      hasOk: outcome.hasOk,
      items,
      warnings: items.filter((i) => i.level === 'warning'),
    };
    setReplyContent(reply, outcome.content);
    const parse = call.options.parse;
    if (parse && outcome.xml !== null) {
      try {
        reply.parsed = parseXml(outcome.xml, typeof parse === 'object' ? parse : {});
      } catch (err) {
        return call.reject(toNetconfError(err));
      }
    }
    call.resolve(reply);
  }

  // ---- user code ---------------------------------------------------------------------------

  /** Emits an event through the callback queue: each listener on its own, after the reader. */
  private publish<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): void {
    for (const listener of this.rawListeners(event) as ((...a: unknown[]) => unknown)[]) {
      this.callbacks.deliver(() => listener.apply(this, args), event as CallbackSource);
    }
  }

  private protocolError(error: NetconfError): void {
    this.publish('protocolError', error);
  }

  /** A failed callback goes to the `callbackError` listeners, if any (see observability/callbacks.ts). */
  private reportCallbackError(error: unknown, source: CallbackSource): boolean {
    const listeners = this.rawListeners('callbackError') as ((...a: unknown[]) => unknown)[];
    for (const listener of listeners) {
      try {
        listener.call(this, error, source);
      } catch {
        // A failing error listener has nowhere further to report to.
      }
    }
    return listeners.length > 0;
  }

  /** observability: a message on `netconfkit:wire` and the wire log. */
  private observeWire(direction: 'sent' | 'received', kind: string, messageId: string | null, text: string | null, bytes = Buffer.byteLength(text ?? '')): void {
    observeWire(this.wireLog, { device: this.name, sessionId: this.sessionId, direction, kind, messageId, framing: this.framing, bytes }, text);
  }

}

const NO_CAPABILITIES = new Capabilities([]);

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function eventTime(xml: string): string | null {
  return elementText(xml, 'eventTime');
}
