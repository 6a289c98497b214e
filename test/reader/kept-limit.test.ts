import { describe, expect, it, vi } from 'vitest';
import { BASE, openScripted } from '../session/scripted-peer.js';

// The longest text a string can hold is V8's (about 512 MiB); a small stand-in keeps the test light.
vi.mock('../../src/reader/text-collector.js', async (original) => ({ ...(await original<object>()), MAX_KEPT_BYTES: 4096 }));

describe('a message too long to keep as one string', () => {
  it('fails its own call with MESSAGE_TOO_LARGE, is read to its end, and the session goes on', async () => {
    const { session, peer } = await openScripted({ rpcTimeoutMs: 5000 });
    const big = `<data>${'<leaf>x</leaf>'.repeat(1000)}</data>`;

    const kept = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.reply(1, big);
    await expect(kept).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE', category: 'protocol', message: expect.stringContaining('streamTo or collect: false') });

    // Not kept, the same reply reads whole.
    const notKept = session.rpc('<get/>', { collect: false });
    await peer.waitForRequests(3);
    peer.reply(2, big);
    await expect(notKept).resolves.toMatchObject({ xml: null, items: [] });

    const small = session.rpc('<get/>');
    await peer.waitForRequests(4);
    peer.reply(3, '<data><leaf>y</leaf></data>');
    await expect(small).resolves.toMatchObject({ xml: expect.stringContaining('<leaf>y</leaf>') });
    expect(session.state).toBe('open');
    await session.close().catch(() => undefined);
  });
});
