/** Where the bench finds its scripts and the shared corpus, from the built file in dist-bench/. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: dist-bench/run.js and bench/*.ts both sit one level below it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function benchFile(name: string): string {
  return path.join(PROJECT_ROOT, 'bench', name);
}

export const CORPUS_DIR = process.env.NETCONFKIT_CORPUS ?? path.resolve(PROJECT_ROOT, '../shared/corpus');

export const RESULTS_DIR = path.join(PROJECT_ROOT, 'dist-bench');
