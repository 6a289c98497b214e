import { readFileSync } from 'node:fs';
import { ClientError } from '../errors/classes.js';
import { encodeMessage } from '../framing/encoder.js';

/**
 * The recording format, version 1: JSON Lines, one object per line, so a recording diffs
 * well in review. The first line is the header; then the device's hello; then, in the order
 * the replies arrived, one line per request with its reply, and one per notification.
 *
 * ```
 * {"type":"netconfkit-recording","version":1,"device":"r1:830","recordedAt":"2025-…","redacted":true}
 * {"type":"hello","t":0,"sessionId":7,"framing":"chunked","capabilities":["urn:…"],"xml":"<hello …>"}
 * {"type":"exchange","seq":1,"t":12.5,"ms":3.1,"framing":"chunked","operation":"lock","request":"<rpc …>","reply":"<rpc-reply …>"}
 * {"type":"notification","t":40.2,"after":3,"framing":"chunked","xml":"<notification …>"}
 * ```
 */
export const RECORDING_VERSION = 1;

/** The first line: what this file is. */
export interface RecordingHeader {
  type: 'netconfkit-recording';
  version: number;
  /** The session's name (`host:port` by default). */
  device: string;
  /** ISO 8601, when recording started. */
  recordedAt: string;
  /** Whether secrets were masked (placeholders `**redacted-N**`, the same secret the same N). */
  redacted: boolean;
}

/** The device's hello and what the hellos settled. */
export interface RecordedHello {
  type: 'hello';
  /** Milliseconds since recording started. */
  t: number;
  sessionId: number | null;
  /** The framing used after the hellos. */
  framing: 'eom' | 'chunked';
  capabilities: string[];
  /** The device's `<hello>` as received (secrets masked). */
  xml: string;
}

/** One request and its reply. */
export interface RecordedExchange {
  type: 'exchange';
  /** The request's place in the order requests were sent, from 1. */
  seq: number;
  /** When the request was sent, in milliseconds since recording started. */
  t: number;
  /** How long the reply took, in milliseconds (null when none came). */
  ms: number | null;
  framing: 'eom' | 'chunked';
  /** The local name of the request's operation element: `lock`, `edit-config`… */
  operation: string;
  /** The whole `<rpc>` as sent, without framing (secrets masked). */
  request: string;
  /**
   * The whole `<rpc-reply>` as received, without framing (secrets masked); null when no reply
   * came (the session ended) or its text was not kept (a call with `collect: false`).
   */
  reply: string | null;
  /**
   * False when a reply came but its text was not kept (a call with `collect: false` or
   * `streamTo`): playback answers it with an rpc-error saying so. Absent otherwise.
   */
  kept?: false;
}

/** A notification, and the exchange whose reply it followed. */
export interface RecordedNotification {
  type: 'notification';
  t: number;
  /** The `seq` of the last exchange answered before it (0: none). */
  after: number;
  framing: 'eom' | 'chunked';
  xml: string;
}

/** Any line of a recording after its header. */
export type RecordingEntry = RecordedHello | RecordedExchange | RecordedNotification;

/** A recording read back: its header, the hello, and the exchanges and notifications in file order. */
export interface Recording {
  header: RecordingHeader;
  hello: RecordedHello;
  exchanges: RecordedExchange[];
  notifications: RecordedNotification[];
}

/** One line of the file (without its newline). */
export function formatLine(entry: RecordingHeader | RecordingEntry): string {
  return JSON.stringify(entry);
}

/**
 * Reads a recording from its text. A line that is not JSON, a missing header or hello, a
 * newer version, or an entry missing a field is INVALID_ARGUMENT naming the line.
 */
export function parseRecording(text: string): Recording {
  let header: RecordingHeader | null = null;
  let hello: RecordedHello | null = null;
  const exchanges: RecordedExchange[] = [];
  const notifications: RecordedNotification[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const bad = (why: string) => new ClientError('INVALID_ARGUMENT', `Not a netconfkit recording: line ${i + 1} ${why}`);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw bad('is not JSON');
    }
    if (typeof entry !== 'object' || entry === null) throw bad('is not an object');
    if (header === null) {
      if (entry.type !== 'netconfkit-recording') throw bad('should be the header {"type":"netconfkit-recording",…}');
      if (typeof entry.version !== 'number' || entry.version > RECORDING_VERSION) {
        throw bad(`has version ${String(entry.version)}; this netconfkit reads version ${RECORDING_VERSION}`);
      }
      header = entry as unknown as RecordingHeader;
      continue;
    }
    switch (entry.type) {
      case 'hello':
        if (!Array.isArray(entry.capabilities) || typeof entry.xml !== 'string') throw bad('is a hello without capabilities or xml');
        hello = entry as unknown as RecordedHello;
        break;
      case 'exchange':
        if (typeof entry.request !== 'string' || typeof entry.seq !== 'number') throw bad('is an exchange without request or seq');
        if (entry.reply !== null && typeof entry.reply !== 'string') throw bad('has a reply that is neither text nor null');
        exchanges.push(entry as unknown as RecordedExchange);
        break;
      case 'notification':
        if (typeof entry.xml !== 'string') throw bad('is a notification without xml');
        notifications.push(entry as unknown as RecordedNotification);
        break;
      default:
        // A later minor addition (a comment, a marker) is skipped, not refused.
        break;
    }
  }
  if (header === null) throw new ClientError('INVALID_ARGUMENT', 'Not a netconfkit recording: it is empty');
  if (hello === null) throw new ClientError('INVALID_ARGUMENT', 'Not a netconfkit recording: it holds no hello');
  return { header, hello, exchanges, notifications };
}

/** Reads a recording file: INVALID_ARGUMENT when it cannot be read or is not a recording. */
export function readRecording(path: string): Recording {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `The recording ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return parseRecording(text);
}

/**
 * The device's side of a recording as a capture that `replay` (and `netconfkit replay`) reads:
 * the hello `]]>]]>`-framed, then every reply and notification in the framing it arrived in.
 */
export function recordingToCapture(recording: Recording): Buffer {
  const parts: Buffer[] = [encodeMessage(recording.hello.xml, 'eom')];
  const messages: { t: number; framing: 'eom' | 'chunked'; xml: string }[] = [];
  for (const e of recording.exchanges) if (e.reply !== null) messages.push({ t: e.t + (e.ms ?? 0), framing: e.framing, xml: e.reply });
  for (const n of recording.notifications) messages.push({ t: n.t, framing: n.framing, xml: n.xml });
  messages.sort((a, b) => a.t - b.t);
  for (const m of messages) parts.push(encodeMessage(m.xml, m.framing));
  return Buffer.concat(parts);
}
