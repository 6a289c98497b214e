import { describe, expect, it } from 'vitest';
import { keyMatcher, requestKey } from '../../src/recording/normalise.js';

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const same = (a: string, b: string) => keyMatcher(requestKey(a))(requestKey(b));

describe('request normalisation', () => {
  it('sets aside message-id and the rpc attributes, whitespace, comments, prefixes and attribute order', () => {
    const recorded = `<rpc xmlns="${NC}" message-id="1"><edit-config><target><candidate/></target><config><a xmlns="urn:a" x="1" y="2">v</a></config></edit-config></rpc>`;
    expect(same(recorded, `<?xml version="1.0"?><nc:rpc xmlns:nc="${NC}" message-id="urn:uuid:42"><nc:edit-config>\n  <nc:target><nc:candidate></nc:candidate></nc:target>\n  <!-- note --><nc:config><b:a xmlns:b="urn:a" y='2' x="1"> v </b:a></nc:config></nc:edit-config></nc:rpc>`)).toBe(true);
    expect(requestKey(recorded).operation).toBe('edit-config');
  });

  it('keeps what matters: namespaces, names, values, text and order', () => {
    const recorded = `<rpc xmlns="${NC}" message-id="1"><get><filter type="subtree"><a xmlns="urn:a"/><b xmlns="urn:a"/></filter></get></rpc>`;
    expect(same(recorded, `<rpc xmlns="${NC}" message-id="1"><get><filter type="subtree"><a xmlns="urn:other"/><b xmlns="urn:a"/></filter></get></rpc>`)).toBe(false);
    expect(same(recorded, `<rpc xmlns="${NC}" message-id="1"><get><filter type="xpath"><a xmlns="urn:a"/><b xmlns="urn:a"/></filter></get></rpc>`)).toBe(false);
    expect(same(recorded, `<rpc xmlns="${NC}" message-id="1"><get><filter type="subtree"><b xmlns="urn:a"/><a xmlns="urn:a"/></filter></get></rpc>`)).toBe(false);
    expect(same(recorded, `<rpc xmlns="${NC}" message-id="1"><get-config><filter type="subtree"><a xmlns="urn:a"/><b xmlns="urn:a"/></filter></get-config></rpc>`)).toBe(false);
    expect(same(`<rpc message-id="1"><x>a</x></rpc>`, `<rpc message-id="1"><x>b</x></rpc>`)).toBe(false);
  });

  it('a masked secret matches whatever stands in its place, the rest still has to match', () => {
    const recorded = `<rpc message-id="1"><load-configuration><configuration><secret>**redacted-1**</secret><snmp><community>**redacted-2**</community></snmp></configuration></load-configuration></rpc>`;
    expect(same(recorded, `<rpc message-id="9"><load-configuration><configuration><secret>radius</secret><snmp><community><name>pub</name><authorization>read-only</authorization></community></snmp></configuration></load-configuration></rpc>`)).toBe(true);
    expect(same(recorded, `<rpc message-id="9"><load-configuration><configuration><secret>radius</secret><snmp/></configuration></load-configuration></rpc>`)).toBe(false);
  });

  it('text that cannot be walked still matches itself', () => {
    expect(same('<rpc><a>broken</rpc>', '<rpc><a>broken</rpc>')).toBe(true);
    expect(same('<rpc><a>broken</rpc>', '<rpc><a>other</rpc>')).toBe(false);
  });

  it('reads markup, not patterns: comments, instructions and CDATA that hold tags, ">" in attribute values', () => {
    const recorded = `<rpc message-id="1"><get-config><source><running/></source><filter type="xpath" select="/a[b>1]"/></get-config></rpc>`;
    const key = requestKey(`<?xml version="1.0"?><!-- <rpc><kill-session/></rpc> --><rpc message-id='x>y'><?pi <lock/>?><get-config><!-- <edit-config> -->`
      + `<source><running/></source><filter select='/a[b&gt;1]' type="xpath"></filter></get-config></rpc>`);
    expect(key.operation).toBe('get-config');
    expect(keyMatcher(requestKey(recorded))(key)).toBe(true);
    expect(requestKey('<rpc><x><![CDATA[<y/> & z]]></x></rpc>').body).toBe(requestKey('<rpc><x>&lt;y/&gt; &amp; z</x></rpc>').body);
    expect(requestKey('<rpc><x><![CDATA[<y/>]]></x></rpc>').body).not.toBe(requestKey('<rpc><x><y/></x></rpc>').body);
  });

  it('falls back to the text itself where a tag cannot be read, and names the first element', () => {
    const key = requestKey('<rpc message-id=1><get/></rpc>');
    expect(key).toEqual({ operation: 'rpc', body: '<rpc message-id=1><get/></rpc>' });
    expect(same('<rpc message-id=1><get/></rpc>', '<rpc  message-id=1><get/></rpc>')).toBe(true);
  });

  it('several masked secrets each match anything, in order, and the text around them must match', () => {
    const recorded = `<rpc><c><a>**redacted-1**</a><b>**redacted-2**</b></c></rpc>`;
    expect(same(recorded, `<rpc><c><a>one</a><b>two</b></c></rpc>`)).toBe(true);
    expect(same(recorded, `<rpc><c><a></a><b></b></c></rpc>`)).toBe(true);
    expect(same(recorded, `<rpc><c><b>two</b><a>one</a></c></rpc>`)).toBe(false);
    expect(same(recorded, `<rpc><c><a>one</a><b>two</b></c><d/></rpc>`)).toBe(false);
    expect(same(`<rpc><a>**redacted-1**</a></rpc>`, `<rpc><a>x.*</a></rpc>`)).toBe(true);
  });
});
