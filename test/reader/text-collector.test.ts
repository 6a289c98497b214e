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

  it('take() gives the text so far and keeps a character cut at the end for the next write, in the small buffer and in the store', () => {
    for (const size of [100, 300 * 1024]) {
      const want = `${'x'.repeat(size)}€𝄞\u00e9`;
      const bytes = Buffer.from(want);
      for (const cut of [size + 1, size + 2, size + 4, size + 6]) {
        const c = new TextCollector();
        c.write(bytes.subarray(0, cut));
        const first = c.take();
        c.write(bytes.subarray(cut));
        expect(first + c.end()).toBe(want);
      }
    }
    // Invalid sequences cut the same way read as they would whole.
    const bad = Buffer.from('61e282f09f98eda0806162', 'hex');
    for (let cut = 1; cut < bad.length; cut++) {
      const c = new TextCollector();
      c.write(bad.subarray(0, cut));
      const first = c.take();
      c.write(bad.subarray(cut));
      expect(first + c.end()).toBe(bad.toString('utf8'));
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
    // The small buffer is reused: a shorter message after a longer one holds only its own bytes.
    c.write(Buffer.from('é'.repeat(20_000)));
    expect(c.end()).toBe('é'.repeat(20_000));
    c.write(Buffer.from('<a/>'));
    expect(c.slice(0, 4)).toBe('<a/>');
    expect(c.end()).toBe('<a/>');
  });

  it('slice() gives the text between any two ASCII bytes, in the small buffer and in the store, invalid UTF-8 included', () => {
    for (const [size, seed, invalid] of [[200, 1, false], [64 * 1024 + 3, 2, false], [900 * 1024, 3, false], [300 * 1024, 4, true], [5000, 5, true]] as const) {
      let bytes = Buffer.from(text(size, seed));
      if (invalid) {
        // Stray continuation bytes, a lone lead byte and a 4-byte sequence cut short, here and there.
        const parts: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += 4099) parts.push(bytes.subarray(at, at + 4099), Buffer.from([0x80, 0xe2, 0x3c, 0xf0, 0x9f, 0x98, 0x61]));
        bytes = Buffer.concat(parts);
      }
      const ascii: number[] = [];
      for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) ascii.push(i);
      const offsets = [0, bytes.length, ...ascii.filter((_, k) => k % Math.max(1, Math.floor(ascii.length / 40)) === 0)];
      for (const step of [65_536, 4093, 300_000]) {
        const c = new TextCollector();
        for (let at = 0; at < bytes.length; at += step) c.write(Buffer.from(bytes.subarray(at, at + step)));
        for (let k = 0; k + 1 < offsets.length; k += 2) {
          const [a, b] = [offsets[k]!, offsets[k + 1]!].sort((x, y) => x - y) as [number, number];
          expect(c.slice(a, b), `${size} ${step} ${a}..${b}`).toBe(bytes.toString('utf8', a, b));
        }
        expect(c.end()).toBe(bytes.toString('utf8'));
      }
    }
  });
});
