/**
 * The device for the big-reply measurements: the project's FakeDevice in a child process of its
 * own, answering `<get-config>` with a generated Junos-like configuration of the size the
 * request names (`<bench bytes="N" framing="eom|chunked" error="0|1"/>` in its filter), wrapped
 * in `<data>`. The framed reply is built once per size and kept; only its message-id is written
 * into a fixed slot of the root tag (padded with spaces inside the tag), so every client gets
 * the same bytes at once, whatever its message-ids, and no client waits for a reply to be built.
 * With error="1" the reply has an `<rpc-error>` just before `<data>`: time to the first error.
 */
import type { FakeRequest } from '../../src/device/index.js';
import { registerChild } from '../children.js';
import { SEED } from '../config.js';
import { replyPieces } from '../generate.js';
import { type Server, serveFakeDevice, startDeviceChild } from '../roundtrip/servers.js';

export const BIG_ERROR =
  '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity>' +
  '<error-message>configuration database locked by another session</error-message></rpc-error>';

/** The filter that asks the bench device for a reply. */
export function benchFilter(bytes: number, framing: 'eom' | 'chunked', error: boolean): string {
  return `<bench bytes="${bytes}" framing="${framing}" error="${error ? 1 : 0}"/>`;
}

const SLOT = 80;
const CHUNK = 64 * 1024;

interface Built {
  key: string;
  bytes: Buffer;
  /** Where the message-id slot starts in `bytes`. */
  slot: number;
}

/** The framed reply (eom, or chunked in 64 KiB chunks). */
function build(size: number, framing: 'eom' | 'chunked', error: boolean): Built {
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
  }
  const last = parts.length - 1;
  parts[last] = Buffer.from(parts[last]!.toString('utf8').replace(/<\/rpc-reply>\s*$/, '</data></rpc-reply>'));
  if (framing === 'eom') return { key: '', bytes: Buffer.concat([...parts, Buffer.from(']]>]]>')]), slot };
  const framed: Buffer[] = [];
  for (const p of parts) {
    for (let i = 0; i < p.length; i += CHUNK) {
      const c = p.subarray(i, i + CHUNK);
      framed.push(Buffer.from(`\n#${c.length}\n`), c);
    }
  }
  framed.push(Buffer.from('\n##\n'));
  // The first chunk header comes before the slot.
  return { key: '', bytes: Buffer.concat(framed), slot: slot + framed[0]!.length };
}

let cached: Built | null = null;

function answer(request: FakeRequest): { raw: Buffer } | undefined {
  const m = /<bench bytes="(\d+)" framing="(eom|chunked)" error="([01])"\/>/.exec(request.xml);
  if (!m) return undefined;
  const key = `${m[1]}|${m[2]}|${m[3]}`;
  if (cached?.key !== key) {
    cached = null; // one reply held at a time
    cached = { ...build(Number(m[1]), m[2] as 'eom' | 'chunked', m[3] === '1'), key };
  }
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
