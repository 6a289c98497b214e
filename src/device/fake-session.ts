import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../framing/decoder.js';
import { encodeChunked, encodeEom } from '../framing/encoder.js';
import type { DefaultReply } from './default-handlers.js';
import { NUL_PADDING, respellMessageId } from './personalities.js';
import { helloCapabilities, parseMessage } from './requests.js';
import { BASE_1_0, BASE_1_1, NETCONF_BASE_NS, helloXml, notificationXml, padReply, renderReply, rpcErrorXml } from './replies.js';
import type { FakeCommitFault, FakeQuirks, FakeReply, FakeReplyOptions, FakeRequest } from './types.js';

/** What a session runs on: an SSH channel (exec ones get an exit status) or a TLS socket. */
type SessionChannel = Duplex & { exit?(status: number): void };

/** What a session needs from its device; the device implements it. */
export interface SessionHost {
  readonly capabilities: readonly string[];
  readonly preHello: string | undefined;
  readonly helloDelayMs: number;
  readonly sendHello: boolean;
  readonly capture: Buffer | undefined;
  readonly quirks: FakeQuirks;
  /** The personality's hello for this session (written as is), or undefined for FakeDevice's own. */
  personalityHello(sessionId: number): string | undefined;
  log(line: string): void;
  recordHello(xml: string): void;
  recordRequest(request: FakeRequest): void;
  /** Rules and handler: a scripted reply, or undefined for the default. May throw. */
  script(request: FakeRequest): Promise<FakeReply | undefined> | FakeReply | undefined;
  defaultReply(request: FakeRequest): DefaultReply;
  /** The commit fault aimed at this request, taken (it is one-shot), or null. */
  takeCommitFault(request: FakeRequest): FakeCommitFault | null;
  /** Destroys the TCP connection carrying this session (a crash, no SSH goodbye). */
  destroyConnection(): void;
  /** Ends the SSH connection carrying this session politely. */
  endConnection(): void;
  /** The session is over: forget it and release its locks. */
  ended(session: FakeSession): void;
}

/**
 * One NETCONF session on one SSH channel (or TLS connection): hello exchange, framing, and one reply per rpc.
 * Requests are served concurrently and each reply is written when it is ready, so a delayed
 * or stalled reply never holds up later ones (that is what lets tests build out-of-order
 * replies). Messages are written with a single `write`, so they never interleave.
 */
export class FakeSession {
  private mode: 'eom' | 'chunked' = 'eom';
  private helloDone = false;
  /** Set once the session is ending: nothing more is read or written. */
  private over = false;
  /** A malformed message or framing error was seen: the channel is closing. */
  private broken = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** While a reply trickles out, what else the session writes waits here. */
  private held: Buffer[] | null = null;
  private readonly decoder: FrameDecoder;
  private parts: Buffer[] = [];

  constructor(
    readonly id: number,
    private readonly channel: SessionChannel,
    private readonly host: SessionHost,
    /** exec channels get an exit status before they close, as a shell command would. */
    private readonly viaExec: boolean,
  ) {
    this.decoder = new FrameDecoder({
      // Copied: the channel may hand out views of buffers ssh2 reuses.
      onData: (bytes) => this.parts.push(Buffer.from(bytes)),
      onMessageEnd: () => {
        const message = Buffer.concat(this.parts);
        this.parts = [];
        try {
          this.onMessage(message);
        } catch (err) {
          this.host.log(`session ${this.id}: internal error: ${describe(err)}`);
        }
      },
    });
    channel.on('data', (chunk: Buffer) => this.onData(chunk));
    // The client sent EOF: it will send nothing more, so the session is over (as on real servers).
    channel.on('end', () => this.closeChannel());
    channel.on('close', () => this.end());
    channel.on('error', (err: unknown) => this.host.log(`session ${this.id}: channel error: ${describe(err)}`));
  }

  /** True once the hellos are exchanged and the session is still up. */
  get established(): boolean {
    return this.helloDone && !this.over;
  }

  start(): void {
    const hello = () => {
      if (this.host.preHello !== undefined) this.write(Buffer.from(this.host.preHello, 'utf8'));
      if (!this.host.sendHello) return;
      const own = this.host.personalityHello(this.id);
      if (own === undefined) return this.write(this.frame(Buffer.from(helloXml(this.host.capabilities, this.id), 'utf8')));
      this.write(this.host.quirks.nulPadding ? Buffer.concat([Buffer.from(own, 'utf8'), NUL_PADDING.after]) : Buffer.from(own, 'utf8'));
    };
    if (this.host.helloDelayMs > 0) this.later(this.host.helloDelayMs, hello);
    else hello();
  }

  /** Sends a notification `count` times in one write, if the hellos are done (a client cannot have subscribed before). */
  notify(xml: string, count = 1): void {
    if (!this.established) return;
    const message = this.framed(Buffer.from(notificationXml(xml), 'utf8'));
    if (message) this.write(count === 1 ? message : Buffer.concat(Array<Buffer>(count).fill(message)));
  }

  /** Sends bytes as a notification, framed or as they are, if the hellos are done. */
  notifyRaw(bytes: Buffer, framed: boolean): void {
    if (!this.established) return;
    const message = framed ? this.framed(bytes) : bytes;
    if (message) this.write(message);
  }

  /**
   * Ends the session now: locks are released and pending replies dropped at once (kill-session
   * must not leave a window where the killed session still holds its locks), then the channel
   * is closed.
   */
  kill(): void {
    this.end();
    this.closeChannel();
  }

  /** Closes the SSH channel; the session ends when the client confirms (or the connection goes). */
  closeChannel(): void {
    if (this.channel.writableEnded) return;
    if (this.viaExec) this.channel.exit?.(0);
    this.channel.end();
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.host.ended(this);
  }

  private onData(chunk: Buffer): void {
    if (this.over || this.broken) return;
    try {
      this.decoder.push(chunk);
    } catch (err) {
      // After a framing error the stream cannot be resynchronised (RFC 6242): give up on it.
      if (!this.broken) this.malformed(`framing: ${describe(err)}`);
    }
  }

  private onMessage(bytes: Buffer): void {
    if (this.over || this.broken) return;
    if (!this.helloDone) return this.onClientHello(bytes);
    const parsed = parseMessage(bytes);
    if (!parsed.ok) return this.malformed(parsed.reason);
    if (parsed.root !== 'rpc') return this.malformed(`expected <rpc>, got <${parsed.root}>`);
    const request: FakeRequest = { messageId: parsed.messageId, operation: parsed.operation, xml: bytes.toString('utf8'), sessionId: this.id };
    this.host.recordRequest(request);
    this.host.log(`session ${this.id}: rpc ${request.messageId ?? '(no message-id)'} <${request.operation}>`);
    if (this.host.capture !== undefined && request.operation !== 'close-session') return; // replay mode: already answered
    this.serve(request);
  }

  private onClientHello(bytes: Buffer): void {
    const xml = bytes.toString('utf8');
    const parsed = parseMessage(bytes);
    if (!parsed.ok || parsed.root !== 'hello') {
      // A server must not answer anything before the hello exchange: it just drops the session.
      this.host.log(`session ${this.id}: first message is not a <hello>, closing`);
      this.broken = true;
      return this.closeChannel();
    }
    this.host.recordHello(xml);
    const theirs = helloCapabilities(xml);
    const ours = this.host.capabilities;
    const common = (base: string) => ours.includes(base) && theirs.includes(base);
    if (!common(BASE_1_0) && !common(BASE_1_1)) {
      this.host.log(`session ${this.id}: no common base capability, closing`);
      this.broken = true;
      return this.closeChannel();
    }
    this.helloDone = true;
    if (common(BASE_1_1)) {
      this.mode = 'chunked';
      this.decoder.setMode('chunked'); // from inside onMessageEnd: applies to the rest of this buffer
    }
    this.host.log(`session ${this.id}: hello received, ${this.mode} framing`);
    if (this.host.capture !== undefined) this.write(this.host.capture);
  }

  private serve(request: FakeRequest): void {
    if (request.operation === 'close-session' && this.host.quirks.closeWithoutOk) return this.answer(request, { stall: true, closeChannel: true });
    const fault = this.host.takeCommitFault(request);
    if (fault === 'drop-before-apply') {
      this.host.log(`session ${this.id}: commit fault: dropping the connection before the commit applies`);
      return this.host.destroyConnection();
    }
    const dropInstead = fault === 'drop-after-apply';
    let scripted: ReturnType<SessionHost['script']>;
    try {
      scripted = this.host.script(request);
    } catch (err) {
      return this.handlerFailed(request, err);
    }
    if (scripted instanceof Promise) {
      scripted.then(
        (reply) => this.answer(request, reply, dropInstead),
        (err: unknown) => this.handlerFailed(request, err),
      );
    } else this.answer(request, scripted, dropInstead);
  }

  /** A throwing handler is a bug in the test: say so on the wire and in the log, keep serving. */
  private handlerFailed(request: FakeRequest, err: unknown): void {
    this.host.log(`session ${this.id}: handler failed for <${request.operation}>: ${describe(err)}`);
    this.answer(request, rpcErrorXml({ type: 'application', tag: 'operation-failed', message: `Fake device handler failed: ${describe(err)}` }));
  }

  /** Answers a request; `dropInstead`: the request has had its effect, then the connection drops instead of the reply. */
  private answer(request: FakeRequest, scripted: FakeReply | undefined, dropInstead = false): void {
    if (this.over) return;
    const opts: FakeReplyOptions = typeof scripted === 'string' ? { reply: scripted } : (scripted ?? {});
    // The default is worked out now, on arrival, so its side effects (locks) follow request order.
    const fallback = opts.reply === undefined && opts.raw === undefined && !opts.stall ? this.host.defaultReply(request) : undefined;
    if (dropInstead) {
      this.host.log(`session ${this.id}: commit fault: dropping the connection after the commit applied`);
      return this.host.destroyConnection();
    }
    const send = () => {
      if (this.over) return;
      if (!opts.stall) {
        const bytes = this.replyBytes(request, opts, fallback);
        if (bytes === null) return;
        if (opts.dropAfterBytes !== undefined) return this.writeThenDrop(bytes.subarray(0, Math.max(0, opts.dropAfterBytes)));
        // A half message and then nothing: later replies follow it on the wire, out of frame.
        const written = opts.stallAfterBytes === undefined ? bytes : bytes.subarray(0, Math.max(0, opts.stallAfterBytes));
        if (opts.trickle) return this.trickle(written, opts.trickle, () => this.after(opts, fallback));
        this.write(written);
      }
      this.after(opts, fallback);
    };
    if (opts.delayMs !== undefined && opts.delayMs > 0) this.later(opts.delayMs, send);
    else send();
  }

  /** What a reply does once written: close the connection or the channel, when asked. */
  private after(opts: FakeReplyOptions, fallback: DefaultReply | undefined): void {
    if (opts.close) this.host.endConnection();
    else if (opts.closeChannel || fallback?.closeChannel) this.closeChannel();
  }

  /** Writes `bytes` a piece at a time; what the session writes meanwhile waits behind the last piece. */
  private trickle(bytes: Buffer, pace: { bytes: number; everyMs: number }, done: () => void): void {
    const step = Math.max(1, Math.floor(pace.bytes));
    const held: Buffer[] = (this.held = []);
    const next = (at: number) => {
      this.writeNow(bytes.subarray(at, at + step));
      if (at + step < bytes.length) return this.later(pace.everyMs, () => next(at + step));
      this.held = null;
      for (const b of held) this.write(b);
      done();
    };
    next(0);
  }

  /** The bytes on the wire for one reply, or null (logged) when it cannot be framed. */
  private replyBytes(request: FakeRequest, opts: FakeReplyOptions, fallback: DefaultReply | undefined): Buffer | null {
    if (opts.raw !== undefined) return Buffer.isBuffer(opts.raw) ? opts.raw : Buffer.from(opts.raw, 'utf8');
    const message = this.respelt(renderReply(opts.reply ?? fallback?.reply ?? '<ok/>', request.messageId));
    const body = opts.hugeBytes !== undefined && opts.hugeBytes > 0 ? padReply(message, opts.hugeBytes) : Buffer.from(message, 'utf8');
    try {
      return this.frame(body);
    } catch (err) {
      // e.g. a scripted reply containing ]]>]]> under eom framing: a test bug, not a fault to inject.
      this.host.log(`session ${this.id}: cannot frame the reply to ${request.messageId ?? '(no message-id)'}: ${describe(err)}`);
      return null;
    }
  }

  /** RFC 6241: a message that cannot be parsed gets a malformed-message error without message-id, then the session ends. */
  private malformed(reason: string): void {
    this.broken = true;
    this.host.log(`session ${this.id}: malformed message (${reason}), closing`);
    const error = rpcErrorXml({ type: 'rpc', tag: 'malformed-message', message: `Malformed message: ${reason}` });
    this.writeMessage(this.respelt(`<rpc-reply xmlns="${NETCONF_BASE_NS}">${error}</rpc-reply>`));
    this.closeChannel();
  }

  private writeMessage(xml: string): void {
    const message = this.framed(Buffer.from(xml, 'utf8'));
    if (message) this.write(message);
  }

  /** The framed message, or null (logged) when it cannot be framed (`]]>]]>` inside, under eom). */
  private framed(body: Buffer): Buffer | null {
    try {
      return this.frame(body);
    } catch (err) {
      this.host.log(`session ${this.id}: cannot frame a message: ${describe(err)}`);
      return null;
    }
  }

  /** A message as framed on the wire, with the `nulPadding` quirk's NULs when it is on. */
  private frame(body: Buffer): Buffer {
    const padded = this.host.quirks.nulPadding;
    const content = padded ? Buffer.concat([body, NUL_PADDING.inside]) : body;
    const framed = this.mode === 'chunked' ? encodeChunked(content) : encodeEom(content);
    return padded ? Buffer.concat([framed, NUL_PADDING.after]) : framed;
  }

  /** A reply's message-id as the `omitMessageId` / `unquotedMessageId` quirks write it. */
  private respelt(reply: string): string {
    const q = this.host.quirks;
    return q.omitMessageId ? respellMessageId(reply, 'omit') : q.unquotedMessageId ? respellMessageId(reply, 'unquote') : reply;
  }

  private write(bytes: Buffer): void {
    if (this.held) this.held.push(bytes);
    else this.writeNow(bytes);
  }

  private writeNow(bytes: Buffer): void {
    if (!this.over && this.channel.writable && bytes.length > 0) this.channel.write(bytes);
  }

  /** Writes a prefix of a reply, then crashes the connection once those bytes have left. */
  private writeThenDrop(bytes: Buffer): void {
    if (bytes.length === 0 || !this.channel.writable) return this.host.destroyConnection();
    this.channel.write(bytes, () => this.host.destroyConnection());
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
