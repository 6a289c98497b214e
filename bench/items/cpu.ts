/**
 * The client's own CPU cost of streamItems against streamTo, in process (no SSH, no device
 * process): a generated configuration, framed as the bench device frames it, is fed to a
 * session over an in-memory transport in 32 KiB reads (an SSH channel's packets), with
 * back-pressure. CPU time of the whole process per run; best of N. For profiling and for A/B
 * figures on a loaded machine, where the wall-time bench ratio is noise. Not part of `npm run
 * bench`; bundle it and run it (add --cpu-prof to profile):
 *   npx esbuild bench/items/cpu.ts --bundle --platform=node --format=esm --packages=external --outfile=/tmp/cpu.mjs
 *   node --expose-gc /tmp/cpu.mjs [MiB=64] [runs=5] [items|discard|both] [repeat=1]
 * `repeat` feeds the first interface list that many times over: a big reply without building it.
 */
import { Writable } from 'node:stream';
import { getConfig } from '../../src/operations/rfc6241.js';
import { openScripted } from '../../test/session/scripted-peer.js';
import { INTERFACES_PATH, type ReplyText, build, frameChunked } from '../bigreply/device.js';

const READ = 32 * 1024;

export interface CpuRun {
  mode: 'items' | 'discard';
  bytes: number;
  items: number;
  cpuNs: number;
  wallNs: number;
}

/**
 * The reply: a generated one of `mib` MiB, or (with `repeat`) one whose first interface list
 * is that reply's, `repeat` times over: a big reply without building it.
 */
export function reply(mib: number, repeat: number, replyText: ReplyText = 'utf8'): { bytes: Buffer; slot: number; interfaces: number } {
  const built = build(mib * 1024 * 1024, 'eom', false, replyText);
  const text = built.bytes.subarray(0, built.bytes.length - ']]>]]>'.length);
  if (repeat <= 1) return { ...built, bytes: text };
  const open = text.indexOf('<interfaces>\n') + '<interfaces>\n'.length;
  const close = text.indexOf('</interfaces>');
  const middle = text.subarray(open, close);
  let count = 0;
  for (let at = middle.indexOf('<interface'); at !== -1; at = middle.indexOf('<interface', at + 1)) if (middle[at + 10] === 0x3e || middle[at + 10] === 0x20) count++;
  return { bytes: Buffer.concat([text.subarray(0, open), ...Array<Buffer>(repeat).fill(middle), text.subarray(close)]), slot: built.slot, interfaces: built.interfaces + (repeat - 1) * count };
}

export async function runCpu(mib: number, runs: number, modes: ('items' | 'discard')[], repeat = 1): Promise<CpuRun[]> {
  const built = reply(mib, repeat);
  const { session, peer } = await openScripted({ rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } });
  const out: CpuRun[] = [];
  let n = 1;
  const feed = async () => {
    await peer.waitForRequests(++n);
    const id = ` message-id="${peer.idOf(n - 1)}"`;
    built.bytes.write(id.padEnd(80, ' '), built.slot, 'latin1');
    // 32 KiB reads, as an SSH channel's packets split the framed bytes.
    for (const piece of frameChunked(built.bytes)) {
      for (let i = 0; i < piece.length; i += READ) {
        if (!peer.toClient.write(piece.subarray(i, i + READ))) await new Promise((r) => peer.toClient.once('drain', r));
      }
    }
  };
  for (let r = 0; r < runs; r++) {
    for (const mode of modes) {
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let items = 0;
      const fed = feed();
      if (mode === 'items') {
        for await (const item of getConfig(session, 'running', { path: INTERFACES_PATH, timeoutMs: 0 })) if (item) items++;
      } else {
        await getConfig(session, 'running', { timeoutMs: 0, streamTo: new Writable({ highWaterMark: 1 << 20, write: (_c, _e, done) => done() }) });
      }
      await fed;
      const c = process.cpuUsage(c0);
      const run = { mode, bytes: built.bytes.length, items, cpuNs: (c.user + c.system) * 1000, wallNs: Number(process.hrtime.bigint() - t0) };
      if (mode === 'items' && items !== built.interfaces) throw new Error(`${items} items, ${built.interfaces} written`);
      out.push(run);
    }
  }
  await session.close();
  return out;
}

if (process.argv[1]?.endsWith('cpu.js') || process.argv[1]?.endsWith('cpu.mjs')) {
  const mib = Number(process.argv[2] ?? 64);
  const runs = Number(process.argv[3] ?? 5);
  const which = process.argv[4] ?? 'both';
  const repeat = Number(process.argv[5] ?? 1);
  const modes = which === 'both' ? (['discard', 'items'] as const) : [which as 'items' | 'discard'];
  const results = await runCpu(mib, runs, [...modes], repeat);
  for (const r of results) console.log(`${r.mode}: ${(r.bytes / 1e6 / (r.cpuNs / 1e9)).toFixed(1)} MB/CPU-s, ${r.items ? (r.cpuNs / r.items).toFixed(0) + ' ns/item, ' : ''}wall ${(r.wallNs / 1e6).toFixed(0)} ms, cpu ${(r.cpuNs / 1e6).toFixed(0)} ms`);
}
