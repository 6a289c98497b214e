/**
 * A kept reply's own CPU cost, in process (no SSH, no device process): the bench device's
 * framed reply is fed to a session over an in-memory transport in 32 KiB reads, each copied
 * into a buffer of its own first (as an SSH channel hands out each packet decrypted into a
 * new buffer), and `getConfig` keeps it; its `data` is then touched at its last character,
 * which makes V8 flatten a string made of pieces: the work before a caller can use it. The
 * references, fed the same way: `scan` (every read searched for each "<", then dropped: the
 * ceiling) and `scan-keep` (the same, every read retained: the cheapest keeping). `errors`
 * is the session with nothing kept.
 *
 * One run per process, because the cost measured is mostly memory the process never touched
 * before: a second run in the same process would reuse what the first freed. CPU time of the
 * process (every thread), its minor page faults (4 KiB pages touched for the first time) and
 * its peak RSS growth, each per reply byte. Not part of `npm run bench`; bundle it and run it:
 *   npx esbuild bench/kept/cpu.ts --bundle --platform=node --format=esm --packages=external --outfile=/tmp/kept.mjs
 *   node /tmp/kept.mjs [runs=5] [MiB=64] [eom|chunked] [utf8|ascii] [modes=scan,scan-keep,kept] [bundle…]
 * With several bundles (the same harness built from other trees), each mode of each bundle
 * runs in turn, round robin, and the best run of each is printed: an A/B in one table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { getConfig } from '../../src/operations/rfc6241.js';
import { openScripted, serverHello } from '../../test/session/scripted-peer.js';
import { type ReplyText, build } from '../bigreply/device.js';
import { peakRss, resetHwm } from '../rss.js';

const READ = 32 * 1024;
const PAGE = 4096;

export type Mode = 'scan' | 'scan-keep' | 'errors' | 'kept';

export interface KeptRun {
  mode: Mode;
  bytes: number;
  cpuNs: number;
  wallNs: number;
  /** Minor page faults × 4 KiB: memory touched for the first time. */
  freshBytes: number;
  rssGrowth: number;
  /** The length of `data` and its last character's code (kept), or the "<" count (scan). */
  check: string;
}

/** The framed reply, built once per size, framing and text and cached in a file (no garbage of building it in the measured process). */
function reply(mib: number, framing: 'eom' | 'chunked', text: ReplyText): { bytes: Buffer; slot: number } {
  const file = path.join(tmpdir(), `netconfkit-kept-${mib}-${framing}-${text}.bin`);
  const meta = `${file}.slot`;
  if (!existsSync(file) || !existsSync(meta)) {
    const built = build(mib * 1024 * 1024, framing, false, text);
    writeFileSync(file, built.bytes);
    writeFileSync(meta, String(built.slot));
  }
  return { bytes: readFileSync(file), slot: Number(readFileSync(meta, 'utf8')) };
}

/** Feeds `bytes` in 32 KiB reads, each a new buffer, with back-pressure. */
async function feed(into: PassThrough, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length; i += READ) {
    const read = Buffer.allocUnsafe(Math.min(READ, bytes.length - i));
    bytes.copy(read, 0, i, i + read.length);
    if (!into.write(read)) await new Promise((r) => into.once('drain', r));
  }
}

const faults = () => process.resourceUsage().minorPageFault;

async function measure(mode: Mode, mib: number, framing: 'eom' | 'chunked', text: ReplyText): Promise<KeptRun> {
  const { bytes, slot } = reply(mib, framing, text);
  let run: () => Promise<string>;
  if (mode === 'scan' || mode === 'scan-keep') {
    const channel = new PassThrough();
    const kept: Buffer[] = [];
    run = () => new Promise<string>((resolve) => {
      let tags = 0;
      let total = 0;
      channel.on('data', (d: Buffer) => {
        for (let i = d.indexOf(0x3c); i !== -1; i = d.indexOf(0x3c, i + 1)) tags++;
        if (mode === 'scan-keep') kept.push(d);
        total += d.length;
        if (total === bytes.length) resolve(`${tags} "<", ${kept.length} reads kept`);
      });
      void feed(channel, bytes);
    });
  } else {
    const { session, peer } = await openScripted({ rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } }, serverHello({ base: framing === 'chunked' ? 'both' : '1.0' }));
    run = async () => {
      const fed = (async () => {
        await peer.waitForRequests(2);
        bytes.write(` message-id="${peer.idOf(1)}"`.padEnd(80, ' '), slot, 'latin1');
        await feed(peer.toClient, bytes);
      })();
      let check: string;
      if (mode === 'errors') {
        await session.rpc('<get-config><source><running/></source></get-config>', { collect: false, timeoutMs: 0 });
        check = 'errors only';
      } else {
        const { data } = await getConfig(session, 'running', { timeoutMs: 0 });
        // Ready to use: a string made of pieces is flattened here.
        check = `data ${data.length} chars, last ${data.charCodeAt(data.length - 1)}`;
      }
      await fed;
      void session.close();
      return check;
    };
  }
  globalThis.gc?.();
  resetHwm();
  const rss0 = process.memoryUsage.rss();
  const f0 = faults();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const check = await run();
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return { mode, bytes: bytes.length, cpuNs: (c.user + c.system) * 1000, wallNs, freshBytes: (faults() - f0) * PAGE, rssGrowth: peakRss() - rss0, check };
}

/** Runs each mode of each bundle in a process of its own, round robin, and prints the best run of each. */
function compare(runs: number, args: string[], modes: Mode[], bundles: string[]): void {
  const best = new Map<string, KeptRun>();
  for (let r = 0; r < runs; r++) {
    for (const bundle of bundles) {
      for (const mode of modes) {
        const out = spawnSync(process.execPath, ['--expose-gc', bundle, 'one', mode, ...args], { encoding: 'utf8' });
        if (out.status !== 0) throw new Error(`${bundle} ${mode}: ${out.stderr}`);
        const run = JSON.parse(out.stdout) as KeptRun;
        const key = `${path.basename(bundle)} ${mode}`;
        const prev = best.get(key);
        if (!prev || run.cpuNs < prev.cpuNs) best.set(key, run);
      }
    }
  }
  const scanKeep = [...best.entries()].find(([k]) => k.endsWith(' scan-keep'))?.[1];
  const scan = [...best.entries()].find(([k]) => k.endsWith(' scan'))?.[1];
  console.log(`${args.join(' ')}, best of ${runs}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  for (const [key, r] of best) {
    const ns = r.cpuNs / r.bytes;
    const of = (ref: KeptRun | undefined) => (ref ? (ref.cpuNs / r.cpuNs).toFixed(2) : '—');
    console.log(`${key.padEnd(28)} ${ns.toFixed(2)} ns/B CPU (${(r.bytes / r.cpuNs * 1e3).toFixed(0)} MB/CPU-s), wall ${(r.wallNs / 1e6).toFixed(0)} ms, fresh ${(r.freshBytes / r.bytes).toFixed(2)} B/B, RSS +${(r.rssGrowth / r.bytes).toFixed(2)} B/B, of scan ${of(scan)}, of scan-keep ${of(scanKeep)}; ${r.check}`);
  }
}

const [first, ...rest] = process.argv.slice(2);
if (first === 'one') {
  const [mode, mib, framing, text] = rest;
  const run = await measure(mode as Mode, Number(mib), framing as 'eom' | 'chunked', text as ReplyText);
  process.stdout.write(JSON.stringify(run));
  process.exit(0);
} else if (process.argv[1] && /kept[^/]*\.m?js$/.test(process.argv[1])) {
  const runs = Number(first ?? 5);
  const [mib = '64', framing = 'eom', text = 'utf8', modes = 'scan,scan-keep,kept', ...bundles] = rest;
  compare(runs, [mib, framing, text], modes.split(',') as Mode[], bundles.length > 0 ? bundles : [process.argv[1]]);
}
