import { describe, expect, it } from 'vitest';
import { ClientError, NetconfError } from '../../src/errors/index.js';
import { MAX_FRAGMENT_DEPTH, checkXmlFragment } from '../../src/xml/well-formed.js';

/** The error checkXmlFragment throws, or null when it accepts. */
function rejection(xml: string, what = 'The config'): NetconfError | null {
  try {
    checkXmlFragment(xml, what);
    return null;
  } catch (err) {
    return err as NetconfError;
  }
}

const nest = (depth: number) => '<a>'.repeat(depth) + '</a>'.repeat(depth);

describe('checkXmlFragment accepts well-formed fragments', () => {
  it.each([
    ['an empty string', '', 0],
    ['whitespace only', ' \t\r\n ', 0],
    ['one element with a default namespace', '<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"/>', 1],
    ['several top-level elements, with whitespace around', '\n  <a/>\n  <b>x</b>\n', 2],
    ['prefixed names declared in the fragment', '<if:interfaces xmlns:if="urn:if"><if:interface if:kind="x"/></if:interfaces>', 1],
    ['a prefix declared on the element that uses it, self-closing', '<p:a xmlns:p="urn:p"/><p:b xmlns:p="urn:p"></p:b>', 2],
    ['the xml prefix, always bound', '<a xml:lang="en">x</a>', 1],
    ['both quote kinds, each holding the other', `<a x='say "hi"' y="it's" z = "1"\n\tw='2'/>`, 1],
    ['">" in text and in attribute values', '<a x="a>b">1 > 0</a>', 1],
    ['the five predefined entities', '<a x="&lt;&gt;&amp;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;</a>', 1],
    ['numeric character references', '<a>&#65;&#x41;&#x1F600;&#xD;&#9;</a>', 1],
    ['CDATA holding markup characters', '<a><![CDATA[x < y && ]] ]> z]]></a>', 1],
    ['comments, single dashes and empty ones', '<!-- before --><a><!-- a - b --><!----></a><!---->', 1],
    ['processing instructions', '<?pi?><a><?target some data?></a><?xml-stylesheet href="x"?>', 1],
    ['an end tag with whitespace before ">"', '<a></a \n>', 1],
    ['names with letters beyond ASCII', '<é:données xmlns:é="urn:x"><名前>値</名前></é:données>', 1],
    ['names with digits, dots, dashes, underscores', '<_a.b-c1 d.e-f_2="x"/>', 1],
    ['characters beyond the BMP in text and values', '<a x="😀">😀</a>', 1],
    ['"]]" that does not close anything', '<a>]] ]</a>', 1],
    [`nesting ${MAX_FRAGMENT_DEPTH} deep`, nest(MAX_FRAGMENT_DEPTH), 1],
  ])('%s', (_label, xml, elements) => {
    expect(rejection(xml)).toBeNull();
    expect(checkXmlFragment(xml, 'The config')).toBe(elements);
  });
});

describe('checkXmlFragment refuses what is not a well-formed fragment', () => {
  // [label, input, what the message says, line, column]
  const cases: [string, string, RegExp, number, number][] = [
    // Tags
    ['mismatched end tag', '<a><b></a>', /end tag <\/a> does not match the start tag <b> opened at line 1, column 4 \(line 1, column 7\)$/, 1, 7],
    ['names whose 32-bit hashes collide', '<Aa></BB>', /end tag <\/BB> does not match the start tag <Aa>/, 1, 5],
    ['a different prefix on the same local name', '<a:x xmlns:a="u" xmlns:b="u"></b:x>', /end tag <\/b:x> does not match the start tag <a:x>/, 1, 30],
    ['an end tag differing only in case', '<Config></config>', /does not match/, 1, 9],
    ['an unclosed element', '<a>\n  <b></b>\n', /the element <a> is never closed/, 1, 1],
    ['the innermost unclosed element', '<a><b>', /the element <b> is never closed/, 1, 4],
    ['a stray end tag', '<a/></a>', /end tag <\/a> closes no open element/, 1, 5],
    ['an end tag alone', '</a>', /closes no open element/, 1, 1],
    ['an end tag holding more than a name', '<a></a x>', /unexpected "x" in the end tag <\/a>/, 1, 8],
    ['an unclosed end tag', '<a></a', /end tag <\/a> is never closed/, 1, 4],
    ['an unclosed start tag', '<a x="1"', /start tag <a> is never closed/, 1, 1],
    ['"/" not followed by ">"', '<a / >', /"\/" not followed by ">"/, 1, 4],
    ['a "<" that starts no tag', '<a>1 < 2</a>', /a "<" that starts no tag/, 1, 6],
    ['"</" without a name', '<a></ a>', /"<\/" not followed by a name/, 1, 4],
    // Declarations
    ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DOCTYPE/, 1, 1],
    ['an entity declaration', '<a/><!ENTITY x "y">', /entity declaration/, 1, 5],
    ['other "<!" markup', '<a><!ELEMENT a ANY></a>', /"<!" that starts neither a comment nor a CDATA section/, 1, 4],
    ['an XML declaration', '<?xml version="1.0" encoding="UTF-8"?>\n<a/>', /XML declaration/, 1, 1],
    // References
    ['an undeclared entity', '<a>x&nbsp;y</a>', /the entity &nbsp; is not defined/, 1, 5],
    ['an undeclared entity in an attribute', '<a x="&copy;"/>', /the entity &copy; is not defined/, 1, 7],
    ['a bare "&" before a space', '<a>a & b</a>', /a bare "&"/, 1, 6],
    ['a bare "&" before a name with no ";"', '<a>AT&T</a>', /a bare "&"/, 1, 6],
    ['a bare "&" at the end', '<a>&', /a bare "&"/, 1, 4],
    ['a bare "&" in an attribute', '<a x="1 & 2"/>', /a bare "&"/, 1, 9],
    ['a reference to U+0000', '<a>&#0;</a>', /&#0; names a character XML does not allow/, 1, 4],
    ['a reference to a surrogate', '<a>&#xD800;</a>', /names a character XML does not allow/, 1, 4],
    ['a reference past U+10FFFF', '<a>&#x110000;</a>', /names a character XML does not allow/, 1, 4],
    ['a huge decimal reference', `<a>&#${'9'.repeat(400)};</a>`, /names a character XML does not allow/, 1, 4],
    ['a reference with no digits', '<a>&#;</a>', /malformed character reference/, 1, 4],
    ['an uppercase hex marker', '<a>&#X41;</a>', /malformed character reference/, 1, 4],
    ['a reference with no ";"', '<a>&#65 </a>', /malformed character reference/, 1, 4],
    // Attributes
    ['"<" in an attribute value', '<a x="1<2"/>', /"<" in the value of the attribute "x"/, 1, 8],
    ['a duplicate attribute', '<a x="1" y="2" x="3"/>', /the attribute "x" appears twice on <a>/, 1, 16],
    ['a duplicate namespace declaration', '<a xmlns:p="u" xmlns:p="u"/>', /the attribute "xmlns:p" appears twice/, 1, 16],
    ['an unquoted value', '<a x=1/>', /the value of the attribute "x" is not quoted/, 1, 6],
    ['an attribute with no value', '<a x/>', /the attribute "x" has no value/, 1, 4],
    ['an attribute value never closed', '<a x="1/>', /the value of the attribute "x" is never closed/, 1, 6],
    ['attributes with no space between them', '<a x="1"y="2"/>', /unexpected "y" in the start tag <a>/, 1, 9],
    // Comments, CDATA, PIs
    ['"--" inside a comment', '<a><!-- a -- b --></a>', /"--" inside a comment/, 1, 11],
    ['a comment ending in "--->"', '<!-- a --->', /"--" inside a comment/, 1, 8],
    ['a comment never closed', '<a/><!-- x', /comment that is never closed/, 1, 5],
    ['CDATA outside any element', '<![CDATA[x]]>', /CDATA section outside any element/, 1, 1],
    ['CDATA never closed', '<a><![CDATA[x</a>', /CDATA section that is never closed/, 1, 4],
    ['a PI never closed', '<a/><?pi data', /processing instruction <\?pi is never closed/, 1, 5],
    ['a PI with no target', '<a><? x?></a>', /"<\?" not followed by a processing instruction target/, 1, 4],
    // Names
    ['a name starting with a digit', '<1a/>', /the name "1a" does not start with a letter/, 1, 2],
    ['a name starting with "-"', '<a><-b/></a>', /the name "-b" does not start with a letter/, 1, 5],
    ['a name with two colons', '<a:b:c xmlns:a="u"/>', /"a:b:c" is not a valid prefixed name/, 1, 2],
    ['a name starting with a colon', '<:a/>', /":a" is not a valid prefixed name/, 1, 2],
    ['a name ending with a colon', '<a:/>', /"a:" is not a valid prefixed name/, 1, 2],
    ['an attribute name ending with a colon', '<a b:="1"/>', /"b:" is not a valid prefixed name/, 1, 4],
    ['an undeclared element prefix', '<nc:a/>', /element name "nc:a" uses the prefix "nc", which is not declared/, 1, 1],
    ['an undeclared attribute prefix', '<a nc:operation="merge"/>', /attribute name "nc:operation" uses the prefix "nc"/, 1, 4],
    ['a prefix used outside the element that declared it', '<a xmlns:p="u"/><p:b/>', /uses the prefix "p", which is not declared/, 1, 17],
    ['a prefix used after its element closed', '<r><a xmlns:p="u"></a><p:b/></r>', /uses the prefix "p"/, 1, 23],
    ['declaring the xmlns prefix', '<a xmlns:xmlns="u"/>', /the prefix "xmlns" cannot be declared/, 1, 4],
    // Text and characters
    ['text only', 'get-config', /text outside any element/, 1, 1],
    ['text after an element', '<a/>\n junk', /text outside any element/, 2, 2],
    ['text before an element', 'x<a/>', /text outside any element/, 1, 1],
    ['a reference outside any element', '<a/>&amp;', /text outside any element/, 1, 5],
    ['a byte order mark', '\uFEFF<a/>', /text outside any element/, 1, 1],
    ['"]]>" in text', '<a>x]]>y</a>', /"]]>" in text/, 1, 5],
    ['a control character', '<a>x\u0001</a>', /the character U\+0001, which XML does not allow/, 1, 5],
    ['a lone surrogate', '<a>\uD800x</a>', /the character U\+D800/, 1, 4],
    ['U+FFFE', '<a x="\uFFFE"/>', /the character U\+FFFE/, 1, 7],
    ['a control character in a comment', '<!-- \u0000 --><a/>', /U\+0000/, 1, 6],
    // Depth
    [`nesting ${MAX_FRAGMENT_DEPTH + 1} deep`, nest(MAX_FRAGMENT_DEPTH + 1), new RegExp(`nest deeper than ${MAX_FRAGMENT_DEPTH}`), 1, 3 * MAX_FRAGMENT_DEPTH + 1],
  ];

  it.each(cases)('%s', (_label, xml, problem, line, column) => {
    const err = rejection(xml);
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client', retryable: false });
    expect(err!.message).toMatch(/^The config is not well-formed XML: /);
    expect(err!.message).toMatch(problem);
    expect(err!.message).toMatch(new RegExp(`\\(line ${line}, column ${column}\\)$`));
    expect(err!.message).not.toMatch(/netconfkit-check/);
  });

  it('gives the location of the problem once, in one parenthesis at the end', () => {
    for (const xml of ['<a><b></a>', '<a>\n<b>\n</c>', 'text', '<a>', '<a x=1/>']) {
      const message = rejection(xml)!.message;
      expect(message.match(/\(/g)).toHaveLength(1);
      expect(message.match(/\bline \d+, column \d+\)$/)).not.toBeNull();
    }
    expect(rejection('<a>\n<b>\n</c>')!.message).toBe(
      'The config is not well-formed XML: the end tag </c> does not match the start tag <b> opened at line 2, column 1 (line 3, column 1)',
    );
  });

  it('names what the caller passed', () => {
    for (const what of ['The request', 'The config', 'The filter']) {
      expect(rejection('<a><b></a>', what)?.message).toMatch(new RegExp(`^${what} is not well-formed XML: `));
    }
  });

  it('counts lines after LF, CRLF and lone CR, and columns in characters', () => {
    expect(rejection('<a>\n  <b>\n  </c>\n</a>')?.message).toMatch(/\(line 3, column 3\)$/);
    expect(rejection('<a>\r\n<b>\r\n</c>')?.message).toMatch(/\(line 3, column 1\)$/);
    expect(rejection('<a>\r<b>\r</c>')?.message).toMatch(/\(line 3, column 1\)$/);
    // "😀" is two UTF-16 code units but one character.
    expect(rejection('<a>😀é&x</a>')?.message).toMatch(/\(line 1, column 6\)$/);
  });

  it('quotes at most 80 characters of a long name', () => {
    const name = 'n'.repeat(5000);
    const message = rejection(`<${name}></${name}x>`)!.message;
    expect(message).toContain(`</${'n'.repeat(80)}…>`);
    expect(message.length).toBeLessThan(400);
  });

  it('refuses 100,000 nested elements with INVALID_ARGUMENT, not a stack overflow', () => {
    expect(rejection(nest(100_000))?.code).toBe('INVALID_ARGUMENT');
  });

  it('stays linear on inputs that defeat naive scans', () => {
    // Each would take seconds at n² (a forward search per "&", per attribute or per tag).
    const n = 200_000;
    expect(rejection(`<a>${'&'.repeat(n)}</a>`)?.message).toMatch(/bare "&"/);
    expect(rejection(`<a ${Array.from({ length: n / 10 }, (_, k) => `a${k}="1"`).join(' ')}/>`)).toBeNull();
    expect(rejection(`<r>${'<a>x</a>'.repeat(n)}</r>`)).toBeNull();
    expect(rejection(`<r>${'<!-- x -->'.repeat(n)}</r>`)).toBeNull();
  });
});
