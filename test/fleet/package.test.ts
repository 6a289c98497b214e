import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The built package (npm test builds dist/ first).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }).trim();

const ESM_HOOK = `data:text/javascript,export async function resolve(s, c, next) {
  if (s === 'bullmq' || s.startsWith('bullmq/')) throw new Error('the core imported bullmq');
  return next(s, c);
}`;

describe('the package', () => {
  it('the core (ESM and CJS) loads, fleet API included, with bullmq unresolvable', () => {
    const esm = `import { register } from 'node:module';
      register(${JSON.stringify(ESM_HOOK)});
      const m = await import('netconfkit');
      console.log([typeof m.fanOut, typeof m.withRetry, typeof m.CircuitBreakers, 'createNetconfWorker' in m].join(' '));`;
    expect(node(['--input-type=module', '-e', esm])).toBe('function function function false');
    const cjs = `const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (r, ...rest) {
        if (r === 'bullmq' || r.startsWith('bullmq/')) throw new Error('the core required bullmq');
        return resolve.call(this, r, ...rest);
      };
      const m = require('netconfkit');
      console.log(typeof m.fanOut, typeof m.runOnDevice);`;
    expect(node(['-e', cjs])).toBe('function function');
  });

  it('netconfkit/bullmq resolves in both formats; bullmq is an optional peer', () => {
    expect(node(['--input-type=module', '-e', "const m = await import('netconfkit/bullmq'); console.log(typeof m.createNetconfWorker, typeof m.enqueueNetconfJob)"])).toBe('function function');
    expect(node(['-e', "const m = require('netconfkit/bullmq'); console.log(typeof m.createNetconfWorker, typeof m.netconfJobResult)"])).toBe('function function');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(pkg.peerDependenciesMeta!.bullmq).toEqual({ optional: true });
    expect(pkg.dependencies!.bullmq).toBeUndefined();
  });
});
