/**
 * What a value kept from each item costs: a generated configuration is streamed item by item
 * (as bench/items/cpu.ts feeds it, in process) and the program keeps each interface's name and
 * description, dropping the rest. The heap's growth per item, after a full GC, against the same
 * values copied into strings of their own (the floor): a value that kept its item's text alive
 * would cost the item's whole text. Not part of `npm run bench`; bundle it and run it:
 *   npx esbuild bench/items/retain.ts --bundle --platform=node --format=esm --packages=external --outfile=dist-bench/retain.mjs
 *   node --expose-gc dist-bench/retain.mjs [MiB=64]
 * Prints PASS when keeping them costs at most TARGET bytes per item over the floor, else MISS.
 */
import { getConfig } from '../../src/operations/rfc6241.js';
import { openScripted } from '../../test/session/scripted-peer.js';
import { INTERFACES_PATH, type ReplyText, frameChunked } from '../bigreply/device.js';
import { reply } from './cpu.js';

const READ = 32 * 1024;
/** Bytes per item allowed over the floor: a kept value may be a pair of copies (see own in parse-item.ts), never its item's text (300–600 bytes). */
export const TARGET = 128;

export interface RetainRun {
  text: ReplyText;
  items: number;
  /** Heap growth per item, keeping the values as streamItems gave them. */
  kept: number;
  /** Heap growth per item, keeping copies of the same values (the floor). */
  floor: number;
  /** The mean length of a kept description, in characters. */
  description: number;
}

function heap(): number {
  globalThis.gc!();
  globalThis.gc!();
  return process.memoryUsage().heapUsed;
}

export async function runRetain(mib: number, text: ReplyText): Promise<RetainRun> {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  const built = reply(mib, 1, text);
  const { session, peer } = await openScripted({ rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } });
  const fed = (async () => {
    await peer.waitForRequests(2);
    built.bytes.write(` message-id="${peer.idOf(1)}"`.padEnd(80, ' '), built.slot, 'latin1');
    for (const piece of frameChunked(built.bytes)) {
      for (let i = 0; i < piece.length; i += READ) {
        if (!peer.toClient.write(piece.subarray(i, i + READ))) await new Promise((r) => peer.toClient.once('drain', r));
      }
    }
  })();
  const before = heap();
  let kept: string[] = [];
  let chars = 0;
  for await (const item of getConfig(session, 'running', { path: INTERFACES_PATH, timeoutMs: 0 })) {
    const { name, description } = item as { name: string; description?: string };
    kept.push(name, description ?? '');
    chars += description?.length ?? 0;
  }
  await fed;
  await session.close();
  const items = kept.length / 2;
  if (items !== built.interfaces) throw new Error(`${items} items, ${built.interfaces} written`);
  const withKept = heap();
  // The same values, each a string of its own.
  kept = kept.map((v) => Buffer.from(v, 'utf8').toString('utf8'));
  const withCopies = heap();
  void kept.length;
  return { text, items, kept: (withKept - before) / items, floor: (withCopies - before) / items, description: chars / items };
}

if (process.argv[1]?.endsWith('retain.js') || process.argv[1]?.endsWith('retain.mjs')) {
  const mib = Number(process.argv[2] ?? 64);
  let pass = true;
  for (const text of ['ascii', 'utf8'] as const) {
    const r = await runRetain(mib, text);
    const over = r.kept - r.floor;
    pass &&= over <= TARGET;
    console.log(`${text}: ${r.items} items (description ${r.description.toFixed(1)} chars): kept as given ${r.kept.toFixed(0)} B/item, as copies ${r.floor.toFixed(0)} B/item, over ${over.toFixed(0)}`);
  }
  console.log(`${pass ? 'PASS' : 'MISS'}: a kept name and description cost at most ${TARGET} bytes per item over their own copies`);
}
