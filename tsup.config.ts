import { execFileSync } from 'node:child_process';
import { defineConfig, type Options } from 'tsup';

// The extractor's WebAssembly pass is compiled from its source first (when the source changed).
execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });

// One copy of the core per module format: every entry of a format shares its chunks (tsup's
// splitting, for CJS too), so a class from `netconfkit` is the same class in `netconfkit/bullmq`
// (and in the CLI). ESM and CJS are still two copies; the error classes' brands bridge them.
// One entry per subpath of package.json "exports" (netconfkit, netconfkit/fleet, …).
// netconfkit/bullmq is its own entry: only it imports bullmq (an optional peer dependency).
export const entries = {
  index: 'src/index.ts',
  fleet: 'src/fleet/index.ts',
  bullmq: 'src/fleet/bullmq.ts',
  otel: 'src/otel/index.ts',
  testing: 'src/testing.ts',
  wire: 'src/wire.ts',
};

const shared: Options = {
  external: ['bullmq', '@opentelemetry/api'],
  splitting: true,
  sourcemap: true,
  target: 'node20',
};

// The bin needs its `#!`; added to that one file only (a banner would go on every chunk),
// with its source map moved down the one line.
const shebang: NonNullable<Options['plugins']>[number] = {
  name: 'cli-shebang',
  renderChunk(code, chunk) {
    if (!chunk.path.endsWith('/cli/main.js')) return;
    if (chunk.map) {
      type Map = Exclude<typeof chunk.map, string | null | undefined>;
      const map = typeof chunk.map === 'string' ? JSON.parse(chunk.map) as Map : chunk.map;
      chunk.map = { ...map, mappings: `;${map.mappings}` };
    }
    chunk.mode = 0o755;
    return { code: `#!/usr/bin/env node\n${code}` };
  },
};

// One config, so the types are built once (.d.ts and .d.cts from the same pass). The CLI is an
// entry of both formats only because a config has one entry list; dist/cli/main.cjs is left
// out of the package (package.json "files").
export default defineConfig({
  ...shared,
  entry: { ...entries, 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: entries },
  clean: true,
  plugins: [shebang],
});
