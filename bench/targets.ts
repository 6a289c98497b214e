/** The claims the bench checks, each a PASS or a MISS with what was measured. */
import type { ExtractionRow } from './extraction.js';
import type { FirstErrorRow } from './first-error.js';
import type { FramingRow } from './framing.js';
import type { MemoryRow } from './memory.js';
import type { BigReplies, BigRow } from './bigreply/measure.js';
import type { ItemsSection } from './items/measure.js';
import type { ReplayProcessRow } from './replay-process.js';
import type { ServerRates } from './roundtrip/measure.js';
import { MIB } from './timing.js';

export interface Target {
  area: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface Measured {
  extraction: ExtractionRow[];
  firstError: (FirstErrorRow & { reply: string })[];
  memory: MemoryRow[];
  framing: FramingRow[];
  roundTrips: ServerRates[];
  bigReplies: BigReplies | null;
  replayProcess: ReplayProcessRow | null;
  items: ItemsSection | null;
}

const x = (v: number) => `${v.toFixed(2)}×`;

function extractionTargets(rows: ExtractionRow[]): Target[] {
  const out: Target[] = [];
  const workloads = [...new Set(rows.map((r) => r.workload))];
  for (const w of workloads) {
    const rs = rows.filter((r) => r.workload === w);
    const bad = rs.filter((r) => !r.valid && !r.skipped);
    out.push({
      area: 'extraction', target: `${w}: every reader finds the ${rs[0]!.expected} items`,
      measured: bad.length === 0 ? 'all counts agree' : bad.map((r) => `${r.method}: ${r.count ?? 'failed'}`).join(', '), pass: bad.length === 0,
    });
    const ours = rs.find((r) => r.method === 'netconfkit')!;
    // The targets: ≥ 0.7 of the indexOf floor on generated replies, ≥ 0.3 on the corpus (small
    // messages, namespace declarations), ≥ 20× fast-xml-parser, ≥ 5× saxes, ≥ 4× htmlparser2, ahead of lxml.
    const floor = rs.find((r) => r.method === 'indexof-floor');
    if (floor?.mbps) {
      const share = ours.mbps! / floor.mbps;
      const needed = w.startsWith('corpus') ? 0.3 : 0.7;
      out.push({
        area: 'extraction', target: `${w}: netconfkit ≥ ${needed} of the indexOf("<") floor`,
        measured: `${ours.mbps!.toFixed(1)} vs ${floor.mbps.toFixed(1)} MB/s = ${share.toFixed(2)} of the floor${share >= needed ? '' : ' (short: every tag name is read and every end tag compared with its start tag, byte by byte in JavaScript; the floor is one native memchr per "<")'}`, pass: share >= needed,
      });
    }
    for (const [id, name, needed] of [['fast-xml-parser', 'fast-xml-parser', 20], ['saxes', 'saxes', 5], ['htmlparser2', 'htmlparser2 (xmlMode)', 4], ['lxml', 'lxml (faster of fromstring and iterparse)', 1]] as const) {
      const all = rs.filter((r) => r.method === id || (id === 'lxml' && r.method.startsWith('lxml-')));
      if (all.length > 0 && all.every((r) => r.skipped)) continue;
      const theirs = all.filter((r) => r.mbps !== null);
      const target = `${w}: netconfkit ${needed === 1 ? 'faster than' : `≥ ${needed}×`} ${name}`;
      if (theirs.length === 0) {
        out.push({ area: 'extraction', target, measured: 'not measured', pass: false });
        continue;
      }
      const best = theirs.reduce((a, b) => (a.mbps! >= b.mbps! ? a : b));
      const ratio = ours.mbps! / best.mbps!;
      out.push({
        area: 'extraction', target,
        measured: `${ours.mbps!.toFixed(1)} vs ${best.mbps!.toFixed(1)} MB/s = ${x(ratio)}${best.valid ? '' : ' (their count is wrong)'}`,
        pass: (needed === 1 ? ratio > 1 : ratio >= needed) && ours.valid,
      });
    }
  }
  return out;
}

function firstErrorTargets(rows: Measured['firstError']): Target[] {
  const out: Target[] = [];
  const keys = [...new Set(rows.map((r) => `${r.reply}|${r.path}`))];
  for (const key of keys) {
    const rs = rows.filter((r) => `${r.reply}|${r.path}` === key);
    const worst = Math.max(...rs.map((r) => (r.fed === null ? Infinity : r.fed - r.k)));
    out.push({
      area: 'first error', target: `${rs[0]!.reply}, ${rs[0]!.path}: each of ${rs.length} items reported within one 64 KiB chunk of its end`,
      measured: `worst fed − k = ${Number.isFinite(worst) ? worst : 'never reported'} bytes`, pass: rs.every((r) => r.pass),
    });
  }
  return out;
}

function memoryTargets(rows: MemoryRow[]): Target[] {
  const stream = rows.find((r) => r.id === 'stream');
  const control = rows.find((r) => r.id === 'generator-only');
  const fxp = rows.find((r) => r.id === 'fast-xml-parser');
  const peak = (r: MemoryRow) => Math.max(r.peakSampledGrowth, r.peakHwmGrowth ?? 0);
  const mib = (b: number) => `${(b / MIB).toFixed(1)} MiB`;
  const out: Target[] = [];
  if (stream) {
    const extra = control ? ` (the generator alone: ${mib(peak(control))})` : '';
    out.push({
      area: 'memory', target: `streaming ${mib(stream.bytes)} through decoder + extractor: ≤ 32 MiB peak RSS growth`,
      measured: `${mib(peak(stream))}${extra}`, pass: peak(stream) <= 32 * MIB,
    });
  }
  // A kept reply is its bytes as they came, then one flat string decoded from them (one byte per
  // character for ASCII text, two, V8's only other form, when any character is not): both are
  // held for a moment. Measured over the same reading with nothing kept (the control), so what
  // is counted is what keeping costs.
  const reading = rows.find((r) => r.id === 'collected-control');
  const searched = rows.find((r) => r.id === 'collected-searched');
  for (const row of (['collected-ascii', 'collected'] as const).map((id) => rows.find((r) => r.id === id))) {
    if (!row) continue;
    const over = (r: MemoryRow) => peak(r) - (reading ? peak(reading) : 0);
    const ratio = over(row) / row.bytes;
    const ascii = row.id === 'collected-ascii';
    const why = ascii ? '' : ' (short: its text has non-ASCII characters throughout, which V8 holds at two bytes per character)';
    const after = !ascii && searched ? `; searched once by the caller afterwards, which makes V8 flatten it: ${(over(searched) / searched.bytes).toFixed(2)}×` : '';
    out.push({
      area: 'memory', target: `a collected ${mib(row.bytes)} reply${ascii ? ' (ASCII)' : ' (non-ASCII text throughout)'}: peak RSS growth ≤ 1.5× its size, over reading it without keeping it`,
      measured: `${mib(peak(row))}${reading ? ` − ${mib(peak(reading))} for reading it = ${mib(over(row))}` : ''} = ${ratio.toFixed(2)}× its size${ratio <= 1.5 ? '' : why}${after}`,
      pass: ratio <= 1.5,
    });
  }
  if (stream && fxp) {
    const ratio = peak(fxp) / Math.max(peak(stream), 1);
    out.push({
      area: 'memory', target: `streaming ${mib(stream.bytes)} peaks ≥ 10× lower than fast-xml-parser on ${mib(fxp.bytes)}`,
      measured: `${mib(peak(stream))} vs ${mib(peak(fxp))} = ${x(ratio)} lower`, pass: ratio >= 10,
    });
  }
  return out;
}

function framingTargets(rows: FramingRow[]): Target[] {
  const out: Target[] = [];
  for (const r of rows) {
    if (r.id.startsWith('decode')) {
      out.push({ area: 'framing', target: `${r.label}: ≥ 1/2 the speed of copying the bytes`, measured: `${r.mbps.toFixed(0)} MB/s = ${x(r.vsCopy!)} the copy`, pass: r.ok && r.vsCopy! >= 0.5 });
    } else if (r.id === 'encode') {
      out.push({ area: 'framing', target: `${r.label}: ≥ 0.8× a Buffer.concat copy (one allocation, one copy)`, measured: `${r.mbps.toFixed(0)} MB/s = ${x(r.vsCopy!)} the copy`, pass: r.ok && r.vsCopy! >= 0.8 });
    }
  }
  return out;
}

function roundTripTargets(servers: ServerRates[]): Target[] {
  const out: Target[] = [];
  for (const s of servers) {
    const get = (id: string) => s.rates.find((r) => r.id === id)?.rpcsPerSecond;
    const bare = get('bare-ssh2');
    const one = get('netconfkit-1');
    const many = get('netconfkit-64');
    const failed = (client: string) => `${client} failed: ${s.failures.find((f) => f.client === client)?.error ?? 'no result'}`;
    const missing = s.error ?? (bare === undefined ? failed('bare ssh2') : undefined);
    out.push({
      area: 'round trips', target: `${s.server}: one at a time ≥ 1/2 of the bare ssh2 client`,
      measured: missing ?? (one === undefined ? failed('netconfkit') : `${one.toFixed(0)} vs ${bare!.toFixed(0)} RPC/s = ${x(one / bare!)}`),
      pass: one !== undefined && bare !== undefined && one >= bare / 2,
    });
    out.push({
      area: 'round trips', target: `${s.server}: 64 in flight ≥ the bare client one at a time`,
      measured: missing ?? (many === undefined ? failed('netconfkit') : `${many.toFixed(0)} vs ${bare!.toFixed(0)} RPC/s = ${x(many / bare!)}`),
      pass: many !== undefined && bare !== undefined && many >= bare,
    });
  }
  return out;
}

/**
 * The end-to-end targets, each as a ratio to the single-thread ceiling measured in the same run:
 * the bare ssh2 client plus an indexOf("<") pass over every read (what any reader that looks
 * at each tag starts from). A kept reply is also shown against the keeping ceiling (the same
 * client keeping every read: what keeping the bytes costs at the least), on the bench's
 * configuration and on the same in ASCII.
 */
function bigReplyTargets(big: BigReplies | null): Target[] {
  if (!big) return [];
  const out: Target[] = [];
  const mib = (b: number) => `${(b / MIB).toFixed(b < 10 * MIB ? 1 : 0)} MiB`;
  if (big.error) return [{ area: 'big replies', target: 'the big-reply section runs', measured: `failed: ${big.error}`, pass: false }];
  const groups = [...new Set(big.rows.map((r) => `${r.bytes}|${r.framing}|${r.text}`))];
  for (const g of groups) {
    const rs = big.rows.filter((r) => `${r.bytes}|${r.framing}|${r.text}` === g);
    const { bytes, framing, text } = rs[0]!;
    const keeping = rs.find((r) => r.client === 'scan-keep');
    const ceiling = rs.find((r) => r.client === 'scan');
    const check = (client: string, needed: number, extra?: (r: (typeof rs)[number]) => { ok: boolean; text: string }) => {
      const r = rs.find((x) => x.client === client);
      if (!r || (r.note?.startsWith('not run') ?? false)) return;
      const target = `${mib(bytes)} ${framing}${text === 'ascii' ? ', the configuration in ASCII' : ''}: ${r.label} ≥ ${needed} of the ceiling (bare ssh2 + indexOf)${extra ? ', RSS growth ≤ 64 MiB' : ''}`;
      if (!ceiling?.mbps || r.ofCeiling === null) {
        out.push({ area: 'big replies', target, measured: r.error ?? ceiling?.error ?? 'not measured', pass: false });
        return;
      }
      const e = extra?.(r);
      const ok = r.ofCeiling >= needed && (e?.ok ?? true);
      const why = r.ofCeiling >= needed ? '' : ` (short of ${needed}: ${reasonFor(client, rs, big.freshMemoryMBps)})`;
      out.push({ area: 'big replies', target, measured: `${r.mbps!.toFixed(0)} vs ${ceiling.mbps.toFixed(0)} MB/s = ${r.ofCeiling.toFixed(2)}${e ? `; ${e.text}` : ''}${why}`, pass: ok });
      // Not a target: how close the file client comes to what this machine allows for writing one.
      if (client === 'file' && r.ofFileCeiling !== null) out[out.length - 1]!.measured += `; ${r.ofFileCeiling.toFixed(2)} of the file ceiling (bare ssh2 + indexOf + each read to a new file)`;
      // Nor is this: how close the kept reply comes to what this machine allows for keeping one.
      if (client === 'kept' && keeping?.mbps && r.ofKeeping !== null) out[out.length - 1]!.measured += `; ${r.ofKeeping.toFixed(2)} of the keeping ceiling (bare ssh2 + indexOf + every read kept: ${keeping.mbps.toFixed(0)} MB/s = ${keeping.ofCeiling!.toFixed(2)} of the ceiling)`;
    };
    check('errors', 0.95);
    check('kept', 0.85);
    check('file', 0.9, (r) => ({ ok: r.rssGrowth !== null && r.rssGrowth <= 64 * MIB, text: `RSS growth ${r.rssGrowth === null ? '—' : mib(r.rssGrowth)}` }));
  }
  for (const f of big.firstError) {
    const r = f.run;
    const target = `first error, ${mib(f.bytes)} ${f.framing}: delivered within one SSH read of its end tag`;
    if (!r || r.pastEndTag === undefined) out.push({ area: 'big replies', target, measured: f.error ?? 'no item delivered', pass: false });
    else out.push({ area: 'big replies', target, measured: `${r.pastEndTag} bytes read past it, in a read of ${r.readBytes}; ${r.firstErrorMs!.toFixed(1)} ms after sending (whole reply ${(r.seconds * 1000).toFixed(0)} ms)`, pass: r.pastEndTag >= 0 && r.pastEndTag < r.readBytes! });
  }
  return out;
}

/** Why a client falls short of the ceiling, when it does, from what the same run measured. */
function reasonFor(client: string, rs: BigRow[], freshMBps: number | null): string {
  const row = (c: string) => rs.find((x) => x.client === c);
  const ceiling = row('scan')!;
  const busy = ceiling.best?.cpuSeconds === undefined ? '' : `the ceiling client is already ${Math.round((100 * ceiling.best.cpuSeconds) / ceiling.best.seconds)} % busy, `;
  const ours = row(client)?.best;
  const cpu = ours?.cpuSeconds === undefined ? '' : ` (this client ${Math.round((100 * ours.cpuSeconds) / ours.seconds)} %, all threads)`;
  const perTag = `${busy}and the extractor's work at each tag (element stack, end tags checked, namespaces) runs on the socket's thread${cpu}`;
  if (client === 'kept') {
    const kept = row('kept');
    const keeping = row('scan-keep');
    if (freshMBps === null || !ceiling.mbps || kept?.best?.faults === undefined || ceiling.best?.faults === undefined) return `${perTag}, and the reply's text is decoded into one string`;
    // Memory the process had never touched, per reply byte, beyond what the ceiling client's
    // reading took: the bytes held as they come, then the text, one flat string made after the
    // last byte (one byte a character in ASCII, two in V8 once a character is past U+00FF).
    const fresh = (r: BigRow) => (Math.max(0, r.best!.faults! - ceiling.best!.faults!) * 4096) / ceiling.bytes;
    const touched = fresh(kept);
    const cap = 1 / (1 / ceiling.mbps + touched / freshMBps);
    const least = keeping?.best?.faults === undefined ? '' : ` (the keeping ceiling ${fresh(keeping).toFixed(2)}: the reads themselves)`;
    return `keeping took ${touched.toFixed(2)} bytes of memory the process had never touched per reply byte${least}: the bytes as they come, then one flat string of the text made after the last byte (one byte a character in ASCII, two once a character is past U+00FF); this machine gives such memory at ${freshMBps.toFixed(0)} MB/s, which with free decoding and scanning alone caps it at ${cap.toFixed(0)} MB/s = ${(cap / ceiling.mbps).toFixed(2)} of the ceiling`;
  }
  if (client === 'errors') return perTag;
  return `${perTag}, and the file's writes (a new file: the kernel allocates its page cache as it is written; see the file ceiling)`;
}

function replayProcessTargets(r: ReplayProcessRow | null): Target[] {
  if (!r) return [];
  const share = r.floorSeconds / r.replaySeconds;
  return [{
    area: 'extraction', target: `netconfkit replay --json of a ${(r.bytes / MIB).toFixed(0)} MiB reply, whole process: ≥ 0.35 of a node process running only the indexOf loop`,
    measured: `${r.replaySeconds.toFixed(2)} s vs ${r.floorSeconds.toFixed(2)} s = ${share.toFixed(2)}${share >= 0.35 ? '' : ' (short: replay also frames, builds the JSON and loads the CLI)'}`, pass: share >= 0.35,
  }];
}

/** A configuration as items: streamItems' rate against streamTo's on the same reply, its memory and count; the slow consumer. */
function itemsTargets(section: ItemsSection | null): Target[] {
  if (!section) return [];
  const mib = (b: number) => `${(b / MIB).toFixed(b < 10 * MIB ? 1 : 0)} MiB`;
  if (section.error && section.rows.length === 0) return [{ area: 'items', target: 'the items section runs', measured: `failed: ${section.error}`, pass: false }];
  const out: Target[] = [];
  for (const bytes of [...new Set(section.rows.map((r) => r.bytes))]) {
    const streamTo = section.rows.find((r) => r.bytes === bytes && r.client === 'discard');
    const items = section.rows.find((r) => r.bytes === bytes && r.client === 'items');
    const run = items?.best;
    out.push({
      area: 'items', target: `${mib(bytes)}: streamItems ≥ 0.5 of streamTo's byte rate on the same reply`,
      measured: items?.mbps && streamTo?.mbps ? `${items.mbps.toFixed(0)} vs ${streamTo.mbps.toFixed(0)} MB/s = ${items.ofStreamTo!.toFixed(2)}` : items?.error ?? streamTo?.error ?? 'not measured',
      pass: (items?.ofStreamTo ?? 0) >= 0.5,
    });
    out.push({
      area: 'items', target: `${mib(bytes)}: streamItems RSS growth ≤ 64 MiB`,
      measured: items?.rssGrowth == null ? items?.error ?? 'not measured' : mib(items.rssGrowth), pass: items?.rssGrowth != null && items.rssGrowth <= 64 * MIB,
    });
    out.push({
      area: 'items', target: `${mib(bytes)}: the item count exact`,
      measured: run?.items === undefined ? items?.error ?? 'not measured' : `${run.items} items, the device wrote ${run.expectedItems}`,
      pass: run?.items !== undefined && run.items === run.expectedItems && run.items > 0,
    });
  }
  const slow = section.slowConsumer;
  out.push({
    area: 'items', target: `a slow consumer (50 ms per item): the device's bytes written stay within 16 MiB of what it consumed`,
    measured: slow ? `at most ${mib(slow.maxAheadBytes)} ahead over ${slow.itemsConsumed} items (${slow.seconds.toFixed(1)} s) of a ${mib(slow.replyBytes)} reply` : section.slowConsumerError ?? 'not measured',
    pass: slow !== null && slow.itemsConsumed === slow.items && slow.maxAheadBytes <= 16 * MIB,
  });
  return out;
}

export function evaluate(m: Measured): Target[] {
  return [
    ...extractionTargets(m.extraction),
    ...firstErrorTargets(m.firstError),
    ...memoryTargets(m.memory),
    ...framingTargets(m.framing),
    ...roundTripTargets(m.roundTrips),
    ...bigReplyTargets(m.bigReplies),
    ...replayProcessTargets(m.replayProcess),
    ...itemsTargets(m.items),
  ];
}
