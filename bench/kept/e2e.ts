/**
 * A/B of kept replies end to end (not part of `npm run bench`): the bench device in a process
 * of its own, and the big-reply clients, each run in a fresh process, round robin, from one or
 * more bundles of this file (the same harness built from other trees): the old and new reader
 * in one run, against the ceilings of the same run.
 *   npx esbuild bench/kept/e2e.ts --bundle --platform=node --format=esm --packages=external --outfile=/tmp/e2e.mjs
 *   node --expose-gc /tmp/e2e.mjs [rounds=5] [MiB=64] [eom|chunked] [utf8|ascii] [modes=scan,scan-keep,kept] [bundle…]
 * Prints, per bundle and client, the best MB/s, the ratio of its best to the best of `scan` (the
 * ceiling) and of `scan-keep` (the keeping ceiling), the median CPU ms per MiB and the median
 * memory touched for the first time per reply byte (minor page faults × 4 KiB).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { runAsChild } from '../children.js';
import { BIG_CLIENT, type ClientJob, type ClientRun, type Framing, type NodeMode } from '../bigreply/clients.js';
import { type ReplyText, startBigDevice } from '../bigreply/device.js';

function runIn(bundle: string, job: ClientJob): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', bundle, '--child', BIG_CLIENT, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ClientRun) : reject(new Error(`${bundle} exited with ${code}`))));
  });
}

async function main(args: string[]): Promise<void> {
  const [rounds = '5', mib = '64', framing = 'eom', text = 'utf8', modes = 'scan,scan-keep,kept', ...rest] = args;
  const bundles = rest.length > 0 ? rest : [process.argv[1]!];
  const bytes = Number(mib) * 2 ** 20;
  const server = await startBigDevice();
  const load0 = loadavg()[0]!;
  const job = (mode: string): ClientJob => ({ server, bytes, framing: framing as Framing, mode: mode as NodeMode, text: text as ReplyText });
  const runs = new Map<string, ClientRun[]>();
  try {
    await runIn(bundles[0]!, job('bare')); // the device builds the reply: not timed
    for (let r = 0; r < Number(rounds); r++) {
      for (const bundle of bundles) {
        for (const mode of modes.split(',')) {
          const run = await runIn(bundle, job(mode));
          const key = `${path.basename(bundle)} ${mode}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
          process.stderr.write(`${r} ${key.padEnd(24)} ${(bytes / run.seconds / 1e6).toFixed(0)} MB/s ${run.note ?? ''}\n`);
        }
      }
    }
  } finally {
    await server.stop();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const best = (rs: ClientRun[]) => Math.min(...rs.map((r) => r.seconds));
  // The ceilings are the same code in every bundle: the best of all.
  const ceiling = (mode: string) => Math.min(...[...runs].filter(([k]) => k.endsWith(` ${mode}`)).flatMap(([, rs]) => rs.map((r) => r.seconds)));
  console.log(`${mib} MiB ${framing} ${text}, ${rounds} rounds, load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  for (const [key, rs] of runs) {
    const cpu = med(rs.map((r) => ((r.cpuSeconds ?? NaN) * 1000) / Number(mib)));
    const fresh = med(rs.map((r) => ((r.faults ?? NaN) * 4096) / bytes));
    console.log(`${key.padEnd(24)} best ${(bytes / best(rs) / 1e6).toFixed(0).padStart(4)} MB/s  of ceiling ${(ceiling('scan') / best(rs)).toFixed(2)}  of keeping ceiling ${(ceiling('scan-keep') / best(rs)).toFixed(2)}  cpu ${cpu.toFixed(2)} ms/MiB  fresh ${fresh.toFixed(2)} B/B`);
  }
}

if (!(await runAsChild(process.argv))) await main(process.argv.slice(2));
