import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { entries } from '../../tsup.config.js';
import { DOCS, ROOT } from './docs.js';

// Every ```ts block of the documentation (the README, the guides in docs/, CONTRIBUTING.md and
// the fake device's README) compiles, as a user's file would: imports from `netconfkit` and its
// subpaths (mapped to this repository's sources), strict TypeScript, no skipLibCheck.
// A block that is deliberately a fragment (a line or two out of context) says so: ```ts fragment.

interface Block { doc: string; line: number; code: string }

function blocks(doc: string): Block[] {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');
  const found: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(?:\s+(\S+))?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (open[1] !== 'fragment') found.push({ doc, line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

// `netconfkit/fleet` → src/fleet/index.ts, from the build's entries (one per subpath of "exports").
function paths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const out: Record<string, string[]> = {};
  for (const subpath of Object.keys(pkg.exports).filter((s) => !s.endsWith('.json'))) {
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const source = (entries as Record<string, string>)[name];
    if (!source) throw new Error(`tsup.config.ts has no entry for the subpath ${subpath}`);
    out[path.posix.join('netconfkit', subpath)] = [path.join(ROOT, source)];
  }
  return out;
}

describe('documentation code examples', () => {
  const all = DOCS.flatMap(blocks);

  it('are there: the README and the guides show code, and it is checked', () => {
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const doc of ['README.md', 'docs/commit-flow.md', 'docs/session.md', 'docs/fake-device.md']) {
      expect(all.some((b) => b.doc === doc), doc).toBe(true);
    }
  });

  it('compile in a strict TypeScript project (no skipLibCheck), importing from the package subpaths', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netconfkit-docs-'));
    try {
      await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      const files: string[] = [];
      const names = new Map<string, Block>();
      for (const b of all) {
        const name = `${b.doc.replace(/[/.]/g, '_')}_line${b.line}.ts`;
        names.set(name, b);
        files.push(name);
        // `export {}`: each block is a module of its own (top-level await, no shared names).
        await writeFile(path.join(dir, name), `${b.code}\nexport {};\n`);
      }
      await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
          lib: ['es2022', 'esnext.disposable'], types: ['node'], noUncheckedIndexedAccess: true, noImplicitOverride: true,
          verbatimModuleSyntax: false, paths: paths(),
        },
        files,
      }));
      const out = await new Promise<string>((resolve) => {
        execFile(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', maxBuffer: 16 << 20 },
          (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
      });
      // file_line12.ts(3,5): error … → README.md:14: error … (the block's first line is the fence's next)
      const errors = out.split('\n').filter((l) => l.trim()).map((l) => {
        const m = /^([^(\s]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
        const b = m && names.get(path.basename(m[1]!));
        return b ? `${b.doc}:${b.line + Number(m[2])}: ${m[4]}` : l.replace(ROOT, '');
      });
      expect(errors, 'fix the example, or mark a deliberate fragment ```ts fragment').toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
