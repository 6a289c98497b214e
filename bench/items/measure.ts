/**
 * Measurement 7: a big configuration used as items (streamItems), against streamTo on the same
 * reply. Over SSH from the big-reply device (its own process), chunked framing, each client in
 * a fresh process: streamTo into a Writable that drops the bytes (streamTo's own rate), streamTo
 * into a file, and getConfig({ path }) parsing every interface. Runs go round robin; the best run
 * of each is reported, with its RSS growth, and the item count against the device's own count.
 * Then the slow consumer (50 ms per item): how far the device gets ahead of it.
 */
import { runChild } from '../children.js';
import { ITEMS } from '../config.js';
import { runOne } from '../bigreply/measure.js';
import type { ClientRun } from '../bigreply/clients.js';
import { startBigDevice } from '../bigreply/device.js';
import type { Server } from '../roundtrip/servers.js';
import { formatBytes, mbps } from '../timing.js';
import { SLOW_CONSUMER, type SlowConsumerJob, type SlowConsumerRun } from './slow-consumer.js';

export type ItemsClient = 'discard' | 'file' | 'items';

export interface ItemsRow {
  bytes: number;
  client: ItemsClient;
  label: string;
  best: ClientRun | null;
  runs: number;
  mbps: number | null;
  /** MB/s over streamTo's (the Writable that drops the bytes), same reply, same run. */
  ofStreamTo: number | null;
  rssGrowth: number | null;
  error?: string;
}

export interface ItemsSection {
  server: string;
  error?: string;
  rows: ItemsRow[];
  slowConsumer: (SlowConsumerRun & SlowConsumerJob) | null;
  slowConsumerError?: string;
}

const LABELS: Record<ItemsClient, string> = {
  discard: 'streamTo: a Writable that drops the bytes',
  file: 'streamTo: a file',
  items: 'streamItems (getConfig({ path })): every interface parsed',
};

async function size(server: Server, bytes: number, log: (s: string) => void): Promise<ItemsRow[]> {
  const clients: ItemsClient[] = ['discard', 'file', 'items'];
  const runs = new Map<ItemsClient, ClientRun[]>(clients.map((c) => [c, []]));
  const errors = new Map<ItemsClient, string>();
  // The device builds the reply on its first request: that one is not timed.
  await runOne('bare', server, bytes, 'chunked').catch(() => undefined);
  for (let round = 0; round < ITEMS.runs; round++) {
    for (const client of clients) {
      try {
        const r = await runOne(client, server, bytes, 'chunked');
        runs.get(client)!.push(r);
        log(`    ${formatBytes(bytes)} ${client}: ${mbps(bytes, r.seconds).toFixed(0)} MB/s, RSS +${formatBytes(r.maxRss - r.baselineRss)}${r.note ? `, ${r.note}` : ''}`);
      } catch (err) {
        errors.set(client, (err as Error).message);
        log(`    ${formatBytes(bytes)} ${client}: failed: ${(err as Error).message}`);
      }
    }
  }
  const rows = clients.map((client): ItemsRow => {
    const rs = runs.get(client)!;
    const best = rs.length > 0 ? rs.reduce((a, b) => (a.seconds <= b.seconds ? a : b)) : null;
    const error = errors.get(client);
    return {
      bytes, client, label: LABELS[client], best, runs: rs.length, mbps: best ? mbps(bytes, best.seconds) : null, ofStreamTo: null,
      rssGrowth: best ? best.maxRss - best.baselineRss : null, ...(error ? { error } : {}),
    };
  });
  const streamTo = rows.find((r) => r.client === 'discard')?.mbps ?? null;
  for (const r of rows) r.ofStreamTo = streamTo && r.mbps ? r.mbps / streamTo : null;
  return rows;
}

export async function measureItems(log: (s: string) => void): Promise<ItemsSection> {
  const out: ItemsSection = { server: 'fake device', rows: [], slowConsumer: null };
  let server: Server | null = null;
  try {
    server = await startBigDevice();
    out.server = server.name;
    log(`items: ${server.name} on ${server.host}:${server.port}`);
    for (const bytes of ITEMS.sizes) out.rows.push(...(await size(server, bytes, log)));
  } catch (err) {
    out.error = (err as Error).message;
    log(`items: ${out.error}`);
  } finally {
    await server?.stop();
  }
  const job: SlowConsumerJob = { bytes: ITEMS.slowConsumerBytes, items: ITEMS.slowConsumerItems, perItemMs: 50 };
  try {
    const run = await runChild<SlowConsumerRun>(SLOW_CONSUMER, [JSON.stringify(job)]);
    out.slowConsumer = { ...job, ...run };
    log(`    slow consumer: ${run.itemsConsumed} items in ${run.seconds.toFixed(1)} s, the device at most ${formatBytes(run.maxAheadBytes)} ahead`);
  } catch (err) {
    out.slowConsumerError = (err as Error).message;
    log(`    slow consumer: failed: ${out.slowConsumerError}`);
  }
  return out;
}
