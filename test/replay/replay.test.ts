import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { FramingError, MalformedXmlError } from '../../src/errors/index.js';
import { replay, replayStream } from '../../src/replay/replayer.js';
import { fixture } from '../support/fixtures.js';

describe('replay', () => {
  it('reads a Junos end-of-message session: comments before <hello>, a comment after the last message', () => {
    const r = replay(fixture('junos/commit-session.xml'));
    expect(r.framing).toBe('eom');
    expect(r.trailing).toBe('comment');
    // A replayed message is its summary: the reader's text and content are not kept.
    expect(Object.keys(r.messages[1]!).sort()).toEqual(['bom', 'error', 'hasOk', 'index', 'items', 'messageId', 'root', 'skippedText']);
    expect(r.messages.map((m) => [m.root?.local, m.messageId, m.hasOk])).toEqual([
      ['hello', null, false],
      ['rpc-reply', '1', true],
      ['rpc-reply', '2', true],
      ['rpc-reply', '3', false],
      ['rpc-reply', '4', true],
    ]);
    const [load, commit] = [r.messages[2]!.items, r.messages[3]!.items];
    expect(load.map((i) => [i.level, i.code, i.path, i.badElement, i.deviceMessage])).toEqual([
      ['warning', 'CONFIG_WARNING', '[edit interfaces ge-0/0/3]', 'disable', 'statement not found'],
    ]);
    expect(commit.map((i) => [i.kind, i.code, i.editPath, i.statement, i.routingEngine, i.deviceMessage])).toEqual([
      ['xnm:error', 'CONFIG_REJECTED', '[edit protocols bgp group peers]', 'neighbor 192.0.2.1', 're0', 'Peer AS must be configured'],
      ['xnm:error', 'CONFIG_REJECTED', null, null, 're0', 'configuration check-out failed'],
    ]);
  });

  it('reads a terminal capture: banner, eom <hello>, chunked replies split inside tags and characters, closing line', () => {
    const r = replay(fixture('framing/session-split.chunked'));
    expect(r.framing).toBe('eom+chunked');
    expect(r.trailing).toBe('text');
    expect(r.trailingText).toBe('Connection to 127.0.0.1 closed.');
    expect(r.messages[0]!.skippedText).toBe('SSH banner: authorised use only\r\nPassword:');
    expect(r.messages.map((m) => m.messageId)).toEqual([null, '7', '8']);
    expect(r.messages[1]!.items.map((i) => i.code)).toEqual(['LOCK_DENIED', 'DATA_MISSING', 'OPERATION_FAILED']);
    expect(r.messages[2]!.items[0]!.deviceMessage).toBe('datastore busy — réessayez');
  });

  it('honours a forced framing', () => {
    const bare = fixture('edge/prefixes.xml');
    expect(replay(bare, { framing: 'none' }).framing).toBe('none');
    const forced = replay(bare, { framing: 'chunked' });
    expect(forced.error).toBeInstanceOf(FramingError);
    expect(forced.messages).toEqual([]);
  });

  it('keeps what it read: a cut-off last message, an empty input, a DOCTYPE in a later message', () => {
    const cut = replay('<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error><rpc-error>');
    expect(cut.error).toBeNull();
    expect(cut.messages).toHaveLength(1);
    expect(cut.messages[0]!.messageId).toBe('1');
    expect(cut.messages[0]!.error).toBeInstanceOf(MalformedXmlError);
    expect(cut.messages[0]!.items.map((i) => i.code)).toEqual(['IN_USE']);

    const empty = replay('  \n');
    expect(empty.error?.code).toBe('MALFORMED_XML');
    expect(empty.error?.message).toMatch(/no NETCONF message/);

    const doctype = replay(fixture('attacks/doctype-in-second-message.xml'));
    expect(doctype.error).toBeNull();
    expect(doctype.messages[0]!.error).toBeNull();
    expect(doctype.messages[1]!.error?.message).toMatch(/DOCTYPE/);
  });

  it('keeps every complete message of a stream cut inside a chunk, and reports the cut on the last one', () => {
    const first = '<rpc-reply message-id="1"><ok/></rpc-reply>';
    const second = '<rpc-reply message-id="2"><rpc-error>';
    const stream = `\n#${first.length}\n${first}\n##\n\n#${second.length + 100}\n${second}`;
    const r = replay(stream, { framing: 'chunked' });
    expect(r.messages.map((m) => [m.messageId, m.hasOk, m.error?.code ?? null])).toEqual([
      ['1', true, null],
      ['2', false, 'FRAMING_ERROR'],
    ]);
  });

  it('delivers items from a stream while the stream is still open', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* source() {
      yield Buffer.from('<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error>');
      await gate;
      yield Buffer.from('<data/></rpc-reply>');
    }
    const done = replayStream(Readable.from(source()), { onItem: (i) => seen.push(i.code) });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['IN_USE']);
    release();
    const result = await done;
    expect(result.messages[0]!.items).toHaveLength(1);
  });
});

describe('replay limits: one `limits` object, as for connect()', () => {
  const reply = '<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data><a><b><c/></b></a></data></rpc-reply>]]>]]>';

  it('maxMessageBytes and the extractor limits are all read from it', () => {
    expect(replay(reply).messages[0]!.error).toBeNull();
    expect(replay(reply, { limits: { maxMessageBytes: 64 } }).error?.code).toBe('MESSAGE_TOO_LARGE');
    expect(replay(reply, { limits: { maxDepth: 3 } }).messages[0]!.error?.code).toBe('MALFORMED_XML');
  });
});
