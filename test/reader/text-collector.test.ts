import { describe, expect, it } from 'vitest';
import { TextCollector } from '../../src/reader/text-collector.js';

/** A text of about `size` bytes with 1-, 2-, 3- and 4-byte UTF-8 characters. */
function text(size: number, seed: number): string {
  const alphabet = ['a', '<', 'é', '€', '𝄞', 'z', '\n', 'ж'];
  const parts: string[] = [];
  let bytes = 0;
  let x = seed;
  while (bytes < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    const part = alphabet[x % alphabet.length]!.repeat(1 + (x >>> 8) % 50);
    parts.push(part);
    bytes += Buffer.byteLength(part);
  }
  return parts.join('');
}

describe('TextCollector', () => {
  it('gives back the exact text, whatever the size and however the bytes are split (characters cut included)', () => {
    for (const [size, seed] of [[10, 1], [64 * 1024 - 1, 2], [64 * 1024 + 3, 3], [256 * 1024 + 7, 4], [1024 * 1024 + 11, 5]] as const) {
      const want = text(size, seed);
      const bytes = Buffer.from(want);
      for (const step of [1, 3, 7, 4096, 65_537, 300_000]) {
        if (step < 1000 && bytes.length > 70_000) continue;
        const c = new TextCollector();
        for (let at = 0; at < bytes.length; at += step) {
          // The caller may reuse its buffer: the collector must not keep it.
          const piece = Buffer.from(bytes.subarray(at, at + step));
          c.write(piece);
          piece.fill(0);
        }
        expect(c.end()).toBe(want);
      }
    }
  });

  it('is empty again after end() and clear()', () => {
    const c = new TextCollector();
    c.write(Buffer.from('x'.repeat(100_000)));
    c.end();
    c.write(Buffer.from('ab'));
    expect(c.end()).toBe('ab');
    c.write(Buffer.from('x'.repeat(300_000)));
    c.clear();
    expect(c.end()).toBe('');
  });
});
