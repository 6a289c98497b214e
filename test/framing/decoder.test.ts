import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, FramingError } from '../../src/errors/classes.js';
import { FrameDecoder, encodeChunked, encodeEom, isBetweenMessages } from '../../src/framing/index.js';
import { CORPUS_DIR } from '../support/corpus.js';
import { SEED, b, chunked, decodeAllSplits, run } from './helpers.js';

const DELIM = ']]>]]>';

function framingError(code: 'FRAMING_ERROR' | 'MESSAGE_TOO_LARGE', messagePart: RegExp, betweenMessages = false) {
  return { name: 'FramingError', code, message: expect.stringMatching(messagePart), betweenMessages };
}

describe('eom framing', () => {
  it('decodes one and several messages', () => {
    expect(decodeAllSplits(`<hello/>${DELIM}`).messages).toEqual(['<hello/>']);
    const out = decodeAllSplits(`<a/>${DELIM}<b>x</b>${DELIM}<c/>${DELIM}`);
    expect(out.messages).toEqual(['<a/>', '<b>x</b>', '<c/>']);
    expect(out).toMatchObject({ error: null, inMessage: false, partial: '', mode: 'eom', bytesConsumed: 34 });
  });

  it('finds the delimiter split at every position', () => {
    const input = b(`<a/>${DELIM}<bb/>${DELIM}`);
    for (let cut = 1; cut < input.length; cut++) {
      const out = run(input, [cut]);
      expect(out.messages, `cut at ${cut}`).toEqual(['<a/>', '<bb/>']);
      expect(out.error).toBeNull();
    }
    for (let i = 1; i < DELIM.length; i++) {
      for (let j = i + 1; j < DELIM.length; j++) {
        expect(run(input, [4 + i, 4 + j]).messages).toEqual(['<a/>', '<bb/>']);
      }
    }
    decodeAllSplits(input);
  });

  it('keeps near-delimiters that are data', () => {
    expect(decodeAllSplits(`a]]]>]]>`).messages).toEqual(['a]']);
    expect(decodeAllSplits(`]]>]]]>]]>`).messages).toEqual([']]>]']);
    expect(decodeAllSplits(`x]]>]]x]]>]]>y]>]]>`).messages).toEqual(['x]]>]]x']);
    expect(decodeAllSplits(`<a>]]</a>${DELIM}<b>]]>]</b>${DELIM}`).messages).toEqual(['<a>]]</a>', '<b>]]>]</b>']);
  });

  it('produces no message for empty or whitespace-only frames and drops leading whitespace', () => {
    expect(decodeAllSplits(`${DELIM}${DELIM}`).messages).toEqual([]);
    expect(decodeAllSplits(` \r\n\t${DELIM}\n\n${DELIM}`).messages).toEqual([]);
    const out = decodeAllSplits(`\n  <a/>\n${DELIM}\n\n<b/>${DELIM}\n`);
    expect(out.messages).toEqual(['<a/>\n', '<b/>']);
    expect(out).toMatchObject({ inMessage: false, error: null });
  });

  it('treats chunk-header bytes as data', () => {
    expect(decodeAllSplits(`\n#4\n<a/>\n##\n${DELIM}`).messages).toEqual(['#4\n<a/>\n##\n']);
  });

  it('finish() with a partial message does not throw, reports inMessage and delivers held-back bytes', () => {
    const out = decodeAllSplits(`<a/>${DELIM}<!-- trailing comment ]]>]]`);
    expect(out).toMatchObject({ messages: ['<a/>'], error: null, inMessage: true, partial: '<!-- trailing comment ]]>]]' });
    expect(decodeAllSplits(`<a/>${DELIM}\n\n`)).toMatchObject({ inMessage: false, partial: '' });
  });

  it('inMessage is false between messages and true once a message has begun', () => {
    const seen: boolean[] = [];
    const d = new FrameDecoder({ onData: () => seen.push(d.inMessage), onMessageEnd: () => seen.push(d.inMessage) });
    expect(d.inMessage).toBe(false);
    d.push(b('  \n'));
    expect(d.inMessage).toBe(false);
    d.push(b('<a'));
    expect(d.inMessage).toBe(true);
    d.push(b(`/>${DELIM}`));
    expect(d.inMessage).toBe(false);
    expect(seen).toEqual([true, true, false]);
  });

  it('enforces maxMessageBytes', () => {
    const ok = decodeAllSplits(`0123456789${DELIM}abc${DELIM}`, { maxMessageBytes: 10 });
    expect(ok.messages).toEqual(['0123456789', 'abc']);
    const tooBig = decodeAllSplits(`abc${DELIM}  0123456789X${DELIM}`, { maxMessageBytes: 10 });
    expect(tooBig.messages).toEqual(['abc']);
    // The first byte over the limit is the 'X' at offset 21.
    expect(tooBig.error).toEqual(framingError('MESSAGE_TOO_LARGE', /maxMessageBytes \(10\) at byte offset 21$/));
    // Held-back bytes count too once they turn out to be data.
    expect(decodeAllSplits(`0123456789]]`, { maxMessageBytes: 10 }).error).toEqual(
      framingError('MESSAGE_TOO_LARGE', /at byte offset 10$/),
    );
  });

  it('never emits more than maxMessageBytes before the error', () => {
    const input = b(`${'x'.repeat(50)}${DELIM}`);
    for (let step = 1; step <= 13; step++) {
      let emitted = 0;
      const d = new FrameDecoder({ onData: (x) => (emitted += x.length), onMessageEnd: () => {} }, { maxMessageBytes: 20 });
      expect(() => {
        for (let i = 0; i < input.length; i += step) d.push(input.subarray(i, i + step));
      }).toThrow(FramingError);
      expect(emitted).toBeLessThanOrEqual(20);
    }
  });
});

describe('chunked framing', () => {
  const opts = { mode: 'chunked' as const };

  it('decodes single-chunk, multi-chunk and consecutive messages', () => {
    expect(decodeAllSplits(chunked('<a/>'), opts).messages).toEqual(['<a/>']);
    const out = decodeAllSplits(chunked('<rpc-reply>', '<ok/>', '</rpc-reply>') + chunked('<b/>'), opts);
    expect(out).toMatchObject({
      messages: ['<rpc-reply><ok/></rpc-reply>', '<b/>'],
      error: null,
      inMessage: false,
      mode: 'chunked',
    });
  });

  it('is the RFC 6242 section 4.2 example', () => {
    const rfc = '\n#4\n<rpc\n#18\n message-id="102"\n\n#79\n     xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">\n  <close-session/>\n</rpc>\n##\n';
    expect(decodeAllSplits(rfc, opts).messages).toEqual([
      '<rpc message-id="102"\n     xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">\n  <close-session/>\n</rpc>',
    ]);
  });

  it('parses a chunk header split at every position', () => {
    const input = b(chunked('0123456789ab', 'xy'));
    for (let cut = 1; cut < input.length; cut++) {
      for (const second of [cut + 1, cut + 2, input.length]) {
        expect(run(input, [cut, second], opts).messages, `cuts ${cut},${second}`).toEqual(['0123456789abxy']);
      }
    }
  });

  it('takes a chunk body containing end markers and headers as data', () => {
    const out = decodeAllSplits(chunked('a\n##\nb', '\n#12\n', '\n##\n') + chunked('\n#'), opts);
    expect(out.messages).toEqual(['a\n##\nb\n#12\n\n##\n', '\n#']);
  });

  it('keeps a multi-byte UTF-8 character split across chunks intact', () => {
    const text = 'grüße — 日本';
    const bytes = Buffer.from(text, 'utf8');
    // Cut inside 'ü' (2 bytes) and inside '日' (3 bytes).
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, 14), bytes.subarray(14)];
    const input = Buffer.concat([
      ...parts.flatMap((p) => [b(`\n#${p.length}\n`), p]),
      b('\n##\n'),
    ]);
    const out = decodeAllSplits(input, opts);
    expect(out.rawMessages.map((m) => m.toString('utf8'))).toEqual([text]);
  });

  it('accepts the largest legal chunk size, and a 10-digit size', () => {
    const out = run(b('\n#4294967295\nabc'), [], { ...opts, maxMessageBytes: 2 ** 33 });
    expect(out.error).toEqual(framingError('FRAMING_ERROR', /Input ended inside a chunk, 4294967292 of 4294967295 bytes missing at byte offset 16$/));
    expect(run(b('\n#1000000000\nab'), [], { ...opts, maxMessageBytes: 2 ** 33, finish: false }).error).toBeNull();
  });

  it.each([
    ['zero size', '\n#0\n', /may not be 0 or start with 0 at byte offset 2$/],
    ['leading zero', '\n#012\n', /may not be 0 or start with 0 at byte offset 2$/],
    ['11-digit size', '\n#12345678901\n', /more than 10 digits at byte offset 12$/],
    ['size 4294967296', '\n#4294967296\nx', /Chunk size exceeds 4294967295 at byte offset 11$/],
    ['size 9999999999', '\n#9999999999\nx', /Chunk size exceeds 4294967295 at byte offset 11$/],
    ['non-digit', '\n#1a\n', /Expected a digit or LF in chunk size but found 'a' \(0x61\) at byte offset 3$/],
    ['letter instead of size', '\n#x\n', /Expected a chunk size digit but found 'x' \(0x78\) at byte offset 2$/],
    ['CR LF after the size', '\n#1\r\nx\n##\n', /found 0x0d at byte offset 3$/],
    ['missing LF after the size', '\n#5abcde\n##\n', /found 'a' \(0x61\) at byte offset 3$/],
    ['missing #', '\n5\nabcde\n##\n', /Expected a chunk header .* found '5' \(0x35\) at byte offset 1$/],
    ['# without a preceding LF', '  #5\nabcde\n##\n', /'#' not preceded by LF at byte offset 2$/],
    ['end marker with no chunk', '\n##\n', /End-of-chunks marker before any chunk of the message at byte offset 2$/],
    ['an eom message', `<hello/>${DELIM}`, /found '<' \(0x3c\) at byte offset 0$/],
  ])('rejects %s at a message start (betweenMessages)', (_name, input, message) => {
    const out = decodeAllSplits(chunked('<ok/>') + input, opts);
    expect(out.messages).toEqual(['<ok/>']);
    const shifted = new RegExp(message.source.replace(/offset (\d+)/, (_m, n: string) => `offset ${Number(n) + 13}`));
    expect(out.error).toEqual(framingError('FRAMING_ERROR', shifted, true));
  });

  it.each([
    ['garbage between chunks', '\n#3\nabcXYZ\n##\n', /Expected LF after a chunk of 3 bytes but found 'X' \(0x58\) at byte offset 7$/],
    ['a missing # between chunks', '\n#3\nabc\n3\nxyz\n##\n', /Expected '#' after a chunk of 3 bytes but found '3' \(0x33\) at byte offset 8$/],
    ['extra whitespace between chunks', '\n#3\nabc\n\n#3\nxyz\n##\n', /found 0x0a at byte offset 8$/],
    ['a zero-size later chunk', '\n#3\nabc\n#0\n', /may not be 0 or start with 0 at byte offset 9$/],
    ['a bad end marker', '\n#3\nabc\n##x', /Expected LF to end the '\\n##\\n' marker but found 'x' \(0x78\) at byte offset 10$/],
    ['a non-digit in a later size', '\n#3\nabc\n#2z\n', /found 'z' \(0x7a\) at byte offset 10$/],
  ])('rejects %s inside a message (not betweenMessages)', (_name, input, message) => {
    const out = decodeAllSplits(input, opts);
    expect(out.messages).toEqual([]);
    expect(out.error).toEqual(framingError('FRAMING_ERROR', message, false));
  });

  it('tolerates whitespace before the first header of a message', () => {
    for (const sep of ['\n\n', '\r\n', '\n  \t', ' \n', '\n\r\n\n']) {
      const input = `${sep}#4\n<a/>\n##\n${sep}#4\n<b/>\n##\n\r\n`;
      expect(decodeAllSplits(input, opts), JSON.stringify(sep)).toMatchObject({ messages: ['<a/>', '<b/>'], error: null, inMessage: false });
    }
  });

  it('enforces maxChunkBytes on the header, as soon as the size is too big', () => {
    expect(decodeAllSplits(chunked('0123456789'), { ...opts, maxChunkBytes: 10 }).messages).toEqual(['0123456789']);
    const out = decodeAllSplits(chunked('0123456789', '0123456789a'), { ...opts, maxChunkBytes: 10 });
    expect(out.error).toEqual(framingError('FRAMING_ERROR', /exceeds maxChunkBytes \(10\) at byte offset 18$/));
    expect(decodeAllSplits('\n#100', { ...opts, maxChunkBytes: 99, finish: false }).error).toEqual(
      framingError('FRAMING_ERROR', /exceeds maxChunkBytes \(99\) at byte offset 4$/, true),
    );
  });

  it('enforces maxMessageBytes before emitting the chunk that overflows', () => {
    expect(decodeAllSplits(chunked('012345', '6789'), { ...opts, maxMessageBytes: 10 }).messages).toEqual(['0123456789']);
    const out = run(b(chunked('012345', '6789a')), [], { ...opts, maxMessageBytes: 10 });
    expect(out.error).toEqual(framingError('MESSAGE_TOO_LARGE', /maxMessageBytes \(10\) at byte offset 18$/));
    const seen: string[] = [];
    const d = new FrameDecoder({ onData: (x) => seen.push(x.toString()), onMessageEnd: () => {} }, { ...opts, maxMessageBytes: 10 });
    expect(() => d.push(b(chunked('012345', '6789a')))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    expect(seen.join('')).toBe('012345');
    decodeAllSplits(chunked('012345', '6789a'), { ...opts, maxMessageBytes: 10 });
    // The limit is per message.
    expect(decodeAllSplits(chunked('0123456789') + chunked('0123456789'), { ...opts, maxMessageBytes: 10 }).messages).toHaveLength(2);
  });

  it('fails finish() inside a chunk, a header or before the end marker', () => {
    expect(decodeAllSplits('\n#5\nab', opts).error).toEqual(framingError('FRAMING_ERROR', /Input ended inside a chunk, 3 of 5 bytes missing at byte offset 6$/));
    expect(decodeAllSplits('\n#5\nabcde', opts).error).toEqual(framingError('FRAMING_ERROR', /Input ended inside a chunked message at byte offset 9$/));
    expect(decodeAllSplits('\n#5\nabcde\n#', opts).error).toEqual(framingError('FRAMING_ERROR', /inside a chunked message/));
    expect(decodeAllSplits(chunked('<a/>') + '\n#1', opts).error).toEqual(
      framingError('FRAMING_ERROR', /inside a chunked message at byte offset 15$/, true),
    );
    expect(decodeAllSplits(chunked('<a/>') + '\n \r\n', opts)).toMatchObject({ error: null, messages: ['<a/>'], inMessage: false });
  });

  it('reports trailing text after the last message as betweenMessages', () => {
    const out = decodeAllSplits(chunked('<rpc-reply/>') + '\n<!-- end of capture -->\n', opts);
    expect(out.messages).toEqual(['<rpc-reply/>']);
    expect(out.error).toEqual(framingError('FRAMING_ERROR', /found '<' \(0x3c\) at byte offset 22$/, true));
  });

  it('hands over chunk data as views of the pushed buffer', () => {
    const input = b(chunked('a'.repeat(1000), 'b'.repeat(1000)));
    const views: Buffer[] = [];
    const d = new FrameDecoder({ onData: (x) => views.push(x), onMessageEnd: () => {} }, opts);
    d.push(input);
    expect(views.map((v) => v.length)).toEqual([1000, 1000]);
    for (const v of views) expect(v.buffer).toBe(input.buffer);
    expect(d.bytesConsumed).toBe(input.length);
  });
});

describe('after an error', () => {
  it('is dead: every later push and finish throws a FramingError with the same code', () => {
    const d = new FrameDecoder({ onData: () => {}, onMessageEnd: () => {} }, { mode: 'chunked' });
    let first: unknown;
    try {
      d.push(b(chunked('<a/>') + 'junk'));
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(FramingError);
    expect(isBetweenMessages(first)).toBe(true);
    for (const attempt of [() => d.push(b(chunked('<b/>'))), () => d.push(Buffer.alloc(0)), () => d.finish()]) {
      let later: unknown;
      try {
        attempt();
      } catch (err) {
        later = err;
      }
      expect(later).toBeInstanceOf(FramingError);
      expect(later).toMatchObject({ code: 'FRAMING_ERROR', cause: first });
      expect(isBetweenMessages(later)).toBe(true);
    }
  });

  it('stays dead after MESSAGE_TOO_LARGE, with that code', () => {
    const d = new FrameDecoder({ onData: () => {}, onMessageEnd: () => {} }, { maxMessageBytes: 3 });
    expect(() => d.push(b('abcd'))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    expect(() => d.push(b(DELIM))).toThrow(expect.objectContaining({ name: 'FramingError', code: 'MESSAGE_TOO_LARGE' }));
  });

  it('stops when a sink callback throws, passing the sink error through once', () => {
    const boom = new Error('sink failed');
    const d = new FrameDecoder({ onData: () => {}, onMessageEnd: () => { throw boom; } });
    expect(() => d.push(b(`<a/>${DELIM}<b/>${DELIM}`))).toThrow(boom);
    expect(() => d.push(b('x'))).toThrow(
      expect.objectContaining({ code: 'FRAMING_ERROR', cause: expect.objectContaining({ message: expect.stringMatching(/sink callback threw/), cause: boom }) }),
    );
    expect(() => d.push(b('x'))).toThrow(FramingError);
  });

  it('isBetweenMessages is false for anything else', () => {
    expect(isBetweenMessages(new FramingError('FRAMING_ERROR', 'x'))).toBe(false);
    expect(isBetweenMessages(Object.assign(new Error('x'), { betweenMessages: true }))).toBe(false);
    expect(isBetweenMessages(null)).toBe(false);
    expect(isBetweenMessages('x')).toBe(false);
  });
});

describe('misuse', () => {
  it('rejects bad options, modes and inputs with ClientError INVALID_ARGUMENT', () => {
    const sink = { onData: () => {}, onMessageEnd: () => {} };
    for (const options of [{ maxMessageBytes: 0 }, { maxMessageBytes: 1.5 }, { maxChunkBytes: 2 ** 32 }, { maxChunkBytes: -1 }, { mode: 'xml' }]) {
      expect(() => new FrameDecoder(sink, options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ name: 'ClientError', code: 'INVALID_ARGUMENT' }),
      );
    }
    const d = new FrameDecoder(sink);
    expect(() => d.setMode('auto' as never)).toThrow(ClientError);
    expect(() => d.push('text' as never)).toThrow(ClientError);
    d.push(new Uint8Array(b(`<a/>${DELIM}`)) as Buffer); // a plain Uint8Array is accepted
    d.finish();
    d.finish(); // idempotent
    expect(() => d.push(b('x'))).toThrow(ClientError);
  });

  it('refuses re-entrant push from a sink callback', () => {
    let inner: unknown;
    const d: FrameDecoder = new FrameDecoder({
      onData: () => {},
      onMessageEnd: () => {
        try {
          d.push(b('x'));
        } catch (err) {
          inner = err;
        }
      },
    });
    d.push(b(`<a/>${DELIM}<b/>${DELIM}`));
    expect(inner).toBeInstanceOf(ClientError);
  });
});

describe('setMode', () => {
  const hello = `<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities/></hello>${DELIM}`;

  it('switches to chunked from inside onMessageEnd for the rest of the same push', () => {
    const input = hello + chunked('<rpc-reply>', '<ok/></rpc-reply>') + chunked('<rpc-reply/>');
    const modes: string[] = [];
    const out = decodeAllSplits(input, {
      onMessageEnd: (d, n) => {
        if (n === 1) {
          modes.push(d.mode);
          d.setMode('chunked');
          modes.push(d.mode);
        }
      },
    });
    // Once per split of the input: eom at the hello's end, chunked right after the switch.
    expect(modes.length).toBeGreaterThan(0);
    for (let k = 0; k < modes.length; k += 2) expect(modes.slice(k, k + 2)).toEqual(['eom', 'chunked']);
    expect(out).toMatchObject({
      messages: [hello.slice(0, -6), '<rpc-reply><ok/></rpc-reply>', '<rpc-reply/>'],
      error: null,
      mode: 'chunked',
    });
    // Without the switch the chunked bytes are one unterminated eom message.
    expect(run(b(input), []).messages).toHaveLength(1);
  });

  it('takes effect at the next message when called mid-message', () => {
    const d = new FrameDecoder({ onData: () => {}, onMessageEnd: () => {} });
    d.push(b('<hel'));
    d.setMode('chunked');
    expect(d.mode).toBe('eom');
    d.push(b(`lo/>${DELIM}`));
    expect(d.mode).toBe('chunked');
    d.push(b(chunked('<a/>')));
    d.finish();
  });

  it('can switch back to eom', () => {
    const out = decodeAllSplits(chunked('<a/>') + `<b/>${DELIM}`, { mode: 'chunked', onMessageEnd: (d) => d.setMode('eom') });
    expect(out.messages).toEqual(['<a/>', '<b/>']);
  });
});

describe('auto mode', () => {
  const opts = { mode: 'auto' as const };

  it('detects a stream that starts chunked and stays chunked', () => {
    const out = decodeAllSplits(chunked('<rpc-reply/>') + '\n\n' + chunked('<a>', '</a>'), opts);
    expect(out).toMatchObject({ messages: ['<rpc-reply/>', '<a></a>'], mode: 'chunked', error: null });
    // Once chunked, eom framing is an error.
    expect(decodeAllSplits(chunked('<a/>') + `<b/>${DELIM}`, opts).error).toEqual(framingError('FRAMING_ERROR', /found '<'/, true));
  });

  it('decodes an eom hello followed by chunked replies', () => {
    const input = `<hello/>${DELIM}\n` + chunked('<rpc-reply message-id="1"/>') + chunked('<rpc-reply ', 'message-id="2"/>');
    const seen: string[] = [];
    const out = decodeAllSplits(input, { ...opts, onMessageEnd: (d) => seen.push(d.mode) });
    expect(out).toMatchObject({
      messages: ['<hello/>', '<rpc-reply message-id="1"/>', '<rpc-reply message-id="2"/>'],
      mode: 'chunked',
      error: null,
    });
    expect(seen.slice(0, 3)).toEqual(['auto', 'chunked', 'chunked']);
  });

  it('stays on eom for an all-eom stream, including messages that start with #', () => {
    const out = decodeAllSplits(`<a/>${DELIM}\n#b${DELIM}\n#${DELIM}  #x${DELIM}`, opts);
    expect(out).toMatchObject({ messages: ['<a/>', '#b', '#', '#x'], mode: 'auto', error: null });
    expect(decodeAllSplits(`<a/>${DELIM}\n#`, opts)).toMatchObject({ messages: ['<a/>'], partial: '#', inMessage: true, error: null });
  });

  it('applies the chunked rules to a detected header', () => {
    expect(decodeAllSplits('\n#0\n', opts).error).toEqual(framingError('FRAMING_ERROR', /may not be 0/, true));
  });
});

describe('round trips (property)', () => {
  const WS = new Set([0x09, 0x0a, 0x0d, 0x20]);
  // Bytes biased towards the ones that matter for framing.
  const framingByte = fc.oneof(fc.constantFrom(...b(']]>#\n 0123456789a\r\t')), fc.integer({ min: 0, max: 255 }));
  const payload = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 60 }),
    fc.array(framingByte, { minLength: 1, maxLength: 60 }).map((a) => Uint8Array.from(a)),
  );
  // Cut points as raw numbers, reduced modulo the input length once it is known.
  const rawCuts = fc.uniqueArray(fc.nat(), { maxLength: 20 });
  const cutsFor = (raw: number[], len: number) => raw.map((x) => x % (len + 1));

  function decodeWith(input: Buffer, cuts: number[], mode: 'eom' | 'chunked' | 'auto'): string[] {
    const out = run(input, [...cuts].sort((x, y) => x - y), { mode });
    expect(out.error).toBeNull();
    expect(out.inMessage).toBe(false);
    return out.messages;
  }

  it('chunked: encode then decode in any split gives the same payloads', () => {
    fc.assert(
      fc.property(
        fc.array(payload, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 25 }),
        rawCuts,
        (payloads, maxChunk, raw) => {
          const input = Buffer.concat(payloads.map((p) => encodeChunked(Buffer.from(p), maxChunk)));
          const expected = payloads.map((p) => Buffer.from(p).toString('latin1'));
          const cuts = cutsFor(raw, input.length);
          expect(decodeWith(input, cuts, 'chunked')).toEqual(expected);
          expect(decodeWith(input, cuts, 'auto')).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('eom: encode then decode in any split gives the same payloads', () => {
    // Eom can only carry payloads the delimiter does not cut early; the decoder also drops
    // leading whitespace and NUL padding, so payloads here start with another byte.
    const eomPayload = payload.filter((p) => {
      const buf = Buffer.from(p);
      return !WS.has(buf[0]!) && buf[0] !== 0 && Buffer.concat([buf, b(DELIM)]).indexOf(DELIM) === buf.length;
    });
    fc.assert(
      fc.property(fc.array(eomPayload, { minLength: 1, maxLength: 6 }), rawCuts, (payloads, raw) => {
        const input = Buffer.concat(payloads.map((p) => encodeEom(Buffer.from(p))));
        const expected = payloads.map((p) => Buffer.from(p).toString('latin1'));
        const cuts = cutsFor(raw, input.length);
        expect(decodeWith(input, cuts, 'eom')).toEqual(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never throws anything but a FramingError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.array(framingByte, { maxLength: 80 }).map((a) => Buffer.from(a)),
        fc.constantFrom('eom' as const, 'chunked' as const, 'auto' as const),
        rawCuts,
        (input, mode, raw) => {
          const cuts = cutsFor(raw, input.length);
          const out = run(input, [...cuts].sort((x, y) => x - y), { mode, maxMessageBytes: 40, maxChunkBytes: 30 });
          if (out.raw !== null) expect(out.raw).toBeInstanceOf(FramingError);
          // Same outcome as the whole buffer in one push.
          const whole = run(input, [], { mode, maxMessageBytes: 40, maxChunkBytes: 30 });
          expect(out.messages).toEqual(whole.messages);
          expect(out.error).toEqual(whole.error);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

// Real chunked captures from the shared corpus, read at test time.
const corpusDir = path.join(CORPUS_DIR, 'obbaa-netconf-stack/netconf-api/src/test/resources');

describe('shared corpus captures', () => {
  it.each(['sampleChunkedMessage1.txt', 'sampleChunkedMessage4.txt', 'sampleChunkedMessageWithNewLine.txt'])(
    '%s decodes in auto mode to one rpc-reply in every split',
    (file) => {
      const input = readFileSync(path.join(corpusDir, file));
      const out = decodeAllSplits(input, { mode: 'auto' }, 50);
      expect(out).toMatchObject({ error: null, inMessage: false, mode: 'chunked', bytesConsumed: input.length });
      expect(out.rawMessages).toHaveLength(1);
      const text = out.rawMessages[0]!.toString('utf8');
      expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<rpc-reply ')).toBe(true);
      expect(text.trimEnd().endsWith('</rpc-error>\n</rpc-reply>')).toBe(true);
      expect(text).toContain('<error-tag>malformed-message</error-tag>');
      // Chunk headers never leak into the payload.
      expect(text).not.toMatch(/\n#\d+\n|\n##\n/);
    },
  );

  it('the three captures carry the same reply', () => {
    const decode = (file: string) => run(readFileSync(path.join(corpusDir, file)), [], { mode: 'auto' }).messages[0]!;
    const one = decode('sampleChunkedMessage1.txt');
    expect(decode('sampleChunkedMessageWithNewLine.txt')).toBe(`${one}\n`);
    expect(decode('sampleChunkedMessage4.txt').replace(/\s+/g, ' ')).toBe(one.replace(/\s+/g, ' '));
  });
});
