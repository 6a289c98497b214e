import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entries } from '../../tsup.config.js';

// The layering rule, held against the code: docs/architecture.md draws the layers, and every
// import in src/ must point to its own unit or to a layer below.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = path.join(ROOT, 'src');

/** A unit is a directory of src/, or a file in src/ itself (the entry points): `session`, `index.ts`. */
function unitOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

/** The layers drawn in the doc's ```text picture under "## The layers", top first. */
function layersFromDoc(markdown: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('The layers'));
  const picture = section?.match(/```text\n([\s\S]*?)```/)?.[1];
  if (!picture) throw new Error('docs/architecture.md has no ```text picture under "## The layers"');
  return picture
    .split('\n')
    .filter((line) => /[a-z]/.test(line))
    .map((line) => line.split('·').map((name) => name.trim()));
}

interface Import {
  file: string;
  specifier: string;
  from: string;
  to: string;
}

/** Every relative import of every module in src/ (static, type-only, re-export and dynamic), by unit. */
function importsOfSrc(): Import[] {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(SRC, f));
  const found: Import[] = [];
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveTs(file, specifier);
      found.push({ file: path.relative(ROOT, file), specifier, from: unitOf(file), to: path.relative(SRC, target).startsWith('..') ? '(outside src)' : unitOf(target) });
    }
  }
  return found;
}

/** The imports that break the rule: to a unit not drawn, or to one not strictly below (a sibling, or above). */
function upwardImports(imports: readonly Import[], layers: readonly (readonly string[])[]): string[] {
  const depth = new Map<string, number>();
  layers.forEach((names, i) => names.forEach((name) => depth.set(name, layers.length - i)));
  return imports
    .filter((i) => i.from !== i.to)
    .filter((i) => !(depth.has(i.from) && depth.has(i.to) && depth.get(i.to)! < depth.get(i.from)!))
    .map((i) => `${i.file} imports '${i.specifier}': ${i.from} → ${i.to}`);
}

const layers = layersFromDoc(readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8'));
const imports = importsOfSrc();

describe('the layers of src/, as docs/architecture.md draws them', () => {
  it('the picture names every directory and entry file of src/, each once', () => {
    const drawn = layers.flat();
    const units = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
      .map((e) => e.name);
    expect([...drawn].sort()).toEqual([...new Set(units)].sort());
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it('every import in src/ points down: to its own unit, or to a layer below (never a sibling, never up)', () => {
    // The parse sees what it must: plain, type-only and re-exported imports alike.
    expect(imports.length).toBeGreaterThan(300);
    expect(imports).toContainEqual(expect.objectContaining({ file: 'src/index.ts', from: 'index.ts', to: 'operations' }));
    expect(imports).toContainEqual(expect.objectContaining({ from: 'cli', to: 'fleet' }));
    expect(upwardImports(imports, layers)).toEqual([]);
  });

  it('the check reports an upward import, a sibling\'s and one to a unit the picture leaves out', () => {
    const made = (from: string, to: string): Import => ({ file: `src/${from}/x.ts`, specifier: `../${to}/y.js`, from, to });
    expect(upwardImports([made('fleet', 'cli'), made('recording', 'transport'), made('session', 'plugins'), made('cli', 'fleet')], layers)).toEqual([
      "src/fleet/x.ts imports '../cli/y.js': fleet → cli",
      "src/recording/x.ts imports '../transport/y.js': recording → transport",
      "src/session/x.ts imports '../plugins/y.js': session → plugins",
    ]);
  });

  it('no module in src/ imports an entry point (the package\'s subpaths are leaves)', () => {
    const entryFiles = new Set(Object.values(entries).map((f) => path.join(ROOT, f)));
    const offenders = imports.filter((i) => entryFiles.has(resolveTs(path.join(ROOT, i.file), i.specifier)));
    expect(offenders).toEqual([]);
  });

  it('the doc has a paragraph for each layer, under a heading naming its units', () => {
    const headings = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8').match(/^### .*$/gm) ?? [];
    for (const names of layers) expect(headings, names.join(' · ')).toContain(`### ${names.map((n) => `\`${n}\``).join(' · ')}`);
  });
});

/** The .ts file an import specifier names (`./x.js` → `x.ts`). */
function resolveTs(file: string, specifier: string): string {
  return path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
}
