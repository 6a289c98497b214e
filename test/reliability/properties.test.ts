/**
 * Property tests (fast-check, fixed seeds) for the parse paths under bad input: whatever
 * bytes come in, in whatever pieces, the framing decoder, the error extractor, the replayer,
 * parseXml and a live Session produce output or a typed NetconfError, never a TypeError,
 * RangeError or anything else, and every run ends within a time bound.
 *
 * Not repeated here (they exist already): encode/decode round trips of single-mode streams
 * and arbitrary framing bytes into the decoder (test/framing/decoder.test.ts), and split
 * invariance of every corpus capture and fixture (test/replay/split-invariance.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { NetconfError } from '../../src/errors/netconf-error.js';
import { DeviceError } from '../../src/errors/device-error.js';
import { FrameDecoder, type FrameDecoderOptions, type FramingMode } from '../../src/framing/decoder.js';
import { encodeChunked, encodeEom } from '../../src/framing/encoder.js';
import { ErrorExtractor, type ExtractorLimits } from '../../src/xml/extractor.js';
import { Replayer, type ReplayOptions } from '../../src/replay/replayer.js';
import { parseXml } from '../../src/xml/parse-data.js';
import { Session } from '../../src/session/session.js';
import { BASE, ScriptedPeer, openScripted, serverHello } from '../session/scripted-peer.js';

const SEED = 7_2024;
/** No single run of a property may take longer than this. */
const BOUND_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// Generators

const b = (s: string) => Buffer.from(s, 'utf8');
const XNM = 'xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"';

/** Fragments every layer treats specially: framing, markup, entities, the names the extractor captures. */
const TOKENS = [
  ']]>]]>', ']]>', '\n##\n', '\n#', '\n#1\n', '\n#5\n', '\n#0\n', '\n#007\n', '\n#4294967295\n', '\n#4294967296\n', '#', '\n',
  '<', '>', '</', '/>', '<!--', '-->', '<![CDATA[', '<?', '?>', '<?xml version="1.0"?>', '<!DOCTYPE r [<!ENTITY e "x">]>', '<!ENTITY',
  '&', '&amp;', '&lt;', '&#60;', '&#x3C;', '&#0;', '&#xD800;', '&e;', '"', "'", '=', ' ', ':', 'xmlns', ' xmlns="urn:x"', ` ${XNM}`,
  '<rpc-reply message-id="1">', '</rpc-reply>', '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="7">',
  '<rpc-error>', '</rpc-error>', '<error-severity>warning</error-severity>', '<error-tag>in-use</error-tag>', '<error-message>m</error-message>',
  '<error-info><session-id>3</session-id></error-info>', '<error-path xmlns:p="urn:p">/p:a</error-path>', `<xnm:error ${XNM}><message>x</message></xnm:error>`,
  `<xnm:warning ${XNM}>`, '</xnm:warning>', '<ok/>', '<configuration>', '</configuration>', '<commit-results>', '</commit-results>',
  '<routing-engine><name>re0</name>', '</routing-engine>', '<data>', '</data>', '<a>', '</a>', '<a b="c">', '<notification>', '</notification>',
  '<eventTime>2024-01-01T00:00:00Z</eventTime>', '<hello>', '</hello>', '\uFEFF', '\r\n', '\u00e9', '\u{1F600}',
].map(b);
const BAD_BYTES = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80], [0xe2, 0x82], [0xef, 0xbb]].map((a) => Buffer.from(a));

const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }).map(b) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)) },
);
/** XML-ish soup: markup, framing and entity fragments, text and raw bytes. */
const soup = fc.array(token, { maxLength: 60 }).map((parts) => Buffer.concat(parts));
/** Plain random bytes. */
const noise = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
const anyInput = fc.oneof({ weight: 3, arbitrary: soup }, { weight: 1, arbitrary: noise });
/** Cut points (offsets; those outside the input are ignored). */
const cuts = fc.uniqueArray(fc.nat({ max: 400 }), { maxLength: 24 }).map((c) => c.sort((x, y) => x - y));

const limits: fc.Arbitrary<ExtractorLimits & { maxMessageBytes?: number }> = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      maxMessageBytes: fc.integer({ min: 1, max: 200 }),
      maxDepth: fc.integer({ min: 1, max: 8 }),
      maxTagBytes: fc.integer({ min: 1, max: 64 }),
      maxItemBytes: fc.integer({ min: 1, max: 256 }),
      maxSkippedTextBytes: fc.integer({ min: 0, max: 16 }),
    },
    { requiredKeys: [] },
  ),
);

function split(bytes: Buffer, at: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    if (c <= from || c >= bytes.length) continue;
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** Runs `fn`, which may throw only a NetconfError, within the time bound. */
function outputOrNetconfError(fn: () => void): NetconfError | null {
  const t0 = performance.now();
  let error: NetconfError | null = null;
  try {
    fn();
  } catch (err) {
    if (!(err instanceof NetconfError)) throw new Error(`threw a ${(err as Error)?.constructor?.name}, not a NetconfError: ${String(err)}`, { cause: err });
    // Its JSON is plain data.
    expect(() => JSON.stringify(err.toJSON())).not.toThrow();
    error = err;
  }
  expect(performance.now() - t0).toBeLessThan(BOUND_MS);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Framing

describe('framing round trips of whole sessions', () => {
  // A payload the session could send: arbitrary bytes, with many framing-significant ones.
  const framingByte = fc.oneof(fc.constantFrom(...b(']]>#\n 0123456789<\r\t')), fc.integer({ min: 0, max: 255 }));
  const payload = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 80 }).map((u) => Buffer.from(u)),
    fc.array(framingByte, { minLength: 1, maxLength: 80 }).map((a) => Buffer.from(a)),
    soup.filter((x) => x.length > 0),
  );

  /** Decodes `stream` cut at `at`, switching to chunked after the first message (as a session does after <hello>). */
  function decodeSession(stream: Buffer, at: readonly number[], mode: FramingMode): Buffer[] {
    const messages: Buffer[] = [];
    let parts: Buffer[] = [];
    const decoder: FrameDecoder = new FrameDecoder(
      {
        onData: (bytes) => parts.push(Buffer.from(bytes)),
        onMessageEnd: () => {
          messages.push(Buffer.concat(parts));
          parts = [];
          if (messages.length === 1 && mode !== 'auto') decoder.setMode('chunked');
        },
      },
      { mode },
    );
    for (const piece of split(stream, at)) decoder.push(piece);
    decoder.finish();
    return messages;
  }

  it('an eom hello then chunked messages (any chunk size) decode to the same payloads in any split, switching mode in onMessageEnd', () => {
    // The hello is what a device sends: it starts with '<' and holds no delimiter.
    const hello = payload.map((p) => Buffer.concat([b('<hello>'), p, b('</hello>')])).filter((h) => !h.includes(']]>]]>') && !h.subarray(-6).toString('latin1').includes(']'));
    fc.assert(
      fc.property(hello, fc.array(payload, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 30 }), cuts, (h, messages, chunk, at) => {
        const stream = Buffer.concat([encodeEom(h), ...messages.map((m) => encodeChunked(m, chunk))]);
        for (const mode of ['eom', 'auto'] as const) {
          const decoded = decodeSession(stream, at, mode);
          expect(decoded.map((d) => d.toString('hex'))).toEqual([h, ...messages].map((m) => m.toString('hex')));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('encodeEom either frames a payload so that it decodes back (leading whitespace and NUL padding aside) or refuses it with a FramingError', () => {
    fc.assert(
      fc.property(payload, cuts, (p, at) => {
        let framed: Buffer;
        try {
          framed = encodeEom(p);
        } catch (err) {
          expect(err).toBeInstanceOf(NetconfError);
          expect((err as NetconfError).code).toBe('FRAMING_ERROR');
          return;
        }
        const messages: Buffer[] = [];
        let parts: Buffer[] = [];
        const decoder = new FrameDecoder({ onData: (x) => parts.push(Buffer.from(x)), onMessageEnd: () => { messages.push(Buffer.concat(parts)); parts = []; } }, { mode: 'eom' });
        for (const piece of split(framed, at)) decoder.push(piece);
        decoder.finish();
        const expected = p.toString('latin1').replace(/^[ \t\r\n\0]+/, '');
        expect(messages.map((m) => m.toString('latin1'))).toEqual(expected === '' ? [] : [expected]);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('FrameDecoder under arbitrary input', () => {
  const decoderOptions: fc.Arbitrary<FrameDecoderOptions> = fc.record(
    {
      mode: fc.constantFrom<FramingMode>('eom', 'chunked', 'auto'),
      maxMessageBytes: fc.integer({ min: 1, max: 300 }),
      maxChunkBytes: fc.integer({ min: 1, max: 300 }),
    },
    { requiredKeys: ['mode'] },
  );

  it('emits at most what was pushed, never more than maxMessageBytes per message, and throws only NetconfErrors, once dead always dead', () => {
    fc.assert(
      fc.property(anyInput, decoderOptions, cuts, fc.boolean(), (input, options, at, setMode) => {
        let delivered = 0;
        let messageBytes = 0;
        const decoder: FrameDecoder = new FrameDecoder(
          {
            onData: (bytes) => {
              delivered += bytes.length;
              messageBytes += bytes.length;
              expect(messageBytes).toBeLessThanOrEqual(options.maxMessageBytes ?? Number.MAX_SAFE_INTEGER);
            },
            onMessageEnd: () => {
              messageBytes = 0;
              if (setMode) decoder.setMode(decoder.mode === 'chunked' ? 'eom' : 'chunked');
            },
          },
          options,
        );
        const error = outputOrNetconfError(() => {
          for (const piece of split(input, at)) decoder.push(piece);
          decoder.finish();
        });
        expect(delivered).toBeLessThanOrEqual(input.length);
        if (error) {
          expect(['FRAMING_ERROR', 'MESSAGE_TOO_LARGE']).toContain(error.code);
          // Dead: the same code again, as a NetconfError.
          const again = outputOrNetconfError(() => decoder.push(b('<a/>')));
          expect(again?.code).toBe(error.code);
        }
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Extractor, replayer, parseXml

describe('ErrorExtractor under arbitrary input', () => {
  it('gives a summary or a NetconfError, in any split, with any limits, and its items are DeviceErrors whose JSON round-trips', () => {
    fc.assert(
      fc.property(anyInput, limits, cuts, (input, lim, at) => {
        const seen: DeviceError[] = [];
        const x = new ErrorExtractor({ onItem: (item) => seen.push(item) }, lim);
        let summary: ReturnType<ErrorExtractor['end']> | null = null;
        const error = outputOrNetconfError(() => {
          for (const piece of split(input, at)) x.push(piece);
          summary = x.end();
        });
        if (error) {
          expect(['MALFORMED_XML', 'MESSAGE_TOO_LARGE']).toContain(error.code);
          // A failed extractor stays failed: end() again gives the same code.
          expect(outputOrNetconfError(() => x.end())?.code).toBe(error.code);
        } else {
          expect(summary!.items).toEqual(seen);
        }
        for (const item of seen) {
          expect(item).toBeInstanceOf(DeviceError);
          expect(item.message).not.toBe('');
          const json = item.toJSON();
          expect(NetconfError.fromJSON(JSON.parse(JSON.stringify(json))).toJSON()).toEqual(json);
        }
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('refuses every DOCTYPE and entity declaration wherever it appears in the soup', () => {
    const decl = fc.constantFrom('<!DOCTYPE r>', '<!DOCTYPE r [<!ENTITY e "x">]>', '<!ENTITY e "x">', '<!ELEMENT r ANY>', '<!ATTLIST r a CDATA "">');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('<r>', '<a>', '</a>', 'text', '<!-- c -->', '<?pi x?>', ' '), { maxLength: 10 }), decl, fc.array(fc.constantFrom('</a>', '</r>', 't'), { maxLength: 4 }), cuts, (before, d, after, at) => {
        const input = b(`${before.join('')}${d}${after.join('')}`);
        const x = new ErrorExtractor();
        const error = outputOrNetconfError(() => {
          for (const piece of split(input, at)) x.push(piece);
          x.end();
        });
        expect(error?.code).toBe('MALFORMED_XML');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('Replayer under arbitrary input', () => {
  const framing = fc.constantFrom<NonNullable<ReplayOptions['framing']>>('auto', 'eom', 'chunked', 'none');

  it('gives a result whose failures are NetconfErrors, and loses no item, in any split, any framing mode, any limits', () => {
    fc.assert(
      fc.property(anyInput, framing, limits, cuts, (input, mode, lim, at) => {
        // Checked after the run: what onItem throws is reported, it would not fail the property.
        const seen: unknown[] = [];
        const r = new Replayer({ limits: lim, framing: mode, onItem: (item) => { seen.push(item); } });
        for (const piece of split(input, at)) r.push(piece);
        const result = r.end();
        const items = seen.length;
        for (const item of seen) expect(item).toBeInstanceOf(DeviceError);
        for (const e of [result.error, ...result.messages.map((m) => m.error)]) if (e !== null) expect(e).toBeInstanceOf(NetconfError);
        expect(result.messages.length > 0 || result.error !== null).toBe(true);
        expect(result.messages.reduce((n, m) => n + m.items.length, 0)).toBe(items);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('framed messages of soup: the same result whole and in any split (default limits)', () => {
    const framed = fc.tuple(fc.array(soup, { minLength: 1, maxLength: 4 }), fc.constantFrom('eom', 'chunked'), fc.integer({ min: 1, max: 20 })).map(([messages, mode, chunk]) =>
      Buffer.concat(messages.filter((m) => m.length > 0 && !m.includes(']]>]]>')).map((m) => (mode === 'eom' ? Buffer.concat([m, b(']]>]]>')]) : encodeChunked(m, chunk)))));
    const canonical = (chunks: Buffer[]) => {
      try {
        const r = new Replayer();
        for (const c of chunks) r.push(c);
        const res = r.end();
        return {
          ...res,
          error: res.error?.code ?? null,
          messages: res.messages.map((m) => ({ ...m, error: m.error?.code ?? null, items: m.items.map((i) => i.toJSON()) })),
        };
      } catch (err) {
        if (!(err instanceof NetconfError)) throw err;
        return { code: err.code };
      }
    };
    fc.assert(
      fc.property(framed, cuts, (input, at) => {
        expect(canonical(split(input, at))).toEqual(canonical([input]));
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });
});

describe('parseXml under arbitrary input', () => {
  it('returns plain objects or throws MALFORMED_XML, nothing else, within the bound', () => {
    fc.assert(
      fc.property(fc.oneof(soup.map((x) => x.toString('utf8')), fc.string({ maxLength: 200 })), fc.boolean(), (text, keepPrefixes) => {
        let out: unknown;
        const error = outputOrNetconfError(() => {
          out = parseXml(text, { keepPrefixes, arrays: ['a'] });
        });
        if (error) expect(error.code).toBe('MALFORMED_XML');
        else expect(typeof out).toBe('object');
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('survives deep nesting (recursion in the parser becomes MALFORMED_XML, not a RangeError)', () => {
    for (const depth of [1_000, 10_000, 100_000]) {
      const error = outputOrNetconfError(() => parseXml(`${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`));
      if (error) expect(error.code).toBe('MALFORMED_XML');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Cost under a trickle

describe('trickled input', () => {
  /**
   * A peer can send a message one byte per SSH packet. Each push must cost about as much as
   * the bytes it brings, not as much as the tag it continues: otherwise the largest tag the
   * limits allow (maxTagBytes, 64 KiB by default) costs O(n²) when trickled.
   */
  it.each([
    ['a start tag with many attributes', (n: number) => b(`<r><a${' b="1"'.repeat(Math.floor(n / 6))}/></r>`)],
    ['a start tag with a long name', (n: number) => b(`<r><${'n'.repeat(n)}/></r>`)],
    ['an end tag with a long name', (n: number) => b(`<r><${'n'.repeat(n)}></${'n'.repeat(n)}   ></r>`)],
    ['a long comment, CDATA and text', (n: number) => b(`<r><!--${'-x'.repeat(n / 2)}--><![CDATA[${']x'.repeat(n / 2)}]]>${'t'.repeat(n)}</r>`)],
  ])('%s, just under the default maxTagBytes, fed one byte at a time, within 2 s', (what, make) => {
    const input = make(60 * 1024);
    const x = new ErrorExtractor();
    const t0 = performance.now();
    let fed = 0;
    for (; fed < input.length; fed++) {
      x.push(input.subarray(fed, fed + 1));
      // Stop early rather than spend CI minutes on a quadratic path: report how far it got.
      if ((fed & 1023) === 0 && performance.now() - t0 > 2_000) break;
    }
    const ms = performance.now() - t0;
    process.stdout.write(`trickle: ${what}: ${fed} of ${input.length} bytes in ${ms.toFixed(0)} ms\n`);
    expect(fed, `only ${fed} of ${input.length} bytes were fed in ${ms.toFixed(0)} ms`).toBe(input.length);
    expect(x.end().root?.name).toBe('r');
  });
});

// ---------------------------------------------------------------------------------------------
// A live session

describe('Session under arbitrary input from the device', () => {
  it('every pending call settles with a reply or a NetconfError, whatever the device sends, and nothing throws out of the stream handlers', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, cuts, fc.boolean(), fc.boolean(), async (input, at, chunked, answerFirst) => {
        const peer = new ScriptedPeer();
        const started = Session.start(peer.transport, { helloTimeoutMs: 2_000, rpcTimeoutMs: 0 });
        await peer.waitForRequests(1);
        peer.send(serverHello({ base: chunked ? 'both' : '1.0' }));
        const session = await started;
        if (chunked) peer.useChunked();
        const protocolErrors: NetconfError[] = [];
        session.on('protocolError', (e) => protocolErrors.push(e));
        session.on('notification', () => {});
        const calls = [session.rpc('<get/>'), session.rpc('<edit-config/>', { write: true }), session.rpc('<get-config/>', { collect: false })].map((p) =>
          p.then((reply) => ({ reply }), (error: unknown) => ({ error })),
        );
        await peer.waitForRequests(4);
        if (answerFirst) peer.reply(1, '<ok/>');
        for (const piece of split(input, at)) peer.sendRaw(piece);
        await new Promise((r) => setImmediate(r));
        peer.drop();
        const settled = await Promise.race([Promise.all(calls), new Promise<null>((r) => setTimeout(() => r(null), BOUND_MS).unref())]);
        expect(settled).not.toBeNull();
        for (const s of settled!) {
          if ('error' in s) {
            expect(s.error).toBeInstanceOf(NetconfError);
            expect(() => JSON.stringify((s.error as NetconfError).toJSON())).not.toThrow();
          } else expect(s.reply.messageId).toMatch(/^[123]$/);
        }
        for (const e of protocolErrors) expect(e).toBeInstanceOf(NetconfError);
        expect(session.closed).toBe(true);
        expect(session.inFlight).toBe(0);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('a hello of arbitrary bytes: start() resolves or rejects with a NetconfError, never hangs past helloTimeoutMs', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), async (input, frame) => {
        const peer = new ScriptedPeer();
        const started = Session.start(peer.transport, { helloTimeoutMs: 100 }).then((s) => ({ s }), (error: unknown) => ({ error }));
        await peer.waitForRequests(1);
        peer.sendRaw(frame ? Buffer.concat([input, b(']]>]]>')]) : input);
        const t0 = performance.now();
        const r = await started;
        expect(performance.now() - t0).toBeLessThan(BOUND_MS);
        if ('error' in r) {
          expect(r.error).toBeInstanceOf(NetconfError);
          expect(['HELLO_TIMEOUT', 'PROTOCOL_ERROR', 'MALFORMED_XML', 'FRAMING_ERROR', 'MESSAGE_TOO_LARGE']).toContain((r.error as NetconfError).code);
        } else {
          r.s.destroy();
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('a base:1.1 device that goes on with ]]>]]> framing: FRAMING_ERROR for the call, and the session closes', async () => {
    const { session, peer } = await openScripted();
    const call = session.rpc('<get/>');
    await peer.waitForRequests(2);
    // Still eom on the device's side: the session expects chunked and says FRAMING_ERROR.
    peer.sendRaw(`<rpc-reply xmlns="${BASE}" message-id="1"><ok/></rpc-reply>]]>]]>`);
    const err = await call.then(() => null, (e: unknown) => e as NetconfError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err!.code).toBe('FRAMING_ERROR');
    expect(session.closed).toBe(true);
  });
});
