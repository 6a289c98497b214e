import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { NetconfError } from '../../src/errors/index.js';
import { get } from '../../src/operations/rfc6241.js';
import { deviceHarness } from '../support/devices.js';

const attach = deviceHarness();

async function failure(p: Promise<unknown>): Promise<NetconfError> {
  const result = await p.then(() => null, (err: unknown) => err);
  expect(result).toBeInstanceOf(NetconfError);
  return result as NetconfError;
}

describe('the idle clock, over SSH', () => {
  it('lets a trickling reply finish though it takes many times the idle limit: it is never idle', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data><a>trickled</a></data>', trickle: { bytes: 6, everyMs: 200 } } }] }));
    const started = Date.now();
    const reply = await get(session, { idleTimeoutMs: 1_000 });
    expect(reply.data).toBe('<a>trickled</a>');
    // The reply took longer than the idle limit several times over.
    expect(Date.now() - started).toBeGreaterThan(2 * 1_000);
  });

  it('fails a reply that stops partway with RPC_TIMEOUT saying idle, long before its total deadline; the stalled reply then closes the session', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data><a>never ends</a></data>', stallAfterBytes: 60 } }] }));
    const closed = new Promise<NetconfError | null>((resolve) => session.once('close', resolve));
    const err = await failure(get(session, { idleTimeoutMs: 400, timeoutMs: 60_000 }));
    expect(err.code).toBe('RPC_TIMEOUT');
    expect(err.message).toMatch(/idle/);
    expect(err.message).toMatch(/400 ms/);
    // Its own idle limit is also its drain bound, and the last byte is that long ago already.
    expect((await closed)?.code).toBe('REPLY_STALLED');
  });

  it('uses the session default, connect({ idleTimeoutMs })', async () => {
    const device = await FakeDevice.start({ rules: [{ match: 'get', reply: { stall: true } }] });
    const { another } = await attach(device);
    const { connect } = await import('../../src/session/connect.js');
    const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, idleTimeoutMs: 300 });
    try {
      const err = await failure(session.rpc('<get/>'));
      expect(err.code).toBe('RPC_TIMEOUT');
      expect(err.message).toMatch(/idle/);
      // A reply that never began leaves the session usable.
      expect(session.state).toBe('open');
    } finally {
      await session.close();
    }
    void another;
  });

  it('does not count the time reading is paused for a slow streamTo consumer', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 8 << 20 } }] }));
    let bytes = 0;
    let first = true;
    const out = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _e, done) {
        bytes += chunk.length;
        // Busy for three idle limits at the first write: the transport stays paused meanwhile.
        if (first) {
          first = false;
          setTimeout(done, 3_000);
        } else done();
      },
    });
    await get(session, { streamTo: out, idleTimeoutMs: 1_000 });
    expect(bytes).toBeGreaterThanOrEqual(8 << 20);
  });
});

describe('the drain bound, over SSH', () => {
  it("a call abandoned mid-reply holds the next one no longer than its own timeout, not drainTimeoutMs", async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [
      { match: 'get', reply: { reply: `<data><a>${'never ends '.repeat(50)}</a></data>`, stallAfterBytes: 200 } },
      { match: 'get-config', reply: { stall: true } },
    ] }));
    const started = Date.now();
    const first = get(session, { timeoutMs: 1_000 });
    const next = session.rpc('<get-config><source><running/></source></get-config>');
    expect((await failure(first)).code).toBe('RPC_TIMEOUT');
    const err = await failure(next);
    expect(err.code).toBe('REPLY_STALLED');
    expect(err.message).toMatch(/1000 ms/);
    // drainTimeoutMs (10 s by default) would have held it until 11 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});
