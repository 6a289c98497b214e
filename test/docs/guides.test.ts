import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { diagnostics } from '../../src/observability/diagnostics.js';

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
