import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientError, RpcError } from '../../src/errors/index.js';
import type { Session } from '../../src/session/session.js';
import { BASE, nextCallAnswered, openScripted } from './scripted-peer.js';

const tick = () => new Promise((r) => setImmediate(r));
/** This process's open file descriptors (Linux). */
const openFds = () => readdirSync('/proc/self/fd').length;

const RPC_ERROR = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>disk full</error-message></rpc-error>';

let session: Session | null = null;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-file-sink-'));
});
afterEach(() => {
  session?.destroy();
  session = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('rpc({ streamTo: path }): the reply\'s data written to a file', () => {
  it('creates the file and writes the inner XML of <data>, over several 1 MiB batches, whole when the call resolves', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const file = path.join(dir, 'config.xml');
    const fds = openFds();
    const call = session.rpc('<get-config><source><running/></source></get-config>', { streamTo: file });
    await peer.waitForRequests(2);
    expect(readFileSync(file).length).toBe(0);
    const piece = `<item>${'x'.repeat(30_000)}</item>`;
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><top>`);
    for (let i = 0; i < 100; i++) peer.sendChunk(piece);
    peer.sendChunk('</top></da');
    peer.sendChunk('ta></rpc-reply>');
    peer.endChunks();
    const reply = await call;
    expect(reply.xml).toBeNull();
    const written = readFileSync(file, 'utf8');
    expect(written.length).toBeGreaterThan(2 << 20);
    expect(written).toBe(`<top>${piece.repeat(100)}</top>`);
    expect(openFds()).toBe(fds);
  });

  it('a batch of more pieces than one writev takes (thousands of small chunks) is written whole and in order', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const file = path.join(dir, 'config.xml');
    const call = session.rpc('<get/>', { streamTo: file });
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data>`);
    const items = Array.from({ length: 5000 }, (_, i) => `<i>${String(i).padStart(300, '.')}</i>`);
    for (const item of items) peer.sendChunk(item);
    peer.sendChunk('</data></rpc-reply>');
    peer.endChunks();
    await call;
    expect(readFileSync(file, 'utf8')).toBe(items.join(''));
  });

  it('truncates a file that is there, and a second call to the same path writes it afresh', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const file = path.join(dir, 'config.xml');
    for (const [n, body] of [[1, '<a>first, the longer one</a>'], [2, '<b>2</b>']] as const) {
      const call = session.rpc('<get/>', { streamTo: file });
      await peer.waitForRequests(n + 1);
      peer.reply(n, `<data>${body}</data>`);
      await call;
      expect(readFileSync(file, 'utf8')).toBe(body);
    }
  });

  it('a path that cannot be opened is INVALID_ARGUMENT, nothing is sent, and the session goes on', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    for (const bad of [path.join(dir, 'no-such-dir', 'config.xml'), dir, '']) {
      const error = await session.rpc('<get/>', { streamTo: bad }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client' });
    }
    await tick();
    expect(peer.requests).toHaveLength(1); // the hello only
    expect(await nextCallAnswered(session, peer)).toBe(true);
  });

  it('a write that fails (a full disk) gives up the call with ABORTED, not a network error; the rest is drained and the session goes on', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const fds = openFds();
    // /dev/full: every write fails with ENOSPC.
    const settled = session.rpc('<get/>', { streamTo: '/dev/full' }).then(() => null, (e: unknown) => e);
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><top>`);
    for (let i = 0; i < 40; i++) peer.sendChunk(`<item>${'x'.repeat(30_000)}</item>`);
    const error = (await settled) as ClientError;
    expect(error).toBeInstanceOf(ClientError);
    expect(error.code).toBe('ABORTED');
    expect(error.message).toContain('ENOSPC');
    peer.sendChunk('</top></data></rpc-reply>');
    peer.endChunks();
    expect(await nextCallAnswered(session, peer)).toBe(true);
    expect(session.state).toBe('open');
    expect(openFds()).toBe(fds);
  });

  it('a write that fails only as the reply ends (under 1 MiB held) fails the call with ABORTED too', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const call = session.rpc('<get/>', { streamTo: '/dev/full' });
    await peer.waitForRequests(2);
    peer.reply(1, '<data><a>1</a></data>');
    await expect(call).rejects.toMatchObject({ code: 'ABORTED', category: 'client' });
    expect(session.state).toBe('open');
  });

  it('an error reply rejects with the RpcError and closes the file', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const file = path.join(dir, 'config.xml');
    const fds = openFds();
    const call = session.rpc('<get/>', { streamTo: file });
    await peer.waitForRequests(2);
    peer.reply(1, `<data><a>1</a>${RPC_ERROR}</data>`);
    await expect(call).rejects.toBeInstanceOf(RpcError);
    expect(openFds()).toBe(fds);
  });

  it('a session that closes mid-reply rejects the call and closes the file', async () => {
    const opened = await openScripted();
    session = opened.session;
    const { peer } = opened;
    const fds = openFds();
    const settled = session.rpc('<get/>', { streamTo: path.join(dir, 'config.xml') }).then(() => null, (e: unknown) => e);
    await peer.waitForRequests(2);
    peer.sendChunk(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data><a>`);
    await tick();
    session.destroy();
    expect(await settled).toMatchObject({ code: 'SESSION_CLOSED' });
    expect(openFds()).toBe(fds);
  });
});
