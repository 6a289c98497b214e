import { defineConfig } from 'tsup';

// `npm run bench`: one ESM bundle of the bench and the project's src (dependencies stay in
// node_modules), run with --expose-gc.
export default defineConfig({
  entry: { run: 'bench/run.ts', 'file-ab': 'bench/bigreply/file-ab.ts' },
  outDir: 'dist-bench',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
});
