import { debuglog } from 'node:util';
import { reportCallbackError } from './callbacks.js';
import { type WireMessage, diagnostics } from './diagnostics.js';
import { type ClipOptions, clipBody, redactSecrets } from './redact.js';

/** Where wire-log lines go: a function, or a logger with `debug` (console, pino, winston…). */
export type WireLogger = ((line: string) => void) | { debug(message: string): void };

/** The session's wire log: where it goes and how bodies are shown. */
export interface WireLogOptions {
  /**
   * Prints the wire log: each message sent and received, with the session, message-id,
   * framing and size, its body cut to `wireLog.maxChars` and its secrets masked. Without it,
   * `NODE_DEBUG=netconfkit` prints the same lines to stderr.
   */
  logger?: WireLogger;
  /** How bodies are shown: `maxChars` (default 4096), `redact` (default true: Junos secrets masked). */
  wireLog?: ClipOptions;
}

/** A session's wire log, or null when nobody asked for one. */
export type WireLog = (message: WireMessage) => void;

const debug = debuglog('netconfkit');

/** Someone reads message bodies: `NODE_DEBUG=netconfkit`, or a `netconfkit:wire` subscriber (--trace, record). */
export function wireBodiesWanted(): boolean {
  return debug.enabled || diagnostics.wire.hasSubscribers;
}

/** The wire log the options (or NODE_DEBUG) ask for; null when none, so the session skips it. */
export function createWireLog(options: WireLogOptions): WireLog | null {
  const logger = options.logger;
  const sink: ((line: string) => void) | null = typeof logger === 'function'
    ? logger
    : logger
      ? (line) => logger.debug(line)
      : debug.enabled
        ? (line) => debug('%s', line)
        : null;
  if (!sink) return null;
  const clip = options.wireLog ?? {};
  return (message) => {
    // Called while the reply is read: a failing logger is reported, and costs the session nothing.
    try {
      sink(formatWireMessage(message, clip));
    } catch (err) {
      reportCallbackError(err, 'logger', { device: message.device });
    }
  };
}

/**
 * One wire-log entry: a header line, then the body.
 * `[r1:830 #12] sent rpc message-id=3 (chunked, 412 bytes)`
 */
export function formatWireMessage(m: WireMessage, clip: ClipOptions = {}): string {
  const raw = m.unredactedBody();
  const id = m.messageId === null ? '' : ` message-id=${m.messageId}`;
  const head = `[${m.device}${m.sessionId === null ? '' : ` #${m.sessionId}`}] ${m.direction} ${m.kind}${id} (${m.framing}, ${m.bytes} bytes)`;
  return raw === null ? `${head} body not kept` : `${head}\n${clipBody(raw, clip)}`;
}

export type WireFields = Omit<WireMessage, 'body' | 'unredactedBody'>;

/** Publishes a message on `netconfkit:wire` and to the session's wire log. Its body is masked only when someone reads it. */
export function observeWire(log: WireLog | null, fields: WireFields, raw: string | null): void {
  let masked: string | null | undefined;
  const message: WireMessage = {
    ...fields,
    get body() {
      if (masked === undefined) masked = raw === null ? null : redactSecrets(raw);
      return masked;
    },
    unredactedBody: () => raw,
  };
  if (diagnostics.wire.hasSubscribers) diagnostics.wire.publish(message);
  log?.(message);
}
