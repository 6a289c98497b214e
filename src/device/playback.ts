import { appendFileSync } from 'node:fs';
import { ClientError } from '../errors/classes.js';
import { RpcError } from '../errors/device-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { type RecordedExchange, type Recording, formatLine, readRecording } from '../recording/format.js';
import { type RequestKey, keyMatcher, requestKey } from '../recording/normalise.js';
import { type RedactionRules, createRedactor } from '../recording/redaction.js';
import { type ConnectOptions, connect } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { attributes, innerOf, rootElement, withoutXmlDeclaration } from '../xml/query.js';
import { FakeDevice } from './fake-device.js';
import { FakeDeviceFront } from './fake-front.js';
import { rpcErrorXml } from './replies.js';
import type { FakeDeviceOptions, FakeReply, FakeRequest } from './types.js';

/** How a playback device answers. */
export interface PlaybackOptions extends Pick<FakeDeviceOptions, 'users' | 'hostKey' | 'logger' | 'helloDelayMs'> {
  /**
   * `playback` (default): a request no recording matches gets an rpc-error. `record-missing`:
   * it is sent to `upstream`, answered with the real reply, and the exchange is appended to
   * the recording file (when the recording was given by path) and played from then on.
   */
  mode?: 'playback' | 'record-missing';
  /** `record-missing`: the real device unmatched requests go to (connected on the first one). */
  upstream?: ConnectOptions;
  /** `record-missing`: what is masked in appended exchanges (as `connect({ record: { redact } })`). */
  redact?: RedactionRules | false;
  /** Answer after the recorded reply time: `true` as recorded, a number scales it (0.5: twice as fast). Default off. */
  timing?: boolean | number;
}

/** A request no recording matched. */
export interface UnmatchedRequest extends FakeRequest {
  /** Why: no recording of this request at all, or every recording of it was used already. */
  reason: 'not-recorded' | 'used-up';
}

interface Entry {
  exchange: RecordedExchange;
  key: RequestKey;
  matches: (key: RequestKey) => boolean;
  used: boolean;
}

/**
 * A FakeDevice that answers from a recording (`connect({ record })`, `netconfkit record`):
 * the recorded capabilities in its hello, and for each request the recorded reply whose
 * request matches it (same operation, same body once message-ids, namespace prefixes,
 * whitespace and attribute order are set aside; identical requests answered in recorded
 * order). A request nothing matches gets an rpc-error naming it, and is listed by
 * `unmatchedRequests()`; `unusedRecordings()` lists what was never asked for.
 *
 * ```ts
 * await using device = await PlaybackDevice.start('test/recordings/commit.jsonl');
 * // ... run the code under test against device.host:device.port (netconf / netconf) ...
 * expect(device.unmatchedRequests()).toEqual([]);
 * expect(device.unusedRecordings()).toEqual([]);
 * ```
 */
export class PlaybackDevice extends FakeDeviceFront {
  /** The FakeDevice underneath (its `requests`, `clientHellos`, `dropAll()`...). */
  device!: FakeDevice;
  /** The recording it answers from (exchanges appended by `record-missing` included). */
  readonly recording: Recording;
  private readonly entries: Entry[];
  private readonly unmatched: UnmatchedRequest[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private upstream: Promise<Session> | null = null;

  private constructor(recording: Recording, private readonly file: string | null, private readonly options: PlaybackOptions) {
    super();
    this.recording = recording;
    this.entries = [...recording.exchanges].sort((a, b) => a.seq - b.seq).map((exchange) => entry(exchange));
  }

  /** Starts a device on 127.0.0.1 at a free port, answering from a recording file (path) or a parsed recording. */
  static async start(recording: string | Recording, options: PlaybackOptions = {}): Promise<PlaybackDevice> {
    const file = typeof recording === 'string' ? recording : null;
    const parsed = typeof recording === 'string' ? readRecording(recording) : recording;
    if (options.mode === 'record-missing' && !options.upstream) throw new ClientError('INVALID_ARGUMENT', 'mode "record-missing" needs upstream: the connect options of the real device');
    const playback = new PlaybackDevice(parsed, file, options);
    const { mode: _mode, upstream: _upstream, redact: _redact, timing: _timing, ...fakeOptions } = options;
    playback.device = await FakeDevice.start({
      ...fakeOptions,
      capabilities: [...parsed.hello.capabilities],
      rules: [{ match: () => true, reply: (request) => playback.answer(request) }],
    });
    return playback;
  }

  /** The requests no recording answered, in order (`<close-session>` is never one: the device answers it itself). */
  unmatchedRequests(): UnmatchedRequest[] {
    return [...this.unmatched];
  }

  /** The recorded exchanges no request used, in recorded order (a recorded `<close-session>` is not counted). */
  unusedRecordings(): RecordedExchange[] {
    return this.entries.filter((e) => !e.used && e.key.operation !== 'close-session').map((e) => e.exchange);
  }

  /** Stops the device (and the upstream session of `record-missing`). Idempotent. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const upstream = this.upstream;
    this.upstream = null;
    await Promise.all([this.device.close(), upstream?.then((s) => s.close(), () => undefined)]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private answer(request: FakeRequest): FakeReply | Promise<FakeReply | undefined> | undefined {
    const key = requestKey(request.xml);
    const found = this.entries.find((e) => !e.used && e.matches(key));
    if (found) {
      found.used = true;
      return this.play(found.exchange);
    }
    // Session plumbing: the device's own close-session (ok, then the channel closes).
    if (key.operation === 'close-session') return undefined;
    if (this.options.mode === 'record-missing') return this.fetch(request, key);
    const reason = this.entries.some((e) => e.matches(key)) ? 'used-up' : 'not-recorded';
    this.unmatched.push({ ...request, reason });
    const what = reason === 'used-up' ? 'every recorded reply to this request was used already' : 'no recorded request matches it';
    return rpcErrorXml({ type: 'application', tag: 'operation-failed', message: `netconfkit playback: <${key.operation || 'rpc'}> has no recorded reply (${what}): ${clip(key.body)}` });
  }

  /** The recorded reply, with the request's message-id, after the recorded time when asked; then the notifications that followed it. */
  private play(exchange: RecordedExchange): FakeReply | undefined {
    if (exchange.reply === null && exchange.kept === false) {
      return rpcErrorXml({ type: 'application', tag: 'operation-failed', message: `netconfkit playback: the recording of <${exchange.operation}> (#${exchange.seq}) holds no reply text: it was read with collect: false or streamTo` });
    }
    if (exchange.reply === null) return exchange.operation === 'close-session' ? undefined : { stall: true };
    const factor = this.options.timing === true ? 1 : typeof this.options.timing === 'number' ? this.options.timing : 0;
    const delayMs = Math.round((exchange.ms ?? 0) * factor);
    const reply: FakeReply = { reply: withMessageIdSlot(exchange.reply), ...(delayMs > 0 ? { delayMs } : {}), ...(exchange.operation === 'close-session' ? { closeChannel: true } : {}) };
    const notifications = this.recording.notifications.filter((n) => n.after === exchange.seq);
    if (notifications.length > 0) {
      // After the reply is written: FakeDevice writes it once this handler's promise settles (plus any delay).
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        for (const n of notifications) this.device.notify(withoutXmlDeclaration(n.xml), { all: true });
      }, delayMs + 5);
      this.timers.add(timer);
    }
    return reply;
  }

  /** record-missing: ask the real device, answer with its reply, keep the exchange. */
  private async fetch(request: FakeRequest, key: RequestKey): Promise<FakeReply> {
    const started = performance.now();
    let replyXml: string | null;
    try {
      this.upstream ??= connect(this.options.upstream!);
      const session = await this.upstream;
      replyXml = await session.rpc(rpcBody(request.xml)).then((r) => r.xml, (err: unknown) => {
        if (err instanceof RpcError) return err.replyXml ?? null;
        throw err;
      });
    } catch (err) {
      const e = toNetconfError(err);
      this.unmatched.push({ ...request, reason: 'not-recorded' });
      return rpcErrorXml({ type: 'application', tag: 'operation-failed', message: `netconfkit playback: <${key.operation}> is not recorded and the upstream device failed: ${e.code}: ${e.message}` });
    }
    if (replyXml === null) return { stall: true };
    const redact = createRedactor(this.options.redact ?? {});
    const seq = Math.max(0, ...this.entries.map((e) => e.exchange.seq)) + 1;
    const exchange: RecordedExchange = {
      type: 'exchange', seq, t: 0, ms: Math.round((performance.now() - started) * 10) / 10, framing: this.recording.hello.framing,
      operation: key.operation, request: redact(request.xml), reply: redact(replyXml),
    };
    this.entries.push({ ...entry(exchange), used: true });
    this.recording.exchanges.push(exchange);
    if (this.file !== null) appendFileSync(this.file, `${formatLine(exchange)}\n`);
    // The caller gets the real reply (unmasked: it is live), under its own message-id.
    return withMessageIdSlot(replyXml);
  }
}

function entry(exchange: RecordedExchange): Entry {
  const key = requestKey(exchange.request);
  return { exchange, key, matches: keyMatcher(key), used: false };
}

/** The reply with its root's message-id replaced by FakeDevice's `{{message-id}}` slot. */
function withMessageIdSlot(reply: string): string {
  const root = rootElement(reply);
  const id = root?.tag.local === 'rpc-reply' ? attributes(reply, root.tag).find((a) => a.name === 'message-id') : undefined;
  return id ? `${reply.slice(0, id.quoteStart)}"{{message-id}}"${reply.slice(id.valueEnd + 1)}` : reply;
}

/** What is inside the `<rpc>` element. */
function rpcBody(rpc: string): string {
  const root = rootElement(rpc);
  return root && root.contentEnd !== -1 ? innerOf(rpc, root) : rpc;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
