import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { DeviceError } from '../errors/device-error.js';
import type { FramingMode } from '../framing/decoder.js';
import type { Quirk } from '../reader/quirks.js';
import { Replayer, type ReplayMessage } from '../replay/replayer.js';
import { NetconfError } from '../errors/netconf-error.js';
import { expectPositionals, parse, usageError } from './args.js';
import { cannotRead } from './files.js';
import { formatItem } from './format.js';

export const REPLAY_FLAGS = {
  json: { type: 'boolean', default: false },
  ndjson: { type: 'boolean', default: false },
  framing: { type: 'string', default: 'auto' },
} as const;

/** `netconfkit replay FILE|-`: the command line around runReplay. */
export async function runReplayCommand(args: string[], out: Writable, errOut: Writable): Promise<number> {
  const { values, positionals } = parse(args, REPLAY_FLAGS);
  expectPositionals('replay', positionals, 1, 'a FILE, or - for standard input');
  if (values.json && values.ndjson) throw usageError('--json and --ndjson exclude each other');
  const framing = values.framing;
  if (framing !== 'auto' && framing !== 'none' && framing !== 'eom' && framing !== 'chunked') {
    throw usageError(`--framing must be auto, none, eom or chunked, not "${framing}"`);
  }
  const file = positionals[0]!;
  let input: AsyncIterable<Buffer | string>;
  try {
    // Opened first, so a missing file is said before anything is printed.
    input = file === '-' ? process.stdin : (await open(file)).createReadStream();
  } catch (err) {
    throw cannotRead(file, err);
  }
  try {
    return await runReplay(input, out, errOut, { format: values.json ? 'json' : values.ndjson ? 'ndjson' : 'text', framing });
  } catch (err) {
    // What fails while reading (EISDIR, EIO) is the file's problem, said in one line.
    if (!(err instanceof NetconfError) && typeof (err as { code?: unknown }).code === 'string' && (err as { syscall?: unknown }).syscall !== undefined) throw cannotRead(file, err);
    throw err;
  }
}

export interface ReplayCommandOptions {
  format: 'text' | 'json' | 'ndjson';
  framing: FramingMode | 'none';
}

/**
 * Replays a capture from a stream and prints what it held. Items are written as soon as they
 * are read (ndjson and text), and each write finishes before more input is read, so tailing a
 * live capture shows an error while the rest of the stream has not arrived.
 * Returns the exit status: 1 when any error-level item was found, else 0. A capture that could
 * not be read whole (cut off, not well-formed) throws, unless an error-level item was found:
 * then the status is still 1, so a gate on "the device rejected something" holds, and what
 * could not be read is said on `errOut` (and in the output, where the message failed).
 */
export async function runReplay(input: AsyncIterable<Buffer | string>, out: Writable, errOut: Writable, options: ReplayCommandOptions): Promise<number> {
  let lines: string[] = [];
  let failed = false;
  const replayer = new Replayer({
    framing: options.framing,
    onItem(item: DeviceError, messageIndex: number) {
      if (item.level === 'error') failed = true;
      if (options.format === 'ndjson') lines.push(`${JSON.stringify({ messageIndex, ...item.toJSON() })}\n`);
      else if (options.format === 'text') lines.push(`${formatItem(item, messageIndex)}\n`);
    },
    onMessage(message: ReplayMessage) {
      if (options.format === 'text') lines.push(`${describeMessage(message)}\n`);
      else if (options.format === 'ndjson' && message.error) lines.push(`${JSON.stringify({ messageIndex: message.index, error: message.error.toJSON() })}\n`);
    },
    onQuirk(quirk: Quirk) {
      if (options.format === 'ndjson') lines.push(`${JSON.stringify({ quirk })}\n`);
      else if (options.format === 'text') lines.push(`quirk ${quirk.kind}: ${quirk.detail}\n`);
    },
  });
  const flush = async () => {
    if (lines.length === 0) return;
    const text = lines.join('');
    lines = [];
    await write(out, text);
  };
  for await (const chunk of input) {
    replayer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    await flush();
  }
  const result = replayer.end();
  await flush();
  // What was read is never lost, even from a capture that could not be read whole: every
  // message is printed, with the failures where they happened.
  if (options.format === 'json') {
    const doc = {
      messages: result.messages.map((m) => ({
        messageId: m.messageId, hasOk: m.hasOk, errors: m.items.map((i) => i.toJSON()), error: m.error?.toJSON() ?? null,
      })),
      error: result.error?.toJSON() ?? null,
      quirks: result.quirks,
    };
    await write(out, `${JSON.stringify(doc, null, 2)}\n`);
  } else if (options.format === 'ndjson' && result.error) {
    await write(out, `${JSON.stringify({ error: result.error.toJSON() })}\n`);
  }
  const failure = result.error ?? result.messages.find((m) => m.error)?.error ?? null;
  if (failure && !failed) throw failure;
  if (failure) await write(errOut, `netconfkit: ${failure.code}: ${failure.message}\n`);
  return failed ? 1 : 0;
}

function describeMessage(m: ReplayMessage): string {
  const failure = m.error;
  if (failure) return `message ${m.index}: <${m.root?.name ?? '?'}> could not be read: ${failure.code}`;
  const errors = m.items.filter((i) => i.level === 'error').length;
  const warnings = m.items.length - errors;
  const id = m.messageId === null ? '' : ` message-id=${m.messageId}`;
  return `message ${m.index}: <${m.root?.name ?? '?'}>${id}${m.hasOk ? ' ok' : ''} — ${errors} error(s), ${warnings} warning(s)`;
}

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
