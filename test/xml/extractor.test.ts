import { describe, expect, it } from 'vitest';
import { MalformedXmlError, NetconfError } from '../../src/errors/index.js';
import type { DeviceError } from '../../src/errors/device-error.js';
import { ErrorExtractor, type MessageSummary } from '../../src/xml/extractor.js';
import { bytewise, fixture } from '../support/fixtures.js';

function extract(bytes: Buffer | string, chunks?: (b: Buffer) => Buffer[]): MessageSummary {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const x = new ErrorExtractor();
  for (const c of chunks ? chunks(buf) : [buf]) x.push(c);
  return x.end();
}

const splits: [string, ((b: Buffer) => Buffer[]) | undefined][] = [
  ['whole', undefined],
  ['byte by byte', bytewise],
];

describe.each(splits)('ErrorExtractor (%s)', (_label, chunks) => {
  const run = (b: Buffer | string) => extract(b, chunks);

  it('is not fooled by comments, CDATA, PIs, attribute values or escaped text', () => {
    const s = run(fixture('edge/decoys.xml'));
    expect(s.root?.local).toBe('rpc-reply');
    expect(s.messageId).toBe('decoy');
    expect(s.items).toHaveLength(1);
    const e = s.items[0]!;
    expect(e.tag).toBe('invalid-value');
    expect(e.code).toBe('INVALID_VALUE');
    // Comment left out, CDATA kept verbatim, entities and character references decoded.
    expect(e.deviceMessage).toBe('value <b>&amp;</b> & AB after');
    expect(e.messageLang).toBe('en');
  });

  it('finds rpc-error by local name with any prefix, namespace or depth', () => {
    const s = run(fixture('edge/prefixes.xml'));
    expect(s.root).toMatchObject({ name: 'nc:rpc-reply', local: 'rpc-reply', namespace: 'urn:ietf:params:xml:ns:netconf:base:1.0' });
    expect(s.items.map((i) => [i.tag, i.level, i.code])).toEqual([
      ['lock-denied', 'error', 'LOCK_DENIED'],
      ['data-missing', 'warning', 'DATA_MISSING'],
      ['operation-failed', 'error', 'OPERATION_FAILED'],
    ]);
    expect(s.items[0]!.sessionId).toBe(0);
    expect(s.items[0]!.retryable).toBe(true);
  });

  it('reads the session-id of error-info as a number, like Session.sessionId; other text is null, kept in info', () => {
    const reply = (id: string) => extract(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><rpc-error><error-type>protocol</error-type>`
      + `<error-tag>lock-denied</error-tag><error-severity>error</error-severity><error-info><session-id>${id}</session-id></error-info></rpc-error></rpc-reply>`).items[0]!;
    expect(reply(' 454 ').sessionId).toBe(454);
    expect(reply('0').sessionId).toBe(0);
    const odd = reply('cli-7');
    expect(odd.sessionId).toBeNull();
    expect(odd.info).toEqual({ 'session-id': 'cli-7' });
    expect(odd.toJSON().sessionId).toBeNull();
  });

  it('treats xnm names inside <configuration> as data, and finds xnm items outside it', () => {
    const s = run(fixture('edge/junos-config-data.xml'));
    expect(s.items).toHaveLength(1);
    expect(s.items[0]).toMatchObject({ kind: 'xnm:warning', level: 'warning', sourceDaemon: 'mgd', code: 'CONFIG_WARNING' });
    expect(s.items[0]!.deviceMessage).toBe('uncommitted changes will be discarded on exit');
  });

  it('finds an unprefixed xnm <error> in one multi-routing-engine item and names its engine', () => {
    const s = run(fixture('edge/multi-re.xml'));
    expect(s.items).toHaveLength(1);
    expect(s.items[0]).toMatchObject({ kind: 'xnm:error', routingEngine: 'node1', sourceDaemon: 'someproc', code: 'CONFIG_REJECTED' });
  });

  it('keeps the whole RFC 6241 error-info structure', () => {
    const [bad, partial, empty] = run(fixture('edge/rfc-info.xml')).items as [DeviceError, DeviceError, DeviceError];
    expect(bad.path).toBe("/if:interfaces/if:interface[if:name='eth0']/ip:ipv4");
    expect(bad.pathNamespaces).toMatchObject({
      if: 'urn:ietf:params:xml:ns:yang:ietf-interfaces',
      ip: 'urn:ietf:params:xml:ns:yang:ietf-ip',
      '': 'urn:ietf:params:xml:ns:netconf:base:1.0',
    });
    expect(bad.deviceMessage).toBe('valeur étrange');
    expect(bad.messageLang).toBe('fr');
    expect(bad.appTag).toBe('data-invalid');
    expect(bad.badAttributes).toEqual([
      { attribute: 'operation', element: 'ipv4' },
      { attribute: 'insert', element: 'address' },
    ]);
    expect(bad.badElement).toBe('ipv4');
    expect(bad.badNamespace).toBe('urn:example:nope');
    expect(bad.info).toEqual({
      'bad-attribute': ['operation', 'insert'],
      'bad-element': ['ipv4', 'address'],
      'bad-namespace': 'urn:example:nope',
      'vendor-detail': 'too & many',
    });
    expect(bad.unknownInfo).toEqual(['<vendor-detail xmlns="urn:example:vendor" code="42"><reason>too &amp; many</reason></vendor-detail>']);
    expect(partial.okElements).toEqual(['interface', 'route']);
    expect(partial.errElements).toEqual(['acl']);
    expect(partial.noopElements).toEqual(['qos']);
    expect(partial.code).toBe('PARTIAL_OPERATION');
    // An empty <rpc-error/> is still an error: no severity counts as error.
    expect(empty).toMatchObject({ severity: null, level: 'error', code: 'DEVICE_ERROR', message: 'rpc-error without error-message' });
  });

  it('reports hasOk, a byte order mark and a banner before the first "<"', () => {
    const s = run(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rpc-reply message-id="5"><ok/></rpc-reply>')]));
    expect(s).toMatchObject({ bom: true, hasOk: true, messageId: '5', skippedText: null, items: [] });
    const banner = run('Password:\r\n  <hello><session-id>1</session-id></hello>');
    expect(banner.skippedText).toBe('Password:');
    expect(banner.root?.local).toBe('hello');
  });
});

describe.each(splits)('ErrorExtractor and the XML declaration (%s)', (_label, chunks) => {
  const refused = (xml: string) => expect(() => extract(xml, chunks)).toThrow(expect.objectContaining({ code: 'MALFORMED_XML', message: expect.stringMatching(/XML declaration/) }));

  it('accepts one at the start, after whitespace or a banner, and other instructions anywhere', () => {
    expect(extract('<?xml version="1.0" encoding="UTF-8"?><rpc-reply message-id="1"><ok/></rpc-reply>', chunks).hasOk).toBe(true);
    expect(extract('\nbanner text\n<?xml version="1.0"?>\n<rpc-reply message-id="1"/>', chunks).messageId).toBe('1');
    expect(extract('<?xml version="1.0"?><rpc-reply><?xml-stylesheet href="a"?><data/><?xmlfoo?></rpc-reply>', chunks).root?.local).toBe('rpc-reply');
  });

  it('refuses a second one, one inside or after the root, and one after a comment or another instruction', () => {
    refused('<?xml version="1.0"?><?xml version="1.0"?><rpc-reply/>');
    refused('<rpc-reply><?xml version="1.0"?></rpc-reply>');
    refused('<rpc-reply><data><?XML version="1.0"?></data></rpc-reply>');
    refused('<rpc-reply/><?xml version="1.0"?>');
    refused('<!-- a comment --><?xml version="1.0"?><rpc-reply/>');
    refused('<?pi x?><?xml?><rpc-reply/>');
  });
});

describe('ErrorExtractor and deep nesting within maxDepth', () => {
  it('gives a typed item for an <rpc-error> whose content nests thousands of levels deep', () => {
    const deep = `${'<x>'.repeat(5000)}deep${'</x>'.repeat(5000)}`;
    const x = new ErrorExtractor({}, { maxDepth: 6000 });
    x.push(Buffer.from(`<rpc-reply><rpc-error><error-tag>operation-failed</error-tag><error-severity>error</error-severity>`
      + `<error-message>${deep}</error-message><error-path>${deep}</error-path><error-info><bad-element>${deep}</bad-element><vendor>${deep}</vendor></error-info></rpc-error></rpc-reply>`));
    const [item] = x.end().items;
    expect(item!.code).toBe('OPERATION_FAILED');
    expect(item!.deviceMessage).toBe('deep');
    expect(item!.badElement).toBe('deep');
    expect(item!.unknownInfo[0]!.startsWith('<vendor><x><x>')).toBe(true);
    expect(item!.unknownInfo[0]!.endsWith('</x></x></vendor>')).toBe(true);
  });
});

describe('ErrorExtractor delivers each item before the message ends', () => {
  it('emits an item as soon as its end tag has been read', () => {
    const seen: string[] = [];
    const x = new ErrorExtractor({ onItem: (e) => seen.push(e.tag ?? '') });
    const head = '<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error>';
    x.push(Buffer.from(head.slice(0, -1)));
    expect(seen).toEqual([]);
    x.push(Buffer.from(head.slice(-1)));
    expect(seen).toEqual(['in-use']);
    x.push(Buffer.from('<data>'.padEnd(10_000, ' ')));
    x.push(Buffer.from('</data></rpc-reply>'));
    expect(x.end().items).toHaveLength(1);
  });

  it('keeps a bounded carry while a large reply with no errors streams through', () => {
    const x = new ErrorExtractor({}, { maxTagBytes: 256 });
    x.push(Buffer.from('<rpc-reply message-id="big"><data>'));
    const block = Buffer.from('<interface><name>ge-0/0/0</name><description>uplink &amp; more</description></interface>\n'.repeat(2000));
    // Odd chunk sizes put tag boundaries everywhere; a tag limit of 256 bytes must still hold.
    for (let i = 0; i < 20; i++) for (let k = 0; k < block.length; k += 8191) x.push(block.subarray(k, k + 8191));
    x.push(Buffer.from('</data></rpc-reply>'));
    expect(x.end()).toMatchObject({ messageId: 'big', items: [] });
  });
});

describe('ErrorExtractor refuses what NETCONF forbids', () => {
  const refuse = (xml: string | Buffer, pattern: RegExp) => {
    let caught: unknown;
    try {
      extract(xml);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MalformedXmlError);
    expect((caught as NetconfError).code).toBe('MALFORMED_XML');
    expect((caught as Error).message).toMatch(pattern);
  };

  it.each([
    ['attacks/entity-bomb.xml'],
    ['attacks/external-entity.xml'],
  ])('refuses the DOCTYPE in %s', (name) => refuse(fixture(name), /DOCTYPE/));

  it('refuses an undeclared entity inside an error', () => refuse(fixture('attacks/undeclared-entity.xml'), /entity &nbsp;/));
  it('refuses mismatched end tags', () => refuse('<rpc-reply><data></rpc-reply>', /does not match/));
  it('refuses a message that ends inside the root', () => refuse('<rpc-reply><data/>', /ended before <\/rpc-reply>/));
  it('refuses a second root', () => refuse('<rpc-reply/><rpc-reply/>', /second root/));
  it('refuses text after the root', () => refuse('<rpc-reply/>junk', /Text outside the root/));
  it('refuses nesting deeper than the limit', () => {
    const x = new ErrorExtractor({}, { maxDepth: 16 });
    expect(() => x.push(Buffer.from('<a>'.repeat(17)))).toThrow(/nest deeper than 16/);
  });
  it('refuses a tag longer than the limit, even when it arrives in pieces', () => {
    const x = new ErrorExtractor({}, { maxTagBytes: 100 });
    x.push(Buffer.from('<rpc-reply a="'));
    expect(() => x.push(Buffer.from('x'.repeat(200)))).toThrow(/longer than 100 bytes/);
  });
  it('refuses an error element larger than the limit with MESSAGE_TOO_LARGE', () => {
    const x = new ErrorExtractor({}, { maxItemBytes: 1000 });
    x.push(Buffer.from('<rpc-reply><rpc-error><error-message>'));
    expect(() => x.push(Buffer.from('y'.repeat(2000)))).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
  });
  it('stays failed after an error', () => {
    const x = new ErrorExtractor();
    expect(() => x.push(Buffer.from('<!DOCTYPE x>'))).toThrow(MalformedXmlError);
    expect(() => x.push(Buffer.from('<rpc-reply/>'))).toThrow(MalformedXmlError);
  });
});

describe.each(splits)('ErrorExtractor compares end tags by their bytes (%s)', (_label, chunks) => {
  const codeOf = (xml: string): string | null => {
    try {
      extract(xml, chunks);
      return null;
    } catch (err) {
      return (err as NetconfError).code;
    }
  };
  const long = 'n'.repeat(300);

  it.each([
    ['names whose 32-bit hashes collide', '<Aa></BB>'],
    ['the same prefix on a different name', '<rpc-reply><a:x></a:y></rpc-reply>'],
    ['a different prefix on the same name', '<rpc-reply><a:x></b:x></rpc-reply>'],
    ['a long name differing only in its last byte', `<rpc-reply><${long}a></${long}b></rpc-reply>`],
    ['an end tag one byte shorter', `<rpc-reply><${long}></${long.slice(1)}></rpc-reply>`],
    ['an end tag one byte longer', '<rpc-reply><ab></abc></rpc-reply>'],
    ['an end tag that closes the parent, skipping the child', '<rpc-reply><data><x></data></x></rpc-reply>'],
    ['an end tag with more than a name', '<rpc-reply></rpc-reply junk>'],
  ])('refuses %s with MALFORMED_XML', (_what, xml) => {
    expect(codeOf(xml)).toBe('MALFORMED_XML');
  });

  it('keeps the names of elements still open when a push ends, though the caller then overwrites that chunk', () => {
    const push = (xml: string, cut: number): MessageSummary => {
      const x = new ErrorExtractor();
      for (const part of [xml.slice(0, cut), xml.slice(cut)]) {
        const b = Buffer.from(part);
        x.push(b);
        b.fill(0x78);
      }
      return x.end();
    };
    const good = '<rpc-reply><interfaces><interface><name>ge-0/0/0</name></interface></interfaces></rpc-reply>';
    const bad = '<rpc-reply><interfaces><interface></interfaces></interface></rpc-reply>';
    for (let cut = 1; cut < good.length; cut++) expect(push(good, cut).root?.local).toBe('rpc-reply');
    for (let cut = 1; cut < bad.length; cut++) expect(() => push(bad, cut)).toThrow(/end tag <\/interfaces> does not match its start tag <interface>/);
  });

  it('names both tags in the message', () => {
    expect(() => extract('<rpc-reply><Aa></BB></rpc-reply>', chunks)).toThrow(/end tag <\/BB> does not match its start tag <Aa>/);
  });

  it('gives both names as written in tagMismatch, prefixes kept', () => {
    let caught: unknown;
    try {
      extract('<rpc-reply><commit-results><junos:routing-engine></commit-results></rpc-reply>', chunks);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MalformedXmlError);
    expect((caught as MalformedXmlError).tagMismatch).toEqual({ start: 'junos:routing-engine', end: 'commit-results' });
  });

  it('accepts matching names: prefixed, long, multi-byte UTF-8, and deep nesting', () => {
    const deep = Array.from({ length: 500 }, (_, d) => `p${d % 7}:e${d}`);
    const xml = `<rpc-reply message-id="1"><${long}>x</${long} ><é:données/><é:données></é:données>`
      + deep.map((n) => `<${n}>`).join('') + deep.reverse().map((n) => `</${n}>`).join('')
      + `</rpc-reply>`;
    expect(extract(xml, chunks)).toMatchObject({ messageId: '1', items: [] });
  });

  it('still finds an error after a name stack that grew and shrank', () => {
    const open = Array.from({ length: 100 }, (_, d) => `<level-${d}-${'z'.repeat(d)}>`);
    const close = open.map((t) => `</${t.slice(1)}`).reverse();
    const xml = `<rpc-reply>${open.join('')}${close.join('')}<rpc-error><error-tag>in-use</error-tag></rpc-error></rpc-reply>`;
    expect(extract(xml, chunks).items.map((i) => i.tag)).toEqual(['in-use']);
  });
});

describe('ErrorExtractor keeps its own copy of open element names', () => {
  it('compares with the name as it was, after the caller reused the chunk holding it', () => {
    const x = new ErrorExtractor();
    const chunk = Buffer.from('<rpc-reply><abc>');
    x.push(chunk);
    chunk.fill(0x78); // the caller reuses its buffer: "xxxxxxxxxxxxxxxx"
    expect(() => x.push(Buffer.from('</xxx>'))).toThrow(MalformedXmlError);
    const y = new ErrorExtractor();
    const again = Buffer.from('<rpc-reply><abc>');
    y.push(again);
    again.fill(0x78);
    y.push(Buffer.from('</abc></rpc-reply>'));
    expect(y.end().root?.name).toBe('rpc-reply');
  });
});
