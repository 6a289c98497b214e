import fc from 'fast-check';
import { expect } from 'vitest';
import { FrameDecoder, isBetweenMessages, type FrameDecoderOptions } from '../../src/framing/index.js';
import { NetconfError } from '../../src/errors/netconf-error.js';

export const SEED = 6242;

export interface RunOptions extends FrameDecoderOptions {
  /** Call finish() after the last push (default true). */
  finish?: boolean;
  /** Called after each completed message, from inside onMessageEnd. */
  onMessageEnd?: (decoder: FrameDecoder, count: number) => void;
}

export interface Outcome {
  messages: string[];
  /** Bytes of the unfinished message (only compared when no error occurred). */
  partial: string | null;
  error: { name: string; code: string; message: string; betweenMessages: boolean } | null;
  inMessage: boolean;
  mode: string;
  bytesConsumed: number | null;
}

/** Pushes `input` cut at `cuts` (sorted offsets) and records everything the decoder did. */
export function run(input: Buffer, cuts: readonly number[], options: RunOptions = {}): Outcome & { raw: unknown; rawMessages: Buffer[] } {
  const rawMessages: Buffer[] = [];
  let parts: Buffer[] = [];
  const decoder: FrameDecoder = new FrameDecoder(
    {
      onData(bytes) {
        expect(Buffer.isBuffer(bytes)).toBe(true);
        expect(bytes.length).toBeGreaterThan(0);
        parts.push(bytes);
      },
      onMessageEnd() {
        rawMessages.push(Buffer.concat(parts));
        parts = [];
        options.onMessageEnd?.(decoder, rawMessages.length);
      },
    },
    options,
  );
  let raw: unknown = null;
  try {
    let from = 0;
    for (const cut of [...cuts, input.length]) {
      if (cut > from) decoder.push(input.subarray(from, cut));
      from = Math.max(from, cut);
    }
    if (options.finish !== false) decoder.finish();
  } catch (err) {
    raw = err;
  }
  if (raw !== null && !(raw instanceof NetconfError)) throw raw; // never a TypeError or RangeError
  const err = raw as NetconfError | null;
  return {
    raw,
    rawMessages,
    messages: rawMessages.map((m) => m.toString('latin1')),
    partial: err ? null : Buffer.concat(parts).toString('latin1'),
    error: err ? { name: err.name, code: err.code, message: err.message, betweenMessages: isBetweenMessages(err) } : null,
    inMessage: decoder.inMessage,
    mode: decoder.mode,
    bytesConsumed: err ? null : decoder.bytesConsumed,
  };
}

function strip(o: ReturnType<typeof run>): Outcome {
  const { raw: _raw, rawMessages: _m, ...rest } = o;
  return rest;
}

/**
 * Decodes `input` whole, one byte at a time, and in random splits (fixed seed); every split
 * must give the same outcome. Returns the outcome of the whole-buffer run.
 */
export function decodeAllSplits(input: Buffer | string, options: RunOptions = {}, numRuns = 100): Outcome & { rawMessages: Buffer[] } {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const whole = run(bytes, [], options);
  const expected = strip(whole);
  const everyByte = Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1);
  expect(strip(run(bytes, everyByte, options)), 'one byte at a time').toEqual(expected);
  if (bytes.length > 1) {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        expect(strip(run(bytes, [...cuts].sort((a, b) => a - b), options))).toEqual(expected);
      }),
      { seed: SEED, numRuns },
    );
  }
  return { ...expected, rawMessages: whole.rawMessages };
}

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** `\n#<len>\n<data>` for each chunk, then `\n##\n` (test-side framing, independent of the encoder). */
export function chunked(...chunks: string[]): string {
  return chunks.map((c) => `\n#${Buffer.byteLength(c, 'latin1')}\n${c}`).join('') + '\n##\n';
}
