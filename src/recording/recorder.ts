import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ClientError } from '../errors/classes.js';
import type { SessionCloseMessage, WireMessage } from '../observability/diagnostics.js';
import { type RecordedExchange, type RecordingHeader, type RecordingEntry, RECORDING_VERSION, formatLine } from './format.js';
import { requestKey } from './normalise.js';
import { type RedactionRules, type Redactor, createRedactor } from './redaction.js';

/** Where a recording goes: a file path (created or truncated), or a stream you own. */
export type RecordTarget = string | NodeJS.WritableStream;

/** `connect({ record })`: a target, or a target with redaction rules. */
export type RecordOption = RecordTarget | RecordOptions;

/** Where a recording goes and what is masked in it. */
export interface RecordOptions {
  /** A file path (written as each message passes, closed with the session) or a writable stream (left open). */
  to: RecordTarget;
  /**
   * What is masked before anything is written: the built-in secret kinds plus your rules, or
   * `false` for nothing (only for recordings that never leave your machine).
   */
  redact?: RedactionRules | false;
}

/** What a session looks like to the recorder: its name and what its hellos settled. */
export interface RecordedSession {
  readonly sessionId: number | null;
  readonly framingMode: 'eom' | 'chunked';
  readonly serverHello: string | null;
  readonly capabilities: { readonly uris: readonly string[] };
}

interface Sent {
  seq: number;
  t: number;
  started: number;
  request: string;
  operation: string;
  framing: 'eom' | 'chunked';
}

/**
 * Writes one session's conversation as a recording (format.ts), from the messages the
 * session publishes on `netconfkit:wire`: each request is held until its reply arrives and
 * then written with it, so the file is in reply order and complete at every reply. Secrets
 * are masked before a line is formed: nothing unmasked is ever held in the output.
 */
export class Recorder {
  private readonly redact: Redactor;
  private readonly started = performance.now();
  private readonly pending = new Map<string, Sent>();
  private seq = 0;
  private answered = 0;
  private fd: number | null = null;
  private ended = false;

  private device = '';

  private constructor(private readonly target: RecordTarget, private readonly redacted: boolean, redact: RedactionRules | false | undefined) {
    this.redact = createRedactor(redact);
  }

  /** Opens the target (a file is created now, so a bad path fails before anything connects). */
  static open(option: RecordOption): Recorder {
    const { to, redact } = typeof option === 'string' || !('to' in option) ? { to: option as RecordTarget, redact: undefined } : option;
    if (typeof to !== 'string' && (typeof to !== 'object' || to === null || typeof to.write !== 'function')) {
      throw new ClientError('INVALID_ARGUMENT', 'record must be a file path, a writable stream, or { to, redact }');
    }
    const recorder = new Recorder(to, redact !== false, redact);
    if (typeof to === 'string') {
      try {
        recorder.fd = openSync(to, 'w');
      } catch (err) {
        throw new ClientError('INVALID_ARGUMENT', `The recording cannot be written to ${to}: ${(err as Error).message}`, { cause: err });
      }
    }
    return recorder;
  }

  /**
   * Records the session `start` opens: the target is opened first (when it cannot be,
   * `abandon` releases what is already open and the error is INVALID_ARGUMENT).
   */
  static async around<S extends RecordedSession & { readonly closed: boolean }>(option: RecordOption, device: string, start: () => Promise<S>, abandon: () => void): Promise<S> {
    let recorder: Recorder;
    try {
      recorder = Recorder.open(option);
    } catch (err) {
      abandon();
      throw err;
    }
    let session: S;
    try {
      session = await start();
    } catch (err) {
      recorder.end();
      throw err;
    }
    recorder.follow(session, device);
    return session;
  }

  /** The header and the device's hello, with what the hellos settled (written once, first). */
  hello(session: RecordedSession, device: string): void {
    this.device = device;
    const header: RecordingHeader = { type: 'netconfkit-recording', version: RECORDING_VERSION, device, recordedAt: new Date().toISOString(), redacted: this.redacted };
    this.write(formatLine(header));
    const uris = session.capabilities.uris;
    this.entry({ type: 'hello', t: this.now(), sessionId: session.sessionId, framing: session.framingMode, capabilities: uris.map((u) => this.redact(u)), xml: this.redact(session.serverHello ?? '') });
  }

  /** One message off the wire: a request is held, a reply completes its exchange, a notification is written. */
  observe(m: WireMessage): void {
    if (this.ended) return;
    const raw = m.unredactedBody();
    if (m.direction === 'sent') {
      if (m.kind !== 'rpc' || m.messageId === null || raw === null) return;
      const request = this.redact(raw);
      const now = this.now();
      this.pending.set(m.messageId, { seq: ++this.seq, t: now, started: now, request, operation: requestKey(raw).operation, framing: m.framing });
      return;
    }
    if (m.kind === 'rpc-reply' && m.messageId !== null) {
      const sent = this.pending.get(m.messageId);
      if (!sent) return; // a reply to nothing we sent: the session reports it, there is no exchange to keep
      this.pending.delete(m.messageId);
      this.answered = sent.seq;
      this.exchange(sent, raw === null ? null : this.redact(raw), Math.round((this.now() - sent.started) * 10) / 10, raw !== null);
    } else if (m.kind === 'notification' && raw !== null) {
      this.entry({ type: 'notification', t: this.now(), after: this.answered, framing: m.framing, xml: this.redact(raw) });
    }
  }

  /** The session ended: requests still unanswered are written without a reply; a file is closed. */
  end(): void {
    if (this.ended) return;
    for (const sent of [...this.pending.values()].sort((a, b) => a.seq - b.seq)) this.exchange(sent, null, null);
    this.pending.clear();
    this.ended = true;
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      closeSync(fd);
    }
  }

  /**
   * Records every message of one session: `netconfkit:wire` carries every session's
   * messages, and a session is known there by its name and session-id.
   */
  follow(session: RecordedSession & { readonly closed: boolean }, device: string): void {
    this.hello(session, device);
    const sessionId = session.sessionId;
    const onWire = (message: unknown) => {
      const m = message as WireMessage;
      if (m.device === this.device && m.sessionId === sessionId) this.observe(m);
    };
    const onClose = (message: unknown) => {
      const m = message as SessionCloseMessage;
      if (m.device !== this.device || m.sessionId !== sessionId) return;
      unsubscribe('netconfkit:wire', onWire);
      unsubscribe('netconfkit:session:close', onClose);
      this.end();
    };
    subscribe('netconfkit:wire', onWire);
    subscribe('netconfkit:session:close', onClose);
    if (session.closed) onClose({ device: this.device, sessionId, error: null });
  }

  private exchange(sent: Sent, reply: string | null, ms: number | null, kept = true): void {
    const entry: RecordedExchange = { type: 'exchange', seq: sent.seq, t: sent.t, ms, framing: sent.framing, operation: sent.operation, request: sent.request, reply, ...(kept ? {} : { kept: false as const }) };
    this.entry(entry);
  }

  private entry(entry: RecordingEntry): void {
    this.write(formatLine(entry));
  }

  private write(line: string): void {
    if (this.fd !== null) writeSync(this.fd, `${line}\n`);
    else if (typeof this.target !== 'string') this.target.write(`${line}\n`);
  }

  private now(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }
}
