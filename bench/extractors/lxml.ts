/**
 * lxml (libxml2, C) through Debian's python: bench/lxml_extract.py times fromstring + XPath and
 * iterparse itself, so the interpreter's start-up and the file read are not counted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchFile } from '../paths.js';
import type { Plan } from '../timing.js';

export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface LxmlVariant {
  seconds: number;
  count: number;
  runs: number[];
  recovered: number;
}

export interface LxmlRun {
  lxml: string;
  fromstring: LxmlVariant | { error: string };
  iterparse: LxmlVariant | { error: string };
}

/** Times lxml on the messages, or says why it could not. */
export function runLxml(messages: readonly Buffer[], plan: Plan): LxmlRun | { error: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-bench-'));
  const file = path.join(dir, 'workload.bin');
  try {
    const parts: Buffer[] = [];
    for (const m of messages) parts.push(m, Buffer.from([0]));
    writeFileSync(file, Buffer.concat(parts));
    parts.length = 0;
    const r = spawnSync(
      DEBIAN_PYTHON,
      [
        benchFile('lxml_extract.py'), file,
        '--warmup-calls', String(plan.warmupCalls), '--warmup-seconds', String(plan.warmupSeconds),
        '--runs', String(plan.runs), '--sample-seconds', String(plan.sampleSeconds), '--budget-seconds', String(plan.budgetSeconds),
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
    );
    if (r.error) return { error: r.error.message };
    if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-1)[0]! };
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as LxmlRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
