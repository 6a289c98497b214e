import { describe, expect, it } from 'vitest';
import { replay } from '../../src/replay/replayer.js';
import { loadExpected, readCapture } from '../support/corpus.js';
import { corpusView } from '../support/project.js';

const expected = loadExpected();
const names = Object.keys(expected).sort();

describe('the shared corpus: exact agreement with expected.json', () => {
  it('has captures to check', () => {
    expect(names.length).toBeGreaterThan(100);
  });

  it.each(names)('%s', (name) => {
    const want = expected[name]!;
    const got = corpusView(replay(readCapture(name)));
    const { entries: wantEntries, ...wantRest } = want;
    const { entries: gotEntries, ...gotRest } = got;
    expect(gotRest).toEqual(wantRest);
    expect(gotEntries).toHaveLength(wantEntries.length);
    // Field by field: every field expected.json names must be ours, with the same value.
    wantEntries.forEach((entry, k) => {
      const ours = gotEntries[k] as Record<string, unknown>;
      for (const [field, value] of Object.entries(entry)) expect({ entry: k, field, value: ours[field] }).toEqual({ entry: k, field, value });
    });
  });
});
