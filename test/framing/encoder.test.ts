import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, FramingError } from '../../src/errors/classes.js';
import { DEFAULT_ENCODE_CHUNK_BYTES, encodeChunked, encodeEom, encodeMessage } from '../../src/framing/index.js';
import { SEED, b, decodeAllSplits } from './helpers.js';

const text = (buf: Buffer) => buf.toString('latin1');

describe('encodeEom', () => {
  it('appends the delimiter to a string or a Buffer', () => {
    expect(text(encodeEom('<hello/>'))).toBe('<hello/>]]>]]>');
    expect(encodeEom(Buffer.from('<a>é</a>', 'utf8'))).toEqual(Buffer.concat([Buffer.from('<a>é</a>', 'utf8'), b(']]>]]>')]));
    expect(encodeEom('<a>é</a>')).toEqual(Buffer.from('<a>é</a>]]>]]>', 'utf8'));
  });

  it('refuses messages the delimiter would cut early, and empty messages', () => {
    for (const message of ['<a>]]>]]></a>', ']]>]]>', '<a/>]]>', ']]>', '']) {
      expect(() => encodeEom(message), JSON.stringify(message)).toThrow(
        expect.objectContaining({ name: 'FramingError', code: 'FRAMING_ERROR' }),
      );
    }
    expect(() => encodeEom('<a/>]]>')).toThrow(/cut at byte offset 4/);
    // Near-delimiters that cannot join the real one are fine.
    for (const message of ['<a/>]]', '<a/>]]>]', '<a/>]]>]]', '<a/>]>']) {
      expect(text(encodeEom(message))).toBe(`${message}]]>]]>`);
      expect(decodeAllSplits(encodeEom(message)).messages).toEqual([message]);
    }
  });
});

describe('encodeChunked', () => {
  it('frames a small message in one chunk', () => {
    expect(text(encodeChunked('<a/>'))).toBe('\n#4\n<a/>\n##\n');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(encodeChunked('é日')).toEqual(Buffer.concat([b('\n#5\n'), Buffer.from('é日', 'utf8'), b('\n##\n')]));
  });

  it('splits into chunks of at most maxChunkBytes, even inside a multi-byte character', () => {
    expect(text(encodeChunked('abcdefg', 3))).toBe('\n#3\nabc\n#3\ndef\n#1\ng\n##\n');
    expect(text(encodeChunked('abcdef', 3))).toBe('\n#3\nabc\n#3\ndef\n##\n');
    expect(text(encodeChunked('ab', 1))).toBe('\n#1\na\n#1\nb\n##\n');
    const utf8 = encodeChunked('aé', 2); // 'é' is C3 A9: split between its bytes
    expect(utf8).toEqual(Buffer.from([...b('\n#2\na'), 0xc3, ...b('\n#1\n'), 0xa9, ...b('\n##\n')]));
    expect(decodeAllSplits(utf8, { mode: 'chunked' }).rawMessages[0]!.toString('utf8')).toBe('aé');
  });

  it('uses 1 MiB chunks by default', () => {
    expect(DEFAULT_ENCODE_CHUNK_BYTES).toBe(1024 * 1024);
    const out = encodeChunked(Buffer.alloc(DEFAULT_ENCODE_CHUNK_BYTES + 1, 0x61));
    expect(text(out.subarray(0, 10))).toBe('\n#1048576\n');
    expect(text(out.subarray(10 + DEFAULT_ENCODE_CHUNK_BYTES))).toBe('\n#1\na\n##\n');
  });

  it('refuses an empty message (chunk size 0 is illegal)', () => {
    for (const message of ['', Buffer.alloc(0)]) {
      let err: unknown;
      try {
        encodeChunked(message);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FramingError);
      expect(err).toMatchObject({ code: 'FRAMING_ERROR' });
    }
  });

  it('refuses a bad maxChunkBytes or input with ClientError INVALID_ARGUMENT', () => {
    for (const max of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => encodeChunked('x', max), String(max)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => encodeChunked(42 as never)).toThrow(ClientError);
    expect(() => encodeEom(null as never)).toThrow(ClientError);
  });

  it('round-trips any payload and chunk size through the decoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (s, max) => {
        const framed = encodeChunked(s, max);
        const out = decodeAllSplits(framed, { mode: 'chunked' }, 5);
        expect(out.rawMessages.map((m) => m.toString('utf8'))).toEqual([s]);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('encodeMessage', () => {
  it('dispatches on the mode', () => {
    expect(encodeMessage('<a/>', 'eom')).toEqual(encodeEom('<a/>'));
    expect(encodeMessage('<a/>', 'chunked')).toEqual(encodeChunked('<a/>'));
    expect(() => encodeMessage('<a/>', 'auto' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
