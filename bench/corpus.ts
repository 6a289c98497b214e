/**
 * The shared corpus as one workload: every file listed in expected.json, de-framed (outside
 * any timing) into its NETCONF messages, each a whole XML document, so every method parses
 * exactly the same bytes. Banner text before a message's first `<` and comment-only tails
 * are dropped, as every reader must.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FrameDecoder, isBetweenMessages } from '../src/framing/decoder.js';
import { CORPUS_DIR } from './paths.js';

interface ExpectedFile {
  framing: 'none' | 'eom' | 'chunked' | 'eom+chunked';
  entries: unknown[];
}

export interface CorpusWorkload {
  dir: string;
  files: number;
  /** Bytes of the files as stored (framing included). */
  fileBytes: number;
  /** The raw files, for the row that replays them with framing. */
  raw: Buffer[];
  messages: Buffer[];
  /** Bytes of the de-framed messages: the throughput denominator. */
  bytes: number;
  /** Items expected.json lists (rpc-error, xnm:error, xnm:warning), all files together. */
  expectedItems: number;
}

function deframe(raw: Buffer, framing: ExpectedFile['framing']): Buffer[] {
  if (framing === 'none') return [raw];
  const messages: Buffer[] = [];
  let parts: Buffer[] = [];
  const decoder = new FrameDecoder(
    {
      onData: (b) => parts.push(Buffer.from(b)),
      onMessageEnd: () => {
        messages.push(Buffer.concat(parts));
        parts = [];
      },
    },
    { mode: 'auto' },
  );
  try {
    decoder.push(raw);
    decoder.finish();
  } catch (err) {
    // A closing line ("Connection to … closed.") after the last chunked message.
    if (!isBetweenMessages(err)) throw err;
  }
  if (parts.length > 0) messages.push(Buffer.concat(parts)); // the last eom message may lack its delimiter
  return messages;
}

/**
 * Drops text before the first `<` (SSH banners; a BOM right before it is kept); null when no
 * element follows (a message of comments only, like the tail of a Junos session).
 */
function cleanMessage(m: Buffer): Buffer | null {
  const bom = m[0] === 0xef && m[1] === 0xbb && m[2] === 0xbf ? 3 : 0;
  const lt = m.indexOf(0x3c, bom);
  if (lt === -1) return null;
  // Skip comments and the XML declaration to see whether an element follows.
  let i = lt;
  for (;;) {
    if (m[i + 1] === 0x21 && m[i + 2] === 0x2d) {
      const end = m.indexOf('-->', i + 4);
      if (end === -1) return null;
      i = m.indexOf(0x3c, end + 3);
    } else if (m[i + 1] === 0x3f) {
      const end = m.indexOf('?>', i + 2);
      if (end === -1) return null;
      i = m.indexOf(0x3c, end + 2);
    } else break;
    if (i === -1) return null;
  }
  return m.subarray(bom > 0 && lt === bom ? 0 : lt);
}

export function loadCorpus(): CorpusWorkload {
  const expected = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'expected.json'), 'utf8')) as Record<string, ExpectedFile>;
  const raw: Buffer[] = [];
  const messages: Buffer[] = [];
  let fileBytes = 0;
  let expectedItems = 0;
  for (const [name, exp] of Object.entries(expected)) {
    const bytes = readFileSync(path.join(CORPUS_DIR, name));
    raw.push(bytes);
    fileBytes += bytes.length;
    expectedItems += exp.entries.length;
    for (const m of deframe(bytes, exp.framing)) {
      const clean = cleanMessage(m);
      if (clean) messages.push(clean);
    }
  }
  return {
    dir: CORPUS_DIR,
    files: raw.length,
    fileBytes,
    raw,
    messages,
    bytes: messages.reduce((s, m) => s + m.length, 0),
    expectedItems,
  };
}
