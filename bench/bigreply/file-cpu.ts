/**
 * The client's own CPU cost of streamTo a file, in process (no SSH, no device process): the big
 * reply, framed in 64 KiB chunks, fed to a session over an in-memory transport in 32 KiB reads
 * with back-pressure; each way of writing the file against errors only and a Writable that drops
 * the bytes (`copy`: pieces copied into one reused buffer). CPU time of the whole process (every thread) per MiB, interleaved, median and best
 * of N. Not part of `npm run bench`:
 *   npx esbuild bench/bigreply/file-cpu.ts --bundle --platform=node --format=esm --packages=external --outfile=dist-bench/file-cpu.mjs
 *   node --expose-gc dist-bench/file-cpu.mjs [MiB=64] [runs=7] [mode,…]
 */
import { closeSync, createWriteStream, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { getConfig } from '../../src/operations/rfc6241.js';
import { openScripted } from '../../test/session/scripted-peer.js';
import { build, frameChunked } from './device.js';

const READ = 32 * 1024;
const FILE = path.join(tmpdir(), `netconfkit-file-cpu-${process.pid}.xml`);

/** A Writable over a file descriptor written synchronously (the file ceiling's way, as a Writable). */
function syncFile(file: string): Writable {
  const fd = openSync(file, 'w');
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, done) {
      try {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    destroy(err, done) {
      closeSync(fd);
      done(err);
    },
  });
}

/** Pieces copied into one reused 1 MiB buffer, written with one writeSync when full. */
function copyFile(file: string): Writable {
  const fd = openSync(file, 'w');
  const buf = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  const flush = () => {
    for (let at = 0; at < used; ) at += writeSync(fd, buf, at, used - at);
    used = 0;
  };
  return new Writable({
    write(chunk: Buffer, _e, done) {
      let from = 0;
      while (from < chunk.length) {
        const n = chunk.copy(buf, used, from);
        used += n;
        from += n;
        if (used === buf.length) flush();
      }
      done();
    },
    final(done) {
      flush();
      done();
    },
    destroy(err, done) {
      closeSync(fd);
      done(err);
    },
  });
}

const modes: Record<string, () => { streamTo?: Writable | string; collect?: false }> = {
  errors: () => ({ collect: false }),
  discard: () => ({ streamTo: new Writable({ highWaterMark: 1 << 20, write: (_c, _e, done) => done() }) }),
  ws1: () => ({ streamTo: createWriteStream(FILE, { highWaterMark: 1 << 20 }) }),
  ws8: () => ({ streamTo: createWriteStream(FILE, { highWaterMark: 8 << 20 }) }),
  sync: () => ({ streamTo: syncFile(FILE) }),
  path: () => ({ streamTo: FILE }),
  copy: () => ({ streamTo: copyFile(FILE) }),
};

const mib = Number(process.argv[2] ?? 64);
const runs = Number(process.argv[3] ?? 7);
const which = (process.argv[4] ?? 'errors,discard,ws1,sync,path').split(',');
const built = build(mib * 2 ** 20, 'eom', false);
const body = built.bytes.subarray(0, built.bytes.length - ']]>]]>'.length);
const { session, peer } = await openScripted({ rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } });
let n = 1;
const feed = async () => {
  await peer.waitForRequests(++n);
  body.write(` message-id="${peer.idOf(n - 1)}"`.padEnd(80, ' '), built.slot, 'latin1');
  for (const piece of frameChunked(body)) {
    for (let i = 0; i < piece.length; i += READ) {
      if (!peer.toClient.write(piece.subarray(i, i + READ))) await new Promise((r) => peer.toClient.once('drain', r));
    }
  }
};
const cpu: Record<string, number[]> = Object.fromEntries(which.map((m) => [m, []]));
for (let r = 0; r < runs; r++) {
  for (const m of which) {
    try {
      unlinkSync(FILE);
    } catch {}
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const fed = feed();
    await getConfig(session, 'running', { timeoutMs: 0, ...(modes[m]!() as object) });
    await fed;
    const c = process.cpuUsage(c0);
    cpu[m]!.push((c.user + c.system) / 1000 / (body.length / 2 ** 20));
  }
}
await session.close();
try {
  unlinkSync(FILE);
} catch {}
for (const m of which) {
  const xs = [...cpu[m]!].sort((a, b) => a - b);
  console.log(`${m.padEnd(8)} cpu ms/MiB median ${xs[xs.length >> 1]!.toFixed(3)}  best ${xs[0]!.toFixed(3)}`);
}
