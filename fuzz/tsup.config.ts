import { defineConfig } from 'tsup';

// `npm run fuzz`: one ESM bundle of the fuzzer and the project's src (dependencies stay in
// node_modules). The bundle is also the fuzzer's worker script (it loads itself).
export default defineConfig({
  entry: { fuzz: 'fuzz/fuzz.ts' },
  outDir: 'dist-fuzz',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
});
