import { ClientError, FramingError } from '../errors/classes.js';
import { EOM_DELIMITER, MAX_CHUNK_SIZE } from './decoder.js';

/** Default largest chunk `encodeChunked` writes. */
export const DEFAULT_ENCODE_CHUNK_BYTES = 1024 * 1024;

const END_OF_CHUNKS = Buffer.from('\n##\n', 'latin1');

function toBytes(message: string | Buffer, fn: string): Buffer {
  if (typeof message === 'string') return Buffer.from(message, 'utf8');
  if (Buffer.isBuffer(message)) return message;
  if ((message as unknown) instanceof Uint8Array) {
    const u = message as Uint8Array;
    return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
  throw new ClientError('INVALID_ARGUMENT', `${fn} expects a string or a Buffer`);
}

/**
 * RFC 6242 section 4.3 framing: the message followed by `]]>]]>`. Refuses what the peer could
 * not read back: an empty message, or one where a delimiter would be found before the real
 * one (the message contains `]]>]]>`, or ends with e.g. `]]>` that joins the delimiter).
 */
export function encodeEom(message: string | Buffer): Buffer {
  const bytes = toBytes(message, 'encodeEom');
  if (bytes.length === 0) throw new FramingError('FRAMING_ERROR', 'An empty message cannot be framed');
  const out = Buffer.concat([bytes, EOM_DELIMITER], bytes.length + EOM_DELIMITER.length);
  const at = out.indexOf(EOM_DELIMITER);
  if (at !== bytes.length) {
    throw new FramingError(
      'FRAMING_ERROR',
      `The message would be cut at byte offset ${at} by ']]>]]>'; it cannot be sent with end-of-message framing`,
    );
  }
  return out;
}

/**
 * RFC 6242 section 4.2 framing: `\n#<len>\n` + up to maxChunkBytes bytes, repeated, then
 * `\n##\n`. Sizes count UTF-8 bytes; a chunk may end inside a multi-byte character.
 */
export function encodeChunked(message: string | Buffer, maxChunkBytes: number = DEFAULT_ENCODE_CHUNK_BYTES): Buffer {
  if (typeof maxChunkBytes !== 'number' || !Number.isInteger(maxChunkBytes) || maxChunkBytes < 1 || maxChunkBytes > MAX_CHUNK_SIZE) {
    throw new ClientError('INVALID_ARGUMENT', `maxChunkBytes must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${String(maxChunkBytes)}`);
  }
  const bytes = toBytes(message, 'encodeChunked');
  if (bytes.length === 0) {
    throw new FramingError('FRAMING_ERROR', 'An empty message cannot be sent with chunked framing (chunk size 0 is illegal)');
  }
  const headers: Buffer[] = [];
  let total = END_OF_CHUNKS.length;
  for (let from = 0; from < bytes.length; from += maxChunkBytes) {
    const header = Buffer.from(`\n#${Math.min(maxChunkBytes, bytes.length - from)}\n`, 'latin1');
    headers.push(header);
    total += header.length;
  }
  total += bytes.length;
  // One allocation, one copy of the payload.
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let from = 0;
  for (const header of headers) {
    at += header.copy(out, at);
    const to = Math.min(from + maxChunkBytes, bytes.length);
    at += bytes.copy(out, at, from, to);
    from = to;
  }
  END_OF_CHUNKS.copy(out, at);
  return out;
}

export function encodeMessage(message: string | Buffer, mode: 'eom' | 'chunked'): Buffer {
  if (mode === 'eom') return encodeEom(message);
  if (mode === 'chunked') return encodeChunked(message);
  throw new ClientError('INVALID_ARGUMENT', `encodeMessage expects mode 'eom' or 'chunked', got ${JSON.stringify(mode)}`);
}
