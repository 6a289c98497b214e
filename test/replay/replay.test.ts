import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { FramingError, MalformedXmlError } from '../../src/errors/index.js';
import { Replayer, replay, replayStream } from '../../src/replay/replayer.js';
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

describe('replay keeps the caller\'s callbacks at arm\'s length', () => {
  const capture = [
    '<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error></rpc-reply>]]>]]>',
    '<rpc-reply message-id="2"><rpc-error><error-tag>lock-denied</error-tag></rpc-error><ok/></rpc-reply>]]>]]>',
    '<rpc-reply message-id="3"><ok/></rpc-reply>]]>]]>',
  ].join('');

  /** Replays with throwing callbacks; returns the result and what netconfkit:callbackError heard. */
  function replayThrowing(options: { onItem?: boolean; onMessage?: boolean }) {
    const reported: [string, string][] = [];
    const onReport = (m: unknown) => {
      const { source, error } = m as { source: string; error: Error };
      reported.push([source, error.message]);
    };
    subscribe('netconfkit:callbackError', onReport);
    try {
      const seen: string[] = [];
      const result = replay(capture, {
        ...(options.onItem ? { onItem: (item) => {
          seen.push(`item ${item.code}`);
          throw new Error(`onItem broke on ${item.code}`);
        } } : {}),
        ...(options.onMessage ? { onMessage: (m) => {
          seen.push(`message ${m.messageId}`);
          throw new Error(`onMessage broke on ${m.messageId}`);
        } } : {}),
      });
      return { result, seen, reported };
    } finally {
      unsubscribe('netconfkit:callbackError', onReport);
    }
  }

  it('a throwing onMessage loses nothing: every message is read and each throw is reported', () => {
    const { result, seen, reported } = replayThrowing({ onMessage: true });
    expect(result.error).toBeNull();
    expect(result.messages.map((m) => [m.messageId, m.error, m.items.map((i) => i.code)])).toEqual([
      ['1', null, ['IN_USE']],
      ['2', null, ['LOCK_DENIED']],
      ['3', null, []],
    ]);
    expect(seen).toEqual(['message 1', 'message 2', 'message 3']);
    expect(reported).toEqual([['onMessage', 'onMessage broke on 1'], ['onMessage', 'onMessage broke on 2'], ['onMessage', 'onMessage broke on 3']]);
  });

  it('a throwing onItem is not the message\'s error: the message is read whole, and the next item still delivered', () => {
    const { result, seen, reported } = replayThrowing({ onItem: true });
    expect(result.error).toBeNull();
    expect(result.messages.map((m) => [m.error, m.hasOk, m.items.length])).toEqual([[null, false, 1], [null, true, 1], [null, true, 0]]);
    expect(seen).toEqual(['item IN_USE', 'item LOCK_DENIED']);
    expect(reported).toEqual([['onItem', 'onItem broke on IN_USE'], ['onItem', 'onItem broke on LOCK_DENIED']]);
  });

  it('gives the same result with throwing callbacks as without, split byte by byte too', () => {
    const plain = replay(capture);
    const { result } = replayThrowing({ onItem: true, onMessage: true });
    expect(result).toEqual(plain);
    const replayer = new Replayer({ onItem: () => {
      throw new Error('x');
    }, onMessage: () => {
      throw new Error('y');
    } });
    const listener = () => undefined; // heard: no process warning per byte
    subscribe('netconfkit:callbackError', listener);
    try {
      for (const byte of Buffer.from(capture)) replayer.push(Buffer.from([byte]));
    } finally {
      unsubscribe('netconfkit:callbackError', listener);
    }
    expect(replayer.end()).toEqual(plain);
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
