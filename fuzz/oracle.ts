/**
 * A second opinion on each message of a fuzz case: saxes, a strict XML 1.0 parser that shares
 * no code with the reader, reads the same message bytes, and the two verdicts must agree
 * where the reader promises to check (fuzz/README.md says what is and is not judged):
 *
 * - well-formed per saxes (an element, no DOCTYPE, no fault at all), within the default limits:
 *   the reader must read the message without an error;
 * - the first fault saxes finds is structural (an end tag that does not match, a stray or
 *   missing end tag, a second root, text outside the root, a message that ends inside a
 *   tag, comment, CDATA section or instruction, a misplaced XML declaration, a DOCTYPE): the
 *   reader must fail the message with a NetconfError.
 *
 * A first fault of another kind (names, characters, attribute syntax, entity references) is
 * not judged: the reader's scanner does not read for those. For the structural check the
 * message is read as the reader reads it: text before the first `<` (a banner) is left out,
 * NUL padding counts as whitespace, invalid UTF-8 is decoded with replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import { SaxesParser } from 'saxes';
import { FrameDecoder } from '../src/framing/decoder.js';
import { MessageReader } from '../src/reader/message-reader.js';
import type { Limits } from '../src/xml/extractor.js';

/**
 * saxes messages (their start) of the faults the reader must find. ("the XML declaration must
 * appear at the start" is not one: saxes says it of an instruction whose target is `xml` in
 * another case, which the reader takes for the declaration.)
 */
const STRUCTURAL = [
  'unexpected close tag', 'unmatched closing tag', 'unclosed tag', 'unexpected end', 'documents may contain only one root',
  'text data outside of root node', 'inappropriately located doctype', 'an XML declaration must be at the start', 'weird empty close tag',
];

/** What saxes makes of a message. */
interface Verdict {
  /** Start tags read (0: no element, the message is not judged). */
  elements: number;
  maxDepth: number;
  doctype: boolean;
  /** The first fault, null when none. */
  fault: string | null;
}

const STOP = new Error('first fault');
/** The extractor's default maxDepth: a deeper well-formed message is refused by design. */
const DEFAULT_MAX_DEPTH = 512;

function saxesVerdict(text: string): Verdict {
  const v: Verdict = { elements: 0, maxDepth: 0, doctype: false, fault: null };
  const parser = new SaxesParser({ xmlns: false });
  let depth = 0;
  parser.on('opentag', (tag) => {
    v.elements++;
    if (!tag.isSelfClosing) v.maxDepth = Math.max(v.maxDepth, ++depth);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) depth--;
  });
  parser.on('doctype', () => {
    v.doctype = true;
  });
  parser.on('error', (err) => {
    // saxes prefixes line:column; the first fault is all that is judged.
    v.fault = err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
    throw STOP;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (err !== STOP) throw err;
  }
  return v;
}

/** What the reader makes of one message alone: null when it read it without an error, else the code; 'none' when it reported no message. */
function readerVerdict(bytes: Buffer, limits: Limits): string | null | 'none' {
  let code: string | null | 'none' = 'none';
  const reader = new MessageReader<null>(
    { onRoot: () => {}, onItem: () => {}, onMessage: (o) => void (code = o.error ? o.error.code : null) },
    { framing: 'none', limits },
  );
  try {
    reader.push(bytes);
    reader.finish();
  } catch (err) {
    return (err as { code?: string }).code ?? 'thrown';
  }
  return code;
}

/** The messages the framing yields, the last one unterminated included; none past a framing error. */
function messages(bytes: Buffer, framing: OracleOptions['framing'], maxMessageBytes: number | undefined): Buffer[] {
  if (framing === 'none') return [bytes];
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  const decoder = new FrameDecoder(
    {
      onData: (b) => void parts.push(Buffer.from(b)),
      onMessageEnd: () => {
        out.push(Buffer.concat(parts));
        parts = [];
      },
    },
    { mode: framing, ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) },
  );
  try {
    decoder.push(bytes);
    decoder.finish();
  } catch {
    return out;
  }
  if (parts.length > 0) out.push(Buffer.concat(parts));
  return out;
}

/** The text saxes judges for the structural check: the message as the reader reads it (see above). */
function asRead(text: string): string {
  const from = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lt = text.indexOf('<', from);
  if (lt === -1) return '';
  // "&" too: saxes reads a broken reference on to the next ";", past tags it would otherwise see.
  return text.slice(lt).replaceAll('\0', ' ').replaceAll('&', ' ');
}

export interface OracleOptions extends Limits {
  framing: 'auto' | 'eom' | 'chunked' | 'none';
}

/** What the oracle judged in one input, and the first disagreement. */
export interface OracleResult {
  /** Messages well-formed per saxes, within the default limits. */
  wellFormed: number;
  /** Messages whose first fault per saxes is structural. */
  broken: number;
  /** The first message the reader and saxes disagree on, described; null when none. */
  disagreement: string | null;
}

/** Each message of the input judged by saxes and by the reader. */
export function judgeMessages(bytes: Buffer, options: OracleOptions): OracleResult {
  const { framing, ...limits } = options;
  const defaultLimits = Object.values(limits).every((v) => v === undefined);
  const result: OracleResult = { wellFormed: 0, broken: 0, disagreement: null };
  const all = messages(bytes, framing, limits.maxMessageBytes);
  for (let k = 0; k < all.length && result.disagreement === null; k++) {
    const message = all[k]!;
    const raw = message.toString('utf8');
    const strict = saxesVerdict(raw);
    if (strict.elements > 0 && strict.fault === null && !strict.doctype) {
      // Invalid UTF-8 is a fault saxes cannot see (it reads the replacement characters the decode
      // left, so two names that differ only in bad bytes look alike): not judged well-formed.
      if (!defaultLimits || strict.maxDepth > DEFAULT_MAX_DEPTH || !isUtf8(message)) continue;
      result.wellFormed++;
      const got = readerVerdict(message, limits);
      if (got !== null) result.disagreement = `message ${k}: well-formed per saxes, but the reader gave ${got}`;
      continue;
    }
    const text = asRead(raw);
    const lenient = text === raw ? strict : saxesVerdict(text);
    const fault = lenient.doctype ? 'a DOCTYPE' : lenient.fault;
    if (fault === null || !(lenient.doctype || STRUCTURAL.some((s) => fault.startsWith(s)))) continue;
    result.broken++;
    const got = readerVerdict(message, limits);
    if (got === null || got === 'none') {
      result.disagreement = `message ${k}: saxes finds ${JSON.stringify(fault)}, but the reader ${got === null ? 'read it without an error' : 'reported no message'}`;
    }
  }
  return result;
}
