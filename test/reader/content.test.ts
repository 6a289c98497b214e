import { describe, expect, it } from 'vitest';
import { MessageReader, type MessageOutcome } from '../../src/reader/message-reader.js';
import { replay } from '../../src/replay/replayer.js';
import { innerXml } from '../../src/xml/query.js';
import { loadExpected, readCapture } from '../support/corpus.js';
import { fixture, fixtureNames } from '../support/fixtures.js';

/**
 * A kept message's `content` is the text of its root's data/configuration child, cut out of
 * the message's own text (no search through it): for every capture and fixture it must equal
 * what a search of the whole text finds, however the bytes arrive.
 */

function read(bytes: Buffer, splits: (n: number) => number[]): MessageOutcome[] {
  const outcomes: MessageOutcome[] = [];
  const framing = replay(bytes).framing === 'none' ? 'none' : 'auto';
  const reader = new MessageReader({ onRoot: () => {}, onItem: () => {}, onMessage: (o) => outcomes.push(o) }, { framing });
  let at = 0;
  try {
    for (const to of [...splits(bytes.length), bytes.length]) {
      if (to <= at) continue;
      // A fresh copy each time, overwritten after the push: nothing may keep a pushed buffer.
      const piece = Buffer.from(bytes.subarray(at, to));
      reader.push(piece);
      piece.fill(0x20);
      at = to;
    }
    reader.finish();
  } catch {
    // A capture whose framing breaks: the messages before the break are compared.
  }
  return outcomes;
}

const inputs: [string, Buffer][] = [
  ...Object.keys(loadExpected()).map((name): [string, Buffer] => [`corpus ${name}`, readCapture(name)]),
  ...fixtureNames().filter((n) => !n.endsWith('.json')).map((name): [string, Buffer] => [`fixture ${name}`, fixture(name)]),
];

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('MessageOutcome.content', () => {
  it('is the inner text of the root\'s data/configuration child, for every capture and fixture, whole and split anywhere', () => {
    let withContent = 0;
    for (const [name, bytes] of inputs) {
      const whole = read(bytes, () => []);
      for (const o of whole) {
        if (!o.content) continue;
        withContent++;
        const local = o.content.name.slice(o.content.name.indexOf(':') + 1);
        expect(['data', 'configuration'], name).toContain(local);
        expect(o.content.text, name).toBe(innerXml(o.xml!, local));
      }
      const rnd = random(bytes.length);
      const bytewise = (n: number) => Array.from({ length: Math.min(n, 3000) }, (_, i) => i + 1);
      const randomly = (n: number) => Array.from({ length: 20 }, () => Math.floor(rnd() * n)).sort((a, b) => a - b);
      for (const splits of [bytewise, randomly]) {
        const again = read(bytes, splits);
        if (splits === bytewise && bytes.length > 3000) continue; // only the head was cut byte by byte
        expect(again.map((o) => [o.xml, o.content]), name).toEqual(whole.map((o) => [o.xml, o.content]));
      }
    }
    // The corpus holds many replies with data: the comparison above is not empty.
    expect(withContent).toBeGreaterThan(40);
  });

  it('is cut exactly out of a big reply with multi-byte text, whatever the reads', () => {
    const words = ['interface', 'descrição', 'Ünïcödé', '日本語', '𝄞', 'ge-0/0/0', 'x'];
    const rnd = random(7);
    const parts: string[] = [];
    for (let size = 0; size < 700 * 1024;) {
      parts.push(`<a><b>${words[Math.floor(rnd() * words.length)]!.repeat(1 + Math.floor(rnd() * 40))}</b></a>\n`);
      size += Buffer.byteLength(parts[parts.length - 1]!);
    }
    const body = parts.join('');
    const xml = `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><nc:data xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">${body}</nc:data><!-- é --></rpc-reply>`;
    const bytes = Buffer.from(`${xml}]]>]]>`);
    // Reads of odd sizes cut characters and tags everywhere, the content's ends included.
    for (const size of [32 * 1024, 65_537, 997, 13]) {
      const [o] = read(bytes, (n) => Array.from({ length: Math.ceil(n / size) }, (_, i) => i * size));
      expect(o!.xml).toBe(xml);
      expect(o!.content).toEqual({ name: 'nc:data', text: body });
    }
  });
});
