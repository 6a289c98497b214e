import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { SCENARIO, SCENARIO_FINDINGS, TREE_SHAKEN, TSCONFIG_BUNDLER, TSCONFIG_NODE16, subpathImports, subpathLoader } from './programs.js';

// The package as users get it: `npm pack` of the built dist/ (npm test builds it first),
// installed from the tarball into a fresh project, used from ESM, CommonJS and strict TypeScript.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

interface Run { code: number; stdout: string; stderr: string }

function run(command: string, args: string[], cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

// Under `npm test`, npm's own variables (npm_config_local_prefix above all) would point a child
// npm at this repository instead of the scratch project.
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'npm_config_local_prefix' || key === 'INIT_CWD') delete env[key];
  }
  return env;
}

const ok = (r: Run) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
const versionOf = async (name: string) => (JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let work = '';
let app = '';
let tarball = '';
let files: string[] = [];
let pkg: { exports: Record<string, unknown>; bin: Record<string, string>; dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, unknown> };
let specifiers: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: build first (npm test and npm run test:unit do)');
  work = await mkdtemp(path.join(tmpdir(), 'netconfkit-consumer-'));
  // --ignore-scripts: test dist/ as built, no prepack rebuild under the other tests' feet.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  ok(pack);
  const [packed] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = path.join(work, packed.filename);
  files = packed.files.map((f) => f.path);

  // One scratch project; the TypeScript projects are folders in it and share its node_modules.
  app = path.join(work, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The tarball's dependencies come from the registry as for any user (from npm's cache when
  // it has them); the optional peers (bullmq for netconfkit/bullmq, @opentelemetry/api for
  // netconfkit/otel), @types/node for TypeScript, nothing else.
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    tarball, ...await Promise.all(['bullmq', '@opentelemetry/api', '@types/node'].map(async (d) => `${d}@${await versionOf(d)}`))], app);
  ok(install);
  pkg = JSON.parse(await readFile(path.join(app, 'node_modules', 'netconfkit', 'package.json'), 'utf8')) as typeof pkg;
  specifiers = Object.keys(pkg.exports).filter((k) => !k.endsWith('.json')).map((k) => path.posix.join('netconfkit', k));
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the npm package, installed from its tarball', () => {
  it('passes publint and arethetypeswrong (every subpath, every resolution mode)', async () => {
    ok(await run(bin('publint'), ['run', tarball, '--strict'], work));
    ok(await run(bin('attw'), [tarball, '--format', 'table-flipped'], work));
  }, 60_000);

  it('holds what users need and nothing else', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.cjs', ...Object.values(pkg.bin).map((b) => path.posix.normalize(b))]) {
      expect(files).toContain(f);
    }
    // Every subpath has its folder with a package.json, for resolvers that ignore "exports" (node10).
    for (const s of specifiers.filter((s) => s !== 'netconfkit')) expect(files).toContain(`${s.slice('netconfkit/'.length)}/package.json`);
    // The README's links into the repository that users follow: shipped too.
    expect(files).toContain('src/device/README.md');
    expect(files.filter((f) => f.startsWith('src/') && f !== 'src/device/README.md')).toEqual([]);
    expect(files.filter((f) => /^(test|fixtures|scripts|bench|fuzz)\//.test(f) || f === 'dist/cli/main.cjs')).toEqual([]);
    // Every exports target is in the tarball.
    const targets = (v: unknown): string[] => (typeof v === 'string' ? [path.posix.normalize(v)] : Object.values(v as object).flatMap(targets));
    for (const t of targets(pkg.exports)) expect(files).toContain(t);
  });

  it('the shipped types import only modules that come with types of their own', async () => {
    // A dependency's JS without types (ssh2 ships none: @types/ssh2 is only ours) silently turns
    // the types that use it into any; strict projects without skipLibCheck may refuse them.
    const dist = path.join(app, 'node_modules', 'netconfkit', 'dist');
    const untyped: string[] = [];
    for (const file of (await readdir(dist)).filter((f) => /\.d\.c?ts$/.test(f))) {
      const text = await readFile(path.join(dist, file), 'utf8');
      const mode = file.endsWith('.d.cts') ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext;
      // node: modules are declared by @types/node, not resolved
      for (const [, spec] of text.matchAll(/(?:from|import) '((?!node:)[^'.][^']*)'/g)) {
        for (const moduleResolution of [ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.Bundler]) {
          const options = { moduleResolution, module: moduleResolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.Preserve : ts.ModuleKind.Node16 };
          const found = ts.resolveModuleName(spec!, path.join(dist, file), options, ts.sys, undefined, undefined, mode).resolvedModule;
          if (!found || !/^\.d\.[cm]?ts$/.test(found.extension)) untyped.push(`${file}: ${spec} (${found?.resolvedFileName ?? 'not found'})`);
        }
      }
    }
    expect(untyped).toEqual([]);
  });

  it('compiles in a strict node16 project (ESM and CJS, no skipLibCheck) and runs there in both formats', async () => {
    const dir = path.join(app, 'ts-node16');
    await mkdir(dir);
    for (const ext of ['mts', 'cts']) {
      await writeFile(path.join(dir, `scenario.${ext}`), SCENARIO);
      await writeFile(path.join(dir, `subpaths.${ext}`), subpathImports(specifiers));
    }
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG_NODE16));
    ok(await run(process.execPath, [bin('tsc'), '-p', dir], app));
    for (const [format, file] of [['esm', 'scenario.mjs'], ['cjs', 'scenario.cjs']]) {
      const r = await run(process.execPath, [path.join(dir, 'out', file!)], app);
      ok(r);
      expect(JSON.parse(r.stdout)).toEqual({ format, ...SCENARIO_FINDINGS });
    }
  }, 120_000);

  it('compiles in a strict bundler-resolution project', async () => {
    const dir = path.join(app, 'ts-bundler');
    await mkdir(dir);
    await writeFile(path.join(dir, 'scenario.ts'), SCENARIO);
    await writeFile(path.join(dir, 'subpaths.ts'), subpathImports(specifiers));
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG_BUNDLER));
    ok(await run(process.execPath, [bin('tsc'), '-p', dir], app));
  }, 120_000);

  it('every subpath of "exports" loads as ESM and as CJS, with the same exports', async () => {
    expect(specifiers).toContain('netconfkit');
    await writeFile(path.join(app, 'subpaths.mjs'), subpathLoader(specifiers));
    const r = await run(process.execPath, ['subpaths.mjs'], app);
    ok(r);
    const found = JSON.parse(r.stdout) as Record<string, { esm: string[]; cjs: string[] }>;
    expect(Object.keys(found)).toEqual(specifiers);
    for (const s of specifiers) {
      expect(found[s]!.esm.length, s).toBeGreaterThan(0);
      expect(found[s]!.cjs, s).toEqual(found[s]!.esm);
    }
    // Layers, not copies: each runtime name has one home (netconfkit/fleet's, not the root's).
    const home = new Map<string, string>();
    const twice: string[] = [];
    for (const s of specifiers) for (const name of found[s]!.esm) {
      if (home.has(name)) twice.push(`${name}: ${home.get(name)} and ${s}`);
      home.set(name, s);
    }
    expect(twice).toEqual([]);
  });

  // Each optional peer dependency is imported by its own subpath only.
  const PEER_OWNERS: Record<string, string> = { bullmq: 'netconfkit/bullmq', '@opentelemetry/api': 'netconfkit/otel' };

  it('every other entry point loads (ESM and CJS) with an optional peer unresolvable', async () => {
    expect(Object.keys(pkg.peerDependenciesMeta).sort()).toEqual(Object.keys(PEER_OWNERS).sort());
    expect(specifiers).toEqual(expect.arrayContaining(['netconfkit', 'netconfkit/fleet', 'netconfkit/testing', 'netconfkit/wire', ...Object.values(PEER_OWNERS)]));
    for (const [peer, owner] of Object.entries(PEER_OWNERS)) {
      const others = specifiers.filter((s) => s !== owner);
      const refuse = `(s) => s === ${JSON.stringify(peer)} || s.startsWith(${JSON.stringify(`${peer}/`)})`;
      const hook = `data:text/javascript,export async function resolve(s, c, next) {
        if ((${refuse})(s)) throw new Error('imported ${peer}');
        return next(s, c);
      }`;
      const esm = `import { register } from 'node:module';
        register(${JSON.stringify(hook)});
        for (const s of ${JSON.stringify(others)}) await import(s);
        const fleet = await import('netconfkit/fleet');
        console.log([typeof fleet.fanOut, typeof fleet.withRetry, typeof fleet.CircuitBreakers, 'createNetconfWorker' in fleet].join(' '));`;
      const e = await run(process.execPath, ['--input-type=module', '-e', esm], app);
      ok(e);
      expect(e.stdout.trim(), peer).toBe('function function function false');
      const cjs = `const Module = require('node:module');
        const resolve = Module._resolveFilename;
        Module._resolveFilename = function (r, ...rest) {
          if ((${refuse})(r)) throw new Error('required ${peer}');
          return resolve.call(this, r, ...rest);
        };
        for (const s of ${JSON.stringify(others)}) require(s);
        const m = require('netconfkit/fleet');
        console.log(typeof m.fanOut, typeof m.runOnDevice);`;
      const c = await run(process.execPath, ['--input-type=commonjs', '-e', cjs], app);
      ok(c);
      expect(c.stdout.trim(), peer).toBe('function function');
    }
    // Optional peers, never dependencies.
    for (const peer of Object.keys(PEER_OWNERS)) {
      expect(pkg.peerDependenciesMeta[peer], peer).toEqual({ optional: true });
      expect(pkg.peerDependencies[peer], peer).toBeDefined();
      expect(pkg.dependencies[peer], peer).toBeUndefined();
    }
  });

  it('a bundler that trusts "sideEffects": false keeps what fromJSON needs', async () => {
    await writeFile(path.join(app, 'shaken.mjs'), TREE_SHAKEN);
    const external = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)].map((d) => `--external:${d}`);
    ok(await run(bin('esbuild'), ['shaken.mjs', '--bundle', '--platform=node', '--format=esm', '--tree-shaking=true', '--outfile=shaken.out.mjs', '--log-level=warning', ...external], app));
    const r = await run(process.execPath, ['shaken.out.mjs'], app);
    ok(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'HostKeyError', code: 'HOST_KEY_MISMATCH', fingerprint: 'SHA256:x' });
  });

  it('installs the netconfkit command, which runs', async () => {
    const reply = '<rpc-reply message-id="7"><rpc-error><error-type>application</error-type><error-tag>in-use</error-tag><error-severity>error</error-severity></rpc-error></rpc-reply>';
    const r = await run(path.join(app, 'node_modules', '.bin', 'netconfkit'), ['replay', '-', '--json'], app, reply);
    expect(r.code, r.stderr).toBe(1); // the capture holds an error
    expect(JSON.parse(r.stdout)).toMatchObject({ messages: [{ messageId: '7', errors: [{ code: 'IN_USE' }] }] });
  });
});
