import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Replayer, replay } from '../../src/replay/replayer.js';
import { loadExpected, readCapture } from '../support/corpus.js';
import { bytewise, fixture, fixtureNames, splitAt } from '../support/fixtures.js';

/** Everything a replay produced, as plain data: two runs agree when these are equal. */
function canonical(run: () => ReturnType<typeof replay>): unknown {
  try {
    const r = run();
    return { ...r, messages: r.messages.map((m) => ({ ...m, items: m.items.map((i) => i.toJSON()) })) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

function inChunks(chunks: Buffer[]): () => ReturnType<typeof replay> {
  return () => {
    const r = new Replayer();
    for (const c of chunks) r.push(c);
    return r.end();
  };
}

const corpus = Object.keys(loadExpected()).sort().map((name) => ({ name, bytes: readCapture(name) }));
const fixtures = fixtureNames().map((name) => ({ name: `fixtures/${name}`, bytes: fixture(name) }));

describe.each([...corpus, ...fixtures])('split invariance: $name', ({ bytes }) => {
  const whole = canonical(() => replay(bytes));

  it('gives identical output for random splits', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
        expect(canonical(inChunks(splitAt(bytes, cuts)))).toEqual(whole);
      }),
      { numRuns: 12, seed: 6242 },
    );
  });

  it('gives identical output one byte at a time', () => {
    expect(canonical(inChunks(bytewise(bytes)))).toEqual(whole);
  });
});
