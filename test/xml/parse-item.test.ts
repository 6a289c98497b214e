import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MalformedXmlError } from '../../src/errors/index.js';
import { type ParseOptions, type XmlObject, parseXml } from '../../src/xml/parse-data.js';
import { ItemParser, parseItem } from '../../src/xml/parse-item.js';
// What parseData makes of one element, as the fuzzer's watched path compares items with it.
import { parseDataElement as viaParser } from '../../fuzz/path.js';

const same = (xml: string, options: ParseOptions = {}) => expect(parseItem(Buffer.from(xml), options)).toStrictEqual(viaParser(xml, options));

// Generated elements: names that share a length or a start (name, names, nama), prefixes, attributes, text with
// references and non-ASCII letters, CDATA, comments and PIs.
const name = fc.constantFrom('a', 'b', 'c', 'j:a', 'nc:b', 'name', 'names', 'nama', 'j:name', 'unit', 'toString', 'rpc-error', 'routing-engine', 'x-y.z');
const attrName = fc.constantFrom('x', 'y', 'j:y', 'xmlns', 'xmlns:j', 'xml:lang', 'inactive');
const text = fc.array(fc.constantFrom('t', ' ', '\n', '  pad  ', '&amp;', '&lt;', '&#65;', '&#x1D11E;', 'é', '日本', '𝄞', '0', 'true', '&quot;'), { maxLength: 4 }).map((p) => p.join(''));
const attrValue = fc.array(fc.constantFrom('v', ' ', '&amp;', '&quot;', 'é'), { maxLength: 3 }).map((p) => p.join(''));
type Node = { name: string; attrs: [string, string][]; children: (Node | string)[] };
const tree = fc.letrec<{ node: Node; content: Node | string }>((tie) => ({
  node: fc.record({
    name,
    attrs: fc.uniqueArray(fc.tuple(attrName, attrValue), { selector: (a) => a[0], maxLength: 3 }),
    children: fc.array(tie('content'), { maxLength: 4 }),
  }),
  // Past the depth limit, oneof takes its first choice: text.
  content: fc.oneof({ maxDepth: 4, depthSize: 'small' },
    text,
    tie('node'),
    text.map((t) => `<![CDATA[${t.replace(/&[a-z#0-9]+;/g, '<>')}]]>`),
    fc.constant('<!-- note -->'),
    fc.constant('<?pi data?>'),
  ),
})).node;
const serialise = (n: Node): string => {
  const attrs = n.attrs.map(([k, v]) => ` ${k}="${v}"`).join('');
  return n.children.length === 0 ? `<${n.name}${attrs}/>` : `<${n.name}${attrs}>${n.children.map((c) => (typeof c === 'string' ? c : serialise(c))).join('')}</${n.name}>`;
};

describe('parseItem gives the shape parseXml gives', () => {
  it.each([
    '<a>text</a>', '<a/>', '<a></a>', '<a x="1"/>', '<a x=" 1 ">t</a>', '<a><b>1</b><b>2</b></a>', '<a><b>1</b>tail</a>',
    '<a>x<b/>y</a>', '<a>  x  <b/>  y  </a>', '<a><![CDATA[ c ]]></a>', '<a>p<![CDATA[c]]>q</a>', '<a><!-- c -->t</a>',
    '<j:a xmlns:j="u" j:x="1"><j:b>1</j:b></j:a>', '<a xmlns="u"><b/></a>', '<a><toString>1</toString><valueOf/></a>',
    '<a>&lt;&amp;&#65;&#x42;</a>', '<a><b/><b/></a>', '<a><b x="1"/><b>t</b></a>', '<a>\n  <b>1</b>\n</a>', '<a><rpc-error>x</rpc-error></a>',
    '<a x="1" x2=\'&amp;\' x3 = "q"/>', '<a><b><c/></b></a>', '<a>1<b/>2<c/>3</a>', '<a><hasOwnProperty>1</hasOwnProperty></a>', '<a b="1"><b>2</b></a>',
    '<a>   </a>', '<a> <b/> </a>', '<a>t<!-- n --> t</a>', '<a>t <?pi x?> t</a>', '<a> p <!--x--> <![CDATA[ c ]]> q </a>', '<a>&amp; <!--c--> &lt;</a>', '<a><b>1</b><c/><b>2</b></a>', '<a x="1"></a>', '<a x="1">  </a>', '<a><?pi x?>t</a>', '<a msg="a &gt; b">x</a>',
    // Line ends: CR LF and a CR alone are read as one LF each, wherever they are.
    '<a x="p\rq\r\ns">t\r\nu\rv<b>w\r</b></a>', '<a><b>x\r\ny</b><c> \r </c><d><![CDATA[c\rd]]>\r\n</d></a>',
    '<interface inactive="inactive" junos:group="G">\n<name>xe-0/0/1</name>\n<description>A &amp; B</description>\n<unit>\n<name>0</name>\n<family><inet><address><name>10.0.0.1/31</name></address></inet></family>\n</unit>\n</interface>',
  ])('%s', (xml) => {
    same(xml);
    same(xml, { keepPrefixes: true });
    same(xml, { arrays: ['b', 'unit'] });
  });

  it('refuses the names that would touch a prototype, as parseXml does', () => {
    for (const xml of ['<a><__proto__>1</__proto__></a>', '<a><constructor/></a>', '<a><prototype/></a>']) {
      expect(() => parseItem(Buffer.from(xml))).toThrow(MalformedXmlError);
      expect(() => parseXml(xml)).toThrow(MalformedXmlError);
    }
    expect(() => parseItem(Buffer.from('<a>&nbsp;</a>'))).toThrow(MalformedXmlError);
    expect(() => parseItem(Buffer.from('<a b>x</a>'))).toThrow(MalformedXmlError);
  });

  it('agrees with parseXml on generated elements', () => {
    fc.assert(fc.property(tree, fc.boolean(), (node, keepPrefixes) => {
      same(serialise(node), { keepPrefixes, arrays: ['unit'] });
    }), { numRuns: 2_000 });
  });
});

describe('one ItemParser over a stream of items', () => {
  /** Each element through one parser, in order, against parseXml on its own. */
  function sameInTurn(xmls: string[], options: ParseOptions = {}): void {
    const parser = new ItemParser(options);
    for (const xml of xmls) expect(parser.parse(Buffer.from(xml))).toStrictEqual(viaParser(xml, options));
  }

  it('gives each item its own shape when items change shape (the names the last item had are only a guess)', () => {
    sameInTurn([
      '<interface><name>a</name><mtu>1</mtu><unit><name>0</name></unit></interface>',
      '<interface><name>b</name><mtu>2</mtu><unit><name>0</name></unit></interface>',
      // A name longer, shorter, or only sharing a start with the one before at that place.
      '<interface><names>c</names><mt>3</mt><unit><nama>0</nama></unit></interface>',
      '<interface><nam>d</nam><mtux>4</mtux><units><name>0</name></units></interface>',
      // The same names, now with attributes, spaces in tags, closing themselves, prefixed, or holding more than text.
      '<interface x="1"><name y=\'2\'>e</name ><mtu/><unit ><name>0</name>\n</unit></interface>',
      '<interface><j:name xmlns:j="urn:j">f</j:name><mtu><!-- c -->5</mtu><unit><name><![CDATA[<0>]]></name></unit></interface>',
      '<interface><name>g<b/></name><mtu>6<?pi x?></mtu><unit>t<name>0</name></unit></interface>',
      // Repeated children, always-array names, references and non-ASCII text.
      '<interface><name>h</name><name>i</name><rpc-error>x</rpc-error><mtu>&lt;7&#62; &#x1D11E; é</mtu><unit><name>0</name></unit><unit/></interface>',
      '<interface><name>a</name><mtu>1</mtu><unit><name>0</name></unit></interface>',
      '<other><name>z</name></other>',
      '<interface>  <name>  padded  </name>  <mtu>\n</mtu>  </interface>',
      '<interface><toString>1</toString><valueOf>2</valueOf></interface>',
      // Names of one key (a prefix removed), one inside the other.
      '<interface><j:name xmlns:j="urn:j">x</j:name><name><name>inner</name></name><unit><j:unit/></unit></interface>',
    ]);
  });

  it('agrees with parseXml on every item of generated streams, in any order', () => {
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 6 }), fc.boolean(), (nodes, keepPrefixes) => {
      const xmls = nodes.map(serialise);
      sameInTurn([...xmls, ...xmls.slice().reverse(), ...xmls], { keepPrefixes, arrays: ['unit'] });
    }), { numRuns: 500 });
  });

  // Items of a few shapes, repeated and interleaved: the shape the parser learns from one item
  // reads the next ones, and an item that departs from it anywhere is parsed as any element.
  type Plain = { name: string; attrs: [string, string][]; content: Plain[] | string | null };
  const plain = fc.letrec<{ node: Plain }>((tie) => ({
    node: fc.record({
      name: fc.constantFrom('a', 'b', 'j:a', 'name', 'names', 'unit', 'rpc-error', 'naïve', 'toString'),
      attrs: fc.uniqueArray(fc.tuple(fc.constantFrom('x', 'j:y', 'xmlns:j', 'inactive'), attrValue), { selector: (a) => a[0], maxLength: 2 }),
      // Text, elements, or nothing (a tag that closes itself).
      content: fc.oneof({ maxDepth: 3, depthSize: 'small' }, text, fc.array(tie('node'), { minLength: 1, maxLength: 3 }), fc.constant(null)),
    }),
  })).node;
  const writePlain = (n: Plain, space: string): string => {
    const attrs = n.attrs.map(([k, v]) => ` ${k}="${v}"`).join('');
    if (n.content === null) return `<${n.name}${attrs}/>`;
    const inner = typeof n.content === 'string' ? n.content : `${space}${n.content.map((c) => writePlain(c, space)).join(space)}${space}`;
    return `<${n.name}${attrs}>${inner}</${n.name}>`;
  };

  it('agrees with parseXml on streams of items that repeat a few shapes and depart from them', () => {
    const stream = fc.tuple(
      fc.array(plain, { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.nat(2), fc.constantFrom('', '\n', '\n  ', ' \r\n\t')), { minLength: 1, maxLength: 40 }),
    );
    fc.assert(fc.property(stream, fc.boolean(), ([shapes, picks], keepPrefixes) => {
      sameInTurn(picks.map(([k, space]) => writePlain(shapes[k % shapes.length]!, space)), { keepPrefixes, arrays: ['unit'] });
    }), { numRuns: 400 });
  });

  it('reads items of one shape along it, and parses those that depart from it at any depth', () => {
    const item = (i: number, extra = '') => `<interface${i % 5 === 0 ? ' inactive="inactive"' : ''}>\n<name>xe-0/0/${i}</name>\n<description>${i % 3 === 0 ? 'café &amp; bar' : 'uplink'}</description>\n<unit>\n<name>0</name>\n<family><inet><address><name>10.0.0.${i}/31</name></address></inet></family>${extra}\n</unit>\n</interface>`;
    const xmls: string[] = [];
    for (let i = 0; i < 40; i++) xmls.push(item(i));
    xmls.push(
      item(40, '<family/>'), // a repeated name (an array)
      item(41), // the shape again
      item(42).replace('</name>\n<description>', '</name>\n<mtu>1500</mtu>\n<description>'), // a child more
      item(43).replace('<description>uplink</description>\n', ''), // a child less
      item(44).replace('<inet>', '<inet6>').replace('</inet>', '</inet6>'), // a name changed, deep
      item(45).replace('<address><name>', '<address>text<name>'), // text beside children
      item(46).replace('uplink', 'up<!-- c -->link'), // a comment
      item(47).replace('<description>uplink</description>', '<description/>'), // closes itself
      item(48).replace('<name>0</name>', '<name >0</name >'), // spaces in tags
      item(49).replace('<name>0</name>', '<name>0<b/></name>'), // an element where text was
      item(50),
      item(51),
    );
    for (let i = 52; i < 120; i++) xmls.push(i % 2 ? item(i) : item(i, '<x>1</x>'));
    sameInTurn(xmls);
    sameInTurn(xmls, { keepPrefixes: true, arrays: ['unit'] });
  });

  it('gives the same shapes once more than 30 keys have been seen (the keys past them are looked up)', () => {
    const names = Array.from({ length: 40 }, (_, n) => `k${n}`);
    const item = (shift: number) => `<a>${names.map((_, n) => names[(n + shift) % names.length]).map((k, n) => `<${k}>${n}</${k}>${n % 3 === 0 ? `<${k}/>` : ''}`).join('')}</a>`;
    sameInTurn([item(0), item(7), item(0), item(33)]);
  });

  it('parses the element between two offsets of a buffer, as the extractor hands them on', () => {
    const parser = new ItemParser();
    const bytes = Buffer.from('<list><a x="1"><b>é</b></a>\n<a><b>2</b><b>3</b></a></list>');
    const at = (s: string, from = 0) => bytes.indexOf(s, from);
    expect(parser.parse(bytes, at('<a'), at('</a>') + 4)).toStrictEqual({ b: 'é', '@_x': '1' });
    expect(parser.parse(bytes, at('<a>'), at('</list>'))).toStrictEqual({ b: ['2', '3'] });
  });

  it('tells names apart in items whose bytes are not all UTF-8 (each such byte a replacement character)', () => {
    const parser = new ItemParser();
    const items = [
      Buffer.from('<a><é>1</é><b>x</b></a>'),
      // é as one byte (0xE9), not UTF-8: the name read is U+FFFD, not the é of the item before.
      Buffer.from('<a><é>2</é><b>y</b></a>', 'latin1'),
      Buffer.from('<a><é>3</é><b>z</b></a>'),
      Buffer.from('<a><e>4</e><b>w</b></a>', 'latin1'),
    ];
    for (const bytes of items) expect(parser.parse(bytes)).toStrictEqual(viaParser(bytes.toString('utf8')));
  });

  it('a name refused in one item is refused again, after items that parsed', () => {
    const parser = new ItemParser();
    expect(parser.parse(Buffer.from('<a><b>1</b></a>'))).toStrictEqual({ b: '1' });
    expect(() => parser.parse(Buffer.from('<a><__proto__>1</__proto__></a>'))).toThrow(MalformedXmlError);
    expect(() => parser.parse(Buffer.from('<a><__proto__>1</__proto__></a>'))).toThrow(MalformedXmlError);
    expect(parser.parse(Buffer.from('<a><b>2</b></a>'))).toStrictEqual({ b: '2' });
  });

  describe('a value kept from an item does not keep the item\'s text alive', () => {
    // Full collections, from a fresh context once the flag is set (no change to vitest's options).
    const gc = ((globalThis as { gc?: () => void }).gc ?? (setFlagsFromString('--expose-gc'), runInNewContext('gc'))) as () => void;
    const ITEMS = 4000;
    // Each item's text is over 8,000 characters; a value that kept it would cost that much.
    const filler = '<mtu>1514</mtu>'.repeat(600);
    /** The heap's growth per item, keeping `pick`'s values of each item parsed (one parser for all, as a stream has). */
    function keptPerItem(make: (i: number) => string, pick: (item: XmlObject) => unknown[]): number {
      const parser = new ItemParser();
      const kept: unknown[] = [];
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < ITEMS; i++) kept.push(...pick(parser.parse(Buffer.from(make(i))) as XmlObject));
      gc();
      const growth = process.memoryUsage().heapUsed - before;
      expect(kept.length).toBeGreaterThan(0);
      return growth / ITEMS;
    }
    const at = (v: unknown, ...keys: string[]) => keys.reduce((o, k) => (o as XmlObject)[k], v);

    it.each([
      ['a value of text alone', (i: number) => `<interface><description>uplink to core router ${i}</description>${filler}</interface>`, (o: XmlObject) => [o.description]],
      ['a value trimmed', (i: number) => `<interface><description>  uplink to core router ${i}\n</description>${filler}</interface>`, (o: XmlObject) => [o.description]],
      ['a value with references', (i: number) => `<interface><description>uplink to core router &quot;north&quot; ${i}</description>${filler}</interface>`, (o: XmlObject) => [o.description]],
      ['a value in an item not all ASCII', (i: number) => `<interface><description>café lab, rack ${i}</description>${filler}</interface>`, (o: XmlObject) => [o.description]],
      ['an attribute', (i: number) => `<interface><unit name="unit number ${i}"><a>1</a></unit>${filler}</interface>`, (o: XmlObject) => [at(o, 'unit', '@_name')]],
      ['text beside children', (i: number) => `<interface><unit>mixed text of unit ${i}<a>1</a></unit>${filler}</interface>`, (o: XmlObject) => [at(o, 'unit', '#text')]],
      ['text across a comment and CDATA', (i: number) => `<interface><d>text of item ${i}<!-- c --> and <![CDATA[more]]></d>${filler}</interface>`, (o: XmlObject) => [o.d]],
      ['CDATA', (i: number) => `<interface><d><![CDATA[character data of item ${i}]]></d>${filler}</interface>`, (o: XmlObject) => [o.d]],
    ])('%s', (_, make, pick) => {
      expect(pick(new ItemParser().parse(Buffer.from(make(7))) as XmlObject)).toStrictEqual(pick(viaParser(make(7)) as XmlObject));
      // Copies of the values cost under 100 bytes each.
      expect(keptPerItem(make, pick)).toBeLessThan(1000);
    });
  });
});
