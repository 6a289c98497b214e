import { describe, expect, it } from 'vitest';
import { ErrorExtractor } from '../../src/xml/extractor.js';
import { bytewise, splitAt } from '../support/fixtures.js';

function cut(xml: string, path: string[], chunks: (b: Buffer) => Buffer[] = (b) => [b], maxBytes = 1 << 20): string[] {
  const out: string[] = [];
  const x = new ErrorExtractor({
    onRoot: () => x.watchPath(path, maxBytes),
    onPathElement: (buf, start, end) => out.push(buf.toString('utf8', start, end)),
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

  // Lists as big replies hold them: thousands of entries a window, entries across windows and
  // pushes, and among them every kind the skeleton pass leaves to the extractor.
  function list(seed: number): { xml: string; items: string[] } {
    let state = seed;
    const rnd = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const kinds = [
      (k: number) => `<entry><name>e${k}</name><v>${k}</v></entry>`,
      (k: number) => `<entry a="x>y" b='${k}'>\n<name>e${k}</name>\n<entry><name>nested ${k}</name></entry>\n</entry>`,
      (k: number) => `<entry><blob>${'b'.repeat(20_000 + rnd(100_000))}</blob></entry>`,
      (k: number) => `<entry/>`.replace('/', ` k="${k}"/`),
      (k: number) => `<ex:entry xmlns:ex="urn:ex"><name>ns ${k}</name></ex:entry>`,
      (k: number) => `<entry><name>end tag with a space ${k}</name></entry >`,
      (k: number) => `<entry><!-- c --><name>été ${k}</name><![CDATA[<entry/>]]><?pi x?></entry>`,
      (k: number) => `<entry><name>e${k}</name><rpc-error-like>x</rpc-error-like><ok-not/></entry>`,
    ];
    const items: string[] = [];
    const parts = ['<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data><list xmlns="urn:example">'];
    for (let k = 0; k < 6000; k++) {
      const r = rnd(100);
      const item = kinds[r < 85 ? 0 : r < 88 ? 1 : r < 89 ? 2 : 3 + (r % 5)]!(k);
      items.push(item);
      parts.push(item, rnd(4) === 0 ? '\n' : '', rnd(30) === 0 ? `<other><entry>not at the path</entry></other><!-- <entry/> -->` : '');
    }
    parts.push('</list><list><entry>second list</entry></list></data><list><entry>outside data</entry></list></rpc-reply>');
    items.push('<entry>second list</entry>');
    return { xml: parts.join(''), items };
  }

  it('cuts out every entry of a long list, each whole and once, however it was split', () => {
    const { xml, items } = list(7);
    const random = (b: Buffer) => {
      const cuts: number[] = [];
      for (let at = 0; at < b.length; at += 1 + ((at * 7919) % 70_000)) cuts.push(at);
      return splitAt(b, cuts);
    };
    const every32k = (b: Buffer) => splitAt(b, Array.from({ length: Math.ceil(b.length / 32768) }, (_, k) => 32768 * k));
    for (const chunks of [undefined, every32k, random]) expect(cut(xml, ['data', 'list', 'entry'], chunks)).toEqual(items);
  });

  it('refuses an entry larger than the bound in a long list, however it was split', () => {
    const { xml, items } = list(11);
    const largest = Math.max(...items.map((i) => Buffer.byteLength(i)));
    const halves = (b: Buffer) => splitAt(b, [0, b.length >> 1]);
    for (const chunks of [undefined, halves]) {
      expect(() => cut(xml, ['data', 'list', 'entry'], chunks, largest - 1)).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
      expect(cut(xml, ['data', 'list', 'entry'], chunks, largest)).toEqual(items);
    }
  });
});
