import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/errors/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every error code with its category and retryable flag, and no other', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\w+) \| (yes|no) \| (.+) \|$/gm)].map((m) => ({
      code: m[1]!, category: m[2]!, retryable: m[3] === 'yes', meaning: m[4]!,
    }));
    const documented = Object.fromEntries(rows.map((r) => [r.code, { category: r.category, retryable: r.retryable, meaning: r.meaning }]));
    expect(documented).toEqual(ERROR_CODES);
  });

  it('has a two-command quick start naming the test command', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## ', readme.indexOf('## Quick start') + 3));
    const commands = quick.match(/```sh\n([\s\S]*?)```/)![1]!.trim().split('\n');
    expect(commands).toHaveLength(2);
    expect(commands[1]).toMatch(/^npm test\b/);
  });
});
