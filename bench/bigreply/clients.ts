/**
 * The Node clients of the big-reply measurements, each run in a process of its own (so its
 * max RSS is its own): the bare ssh2 client (the floor: it only reads the bytes until the end
 * marker; the ceiling: also finds every "<"; the keeping ceiling: also keeps every read) and
 * netconfkit reading the reply kept, for its errors only, streamed to a file, and timed to its
 * first error. Each sends one `<get-config>` after the hellos and reports the
 * reply's bytes, the seconds from sending to the end, its RSS before sending and its max RSS.
 */
import { closeSync, createWriteStream, openSync, writeSync, writevSync } from 'node:fs';
import { Writable } from 'node:stream';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { connect, fingerprint, getConfig, parseData, Session } from '../../src/index.js';
import { registerChild } from '../children.js';
import { now } from '../timing.js';
import { peakRss, resetHwm } from '../rss.js';
import { INTERFACES_PATH, type ReplyText, benchFilter } from './device.js';
import type { Server } from '../roundtrip/servers.js';

export type Framing = 'eom' | 'chunked';
export type NodeMode = 'bare' | 'scan' | 'scan-file' | 'scan-keep' | 'kept' | 'errors' | 'file' | 'file-stream' | 'discard' | 'items' | 'first-error' | 'fresh-memory';

export interface ClientJob {
  server: Pick<Server, 'host' | 'port' | 'username' | 'password' | 'hostKey'>;
  bytes: number;
  framing: Framing;
  mode: NodeMode;
  /** A/B only (bench/bigreply/file-ab.ts): which way of writing the file. */
  variant?: string;
  /** The configuration's text (default: as generated, non-ASCII characters here and there). */
  text?: ReplyText;
}

export interface ClientRun {
  /** Bytes of the reply as framed on the wire. */
  replyBytes: number;
  seconds: number;
  baselineRss: number;
  maxRss: number;
  /** CPU seconds (user + system) the client process spent from sending to the end, every thread. */
  cpuSeconds?: number;
  /** Minor page faults of the client process from sending to the end (memory it was given afresh). */
  faults?: number;
  /** first-error: ms from sending to the item, bytes read past its end tag, and the size of the read that held it. */
  firstErrorMs?: number;
  pastEndTag?: number;
  readBytes?: number;
  /** items: how many the loop was given, and how many the device says the reply holds. */
  items?: number;
  expectedItems?: number;
  note?: string;
}

const NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const maxRss = peakRss;
const faults = () => process.resourceUsage().minorPageFault;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function hello(framing: Framing): string {
  const caps = ['urn:ietf:params:netconf:base:1.0', ...(framing === 'chunked' ? ['urn:ietf:params:netconf:base:1.1'] : [])];
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NS}"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities></hello>]]>]]>`;
}

function openChannel(server: ClientJob['server']): Promise<{ client: Client; channel: ClientChannel }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () => client.subsys('netconf', (err, channel) => (err ? reject(err) : resolve({ client, channel }))));
    client.connect({
      host: server.host, port: server.port, username: server.username, password: server.password,
      hostVerifier: (key: Buffer) => server.hostKey.includes(fingerprint(key)),
    });
  });
}

/**
 * The floor: ssh2 with nothing on top reads the bytes until the end marker. With `scan`, it
 * also finds every "<" with indexOf: the ceiling for any reader that looks at each tag. With
 * `keep` as well, every read is also kept to the end: the cheapest keeping there is (one byte
 * of memory per byte, nothing decoded), the ceiling for a client that keeps the reply.
 */
async function bare(job: ClientJob, scan = false, toFile = false, keep = false): Promise<ClientRun> {
  const { client, channel } = await openChannel(job.server);
  try {
    await new Promise<void>((resolve) => {
      let seen = '';
      const onData = (d: Buffer) => {
        seen += d.toString('latin1');
        if (seen.includes(']]>]]>')) {
          channel.off('data', onData);
          resolve();
        }
      };
      channel.on('data', onData);
    });
    channel.write(hello(job.framing));
    const end = Buffer.from(job.framing === 'chunked' ? '\n##\n' : ']]>]]>');
    const rpc = Buffer.from(`<rpc xmlns="${NS}" message-id="1"><get-config><source><running/></source><filter type="subtree">${benchFilter(job.bytes, job.framing, false, false, job.text)}</filter></get-config></rpc>`);
    const baselineRss = process.memoryUsage.rss();
    resetHwm();
    const t0 = now();
    const c0 = cpu();
    const f0 = faults();
    let total = 0;
    let tags = 0;
    let tail = Buffer.alloc(0);
    const file = toFile ? fileWriter(job.variant ?? FILE_CEILING, channel) : null;
    const kept: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      channel.on('data', (d: Buffer) => {
        total += d.length;
        if (scan) for (let i = d.indexOf(0x3c); i !== -1; i = d.indexOf(0x3c, i + 1)) tags++;
        file?.write(d);
        if (keep) kept.push(d);
        tail = Buffer.concat([tail, d.subarray(Math.max(0, d.length - end.length))]).subarray(-end.length);
        if (tail.equals(end)) resolve();
      });
      channel.on('close', () => reject(new Error('the channel closed before the reply ended')));
      channel.write(job.framing === 'chunked' ? Buffer.concat([Buffer.from(`\n#${rpc.length}\n`), rpc, Buffer.from('\n##\n')]) : Buffer.concat([rpc, Buffer.from(']]>]]>')]));
    });
    await file?.end();
    const run: ClientRun = { replyBytes: total, seconds: now() - t0, cpuSeconds: cpu() - c0, faults: faults() - f0, baselineRss, maxRss: maxRss(), ...(scan ? { note: `${tags} "<" found${keep ? `, ${kept.length} reads kept` : ''}` } : {}) };
    if (file) await unlink(file.path);
    return run;
  } finally {
    channel.end();
    client.end();
  }
}

/** How often, and for how long in all, a Writable asked its writer to wait (write() returned false until 'drain'). */
function watchPauses(ws: Writable): { toString(): string } {
  let pauses = 0;
  let waited = 0;
  let since = 0;
  const write = ws.write.bind(ws) as (chunk: Buffer) => boolean;
  ws.write = ((chunk: Buffer) => {
    const more = write(chunk);
    if (!more && since === 0) {
      pauses++;
      since = now();
    }
    return more;
  }) as typeof ws.write;
  ws.on('drain', () => {
    if (since) waited += now() - since;
    since = 0;
  });
  return { toString: () => `${pauses} waits for drain, ${(waited * 1000).toFixed(0)} ms in all` };
}

/** Where a file client writes: a new file in the system's temporary directory. */
const benchFile = () => path.join(tmpdir(), `netconfkit-bench-${process.pid}.xml`);

/** How the file ceiling writes: the cheapest way measured (see docs/benchmarks.md). */
const FILE_CEILING = 'batch';

interface FileWriter {
  path: string;
  write(d: Buffer): void;
  end(): Promise<void>;
}

/**
 * The file ceiling's writes: every read written to a new file, all of it handed to the kernel
 * (page cache) when the reply ends. `batch`: reads held to 1 MiB, then one fs.writevSync;
 * `sync`: fs.writeSync of each read; `stream`, `stream8`: a WriteStream with a 1 (8) MiB
 * buffer, the channel paused while it is full. Reads are not reused by ssh2: holding them is safe.
 */
function fileWriter(variant: string, channel: ClientChannel): FileWriter {
  const file = benchFile();
  if (variant.startsWith('stream')) {
    const ws = createWriteStream(file, { highWaterMark: Number(variant.slice(6) || 1) << 20 });
    ws.on('drain', () => channel.resume());
    return {
      path: file,
      write: (d) => {
        if (!ws.write(d)) channel.pause();
      },
      end: () => new Promise((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve()))),
    };
  }
  const fd = openSync(file, 'w');
  let held: Buffer[] = [];
  let size = 0;
  const flush = () => {
    let left = size;
    let bufs = held;
    held = [];
    size = 0;
    while (left > 0) {
      const n = writevSync(fd, bufs);
      left -= n;
      if (left > 0) bufs = [Buffer.concat(bufs).subarray(n)];
    }
  };
  return {
    path: file,
    write: (d) => {
      if (variant === 'sync') {
        for (let at = 0; at < d.length; ) at += writeSync(fd, d, at);
        return;
      }
      held.push(d);
      size += d.length;
      if (size >= 1 << 20) flush();
    },
    end: async () => {
      flush();
      closeSync(fd);
    },
  };
}

/** netconfkit through connect(): the reply kept, errors only, or streamed to a file. */
async function library(job: ClientJob): Promise<ClientRun> {
  const session = await connect({
    host: job.server.host, port: job.server.port, username: job.server.username, password: job.server.password, hostKey: job.server.hostKey,
    base: job.framing === 'chunked' ? '1.1' : '1.0', rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER },
  });
  try {
    const filter = benchFilter(job.bytes, job.framing, false, false, job.text);
    const file = benchFile();
    const baselineRss = process.memoryUsage.rss();
    resetHwm();
    const t0 = now();
    const c0 = cpu();
    const f0 = faults();
    let note: { toString(): string } | undefined;
    let items: { items: number; expectedItems: number } | undefined;
    if (job.mode === 'items') {
      // Every interface of the configuration, parsed one at a time (its name read, as a program would).
      let n = 0;
      let names = 0;
      for await (const item of getConfig(session, 'running', { filter, path: INTERFACES_PATH, timeoutMs: 0 })) {
        n++;
        if (typeof item.name === 'string') names++;
      }
      const seconds = now() - t0;
      const cpuSeconds = cpu() - c0;
      const answer = await getConfig(session, 'running', { filter: benchFilter(job.bytes, job.framing, false, true) });
      const expected = Number(parseData(answer).count);
      items = { items: n, expectedItems: expected };
      return { replyBytes: 0, seconds, cpuSeconds, baselineRss, maxRss: maxRss(), ...items, note: `${n} items (${names} named), the device wrote ${expected}` };
    }
    if (job.mode === 'discard') {
      // streamTo's own rate: a Writable that takes every byte at once.
      await getConfig(session, 'running', { filter, streamTo: new Writable({ highWaterMark: 1 << 20, write: (_c, _e, done) => done() }) });
    } else if (job.mode === 'kept') {
      const { data } = await getConfig(session, 'running', { filter });
      // Ready to be read: a text made of pieces would be flattened here (V8 does at the first read by index or search).
      note = `data ${data.length} chars, the last ${data.charCodeAt(data.length - 1)}`;
    } else if (job.mode === 'errors') {
      await session.rpc(`<get-config><source><running/></source><filter type="subtree">${filter}</filter></get-config>`, { collect: false });
    } else {
      // A 1 MiB buffer: fs streams default to 16 KiB, and every full buffer pauses the transport.
      // A path: netconfkit writes the file itself. `file-stream`: a WriteStream with a 1 MiB buffer
      // (fs streams default to 16 KiB, and every full buffer pauses the transport).
      const out = job.mode === 'file' ? file : createWriteStream(file, { highWaterMark: 1 << 20 });
      if (typeof out !== 'string') note = watchPauses(out);
      await getConfig(session, 'running', { filter, streamTo: out });
    }
    const seconds = now() - t0;
    const run: ClientRun = { replyBytes: 0, seconds, cpuSeconds: cpu() - c0, faults: faults() - f0, baselineRss, maxRss: maxRss(), ...(note ? { note: String(note) } : {}) };
    if (job.mode === 'file' || job.mode === 'file-stream') await unlink(file);
    return run;
  } finally {
    await session.close();
  }
}

/**
 * Time to the first error, over a session on a channel of our own so that every read can be
 * counted: an `<rpc-error>` sits just before `<data>`; how many bytes had been read when
 * onItem ran, against where its end tag ends.
 */
async function firstError(job: ClientJob): Promise<ClientRun> {
  const { client, channel } = await openChannel(job.server);
  let received = 0;
  let lastRead = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  channel.on('data', (d: Buffer) => {
    received += d.length;
    lastRead = d.length;
    if (headBytes < 1 << 20) {
      head.push(Buffer.from(d));
      headBytes += d.length;
    }
  });
  const session = await Session.start(
    { stream: channel, close: () => client.end(), onClose: (l) => client.on('close', () => l(null)) },
    { base: job.framing === 'chunked' ? '1.1' : '1.0', rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } },
  );
  try {
    const start = received;
    head.length = 0;
    headBytes = 0;
    const baselineRss = process.memoryUsage.rss();
    resetHwm();
    const t0 = now();
    let at: { ms: number; received: number; read: number } | null = null;
    const request = `<get-config><source><running/></source><filter type="subtree">${benchFilter(job.bytes, job.framing, true)}</filter></get-config>`;
    await session.rpc(request, { collect: false, onItem: () => (at ??= { ms: (now() - t0) * 1000, received: received - start, read: lastRead }) }).catch(() => undefined);
    const seconds = now() - t0;
    // Where the item's end tag ends, in the reply's bytes as read.
    const text = Buffer.concat(head).toString('latin1');
    const k = text.indexOf('</rpc-error>') + '</rpc-error>'.length;
    const run: ClientRun = { replyBytes: received - start, seconds, baselineRss, maxRss: maxRss() };
    if (at) Object.assign(run, { firstErrorMs: (at as { ms: number }).ms, pastEndTag: (at as { received: number }).received - k, readBytes: (at as { read: number }).read });
    return run;
  } finally {
    session.destroy();
    client.end();
  }
}

/** The child's name (importing it also registers the child: the bundle drops bare imports). */
export const BIG_CLIENT = 'big-client';

/**
 * How fast this machine gives a process memory it has not touched before (a fresh buffer the
 * size of the reply, written once): a kept reply's text must go into such memory, at least once.
 */
function freshMemory(job: ClientJob): ClientRun {
  const t0 = now();
  const buf = Buffer.allocUnsafe(job.bytes);
  buf.fill(1);
  return { replyBytes: buf.length, seconds: now() - t0, baselineRss: 0, maxRss: maxRss() };
}

registerChild(BIG_CLIENT, async ([json]) => {
  const job = JSON.parse(json!) as ClientJob;
  if (job.mode === 'bare' || job.mode === 'scan' || job.mode === 'scan-file' || job.mode === 'scan-keep') return bare(job, job.mode !== 'bare', job.mode === 'scan-file', job.mode === 'scan-keep');
  if (job.mode === 'fresh-memory') return freshMemory(job);
  if (job.mode === 'first-error') return firstError(job);
  return library(job);
});
