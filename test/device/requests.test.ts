import { describe, expect, it } from 'vitest';
import { attributesOf, hasElement, innerOf, textOf } from '../../src/device/junos-requests.js';
import { firstChildOf, helloCapabilities, parseMessage } from '../../src/device/requests.js';

describe('parseMessage', () => {
  it('names the operation: the root\'s first child element, past comments, CDATA-free markup and instructions, any prefix', () => {
    const xml = '<?xml version="1.0"?><!-- <kill-session/> --><nc:rpc xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="7" note="a>b">'
      + '<?pi <lock/>?><!-- <lock/> --><x:get-config xmlns:x="urn:ietf:params:xml:ns:netconf:base:1.0"/></nc:rpc>';
    expect(parseMessage(Buffer.from(xml))).toEqual({ ok: true, root: 'rpc', messageId: '7', operation: 'get-config' });
  });

  it('gives an empty operation for an empty or self-closing root, and a reason for what is not XML', () => {
    expect(parseMessage(Buffer.from('<rpc message-id="1"/>'))).toMatchObject({ ok: true, operation: '' });
    expect(parseMessage(Buffer.from('<rpc message-id="1"><!-- <get/> --></rpc>'))).toMatchObject({ ok: true, operation: '' });
    expect(parseMessage(Buffer.from('no xml'))).toMatchObject({ ok: false });
  });
});

describe('helloCapabilities', () => {
  it('reads each capability, any prefix, entities decoded, CDATA kept, comments dropped', () => {
    const xml = '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
      + '<capability> urn:ietf:params:netconf:base:1.1 </capability><nc:capability xmlns:nc="x">urn:a?x=1&amp;y=2</nc:capability>'
      + '<capability><!-- base:1.0 -->urn:b</capability><capability><![CDATA[urn:c<d>]]></capability></capabilities></hello>';
    expect(helloCapabilities(xml)).toEqual(['urn:ietf:params:netconf:base:1.1', 'urn:a?x=1&y=2', 'urn:b', 'urn:c<d>']);
  });

  it('leaves out a capability whose entity cannot be decoded, and one never closed', () => {
    expect(helloCapabilities('<hello><capability>urn:&bad;</capability><capability>urn:ok</capability><capability>urn:cut')).toEqual(['urn:ok']);
  });
});

describe('firstChildOf', () => {
  it('gives the local name of the first child, past comments and white space; null when there is none', () => {
    expect(firstChildOf('<lock><target a="x>y">\n  <!-- <running/> --><nc:candidate/></target></lock>', 'target')).toBe('candidate');
    expect(firstChildOf('<lock><nc:target/><running/></lock>', 'target')).toBeNull();
    expect(firstChildOf('<lock><source><running/></source></lock>', 'target')).toBeNull();
  });
});

describe('Junos request reading', () => {
  const xml = '<rpc><!-- <load-configuration action="merge"/> --><j:load-configuration xmlns:j="x" action="replace" format=\'text\' url="a&amp;b>c">'
    + '<configuration-text><![CDATA[system { host-name <r1>; }]]> &amp; more<!-- dropped --></configuration-text>'
    + '<configuration><system/></configuration><configuration>second</configuration></j:load-configuration></rpc>';

  it('reads the attributes of the first element, quotes and > in values respected, entities decoded', () => {
    expect(attributesOf(xml, 'load-configuration')).toEqual({ 'xmlns:j': 'x', action: 'replace', format: 'text', url: 'a&b>c' });
    expect(attributesOf(xml, 'commit')).toBeNull();
  });

  it('knows whether an element occurs, not counting one inside a comment or CDATA', () => {
    expect(hasElement(xml, 'configuration-text')).toBe(true);
    expect(hasElement('<rpc><!-- <check/> --><commit/></rpc>', 'check')).toBe(false);
    expect(hasElement('<rpc><c><![CDATA[<check/>]]></c></rpc>', 'check')).toBe(false);
  });

  it('gives the inner XML of the first element up to its own end tag', () => {
    expect(innerOf(xml, 'configuration')).toBe('<system/>');
    expect(innerOf('<a><check/></a>', 'check')).toBe('');
    expect(innerOf(xml, 'absent')).toBeNull();
  });

  it('gives the text: CDATA as written, entities decoded, markup and comments dropped', () => {
    expect(textOf(xml, 'configuration-text')).toBe('system { host-name <r1>; } & more');
    expect(textOf('<command format="text">show  version</command>', 'command')).toBe('show  version');
    expect(textOf(xml, 'absent')).toBeNull();
  });
});
