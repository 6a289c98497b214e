import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedXmlError } from '../../src/errors/index.js';
import { decodeEntities } from '../../src/xml/entities.js';

/** The rule as a regular expression: what decodeEntities must agree with (own names only). */
function byExpression(text: string): string {
  const predefined = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"]]);
  let count = 0;
  const out = text.replace(/&([^;&\s]{0,32});/g, (_, name: string) => {
    count++;
    const known = predefined.get(name);
    if (known !== undefined) return known;
    if (name.startsWith('#')) return decodeEntities(`&${name};`);
    throw new MalformedXmlError(`Unknown entity &${name}; (only the five predefined entities and character references are allowed)`);
  });
  if ((text.match(/&/g) ?? []).length !== count) throw new MalformedXmlError('A bare "&" in text or an attribute value');
  return out;
}

function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedXmlError);
    return `error ${(err as Error).message}`;
  }
}

describe('decodeEntities', () => {
  it.each([
    ['a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;', 'a <b> & "c" \'d\''],
    ['&#65;&#x42;&#x1D11E;&#233;', 'AB𝄞é'],
    ['no reference', 'no reference'],
    ['&amp;amp;', '&amp;'],
  ])('%s', (text, expected) => {
    expect(decodeEntities(text)).toBe(expected);
  });

  it('refuses unknown entities, names of Object.prototype among them, bad character references and a bare "&"', () => {
    for (const text of ['&nbsp;', '&toString;', '&constructor;', '&__proto__;', '&;', '&#0;', '&#xD800;', '&#x110000;', '&#12a;', '&', 'a & b', '&amp', '&lt ;', `&${'a'.repeat(33)};`]) {
      expect(() => decodeEntities(text), text).toThrow(MalformedXmlError);
    }
    // A name of 32 characters is read as one (and is unknown); one longer leaves a bare "&".
    expect(() => decodeEntities(`&${'a'.repeat(32)};`)).toThrow('Unknown entity');
    expect(() => decodeEntities(`&${'a'.repeat(33)};`)).toThrow('bare');
    // The first unknown reference is the one reported, even after a bare "&".
    expect(() => decodeEntities('& &bad; &worse;')).toThrow('Unknown entity &bad;');
  });

  it('agrees with the rule written as a regular expression on generated text', () => {
    const piece = fc.constantFrom('&', ';', '#', 'x', '1', '65', 'lt', 'amp', 'quot', 'a', ' ', '\n', '\u00a0', '\u2003', '\ufeff', '\u0085', 'é', '𝄞', 'x'.repeat(31), 'x'.repeat(32));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      expect(outcome(() => decodeEntities(text))).toBe(outcome(() => byExpression(text)));
    }), { numRuns: 5_000 });
  });
});
