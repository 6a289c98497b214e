import { describe, expect, it } from 'vitest';
import { ErrorExtractor } from '../../src/xml/extractor.js';
import { bytewise, splitAt } from '../support/fixtures.js';

function cut(xml: string, path: string[], chunks: (b: Buffer) => Buffer[] = (b) => [b], maxBytes = 1 << 20): string[] {
  const out: string[] = [];
  const x = new ErrorExtractor({
    onRoot: () => x.watchPath(path, maxBytes),
    onPathElement: (bytes) => out.push(bytes.toString('utf8')),
  });
  for (const c of chunks(Buffer.from(xml))) x.push(Buffer.from(c)); // a fresh copy each time, reused nowhere
  x.end();
  return out;
}

const REPLY = '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><nc:data xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">'
  + '<interfaces xmlns="urn:example"><interface><name>ge-0/0/0</name><mtu>1500</mtu></interface><!-- <interface>not this</interface> -->'
  + '<interface a="x&gt;y"/>\n<other><interface><name>nested elsewhere</name></interface></other>'
  + '<if:interface xmlns:if="urn:if"><name>été — 日本</name><interface><name>inner</name></interface></if:interface><![CDATA[<interface/>]]></interfaces>'
  + '<interfaces><interface><name>second list</name></interface></interfaces></nc:data>'
  + '<interfaces><interface><name>outside data</name></interface></interfaces></rpc-reply>';

const EXPECTED = [
  '<interface><name>ge-0/0/0</name><mtu>1500</mtu></interface>',
  '<interface a="x&gt;y"/>',
  '<if:interface xmlns:if="urn:if"><name>été — 日本</name><interface><name>inner</name></interface></if:interface>',
  '<interface><name>second list</name></interface>',
];

describe('ErrorExtractor cuts out the elements at a path', () => {
  it.each([
    ['whole', undefined],
    ['byte by byte', bytewise],
    ['at every third byte', (b: Buffer) => splitAt(b, Array.from({ length: b.length }, (_, k) => 3 * k))],
    ['at a few odd places', (b: Buffer) => splitAt(b, [5, 77, 160, 161, 300, 301, 302, 420])],
  ])('by local name, at that depth only, each whole and once (%s)', (_label, chunks) => {
    expect(cut(REPLY, ['data', 'interfaces', 'interface'], chunks)).toEqual(EXPECTED);
  });

  it('matches a one-name path, and nothing when the path is not there', () => {
    expect(cut(REPLY, ['interfaces'])).toEqual(['<interfaces><interface><name>outside data</name></interface></interfaces>']);
    expect(cut(REPLY, ['data', 'routing'])).toEqual([]);
  });

  it('refuses an element larger than the bound with MESSAGE_TOO_LARGE, however it was split', () => {
    const big = `<rpc-reply><data><item>${'x'.repeat(500)}</item></data></rpc-reply>`;
    for (const chunks of [undefined, bytewise]) {
      expect(() => cut(big, ['data', 'item'], chunks, 400)).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE', message: expect.stringMatching(/data\/item is larger than 400 bytes/) }));
    }
    expect(cut(big, ['data', 'item'], bytewise, 600)).toHaveLength(1);
  });
});
