import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
}

/** The licence notes that travel with fixtures copied from other projects: text, not captures. */
const LICENCE_NOTE = (entry: string) => entry === 'NOTICE' || entry.startsWith('LICENSE');

/** Every capture file under fixtures/ (sub-folders included), as names `fixture()` takes. */
export function fixtureNames(dir = FIXTURES_DIR, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const name = prefix + entry;
    if (statSync(path.join(dir, entry)).isDirectory()) return fixtureNames(path.join(dir, entry), `${name}/`);
    return LICENCE_NOTE(entry) ? [] : [name];
  });
}

/** Splits bytes at the given cut points (sorted, deduplicated, inside the buffer). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

export function bytewise(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.subarray(i, i + 1));
  return out;
}
