import { describe, expect, it } from 'vitest';
import { attributes, elementText, findAll, findElement, firstChildTag, firstStartTag, innerOf, innerXml, nextTag, rootElement, textContent, withoutXmlDeclaration } from '../../src/xml/query.js';

describe('nextTag', () => {
  it('reads start, end and empty-element tags, with offsets, stepping over comments, CDATA, instructions and declarations', () => {
    const xml = '<?xml version="1.0"?><!-- <a> --><nc:r x="1>2" y=\'>\'><![CDATA[<b>]]><?pi <c>?><d/></nc:r>';
    const tags: [string, string, string, boolean][] = [];
    for (let t = nextTag(xml); t; t = nextTag(xml, t.end)) tags.push([t.kind, t.name, xml.slice(t.start, t.end), t.selfClosing]);
    expect(tags).toEqual([
      ['start', 'nc:r', '<nc:r x="1>2" y=\'>\'>', false],
      ['start', 'd', '<d/>', true],
      ['end', 'nc:r', '</nc:r>', false],
    ]);
  });

  it('reads on past broken text and gives null where the text ends inside markup', () => {
    expect(nextTag('a < b <c>')?.name).toBe('c');
    expect(nextTag('<a x="1 <b>')?.name).toBe('b');
    expect(nextTag('<!-- never closed <a>')).toBeNull();
    expect(nextTag('<a')).toBeNull();
    expect(nextTag('')).toBeNull();
  });
});

describe('findElement and innerXml', () => {
  it('finds the first element with a local name, any prefix, and its matching end among nested namesakes', () => {
    const xml = '<rpc-reply><x:data xmlns:x="u"><data><a/></data></x:data><data>second</data></rpc-reply>';
    const span = findElement(xml, 'data')!;
    expect(span.tag.name).toBe('x:data');
    expect(span.depth).toBe(1);
    expect(xml.slice(span.contentStart, span.contentEnd)).toBe('<data><a/></data>');
    expect(xml.slice(span.end)).toBe('<data>second</data></rpc-reply>');
    expect(innerXml(xml, 'data')).toBe('<data><a/></data>');
  });

  it('gives the root its content up to its own end tag, comments after it left out', () => {
    const xml = '<!-- c --><rpc-reply a="1"><output>x</output></rpc-reply>\n<!-- after -->';
    expect(innerXml(xml, 'rpc-reply')).toBe('<output>x</output>');
    expect(rootElement(xml)!.tag.name).toBe('rpc-reply');
    expect(innerOf(xml, rootElement(xml))).toBe('<output>x</output>');
    expect(innerOf('<rpc-reply><ok/></rpc-reply><!-- </rpc-reply> -->', rootElement('<rpc-reply><ok/></rpc-reply>'))).toBe('<ok/>');
    expect(innerOf('<a/>', rootElement('<a/>'))).toBe('');
    expect(innerOf('<a>cut', rootElement('<a>cut'))).toBe('');
    expect(rootElement('text only')).toBeNull();
  });

  it('does not take a name inside a comment or CDATA for an element', () => {
    const xml = '<r><!-- <data>no</data> --><a v="x>y"/><![CDATA[<data>no</data>]]><data>yes</data></r>';
    expect(innerXml(xml, 'data')).toBe('yes');
  });

  it("gives '' for an element that is absent, empty or never closed, and -1 offsets for the last", () => {
    expect(innerXml('<r><a/></r>', 'b')).toBe('');
    expect(innerXml('<r><data/></r>', 'data')).toBe('');
    expect(innerXml('<r><data><a>cut', 'data')).toBe('');
    expect(findElement('<r><data><a>cut', 'data')).toMatchObject({ contentEnd: -1, end: -1 });
    expect(findElement('<r><data>x</data></r>', 'dat')).toBeNull();
  });

  it('searches from an offset, and finds every one not inside another', () => {
    const xml = '<r><a>1</a><a>2</a><a>3<a>nested</a></a></r>';
    const first = findElement(xml, 'a')!;
    expect(innerOf(xml, findElement(xml, 'a', first.end))).toBe('2');
    expect(findAll(xml, 'a').map((s) => innerOf(xml, s))).toEqual(['1', '2', '3<a>nested</a>']);
    expect(findAll(xml, 'b')).toEqual([]);
  });
});

describe('textContent and elementText', () => {
  it('decodes entities, keeps CDATA as it is, drops tags, comments and instructions', () => {
    expect(textContent('a &lt;b&gt; <i>c</i><!-- no --><?pi no?><![CDATA[<d> &amp;]]>\r\ne')).toBe('a <b> c<d> &amp;\ne');
  });

  it('gives the trimmed text of the first element with a local name, null when absent', () => {
    const xml = '<notification><eventTime> 2024-01-01T00:00:00Z </eventTime><x:e xmlns:x="u">&amp;</x:e></notification>';
    expect(elementText(xml, 'eventTime')).toBe('2024-01-01T00:00:00Z');
    expect(elementText(xml, 'e')).toBe('&');
    expect(elementText(xml, 'missing')).toBeNull();
    expect(elementText('<n><eventTime>cut', 'eventTime')).toBe('cut');
  });
});

describe('attributes', () => {
  it('gives each attribute of a start tag with where its value lies, in either quotes', () => {
    const xml = `<rpc-reply  xmlns="urn:x" message-id='7' a = "x>y"/>`;
    const tag = rootElement(xml)!.tag;
    const found = attributes(xml, tag).map((a) => [a.name, xml[a.quoteStart], xml.slice(a.valueStart, a.valueEnd)]);
    expect(found).toEqual([['xmlns', '"', 'urn:x'], ['message-id', "'", '7'], ['a', '"', 'x>y']]);
  });
});

describe('withoutXmlDeclaration', () => {
  it('drops a leading declaration and the white space around it, nothing else', () => {
    expect(withoutXmlDeclaration('\n<?xml version="1.0" encoding="UTF-8"?>\n<n/>')).toBe('<n/>');
    expect(withoutXmlDeclaration('<?xml-stylesheet href="a"?><n/>')).toBe('<?xml-stylesheet href="a"?><n/>');
    expect(withoutXmlDeclaration('<!-- c --><?xml version="1.0"?><n/>')).toBe('<!-- c --><?xml version="1.0"?><n/>');
    expect(withoutXmlDeclaration('<n/>')).toBe('<n/>');
  });
});

describe('firstStartTag and firstChildTag', () => {
  it('find the first element and its first child past declarations, comments, CDATA and instructions, any prefix', () => {
    const xml = '<?xml version="1.0"?>\n<!-- <fake> --><?pi <fake/>?><nc:rpc message-id="1>2" a=\'>\'>\n<!-- <no> --><![CDATA[<no/>]]><?x <no>?>\n<x:get-config xmlns:x="u"/></nc:rpc>';
    const root = firstStartTag(xml)!;
    expect([root.name, root.local]).toEqual(['nc:rpc', 'rpc']);
    expect(firstChildTag(xml, root)?.local).toBe('get-config');
  });

  it('pass a stray end tag, and give null where there is no element or no child', () => {
    expect(firstStartTag('</a><b/>')?.name).toBe('b');
    expect(firstStartTag('<!-- <a> -->text')).toBeNull();
    const empty = '<rpc/><get/>';
    expect(firstChildTag(empty, firstStartTag(empty)!)).toBeNull();
    const closed = '<rpc><!-- <get/> --></rpc><get/>';
    expect(firstChildTag(closed, firstStartTag(closed)!)).toBeNull();
    const end = nextTag(closed, firstStartTag(closed)!.end)!;
    expect(firstChildTag(closed, end)).toBeNull();
  });
});
