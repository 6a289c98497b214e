import { describe, expect, it } from 'vitest';
import { MessageReader } from '../../src/reader/message-reader.js';

/**
 * Every place that turns bytes the input may split into text must give the same text whether
 * the bytes came whole or in pieces: a multi-byte character, an invalid sequence or a CR LF
 * cut by the end of a push is decoded with the bytes that follow it, as in one buffer.
 */

const SEQUENCES: readonly (readonly [string, Buffer])[] = [
  ['é', Buffer.from('c3a9', 'hex')],
  ['€', Buffer.from('e282ac', 'hex')],
  ['𝄞', Buffer.from('f09d849e', 'hex')],
  ['a 2-byte character cut short', Buffer.from('c3', 'hex')],
  ['a 3-byte character cut short', Buffer.from('e282', 'hex')],
  ['a 4-byte character cut short', Buffer.from('f09d84', 'hex')],
  ['a surrogate', Buffer.from('eda080', 'hex')],
  ['overlong forms', Buffer.from('c0afe080af', 'hex')],
  ['past U+10FFFF', Buffer.from('f4908080', 'hex')],
  ['bytes that never begin a character', Buffer.from('f5ff', 'hex')],
  ['lone continuation bytes', Buffer.from('8080', 'hex')],
  ['CR LF', Buffer.from('\r\n')],
];

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const XNM = 'http://xml.juniper.net/xnm/1.1/xnm';

/** Documents with `X` where the sequence goes, each reaching one decoding site. */
const DOCUMENTS: readonly (readonly [string, string])[] = [
  ['the message-id of a reply broken before its root (DOCTYPE)', '<!DOCTYPE r><rpc-reply message-id="X1"><ok/></rpc-reply>'],
  ['the message-id of a reply broken at its root (malformed attribute)', '<rpc-reply message-id="X1" bad><ok/></rpc-reply>'],
  [
    'the kept text, the root attributes, the content and the error fields (text, CDATA, attributes)',
    `<rpc-reply xmlns="${NC}" message-id="X2" x="aXb"><rpc-error><error-type>application</error-type>`
      + '<error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-path>/aXb</error-path>'
      + '<error-message xml:lang="X">mXm<![CDATA[cXcX]]>X&amp;XXX</error-message>'
      + '<error-info><bad-element>X</bad-element></error-info></rpc-error><data>dXd</data></rpc-reply>',
  ],
  [
    'a routing engine name and a Junos error',
    `<rpc-reply xmlns="${NC}" xmlns:xnm="${XNM}"><multi-routing-engine-results><multi-routing-engine-item><re-name>reX</re-name>`
      + '<xnm:error><message>mX<![CDATA[X]]>X</message><source-daemon>X</source-daemon></xnm:error>'
      + '</multi-routing-engine-item></multi-routing-engine-results></rpc-reply>',
  ],
  ['a message of text and no element', 'aXbXc'],
];

function build(template: string, seq: Buffer): Buffer {
  const parts = template.split('X').map((p) => Buffer.from(p));
  const out: Buffer[] = [];
  parts.forEach((p, k) => out.push(...(k === 0 ? [p] : [seq, p])));
  return Buffer.concat([...out, Buffer.from(']]>]]>')]);
}

/** Everything the reader reports of the input fed in these pieces, as text. */
function read(pieces: readonly Buffer[]): string {
  const seen: unknown[] = [];
  const reader = new MessageReader<null>(
    {
      onRoot: (m) => void seen.push(['root', m.root?.messageId ?? null, m.root?.attributes ?? null]),
      onItem: (item) => void seen.push(['item', item.toJSON()]),
      onMessage: (o) => void seen.push(['message', o.messageId, o.xml, o.content, o.skippedText, o.error?.code ?? null, o.error?.message ?? null]),
    },
    { framing: 'eom' },
  );
  for (const piece of pieces) {
    // The caller may reuse its buffer once push returns.
    const copy = Buffer.from(piece);
    reader.push(copy);
    copy.fill(0x41);
  }
  reader.finish();
  return JSON.stringify(seen);
}

describe('decoding bytes split across pushes', () => {
  for (const [where, template] of DOCUMENTS) {
    it(`${where}: the same fed whole, in two pieces at every point and byte by byte`, () => {
      for (const [what, seq] of SEQUENCES) {
        const bytes = build(template, seq);
        const whole = read([bytes]);
        expect(whole, what).toContain('"message"');
        const bad: string[] = [];
        for (let at = 1; at < bytes.length; at++) {
          if (read([bytes.subarray(0, at), bytes.subarray(at)]) !== whole) bad.push(`${what}, split at ${at}`);
        }
        const bytewise = Array.from(bytes, (b) => Buffer.from([b]));
        if (read(bytewise) !== whole) bad.push(`${what}, byte by byte`);
        expect(bad).toEqual([]);
      }
    });
  }

  it('valid characters come through as they were written', () => {
    const out = read([build(DOCUMENTS[2]![1], Buffer.from('€'))]);
    expect(out).toContain('"€2"');
    expect(out).toContain('m€mc€c€€&€€€');
  });
});
