import { describe, expect, it } from 'vitest';
import { isCompleteReply, notificationXml, padReply, renderReply } from '../../src/device/replies.js';

describe('isCompleteReply and renderReply', () => {
  it('take a reply that starts with its own <rpc-reply> (any prefix, after a declaration, comments or instructions) as complete', () => {
    for (const reply of [
      '<rpc-reply message-id="{{message-id}}"><ok/></rpc-reply>',
      '  <?xml version="1.0"?>\n<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><ok/></nc:rpc-reply>',
      '<!-- <data/> --><?pi x?><rpc-reply a="x>y"/>',
    ]) expect(isCompleteReply(reply)).toBe(true);
    expect(renderReply('<rpc-reply message-id="{{message-id}}"/>', 'a&b')).toBe('<rpc-reply message-id="a&amp;b"/>');
  });

  it('wrap anything else: content, text before the element, a namesake in a comment or CDATA', () => {
    for (const reply of ['<ok/>', 'x <rpc-reply/>', '<!-- <rpc-reply> --><data/>', '<data><![CDATA[<rpc-reply>]]></data>', '<rpc-replyx/>', '', '&bad; <rpc-reply/>']) {
      expect(isCompleteReply(reply)).toBe(false);
    }
    expect(renderReply('<ok/>', '5')).toBe('<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="5"><ok/></rpc-reply>');
  });
});

describe('notificationXml', () => {
  it('leaves a <notification> (any prefix) as it is and wraps anything else', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const done = '<!-- c -->\n<n:notification xmlns:n="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>t</eventTime><e/></n:notification>';
    expect(notificationXml(done, now)).toBe(done);
    expect(notificationXml('<event><notification/></event>', now)).toBe(
      '<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2026-01-01T00:00:00.000Z</eventTime><event><notification/></event></notification>',
    );
  });
});

describe('padReply', () => {
  const pad = (message: string, bytes: number) => padReply(message, bytes).toString('utf8');

  it('pads inside the reply\'s <data>, before its own end tag, exactly `bytes` long', () => {
    const message = '<rpc-reply><!-- </data> --><nc:data xmlns:nc="u" a="x>y"><data>inner</data></nc:data></rpc-reply>';
    const out = pad(message, 130);
    expect(out.length).toBe(message.length + 130);
    expect(out.startsWith('<rpc-reply><!-- </data> --><nc:data xmlns:nc="u" a="x>y"><data>inner</data><filler>')).toBe(true);
    expect(out.endsWith('</filler>\n</nc:data></rpc-reply>')).toBe(true);
  });

  it('opens an empty <data/> up (attributes kept) rather than adding a second one, and adds <data> where there is none', () => {
    expect(pad('<rpc-reply><nc:data xmlns:nc="u" /></rpc-reply>', 3)).toBe('<rpc-reply><nc:data xmlns:nc="u">   </nc:data></rpc-reply>');
    expect(pad('<rpc-reply><data/></rpc-reply>', 2)).toBe('<rpc-reply><data>  </data></rpc-reply>');
    expect(pad('<rpc-reply><ok/></rpc-reply>', 1)).toBe('<rpc-reply><ok/><data> </data></rpc-reply>');
  });
});
