import type { Writable } from 'node:stream';
import type { DeviceError } from '../errors/device-error.js';
import type { FramingMode } from '../framing/decoder.js';
import { Replayer, type ReplayMessage } from '../replay/replayer.js';
import { formatItem } from './format.js';

export interface ReplayCommandOptions {
  format: 'text' | 'json' | 'ndjson';
  framing: FramingMode | 'none';
}

/**
 * Replays a capture from a stream and prints what it held. Items are written as soon as they
 * are read (ndjson and text), and each write finishes before more input is read, so tailing a
 * live capture shows an error while the rest of the stream has not arrived.
 * Returns the exit status: 1 when any error-level item was found, else 0.
 */
export async function runReplay(input: AsyncIterable<Buffer | string>, out: Writable, options: ReplayCommandOptions): Promise<number> {
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
  if (options.format === 'json') {
    const doc = {
      messages: result.messages.map((m) => ({ messageId: m.messageId, hasOk: m.hasOk, errors: m.items.map((i) => i.toJSON()) })),
    };
    await write(out, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return failed ? 1 : 0;
}

function describeMessage(m: ReplayMessage): string {
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
