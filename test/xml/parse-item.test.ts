import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedXmlError } from '../../src/errors/index.js';
import { type ParseOptions, type XmlValue, parseXml } from '../../src/xml/parse-data.js';
import { parseItem } from '../../src/xml/parse-item.js';

/** What parseXml (fast-xml-parser) makes of the element: the value under its one key. */
function viaParser(xml: string, options: ParseOptions = {}): XmlValue {
  const parsed = parseXml(xml, options);
  const value = parsed[Object.keys(parsed)[0]!]!;
  // A name that is always an array comes back as one even at the top.
  return Array.isArray(value) && value.length === 1 ? value[0]! : value;
}

const same = (xml: string, options: ParseOptions = {}) => expect(parseItem(Buffer.from(xml), options)).toStrictEqual(viaParser(xml, options));

describe('parseItem gives the shape parseXml gives', () => {
  it.each([
    '<a>text</a>', '<a/>', '<a></a>', '<a x="1"/>', '<a x=" 1 ">t</a>', '<a><b>1</b><b>2</b></a>', '<a><b>1</b>tail</a>',
    '<a>x<b/>y</a>', '<a>  x  <b/>  y  </a>', '<a><![CDATA[ c ]]></a>', '<a>p<![CDATA[c]]>q</a>', '<a><!-- c -->t</a>',
    '<j:a xmlns:j="u" j:x="1"><j:b>1</j:b></j:a>', '<a xmlns="u"><b/></a>', '<a><toString>1</toString><valueOf/></a>',
    '<a>&lt;&amp;&#65;&#x42;</a>', '<a><b/><b/></a>', '<a><b x="1"/><b>t</b></a>', '<a>\n  <b>1</b>\n</a>', '<a><rpc-error>x</rpc-error></a>',
    '<a x="1" x2=\'&amp;\' x3 = "q"/>', '<a><b><c/></b></a>', '<a>1<b/>2<c/>3</a>', '<a><hasOwnProperty>1</hasOwnProperty></a>', '<a b="1"><b>2</b></a>',
    '<a>   </a>', '<a> <b/> </a>', '<a>t<!-- n --> t</a>', '<a>t <?pi x?> t</a>', '<a> p <!--x--> <![CDATA[ c ]]> q </a>', '<a>&amp; <!--c--> &lt;</a>', '<a><b>1</b><c/><b>2</b></a>', '<a x="1"></a>', '<a x="1">  </a>', '<a><?pi x?>t</a>', '<a msg="a &gt; b">x</a>',
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
    const name = fc.constantFrom('a', 'b', 'c', 'j:a', 'nc:b', 'name', 'unit', 'toString', 'rpc-error', 'routing-engine', 'x-y.z');
    const attrName = fc.constantFrom('x', 'y', 'j:y', 'xmlns', 'xmlns:j', 'xml:lang', 'inactive');
    const text = fc.array(fc.constantFrom('t', ' ', '\n', '  pad  ', '&amp;', '&lt;', '&#65;', 'é', '日本', '0', 'true', '&quot;'), { maxLength: 4 }).map((p) => p.join(''));
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
    fc.assert(fc.property(tree, fc.boolean(), (node, keepPrefixes) => {
      same(serialise(node), { keepPrefixes, arrays: ['unit'] });
    }), { numRuns: 2_000 });
  });
});
