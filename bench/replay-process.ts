/**
 * Whole-process replay: `netconfkit replay FILE --json` (the CLI's command, run in a fresh
 * process, output thrown away) on a generated reply written to a file, against a fresh node
 * process that only reads the file and runs the indexOf("<") loop over it. Wall time from spawn
 * to exit, best of three, the two interleaved.
 */
import { spawn } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runReplayCommand } from '../src/cli/replay-command.js';
import { registerChild } from './children.js';
import { CHUNK, SEED, SIZES } from './config.js';
import { generateReply } from './generate.js';
import { now } from './timing.js';

export interface ReplayProcessRow {
  bytes: number;
  replaySeconds: number;
  floorSeconds: number;
}

registerChild('replay-json', async ([file]) => {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return { status: await runReplayCommand([file!, '--json'], sink, process.stderr) };
});

registerChild('indexof-file', async ([file]) => {
  const bytes = readFileSync(file!);
  let n = 0;
  for (let s = 0; s < bytes.length; s += CHUNK) {
    const c = bytes.subarray(s, s + CHUNK);
    for (let i = c.indexOf(0x3c); i !== -1; i = c.indexOf(0x3c, i + 1)) n++;
  }
  return { n };
});

function timed(name: string, file: string): Promise<number> {
  const self = process.argv[1] ?? fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, [self, '--child', name, file], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(now() - t0) : reject(new Error(`${name} exited with ${code}`))));
  });
}

export async function measureReplayProcess(log: (s: string) => void): Promise<ReplayProcessRow> {
  const { bytes } = generateReply({ bytes: SIZES.held, seed: SEED });
  const file = path.join(tmpdir(), `netconfkit-bench-replay-${process.pid}.xml`);
  writeFileSync(file, bytes);
  try {
    const replay: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < 3; i++) {
      replay.push(await timed('replay-json', file));
      floor.push(await timed('indexof-file', file));
    }
    const row = { bytes: bytes.length, replaySeconds: Math.min(...replay), floorSeconds: Math.min(...floor) };
    log(`replay --json process: ${row.replaySeconds.toFixed(2)} s, indexOf process: ${row.floorSeconds.toFixed(2)} s`);
    return row;
  } finally {
    unlinkSync(file);
  }
}
