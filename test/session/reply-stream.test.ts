import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, RpcError } from '../../src/errors/index.js';
import type { DeviceError } from '../../src/errors/device-error.js';
import type { Session } from '../../src/session/session.js';
import { BASE, nextCallAnswered, openScripted } from './scripted-peer.js';

/** A Writable that keeps what it is given. */
function collector(): { out: Writable; text(): string; finished: boolean } {
  const parts: Buffer[] = [];
  const state = {
    out: new Writable({
      write(chunk: Buffer, _enc, done) {
        parts.push(Buffer.from(chunk));
        done();
      },
    }),
    text: () => Buffer.concat(parts).toString('utf8'),
    finished: false,
  };
  state.out.on('finish', () => (state.finished = true));
  return state;
}

const tick = () => new Promise((r) => setImmediate(r));

const RPC_ERROR = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>disk full</error-message></rpc-error>';

let session: Session | null = null;
afterEach(() => {
  session?.destroy();
  session = null;
});

describe('rpc({ streamTo }): the reply\'s data streamed to a Writable', () => {
  it('writes the inner XML of <data> as it arrives, keeps no reply text, and resolves once the Writable has finished', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const sink = collector();
    const call = session.rpc('<get-config><source><running/></source></get-config>', { streamTo: sink.out });
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><top>`);
    await tick();
    expect(sink.text()).toBe('<top>');
    for (let i = 0; i < 50; i++) peer.sendChunk(`<item><name>n${i}</name></item>`);
    peer.sendChunk('</top></da');
    peer.sendChunk('ta></rpc-reply>');
    peer.endChunks();
    const reply = await call;
    expect(sink.finished).toBe(true);
    expect(reply.xml).toBeNull();
    expect(sink.text()).toBe(`<top>${Array.from({ length: 50 }, (_, i) => `<item><name>n${i}</name></item>`).join('')}</top>`);
  });

  it('delivers an error in the middle of the data at once, then rejects with the RpcError and destroys the Writable', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const sink = collector();
    const items: DeviceError[] = [];
    const destroyed = new Promise<Error | undefined>((resolve) => sink.out.on('error', resolve));
    const call = session.rpc('<get/>', { streamTo: sink.out, onItem: (i) => items.push(i) });
    const settled = call.then(() => null, (e: unknown) => e);
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><a>1</a>${RPC_ERROR}<b>`);
    await tick();
    // The item is out before the reply has ended, and the data read so far has been written.
    expect(items.map((i) => i.message)).toEqual(['disk full']);
    expect(sink.text()).toBe(`<a>1</a>${RPC_ERROR}<b>`);
    peer.sendChunk('2</b></data></rpc-reply>');
    peer.endChunks();
    const error = await settled;
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('OPERATION_FAILED');
    expect(await destroyed).toBe(error);
    expect(sink.finished).toBe(false);
  });

  it('a Writable its consumer destroys gives up the call (ABORTED); the rest of the reply is drained and the session goes on', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const out = new PassThrough();
    out.resume();
    const call = session.rpc('<get/>', { streamTo: out });
    const settled = call.then(() => null, (e: unknown) => e);
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><a>`);
    await tick();
    out.destroy();
    const error = await settled;
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('ABORTED');
    // The rest of the abandoned reply arrives and is dropped; the next call is answered.
    peer.sendChunk('</a></data></rpc-reply>');
    peer.endChunks();
    expect(await nextCallAnswered(session, peer)).toBe(true);
    expect(session.state).toBe('open');
  });

  it('a Writable that fails gives up the call too (ABORTED, with the cause)', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const out = new Writable({ write: (_c, _e, done) => done(new Error('disk on fire')) });
    const settled = session.rpc('<get/>', { streamTo: out }).then(() => null, (e: unknown) => e);
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><a>`);
    const error = (await settled) as ClientError;
    expect(error.code).toBe('ABORTED');
    expect(error.message).toContain('disk on fire');
  });

  it('back-pressure: a slow Writable pauses reading from the transport until it drains, and loses nothing', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const parts: string[] = [];
    const waiting: (() => void)[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(c: Buffer, _e, done) {
        parts.push(c.toString('utf8'));
        waiting.push(done);
      },
    });
    const call = session.rpc('<get/>', { streamTo: slow });
    await peer.waitForRequests(2);
    const body = Array.from({ length: 40 }, (_, i) => `<x>${String(i).padStart(40, '.')}</x>`);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data>`);
    for (const b of body) peer.sendChunk(b);
    peer.sendChunk('</data></rpc-reply>');
    peer.endChunks();
    await tick();
    await tick();
    // The consumer has taken one write and not finished it: the transport is paused, and
    // most of the reply is still unread.
    expect(peer.transport.stream.isPaused()).toBe(true);
    expect(parts.join('').length).toBeLessThan(body.join('').length);
    // Let it catch up, a write at a time.
    let done = false;
    void call.then(() => (done = true));
    while (!done) {
      waiting.shift()?.();
      await tick();
    }
    expect(parts.join('')).toBe(body.join(''));
    expect(peer.transport.stream.isPaused()).toBe(false);
  });

  it('streams a Junos <configuration> the same way, and refuses a stream that is not a Writable', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const sink = collector();
    const call = session.rpc('<get-configuration/>', { streamTo: sink.out });
    await peer.waitForRequests(2);
    peer.reply(1, '<configuration junos:changed-seconds="1" xmlns:junos="http://xml.juniper.net/junos/*/junos"><system><host-name>r1</host-name></system></configuration>');
    await call;
    expect(sink.text()).toBe('<system><host-name>r1</host-name></system>');
    const ended = new PassThrough();
    ended.end();
    for (const bad of [{} as Writable, ended]) {
      await expect(session.rpc('<get/>', { streamTo: bad })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client' });
    }
  });
});
