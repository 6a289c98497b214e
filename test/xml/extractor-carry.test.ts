import { describe, expect, it } from 'vitest';
import { ErrorExtractor } from '../../src/xml/extractor.js';

/**
 * A tag cut by the end of a push is carried to the next one and ends at the first ">"
 * outside its quoted values (any ">" for an end tag). Read any way it is split, a message
 * gives what it gives whole.
 */

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';

const MESSAGES: readonly (readonly [string, string])[] = [
  ['">" in quoted values of the root, an item and an ordinary element', `<rpc-reply xmlns="${NC}" message-id="1>2" note='a>"b"'>`
    + `<data><x a=">" b='>>'>t</x><y c="'>'"/></data><rpc-error><error-severity>error</error-severity><error-tag>x</error-tag>`
    + `<error-message m=">&gt;>">oops</error-message></rpc-error></rpc-reply>`],
  ['quotes in a name (part of the name) before quoted values', `<rpc-reply xmlns="${NC}"><a"b c=">">x</a"b></rpc-reply>`],
  ['an end tag with quotes before its ">"', `<rpc-reply xmlns="${NC}"><a>x</a "></rpc-reply>`],
  ['a value never closed', `<rpc-reply xmlns="${NC}"><a b=">>>>>></a></rpc-reply>`],
  ['a tag with no attributes and a self-closing one', `<rpc-reply xmlns="${NC}"><a/><b/><c></c></rpc-reply>`],
];

function read(pieces: readonly Buffer[]): string {
  const seen: unknown[] = [];
  const x = new ErrorExtractor({ onRoot: (r) => seen.push(['root', r]), onItem: (i) => seen.push(['item', i.toJSON()]) });
  try {
    for (const p of pieces) x.push(p);
    seen.push(['end', x.end()]);
  } catch (err) {
    seen.push(['error', (err as Error).message]);
  }
  return JSON.stringify(seen);
}

describe('ErrorExtractor: tags carried between pushes', () => {
  it.each(MESSAGES)('%s: the same whole, in two pieces at every point, in three around each ">", and byte by byte', (_, xml) => {
    const bytes = Buffer.from(xml);
    const whole = read([bytes]);
    const bad: string[] = [];
    for (let at = 1; at < bytes.length; at++) {
      if (read([bytes.subarray(0, at), bytes.subarray(at)]) !== whole) bad.push(`split at ${at}`);
      if (bytes[at] === 0x3e && read([bytes.subarray(0, at - 1), bytes.subarray(at - 1, at + 1), bytes.subarray(at + 1)]) !== whole) bad.push(`three pieces around ${at}`);
    }
    if (read(Array.from(bytes, (b) => Buffer.from([b]))) !== whole) bad.push('byte by byte');
    expect(bad).toEqual([]);
  });

  it('a ">" in a quoted value of a carried tag does not end it', () => {
    const x = new ErrorExtractor();
    x.push(Buffer.from(`<rpc-reply xmlns="${NC}" message-id="a`));
    x.push(Buffer.from('>b>'));
    x.push(Buffer.from(">c'd\"><ok/></rpc-reply>"));
    expect(x.end().messageId).toBe("a>b>>c'd");
  });
});
