import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryPoints, generate, reportName } from '../../scripts/api-report.mjs';

// The public surface, checked in: api/*.api.md, one report per entry point, made by API
// Extractor from the built declarations. A change of any export shows here first.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API = path.join(ROOT, 'api');
const HINT = 'the public API changed: run `npm run api` and commit api/ with the change';

describe('the API report (api/*.api.md)', () => {
  it('matches the built package, every export documented, every used type exported', async () => {
    if (!existsSync(path.join(ROOT, 'dist', 'index.d.ts'))) throw new Error('dist/ is missing: build first (npm test and npm run test:unit do)');
    const out = await mkdtemp(path.join(tmpdir(), 'netconfkit-api-'));
    try {
      const problems = await generate(out);
      expect(problems, 'every exported symbol needs a doc comment, and every type the API uses an entry point that exports it').toEqual([]);

      const expected = (await entryPoints()).map(([specifier]) => reportName(specifier)).sort();
      expect((await readdir(out)).filter((f) => f.endsWith('.api.md')).sort()).toEqual(expected);
      const checkedIn = existsSync(API) ? (await readdir(API)).filter((f) => f.endsWith('.api.md')).sort() : [];
      expect(checkedIn, HINT).toEqual(expected);
      for (const file of expected) {
        expect(await readFile(path.join(out, file), 'utf8'), `api/${file}: ${HINT}`).toBe(await readFile(path.join(API, file), 'utf8'));
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);
});
