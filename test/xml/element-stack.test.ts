import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MalformedXmlError } from '../../src/errors/index.js';
import { ErrorExtractor, type ExtractorLimits, type MessageSummary } from '../../src/xml/extractor.js';

// The element stack lives in the memory of one WebAssembly instance shared by every extractor;
// these check that extractors reading at the same time keep their own stacks, and that the
// stack and the pass's window grow past their first sizes.

const rpcError = (tag: string) => `<rpc-error><error-type>application</error-type><error-tag>${tag}</error-tag><error-severity>error</error-severity></rpc-error>`;

/** A reply whose items sit under `depth` ordinary elements. */
function nested(depth: number, name: (d: number) => string, tag: string): string {
  let open = '';
  let close = '';
  for (let d = 0; d < depth; d++) {
    open += `<${name(d)}>\n`;
    close = `</${name(d)}>\n${close}`;
  }
  return `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>${open}${rpcError(tag)}${close}</data>${rpcError(`${tag}-end`)}</rpc-reply>`;
}

function extract(message: string | Buffer, limits?: ExtractorLimits): MessageSummary {
  const x = new ErrorExtractor({}, limits);
  x.push(Buffer.from(message));
  return x.end();
}

const tags = (s: MessageSummary) => s.items.map((i) => i.tag);

describe('the element stack shared by extractors', () => {
  it('keeps each extractor its stack when their pushes interleave', () => {
    const a = Buffer.from(nested(40, (d) => `a${d}`, 'in-use'));
    const b = Buffer.from(nested(30, (d) => `bb-${d}`, 'lock-denied'));
    const xa = new ErrorExtractor();
    const xb = new ErrorExtractor();
    // Each push of one ends inside the other's elements.
    const step = 97;
    for (let i = 0; i < Math.max(a.length, b.length); i += step) {
      if (i < a.length) xa.push(a.subarray(i, i + step));
      if (i < b.length) xb.push(b.subarray(i, i + step));
    }
    expect(tags(xa.end())).toEqual(['in-use', 'in-use-end']);
    expect(tags(xb.end())).toEqual(['lock-denied', 'lock-denied-end']);
  });

  it('keeps an extractor its stack when a callback reads another message', () => {
    const inner: (string | null)[][] = [];
    const x = new ErrorExtractor({ onItem: () => inner.push(tags(extract(nested(20, (d) => `inner-${d}`, 'data-missing')))) });
    const outer = Buffer.from(nested(25, (d) => `outer-${d}`, 'in-use'));
    for (let i = 0; i < outer.length; i += 50) x.push(outer.subarray(i, i + 50));
    expect(tags(x.end())).toEqual(['in-use', 'in-use-end']);
    expect(inner).toEqual([['data-missing', 'data-missing-end'], ['data-missing', 'data-missing-end']]);
  });

  it('knows what ended when a callback read another message at that end tag', () => {
    // <configuration> is cut out by watchPath; while its end tag is read, the callback's
    // extractor fills the stack with its own elements. The xnm:error after it is an item only
    // if <configuration> is known to have ended.
    const message = '<rpc-reply xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"><configuration><a><b/></a></configuration><xnm:error><message>m</message></xnm:error></rpc-reply>';
    const cut: string[] = [];
    const x = new ErrorExtractor({
      onRoot: () => x.watchPath(['configuration']),
      onPathElement: (buf, start, end) => {
        cut.push(buf.toString('utf8', start, end));
        expect(extract('<rpc-reply><data><x><y/></x></data></rpc-reply>').root?.name).toBe('rpc-reply');
      },
    });
    x.push(Buffer.from(message));
    expect(x.end().items.map((i) => [i.kind, i.deviceMessage])).toEqual([['xnm:error', 'm']]);
    expect(cut).toEqual(['<configuration><a><b/></a></configuration>']);
  });

  it('checks end tags against the right names after another extractor took the stack', () => {
    const x = new ErrorExtractor();
    x.push(Buffer.from('<rpc-reply><data><outer><inner>'));
    expect(tags(extract(nested(5, (d) => `other${d}`, 'in-use')))).toEqual(['in-use', 'in-use-end']);
    expect(() => x.push(Buffer.from('</outer>'))).toThrow(/<\/outer> does not match its start tag <inner>/);
  });

  it('grows past its first size: deep nesting and long names, pushed whole and in pieces', () => {
    const name = (d: number) => `element-with-a-rather-long-name-${d}`;
    const message = Buffer.from(nested(3000, name, 'too-big'));
    expect(tags(extract(message, { maxDepth: 4000 }))).toEqual(['too-big', 'too-big-end']);
    const x = new ErrorExtractor({}, { maxDepth: 4000 });
    for (let i = 0; i < message.length; i += 1000) x.push(message.subarray(i, i + 1000));
    expect(tags(x.end())).toEqual(['too-big', 'too-big-end']);
    expect(() => extract(message, { maxDepth: 2500 })).toThrow(/Elements nest deeper than 2500/);
    const broken = nested(3000, name, 'too-big').replace('</element-with-a-rather-long-name-1500>', '</element-with-a-rather-long-name-15OO>');
    expect(() => extract(broken, { maxDepth: 4000 })).toThrow(/<\/element-with-a-rather-long-name-15OO> does not match its start tag <element-with-a-rather-long-name-1500>/);
  });

  it('reads a tag longer than its window', () => {
    const long = 'v'.repeat(200 * 1024);
    const message = `<rpc-reply><data><a x="${long}"><b y='${long}'/></a><c z="${long}">text</c></data>${rpcError('in-use')}</rpc-reply>`;
    expect(tags(extract(message, { maxTagBytes: 256 * 1024 }))).toEqual(['in-use']);
    expect(() => extract(message)).toThrow(MalformedXmlError);
    expect(() => extract(message)).toThrow(/A tag is longer than 65536 bytes/);
  });

  it('finds a mismatched end tag where a window ends', () => {
    // Ordinary elements across several 64 KiB windows, then one end tag of the wrong name.
    const body = '<entry><name>x</name><value>y</value></entry>\n'.repeat(5000);
    const message = `<rpc-reply><data><list>${body}</lists></data></rpc-reply>`;
    expect(() => extract(message)).toThrow(/<\/lists> does not match its start tag <list> \(at byte \d+/);
    let caught: unknown = null;
    try {
      extract(message);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MalformedXmlError);
    expect((caught as MalformedXmlError).offset).toBe(message.indexOf('</lists>'));
  });
});

describe('namespace declarations repeated by list entries', () => {
  const XNM = 'http://xml.juniper.net/xnm/1.1/xnm';
  const xnmError = (m: string) => `<xnm:error><message>${m}</message></xnm:error>`;
  const splits: [string, (b: Buffer) => Buffer[]][] = [
    ['whole', (b) => [b]],
    ['in pieces of 7 bytes', (b) => Array.from({ length: Math.ceil(b.length / 7) }, (_, k) => b.subarray(k * 7, k * 7 + 7))],
    ['byte by byte', (b) => Array.from(b, (_, k) => b.subarray(k, k + 1))],
  ];
  const run = (message: string, split: (b: Buffer) => Buffer[]) => {
    const x = new ErrorExtractor();
    for (const piece of split(Buffer.from(message))) x.push(piece);
    return x.end().items.map((i) => [i.kind, i.deviceMessage]);
  };

  it.each(splits)('each entry opening a new scope keeps it to its end tag (%s)', (_label, split) => {
    const entry = (inner: string) => `<entry xmlns:xnm="${XNM}"><name>e</name>${inner}</entry>\n`;
    // The first entry's declaration is read; the next ones repeat it; an xnm:error is an item
    // only where xnm is bound: inside an entry, not after the list.
    const message = `<rpc-reply><data><list>${entry('')}${entry('<a><b/></a>')}${entry(xnmError('inside'))}${entry('')}</list>${xnmError('outside')}</data></rpc-reply>`;
    expect(run(message, split)).toEqual([['xnm:error', 'inside']]);
  });

  it.each(splits)('an entry re-declaring what is in scope changes nothing (%s)', (_label, split) => {
    const entry = (inner: string) => `<entry xmlns:xnm="${XNM}">${inner}</entry>`;
    const message = `<rpc-reply><data><list xmlns:xnm="${XNM}">${entry('')}${entry('<x/>')}${entry(xnmError('in an entry'))}${xnmError('in the list')}</list>${xnmError('after the list')}</data></rpc-reply>`;
    expect(run(message, split)).toEqual([['xnm:error', 'in an entry'], ['xnm:error', 'in the list']]);
  });

  it('tells a different declaration of the same length from the one repeated', () => {
    const message = `<rpc-reply><data><e xmlns:xnm="${XNM}"/><e xmlns:xnm="${XNM}"><k/></e><e xmlns:xnm="${XNM.replace('xnm/1.1', 'xnm/1.2')}">${xnmError('not xnm')}</e><e xmlns:xnm="${XNM}">${xnmError('xnm')}</e></data></rpc-reply>`;
    expect(run(message, (b) => [b])).toEqual([['xnm:error', 'xnm']]);
  });
});

describe('the WebAssembly module', () => {
  it('is the output of its source (assembly/skeleton.ts)', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});
