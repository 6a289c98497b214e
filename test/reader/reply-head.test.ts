import { describe, expect, it } from 'vitest';
import { readReplyHead } from '../../src/reader/reply-head.js';

const NS = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"';

describe('readReplyHead: the root of a reply the extractor gave up on', () => {
  it.each([
    ['a DOCTYPE first', `<!DOCTYPE x [<!ENTITY a "b">]><rpc-reply ${NS} message-id="7"><ok/>`, { name: 'rpc-reply', messageId: '7' }],
    ['a declaration and a comment first, a prefix', `<?xml version="1.0"?><!-- <rpc-reply message-id="1"> --><nc:rpc-reply xmlns:nc="x" message-id='8'>`, { name: 'nc:rpc-reply', messageId: '8' }],
    ['entities in the message-id', `<rpc-reply message-id="a&amp;b">`, { name: 'rpc-reply', messageId: 'a&b' }],
    ['no message-id', `<rpc-reply ${NS}><ok/>`, { name: 'rpc-reply', messageId: null }],
    ['an unquoted message-id', `<rpc-reply ${NS} message-id=5><ok/>`, { name: 'rpc-reply', messageId: null }],
    ['a malformed attribute before it', `<rpc-reply bogus message-id="5">`, { name: 'rpc-reply', messageId: null }],
    ['a malformed attribute after it', `<rpc-reply message-id="5" bogus>`, { name: 'rpc-reply', messageId: '5' }],
    ['an undeclared entity in it', `<rpc-reply message-id="&nbsp;">`, { name: 'rpc-reply', messageId: null }],
    ['a cut tag with another reply glued to it (in a value)', `<rpc-reply xmlns="ur<rpc-reply ${NS} message-id="2"><ok/>`, { name: 'rpc-reply', messageId: '2' }],
    ['a cut tag with another reply glued to it (in the name)', `<rpc-re<rpc-reply message-id="3"><ok/>`, { name: 'rpc-reply', messageId: '3' }],
    ['a cut tag with another reply glued to it (in an attribute name)', `<rpc-reply mess<rpc-reply message-id="4"><ok/>`, { name: 'rpc-reply', messageId: '4' }],
    ['a run of "<" before the reply', `<!DOCTYPE x>${'<'.repeat(3000)}<rpc-reply message-id="5">`, { name: 'rpc-reply', messageId: '5' }],
    ['a run of "<" in an attribute name', `<rpc-reply a${'<'.repeat(3000)}rpc-reply message-id="6">`, { name: 'rpc-reply', messageId: '6' }],
    ['not a reply', `<hello ${NS}>`, null],
    ['an end tag first', '</rpc-reply>', null],
  ])('%s', (_, head, expected) => {
    expect(readReplyHead(head, true)).toEqual(expected);
  });

  it('asks for more until the start tag is whole, unless no more will come', () => {
    for (const head of ['', '<', '<!-- x', '<rpc-re', `<rpc-reply ${NS}`, '<rpc-reply message-id="4']) {
      expect(readReplyHead(head, false)).toBe('more');
    }
    expect(readReplyHead('<rpc-reply message-id="4', true)).toEqual({ name: 'rpc-reply', messageId: null });
    expect(readReplyHead('<!-- x', true)).toBeNull();
  });
});
