import { describe, expect, it } from 'vitest';
import { type ContentSpan, ErrorExtractor } from '../../src/xml/extractor.js';
import { fixture } from '../support/fixtures.js';

/** Runs the extractor over `bytes` split at `cuts`, and returns what onContent gave and the span. */
function content(bytes: Buffer, cuts: number[] = []) {
  const pieces: Buffer[] = [];
  const spans: ContentSpan[] = [];
  const items: string[] = [];
  const x = new ErrorExtractor({
    // Copied: a piece is a view of the pushed bytes.
    onContent: (p) => pieces.push(Buffer.from(p)),
    onContentEnd: (s) => spans.push({ ...s }),
    onItem: (i) => items.push(i.tag ?? i.kind),
  });
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    x.push(bytes.subarray(at, cut));
    at = cut;
  }
  x.end();
  return { text: Buffer.concat(pieces).toString('utf8'), spans, items };
}

const REPLY = Buffer.from(
  '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="7"><nc:data xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">' +
  '<top a="x>y"><!-- a > comment --><![CDATA[<data>]]><data>inner</data>café</top>' +
  '<rpc-error><error-type>application</error-type><error-tag>in-use</error-tag><error-severity>error</error-severity></rpc-error>' +
  '</nc:data><data>second, not streamed</data></rpc-reply>',
);
const INNER = '<top a="x>y"><!-- a > comment --><![CDATA[<data>]]><data>inner</data>café</top>' +
  '<rpc-error><error-type>application</error-type><error-tag>in-use</error-tag><error-severity>error</error-severity></rpc-error>';

describe('ErrorExtractor streams the content of the root\'s first <data> / <configuration> child', () => {
  it('gives exactly the bytes between the start tag\'s ">" and the end tag\'s "<", and their offsets', () => {
    const r = content(REPLY);
    expect(r.text).toBe(INNER);
    expect(r.spans).toHaveLength(1);
    const span = r.spans[0]!;
    expect(span.name).toBe('nc:data');
    expect(REPLY.subarray(span.start, span.end).toString('utf8')).toBe(INNER);
    // Items inside the content are still found.
    expect(r.items).toEqual(['in-use']);
  });

  it('is the same wherever the input is split (every single cut, and byte by byte)', () => {
    const whole = content(REPLY);
    for (let cut = 1; cut < REPLY.length; cut++) {
      const r = content(REPLY, [cut]);
      expect(r.text, `cut at ${cut}`).toBe(whole.text);
      expect(r.spans, `cut at ${cut}`).toEqual(whole.spans);
    }
    const bytewise = content(REPLY, Array.from({ length: REPLY.length - 1 }, (_, k) => k + 1));
    expect(bytewise.text).toBe(whole.text);
    expect(bytewise.spans).toEqual(whole.spans);
  });

  it('reports an empty span for <data/> and <data></data>, and nothing without such a child', () => {
    for (const xml of ['<rpc-reply><data/></rpc-reply>', '<rpc-reply><data></data></rpc-reply>']) {
      const r = content(Buffer.from(xml));
      expect(r.text).toBe('');
      expect(r.spans).toHaveLength(1);
      expect(r.spans[0]!.start).toBe(r.spans[0]!.end);
    }
    expect(content(Buffer.from('<rpc-reply><ok/></rpc-reply>')).spans).toEqual([]);
    // Deeper <data> elements are not the reply's data.
    expect(content(Buffer.from('<rpc-reply><x><data>no</data></x></rpc-reply>')).spans).toEqual([]);
  });

  it('streams a Junos <configuration> the same way', () => {
    const xml = Buffer.from('<rpc-reply xmlns:junos="http://xml.juniper.net/junos/*/junos"><configuration junos:changed-seconds="1"><system><host-name>r1</host-name></system></configuration></rpc-reply>');
    const r = content(xml, [40, 90, 91]);
    expect(r.text).toBe('<system><host-name>r1</host-name></system>');
    expect(r.spans[0]!.name).toBe('configuration');
  });

  it('streams a large generated reply unchanged in 64 KiB pieces', () => {
    const inner = fixture('edge/junos-config-data.xml').toString('utf8').replace(/<rpc-reply[^>]*>|<\/rpc-reply>/g, '');
    const xml = Buffer.from(`<rpc-reply><data>${inner.repeat(2000)}</data></rpc-reply>`);
    const cuts: number[] = [];
    for (let c = 65536; c < xml.length; c += 65536) cuts.push(c);
    expect(cuts.length).toBeGreaterThan(2);
    expect(content(xml, cuts).text).toBe(inner.repeat(2000));
  });
});
