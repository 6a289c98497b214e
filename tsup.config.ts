import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // netconfkit/bullmq is its own entry: only it imports bullmq (an optional peer dependency)
    entry: { index: 'src/index.ts', bullmq: 'src/fleet/bullmq.ts' },
    external: ['bullmq'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
