import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The API reference (npm run docs) builds for every entry point with no warning: a type the
// API uses but no entry point exports, or a broken {@link}, fails here.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the API reference (TypeDoc)', () => {
  it('builds for every entry point with no warning', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netconfkit-docs-'));
    try {
      const r = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8' },
          (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` }));
      });
      expect(r.output.replace(/\x1b\[[0-9;]*m/g, '').trim()).toBe('');
      expect(r.code).toBe(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
