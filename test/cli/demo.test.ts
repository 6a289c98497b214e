import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('netconfkit demo (the main job)', () => {
  it('runs the commit flow against the fake Junos device: one commit with a warning, one rejection', () => {
    const r = spawnSync(process.execPath, [CLI, 'demo'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/=> committed, with 1 warning/);
    expect(r.stdout).toMatch(/WARNING CONFIG_WARNING, severity=warning, path=\[edit interfaces ge-0\/0\/3\], bad element=disable: statement not found/);
    expect(r.stdout).toMatch(/=> stopped at "check" with CONFIG_REJECTED \(retryable: false\)/);
    expect(r.stdout).toMatch(/ERROR CONFIG_REJECTED, severity=error, path=\[edit protocols bgp group peers\], bad element=neighbor 192.0.2.1, re=re0: Peer AS must be configured/);
    expect(r.stdout).toMatch(/discard\s+done\n\s+unlock\s+done/);
    expect(r.stdout).toMatch(/1 commit\(s\), a clean candidate and a free lock/);
  });
});
