/** Prints the results as plain-text tables, and writes them as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHUNK } from './config.js';
import type { Measured, Target } from './targets.js';
import { formatBytes, type MachineInfo, MIB } from './timing.js';

export interface Results extends Measured {
  machine: MachineInfo;
  loadAverageAtEnd: number;
  quick: boolean;
  startedAt: string;
  seconds: number;
  targets: Target[];
}

type Cell = string | number;

function table(title: string, head: string[], rows: Cell[][], right: boolean[] = []): string {
  if (rows.length === 0) return `\n${title}\n(not run)`;
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`\n${title}`, line(head), rule, ...cells.slice(1).map(line)].join('\n');
}

const clip = (s: string, max = 110) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const f1 = (v: number | null) => (v === null ? '—' : v.toFixed(1));
const ratio = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);
const mib = (b: number | null) => (b === null ? '—' : `${(b / MIB).toFixed(1)} MiB`);

export function render(r: Results): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`netconfkit bench${r.quick ? ' (BENCH_QUICK=1: workloads scaled down ~10×, figures not comparable with a full run)' : ''}`);
  out.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`);
  out.push(`load average (1 min): ${m.loadAverage.toFixed(2)} at the start, ${r.loadAverageAtEnd.toFixed(2)} at the end${Math.max(m.loadAverage, r.loadAverageAtEnd) > m.cores / 2 ? ' — other work was running: figures are skewed' : ''}`);
  out.push(`MB/s are 10^6 bytes per second; "netconfkit ×" is netconfkit's MB/s divided by that row's (above 1: netconfkit is faster).`);

  out.push(table(
    `1. Extraction throughput (streaming readers fed ${CHUNK / 1024} KiB chunks; median of samples after a warm-up)`,
    ['workload', 'method', 'MB/s', 'items', 'valid', 'netconfkit ×', 'note'],
    r.extraction.map((e) => [
      e.workload, e.label, f1(e.mbps), e.skipped ? '—' : e.count === null ? (e.method === 'indexof-floor' ? 'n/a' : 'failed') : `${e.count}/${e.expected}`,
      e.skipped ? '—' : e.method === 'indexof-floor' ? 'n/a' : e.valid ? 'yes' : 'INVALID', ratio(e.netconfkitRatio), clip(e.note ?? ''),
    ]),
    [false, false, true, true, false, true, false],
  ));

  out.push(table(
    `2. Time to first error (fed in ${CHUNK / 1024} KiB chunks; k = offset just past the item's end tag; PASS when k ≤ fed < k + ${CHUNK};\n   the first item at the start, middle and end of each reply; all 8 are checked, see the targets and results.json)`,
    ['reply', 'path', 'item', 'at', 'k', 'fed', 'fed − k', 'ms at item', 'ms whole', 'result'],
    r.firstError.filter((e, i, all) => all.findIndex((o) => o.reply === e.reply && o.path === e.path && o.position === e.position) === i).map((e) => [
      e.reply, e.path, e.kind, e.position, e.k, e.fed ?? 'never', e.fed === null ? '—' : e.fed - e.k, e.ms === null ? '—' : e.ms.toFixed(1), e.totalMs.toFixed(1), e.pass ? 'PASS' : 'FAIL',
    ]),
    [false, false, false, false, true, true, true, true, true, false],
  ));

  if (r.replayProcess) {
    const p = r.replayProcess;
    out.push(`\n   Whole process on a ${formatBytes(p.bytes)} reply in a file (best of 3, spawn to exit): netconfkit replay --json ${p.replaySeconds.toFixed(2)} s, ` +
      `a node process running only the indexOf loop ${p.floorSeconds.toFixed(2)} s = ${(p.floorSeconds / p.replaySeconds).toFixed(2)} of that floor`);
  }

  out.push(table(
    '3. Memory (peak RSS growth over a post-GC baseline; each in a fresh process)',
    ['run', 'bytes', 'peak (sampled)', 'peak (VmHWM)', 'samples', 'seconds'],
    r.memory.map((e) => [e.label, formatBytes(e.bytes), mib(e.peakSampledGrowth), mib(e.peakHwmGrowth), e.samples, e.seconds.toFixed(1)]),
    [false, true, true, true, true, true],
  ));

  out.push(table(
    '4. Framing (RFC 6242 chunked)',
    ['operation', 'bytes', 'MB/s', 'vs copy', 'ok'],
    r.framing.map((e) => [e.label, formatBytes(e.bytes), e.mbps.toFixed(0), ratio(e.vsCopy), e.ok ? 'yes' : 'NO']),
    [false, true, true, true, false],
  ));

  const rtRows: Cell[][] = [];
  for (const s of r.roundTrips) {
    const bare = s.rates.find((x) => x.id === 'bare-ssh2')?.rpcsPerSecond ?? null;
    if (s.error) rtRows.push([s.server, clip(`failed: ${s.error}`), '', '', '', '', '']);
    for (const x of s.rates) {
      rtRows.push([s.server, x.client, x.count, x.inFlight, x.rpcsPerSecond.toFixed(0), bare === null ? '—' : ratio(x.rpcsPerSecond / bare), x.note ?? '']);
    }
    for (const f of s.failures) rtRows.push([s.server, clip(`${f.client}: failed: ${f.error}`), '', '', '', '', '']);
  }
  out.push(table(
    '5. Round trips (<get-config> of running, small reply)',
    ['server', 'client', 'RPCs', 'in flight', 'RPC/s', 'vs bare ssh2', 'note'],
    rtRows,
    [false, false, true, true, true, true, false],
  ));

  const big = r.bigReplies;
  if (big) {
    const rows: Cell[][] = big.rows.map((e) => [
      `${formatBytes(e.bytes)}${e.text === 'ascii' ? ' ASCII' : ''}`, e.framing, e.label, e.mbps === null ? '—' : e.mbps.toFixed(0), ratio(e.ofFloor), ratio(e.ofCeiling), ratio(e.ofFileCeiling), ratio(e.ofKeeping),
      e.best?.cpuSeconds === undefined ? '—' : (e.best.cpuSeconds / e.best.seconds).toFixed(2),
      e.best?.cpuSeconds === undefined ? '—' : ((e.best.cpuSeconds * 1000) / (e.bytes / 2 ** 20)).toFixed(2),
      e.best?.faults === undefined ? '—' : ((e.best.faults * 4096) / e.bytes).toFixed(2),
      mib(e.best?.maxRss ?? null), mib(e.rssGrowth), e.runs, clip(e.error ? `failed: ${e.error}` : e.note ?? '', 70),
    ]);
    if (big.error) rows.unshift(['', '', clip(`failed: ${big.error}`), '', '', '', '', '', '', '', '', '', '', '', '']);
    out.push(table(
      `6. Big replies end to end (one <get-config> over SSH from the ${big.server}, each client its own process; best of the runs;\n   MB/s of the framed reply from sending the request to its end; CPU = the client's CPU seconds (all threads) over that time, and per MiB of reply;\n   of file ceiling = over bare ssh2 + indexOf + each read written to a new file; of keeping ceiling = over bare ssh2 + indexOf + every read kept;
   fresh = bytes of memory the client touched for the first time (minor page faults × 4 KiB) per reply byte; RSS growth = max RSS − RSS just before the request;
   ASCII = the same configuration with each byte of a non-ASCII character replaced)`,
      ['reply', 'framing', 'client', 'MB/s', 'of floor', 'of ceiling', 'of file ceiling', 'of keeping ceiling', 'CPU', 'CPU ms/MiB', 'fresh', 'max RSS', 'RSS growth', 'runs', 'note'],
      rows,
      [true, false, false, true, true, true, true, true, true, true, true, true, true, true, false],
    ));
    if (big.freshMemoryMBps !== null) out.push(`   (a fresh process fills memory it had not touched at ${big.freshMemoryMBps.toFixed(0)} MB/s on this machine: a kept reply's text must go into such memory once)`);
    out.push(table(
      '   Time to the first error (an <rpc-error> before <data>; bytes read when onItem ran, past the end of its end tag)',
      ['reply', 'framing', 'ms to the item', 'ms whole reply', 'bytes past the end tag', 'size of that read'],
      big.firstError.map((f) => f.run
        ? [formatBytes(f.bytes), f.framing, f.run.firstErrorMs?.toFixed(1) ?? 'never', (f.run.seconds * 1000).toFixed(0), f.run.pastEndTag ?? '—', f.run.readBytes ?? '—']
        : [formatBytes(f.bytes), f.framing, clip(`failed: ${f.error ?? ''}`), '', '', '']),
      [true, false, true, true, true, true],
    ));
    for (const s of big.skipped) out.push(`   (${s})`);
  }

  const items = r.items;
  if (items) {
    const rows: Cell[][] = items.rows.map((e) => [
      formatBytes(e.bytes), e.label, e.mbps === null ? '—' : e.mbps.toFixed(0), ratio(e.ofStreamTo),
      e.best?.cpuSeconds === undefined ? '—' : (e.best.cpuSeconds / e.best.seconds).toFixed(2), mib(e.rssGrowth), e.runs,
      clip(e.error ? `failed: ${e.error}` : e.best?.note ?? '', 60),
    ]);
    if (items.error) rows.unshift(['', clip(`failed: ${items.error}`), '', '', '', '', '', '']);
    out.push(table(
      `7. A configuration as items (one <get-config> over SSH from the ${items.server}, chunked, each client its own process; best of the runs;\n   MB/s of the reply from sending the request to the last item; "of streamTo" is over the Writable that drops the bytes)`,
      ['reply', 'client', 'MB/s', 'of streamTo', 'CPU', 'RSS growth', 'runs', 'note'],
      rows,
      [true, false, true, true, true, true, true, false],
    ));
    const s = items.slowConsumer;
    out.push(s
      ? `   Slow consumer (${s.perItemMs} ms per item, ${formatBytes(s.replyBytes)} reply): ${s.itemsConsumed} items in ${s.seconds.toFixed(1)} s; the device was at most ${mib(s.maxAheadBytes)} ahead of the last item consumed (${mib(s.writtenAtBreak)} written in all when the loop broke off)`
      : `   Slow consumer: failed: ${items.slowConsumerError ?? 'no result'}`);
  }

  out.push(table(
    'Targets',
    ['area', 'target', 'measured', 'result'],
    r.targets.map((t) => [t.area, t.target, clip(t.measured, 80), t.pass ? 'PASS' : 'MISS']),
  ));
  const missed = r.targets.filter((t) => !t.pass).length;
  out.push(`\n${r.targets.length - missed} of ${r.targets.length} targets met${missed ? `, ${missed} missed` : ''}.`);
  out.push(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${m.loadAverage.toFixed(2)} → ${r.loadAverageAtEnd.toFixed(2)}; the run took ${r.seconds.toFixed(0)} s.`);
  return out.join('\n');
}

export function writeJson(r: Results, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'results.json');
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

