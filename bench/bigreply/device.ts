/**
 * The device for the big-reply measurements: the project's FakeDevice in a child process of its
 * own, answering `<get-config>` with a generated Junos-like configuration of the size the
 * request names (`<bench bytes="N" framing="eom|chunked" error="0|1"/>` in its filter), wrapped
 * in `<data>`. The framed reply is built once per size and kept; only its message-id is written
 * into a fixed slot of the root tag (padded with spaces inside the tag), so every client gets
 * the same bytes at once, whatever its message-ids, and no client waits for a reply to be built.
 * With error="1" the reply has an `<rpc-error>` just before `<data>`: time to the first error.
 * With text="ascii" every byte of a non-ASCII character is replaced by an "x": a configuration
 * in ASCII, as most are (V8 then holds its text at one byte a character, not two).
 * `<bench-count …/>` (same attributes) answers how many interfaces that reply holds, counted in
 * its bytes as built: what a client streaming its items must find.
 */
import type { FakeRequest } from '../../src/device/index.js';
import { registerChild } from '../children.js';
import { SEED } from '../config.js';
import { replyPieces } from '../generate.js';
import { type Server, serveFakeDevice, startDeviceChild } from '../roundtrip/servers.js';

export const BIG_ERROR =
  '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity>' +
  '<error-message>configuration database locked by another session</error-message></rpc-error>';

/** The configuration's text: as generated (non-ASCII characters here and there), or ASCII only. */
export type ReplyText = 'utf8' | 'ascii';

/** The filter that asks the bench device for a reply (or, with `count`, for how many interfaces it holds). */
export function benchFilter(bytes: number, framing: 'eom' | 'chunked', error: boolean, count = false, text: ReplyText = 'utf8'): string {
  return `<bench${count ? '-count' : ''} bytes="${bytes}" framing="${framing}" error="${error ? 1 : 0}" text="${text}"/>`;
}

/** Where the generated configuration's interfaces are, under the reply's root. */
export const INTERFACES_PATH = 'data/multi-routing-engine-results/multi-routing-engine-item/configuration/interfaces/interface';

const SLOT = 80;
const CHUNK = 64 * 1024;

export interface Built {
  key: string;
  bytes: Buffer;
  /** Where the message-id slot starts in `bytes`. */
  slot: number;
  /** How many `<interface>` elements it holds (the generator writes no other element by that name). */
  interfaces: number;
}

/** A message body in RFC 6242 chunks of 64 KiB, as the device frames its reply (each chunk a view of `body`). */
export function frameChunked(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += CHUNK) {
    const c = body.subarray(i, i + CHUNK);
    out.push(Buffer.from(`\n#${c.length}\n`), c);
  }
  out.push(Buffer.from('\n##\n'));
  return out;
}

/** The framed reply (eom, or chunked in 64 KiB chunks). */
export function build(size: number, framing: 'eom' | 'chunked', error: boolean, replyText: ReplyText = 'utf8'): Built {
  const parts: Buffer[] = [];
  let slot = -1;
  for (const piece of replyPieces({ bytes: size, seed: SEED, items: false })) {
    if (parts.length === 0) {
      const text = piece.toString('utf8');
      const id = ' message-id="101">';
      const at = text.indexOf(id);
      const head = text.slice(0, at);
      slot = Buffer.byteLength(head);
      parts.push(Buffer.from(`${head}${' '.repeat(SLOT)}>${error ? BIG_ERROR : ''}<data>${text.slice(at + id.length)}`));
    } else parts.push(piece);
    if (replyText === 'ascii') asciiOnly(parts[parts.length - 1]!);
  }
  const last = parts.length - 1;
  parts[last] = Buffer.from(parts[last]!.toString('utf8').replace(/<\/rpc-reply>\s*$/, '</data></rpc-reply>'));
  const interfaces = parts.reduce((n, p) => n + countInterfaces(p), 0);
  if (framing === 'eom') return { key: '', bytes: Buffer.concat([...parts, Buffer.from(']]>]]>')]), slot, interfaces };
  const framed: Buffer[] = [];
  for (const p of parts) {
    for (let i = 0; i < p.length; i += CHUNK) {
      const c = p.subarray(i, i + CHUNK);
      framed.push(Buffer.from(`\n#${c.length}\n`), c);
    }
  }
  framed.push(Buffer.from('\n##\n'));
  // The first chunk header comes before the slot.
  return { key: '', bytes: Buffer.concat(framed), slot: slot + framed[0]!.length, interfaces };
}

/** Every byte of a multi-byte character becomes an "x" (the lengths stay). */
function asciiOnly(piece: Buffer): void {
  for (let i = 0; i < piece.length; i++) if (piece[i]! >= 0x80) piece[i] = 0x78;
}

const INTERFACE = Buffer.from('<interface');

/** Start tags `<interface>` and `<interface …>` (not `<interfaces>`) in a piece that holds whole elements. */
function countInterfaces(piece: Buffer): number {
  let n = 0;
  for (let at = piece.indexOf(INTERFACE); at !== -1; at = piece.indexOf(INTERFACE, at + 1)) {
    const next = piece[at + INTERFACE.length];
    if (next === 0x3e || next === 0x20) n++;
  }
  return n;
}

let cached: Built | null = null;

function answer(request: FakeRequest): { raw: Buffer } | string | undefined {
  const m = /<bench(-count)? bytes="(\d+)" framing="(eom|chunked)" error="([01])"(?: text="(utf8|ascii)")?\/>/.exec(request.xml);
  if (!m) return undefined;
  const text = (m[5] ?? 'utf8') as ReplyText; // the Python clients ask without it
  const key = `${m[2]}|${m[3]}|${m[4]}|${text}`;
  if (cached?.key !== key) {
    cached = null; // one reply held at a time
    cached = { ...build(Number(m[2]), m[3] as 'eom' | 'chunked', m[4] === '1', text), key };
  }
  if (m[1]) return `<data><count>${cached.interfaces}</count></data>`;
  const id = ` message-id="${request.messageId ?? ''}"`;
  if (id.length > SLOT) throw new Error(`message-id too long for the slot: ${id}`);
  cached.bytes.write(id.padEnd(SLOT, ' '), cached.slot, 'latin1');
  return { raw: cached.bytes };
}

registerChild('big-device', async () => {
  const device = await serveFakeDevice({ rules: [{ match: 'get-config', reply: (r) => answer(r) }] });
  await device.close();
  return {};
});

/** Starts the big-reply device in its own process. */
export function startBigDevice(): Promise<Server> {
  return startDeviceChild('big-device');
}
