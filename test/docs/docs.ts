import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The guides: every Markdown file directly in docs/ (docs/api/ is TypeDoc's output, not a guide). */
export const GUIDES = readdirSync(new URL('../../docs/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.md'))
  .map((e) => `docs/${e.name}`)
  .sort();

/** Every Markdown document the project writes, relative to ROOT. */
export const DOCS = ['README.md', 'CONTRIBUTING.md', ...GUIDES, 'src/device/README.md', 'fuzz/README.md'];
