import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { FAKE_PERSONALITY_NAMES, FAKE_QUIRKS } from '../../src/device/personalities.js';
import { diagnostics } from '../../src/observability/diagnostics.js';
import { QUIRK_KINDS } from '../../src/reader/quirks.js';

// What a guide promises to list in full, held to the code.

const guide = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

/** A channel's name: a plain channel has one; a tracing channel's is its start channel's, less `tracing:` and `:start`. */
function channelName(c: object): string {
  if ('name' in c) return String(c.name);
  const start = (c as { start: { name: string | symbol } }).start.name;
  return String(start).replace(/^tracing:/, '').replace(/:start$/, '');
}

describe('the observability guide', () => {
  it('has a row for every diagnostics channel netconfkit publishes to, and no other', () => {
    const published = Object.values(diagnostics).map(channelName).sort();
    const rows = [...guide('observability.md').matchAll(/^\| `(netconfkit:[^`]+)` \| (?:tracing|event) \|/gm)].map((m) => m[1]!).sort();
    expect(published.length).toBeGreaterThanOrEqual(9);
    expect(rows).toEqual(published);
  });
});

/** The rows of the first Markdown table under the line starting with `header`, as cells. */
function tableAfter(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `a table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!.slice(1, -1).split('|').map((c) => c.trim()));
  return rows;
}

const firstName = (cell: string) => /^`([^`]+)`/.exec(cell)?.[1];

describe('devices as they are', () => {
  const doc = guide('devices-as-they-are.md');
  const readPast = tableAfter(doc, '| vendor | quirk | what netconfkit does | quirk event | the FakeDevice option that reproduces it |');
  const reference = readFileSync(new URL('../../src/device/README.md', import.meta.url), 'utf8');

  it('lists every quirk kind, in order, and each is read past by a row with a device that reproduces it', () => {
    expect(tableAfter(doc, '| kind | seen by |').map((r) => firstName(r[0]!))).toEqual(QUIRK_KINDS);
    for (const kind of QUIRK_KINDS) {
      const rows = readPast.filter((r) => r[3] === `\`${kind}\``);
      expect(rows.length, kind).toBeGreaterThan(0);
      for (const row of rows) expect(row[4], kind).not.toBe('');
    }
  });

  it('names only personalities, quirk options and captures that exist, and every one of them', () => {
    const reproducers = readPast.map((r) => r[4]!).join('\n');
    const personalities = [...reproducers.matchAll(/personality: '([\w-]+)'/g)].map((m) => m[1]!);
    const quirks = [...reproducers.matchAll(/quirks: \{ (\w+)/g)].map((m) => m[1]!);
    expect([...new Set(personalities)].sort()).toEqual([...FAKE_PERSONALITY_NAMES].sort());
    expect([...new Set(quirks)].sort()).toEqual([...FAKE_QUIRKS].sort());
    for (const [, file] of reproducers.matchAll(/`(fixtures\/quirks\/[^`]+)`/g)) expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
  });

  it('the fake device reference has a row for every quirk option and personality name, in order', () => {
    expect(tableAfter(reference, '| quirk | the device |').map((r) => firstName(r[0]!))).toEqual(FAKE_QUIRKS);
    expect(tableAfter(reference, '| name | server |').map((r) => firstName(r[0]!))).toEqual(FAKE_PERSONALITY_NAMES);
  });
});
