/**
 * Measurement 6: big replies end to end. One big `<get-config>` over SSH from the fake device
 * (in a process of its own), 64 and 256 MiB (1 GiB with BENCH_LONG=1), both framings, each client
 * in a fresh process: the bare ssh2 client (the floor), the same plus an indexOf pass (the
 * ceiling) and plus writing each read to a file (the file ceiling) or keeping every read (the
 * keeping ceiling), netconfkit with the reply kept, errors only, and streamed to a file (a path;
 * a WriteStream), bare paramiko, and ncclient as shipped (64 MiB and below: it holds the reply
 * several times over); then the same configuration in ASCII for the ceilings and the kept reply
 * (V8 holds ASCII text at one byte a character, not two). Runs go round robin so load on the machine hits every
 * client alike; the best run of each is reported (MB/s of the framed reply), with its max RSS
 * and its RSS growth over the moment before the request. Then the time to the first error of a
 * reply whose `<rpc-error>` comes first.
 */
import { runChild } from '../children.js';
import { BIG } from '../config.js';
import { formatBytes, mbps } from '../timing.js';
import { login, runPython } from '../roundtrip/python.js';
import type { Server } from '../roundtrip/servers.js';
import { BIG_CLIENT, type ClientJob, type ClientRun, type Framing, type NodeMode } from './clients.js';
import { type ReplyText, startBigDevice } from './device.js';

export type BigClient = Exclude<NodeMode, 'first-error' | 'fresh-memory'> | 'paramiko' | 'ncclient';

export interface BigRow {
  server: string;
  bytes: number;
  framing: Framing;
  /** The configuration's text: as generated (non-ASCII characters here and there) or ASCII only. */
  text: ReplyText;
  client: BigClient;
  label: string;
  /** The best run (fewest seconds), or null when every run failed. */
  best: ClientRun | null;
  runs: number;
  mbps: number | null;
  /** MB/s over the bare ssh2 client's, same size and framing, same run. */
  ofFloor: number | null;
  /** MB/s over the ceiling's (bare ssh2 + the indexOf pass: `scan`), same size and framing, same run. */
  ofCeiling: number | null;
  /** MB/s over the file ceiling's (`scan` writing every read to a new file: `scan-file`), same run. */
  ofFileCeiling: number | null;
  /** MB/s over the keeping ceiling's (`scan` keeping every read: `scan-keep`), same run. */
  ofKeeping: number | null;
  /** Max RSS minus the RSS just before the request. */
  rssGrowth: number | null;
  error?: string;
  note?: string;
}

export interface FirstErrorE2E {
  bytes: number;
  framing: Framing;
  run: ClientRun | null;
  error?: string;
}

export interface BigReplies {
  server: string;
  error?: string;
  rows: BigRow[];
  firstError: FirstErrorE2E[];
  /** Why netconfd is not in this section. */
  skipped: string[];
  /** MB/s at which a fresh process fills memory it had not touched (a buffer the size of the biggest reply). */
  freshMemoryMBps: number | null;
}

const LABELS: Record<BigClient, string> = {
  bare: 'bare ssh2, reads until the end marker (floor)',
  scan: 'bare ssh2 + indexOf("<") over every read (ceiling)',
  'scan-file': 'bare ssh2 + indexOf("<") + each read to a new file (file ceiling)',
  'scan-keep': 'bare ssh2 + indexOf("<") + every read kept (keeping ceiling)',
  kept: 'netconfkit getConfig (reply kept)',
  errors: 'netconfkit rpc(…, { collect: false }) (errors only)',
  file: 'netconfkit getConfig({ streamTo: a file path })',
  'file-stream': 'netconfkit getConfig({ streamTo: fs.createWriteStream(1 MiB) })',
  discard: 'netconfkit getConfig({ streamTo: a Writable that drops the bytes })',
  items: 'netconfkit getConfig({ path }): every interface parsed (streamItems)',
  paramiko: 'bare paramiko (python), reads until the end marker',
  ncclient: 'ncclient as shipped (python), get_config',
};

async function python(script: string, server: Server, bytes: number, framing: Framing): Promise<ClientRun> {
  const r = await runPython<ClientRun & { replyBytes?: number }>(script, [...login(server), '--bytes', String(bytes), '--framing', framing], 900_000);
  return { replyBytes: r.replyBytes ?? 0, seconds: r.seconds, baselineRss: r.baselineRss, maxRss: r.maxRss };
}

/** Runs one client (in a process of its own, or Python) against `server` and returns its run. */
export function runOne(client: BigClient, server: Server, bytes: number, framing: Framing, text: ReplyText = 'utf8'): Promise<ClientRun> {
  if (client === 'paramiko') return python('paramiko_big.py', server, bytes, framing);
  if (client === 'ncclient') return python('ncclient_big.py', server, bytes, framing);
  const job: ClientJob = { server, bytes, framing, mode: client, text };
  return runChild<ClientRun>(BIG_CLIENT, [JSON.stringify(job)]);
}

/** Which clients run at a size, and why the others do not. The ASCII configuration: the ceilings and the kept reply. */
function clientsFor(bytes: number, text: ReplyText): { clients: BigClient[]; notes: Partial<Record<BigClient, string>> } {
  const clients: BigClient[] = text === 'ascii' ? ['bare', 'scan', 'scan-keep', 'kept'] : ['bare', 'scan', 'scan-file', 'scan-keep', 'kept', 'errors', 'file', 'file-stream', 'paramiko'];
  const notes: Partial<Record<BigClient, string>> = {};
  // A JavaScript string holds at most 2^29 - 24 UTF-16 units (V8): a reply kept as text cannot be bigger.
  if (bytes > 512 * 2 ** 20) {
    clients.splice(clients.indexOf('kept'), 1);
    notes.kept = 'not run: a reply over 512 MiB cannot be kept as one JavaScript string (stream it)';
  }
  if (text === 'ascii') return { clients, notes };
  if (bytes <= BIG.ncclientMaxBytes) clients.push('ncclient');
  else notes.ncclient = `not run above ${formatBytes(BIG.ncclientMaxBytes)}: it holds the reply several times over (GiBs of RAM on a shared machine)`;
  return { clients, notes };
}

async function sizeAndFraming(server: Server, bytes: number, framing: Framing, text: ReplyText, log: (s: string) => void): Promise<BigRow[]> {
  const { clients, notes } = clientsFor(bytes, text);
  const name = `${formatBytes(bytes)} ${framing}${text === 'ascii' ? ' ASCII' : ''}`;
  const runs = new Map<BigClient, ClientRun[]>(clients.map((c) => [c, []]));
  const errors = new Map<BigClient, string>();
  const rounds = BIG.runs(bytes);
  // The device builds each reply on its first request: that one is not timed.
  await runOne('bare', server, bytes, framing, text).catch(() => undefined);
  for (let round = 0; round < rounds; round++) {
    for (const client of clients) {
      // ncclient is slow and large: once is enough.
      if (client === 'ncclient' && round > 0) continue;
      try {
        const r = await runOne(client, server, bytes, framing, text);
        runs.get(client)!.push(r);
        log(`    ${name} ${client}: ${mbps(r.replyBytes || bytes, r.seconds).toFixed(0)} MB/s, max RSS ${formatBytes(r.maxRss)}`);
      } catch (err) {
        errors.set(client, (err as Error).message);
        log(`    ${name} ${client}: failed: ${(err as Error).message}`);
      }
    }
  }
  // The floor's byte count (the framed reply) is what every client read.
  const floorRuns = runs.get('bare') ?? [];
  const wire = floorRuns.find((r) => r.replyBytes > 0)?.replyBytes ?? bytes;
  const rows: BigRow[] = [];
  for (const client of [...clients, ...(Object.keys(notes) as BigClient[])]) {
    const rs = runs.get(client) ?? [];
    const best = rs.length > 0 ? rs.reduce((a, b) => (a.seconds <= b.seconds ? a : b)) : null;
    const error = errors.get(client);
    const note = notes[client] ?? best?.note;
    rows.push({
      server: server.name, bytes, framing, text, client, label: LABELS[client], best, runs: rs.length,
      mbps: best ? mbps(wire, best.seconds) : null, ofFloor: null, ofCeiling: null, ofFileCeiling: null, ofKeeping: null,
      rssGrowth: best ? best.maxRss - best.baselineRss : null,
      ...(error ? { error } : {}), ...(note ? { note } : {}),
    });
  }
  const floor = rows.find((r) => r.client === 'bare')?.mbps ?? null;
  const ceiling = rows.find((r) => r.client === 'scan')?.mbps ?? null;
  const fileCeiling = rows.find((r) => r.client === 'scan-file')?.mbps ?? null;
  const keeping = rows.find((r) => r.client === 'scan-keep')?.mbps ?? null;
  for (const r of rows) {
    r.ofKeeping = keeping && r.mbps ? r.mbps / keeping : null;
    r.ofFloor = floor && r.mbps ? r.mbps / floor : null;
    r.ofCeiling = ceiling && r.mbps ? r.mbps / ceiling : null;
    r.ofFileCeiling = fileCeiling && r.mbps ? r.mbps / fileCeiling : null;
  }
  return rows;
}

export async function measureBigReplies(log: (s: string) => void): Promise<BigReplies> {
  const out: BigReplies = {
    server: 'fake device', rows: [], firstError: [], freshMemoryMBps: null,
    // Measured once by hand (scripts/netconfd.sh, ietf-interfaces): 20,000 interfaces (4.3 MB)
    // took 11.5 s to edit into the candidate and 5.8 s to commit, a 15 MB edit-config was
    // refused ("resource denied"), and the 5.6 MB get-config came at 26 MB/s.
    skipped: ['netconfd: not run; its datastore would first have to be filled in edits of a few MB (a 15 MB edit-config is refused), minutes for 64 MiB, and it serves get-config at about 26 MB/s, so the device, not the client, would set every figure'],
  };
  let server: Server | null = null;
  try {
    server = await startBigDevice();
    out.server = server.name;
    log(`big replies: ${server.name} on ${server.host}:${server.port}`);
    for (const text of ['utf8', 'ascii'] as const) {
      for (const bytes of BIG.sizes) {
        // Kept is not run above 512 MiB (a string cannot hold it): nothing to compare in ASCII.
        if (text === 'ascii' && bytes > 512 * 2 ** 20) continue;
        for (const framing of ['eom', 'chunked'] as const) out.rows.push(...(await sizeAndFraming(server, bytes, framing, text, log)));
      }
    }
    const biggest = Math.min(Math.max(...BIG.sizes), 512 * 2 ** 20);
    const fresh = await runChild<ClientRun>(BIG_CLIENT, [JSON.stringify({ server, bytes: biggest, framing: 'eom', mode: 'fresh-memory' } satisfies ClientJob)]);
    out.freshMemoryMBps = mbps(fresh.replyBytes, fresh.seconds);
    log(`    fresh memory: ${out.freshMemoryMBps.toFixed(0)} MB/s`);
    for (const framing of ['eom', 'chunked'] as const) {
      const bytes = BIG.firstErrorBytes;
      try {
        const job = JSON.stringify({ server, bytes, framing, mode: 'first-error' } satisfies ClientJob);
        await runChild<ClientRun>(BIG_CLIENT, [job]); // the device builds the reply: not timed
        const run = await runChild<ClientRun>(BIG_CLIENT, [job]);
        out.firstError.push({ bytes, framing, run });
        log(`    first error (${framing}): ${run.firstErrorMs?.toFixed(1)} ms, ${run.pastEndTag} bytes read past its end tag, in a read of ${run.readBytes}`);
      } catch (err) {
        out.firstError.push({ bytes, framing, run: null, error: (err as Error).message });
      }
    }
  } catch (err) {
    out.error = (err as Error).message;
    log(`big replies: ${out.error}`);
  } finally {
    await server?.stop();
  }
  return out;
}
