/**
 * A/B of the big-reply clients that write a file, interleaved in one run (not part of `npm run
 * bench`): `npx tsup --config bench/tsup.config.ts && node --expose-gc dist-bench/file-ab.js`.
 * FILE_AB_BYTES (MiB, default 64), FILE_AB_FRAMING (eom|chunked), FILE_AB_ROUNDS (default 5),
 * FILE_AB_CLIENTS (mode[:variant],…). Prints, per client, the best and median MB/s, the client
 * process's CPU milliseconds per MiB (median), its RSS growth, and the ratio of its best to the
 * best of `scan` (the ceiling) and of `scan-file` (the file ceiling).
 */
import { loadavg } from 'node:os';
import { runAsChild, runChild } from '../children.js';
import { BIG_CLIENT, type ClientJob, type ClientRun, type Framing, type NodeMode } from './clients.js';
import { startBigDevice } from './device.js';

async function main(): Promise<void> {
  const bytes = Number(process.env.FILE_AB_BYTES ?? 64) * 2 ** 20;
  const framing = (process.env.FILE_AB_FRAMING ?? 'eom') as Framing;
  const rounds = Number(process.env.FILE_AB_ROUNDS ?? 5);
  const clients = (process.env.FILE_AB_CLIENTS ?? 'scan,scan-file,errors,file,file-stream').split(',');
  const server = await startBigDevice();
  const load0 = loadavg()[0]!;
  try {
    const job = (c: string): ClientJob => {
      const [mode, variant] = c.split(':');
      return { server, bytes, framing, mode: mode as NodeMode, ...(variant ? { variant } : {}) };
    };
    await runChild<ClientRun>(BIG_CLIENT, [JSON.stringify(job('bare'))]); // the device builds the reply
    const runs = new Map<string, ClientRun[]>(clients.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (const c of clients) {
        const run = await runChild<ClientRun>(BIG_CLIENT, [JSON.stringify(job(c))]);
        runs.get(c)!.push(run);
        process.stderr.write(`${r} ${c.padEnd(18)} ${(run.replyBytes || bytes) / run.seconds / 1e6 | 0} MB/s cpu ${((run.cpuSeconds ?? 0) * 1000 / (bytes / 2 ** 20)).toFixed(2)} ms/MiB faults ${run.faults} ${run.note ?? ''}\n`);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const best = (c: string) => Math.min(...runs.get(c)!.map((r) => r.seconds));
    console.log(`${bytes / 2 ** 20} MiB ${framing}, ${rounds} rounds, load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
    for (const c of clients) {
      const rs = runs.get(c)!;
      const cpuMs = med(rs.map((r) => ((r.cpuSeconds ?? NaN) * 1000) / (bytes / 2 ** 20)));
      const ofScan = runs.has('scan') ? best('scan') / best(c) : NaN;
      const fileCeiling = clients.find((x) => x.startsWith('scan-file'));
      const ofFile = fileCeiling ? best(fileCeiling) / best(c) : NaN;
      const fl = med(rs.map((r) => r.faults ?? NaN));
      const rss = med(rs.map((r) => r.maxRss - r.baselineRss)) / 2 ** 20;
      console.log(`${c.padEnd(18)} best ${(bytes / best(c) / 1e6).toFixed(0).padStart(4)} MB/s  median ${(bytes / med(rs.map((r) => r.seconds)) / 1e6).toFixed(0).padStart(4)}  cpu ${cpuMs.toFixed(2)} ms/MiB  faults ${fl}  rss +${rss.toFixed(0)} MiB  of ceiling ${ofScan.toFixed(2)}  of file ceiling ${ofFile.toFixed(2)}`);
    }
  } finally {
    await server.stop();
  }
}

if (!(await runAsChild(process.argv))) await main();
