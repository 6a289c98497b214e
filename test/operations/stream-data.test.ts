import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeDevice, startJunosDevice } from '../../src/device/index.js';
import { ClientError, RpcError, TimeoutError } from '../../src/errors/index.js';
import { get, getConfig } from '../../src/operations/rfc6241.js';
import { getConfiguration } from '../../src/operations/junos.js';
import { deviceHarness } from '../support/devices.js';

const attach = deviceHarness();

/** Counts what it is given, keeps the first and last bytes, and may be slow. */
function counter(delayEvery = 0): Writable & { bytes: number; head: string; tail: string } {
  let writes = 0;
  const w = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _e, done) {
      w.bytes += chunk.length;
      if (w.head.length < 200) w.head += chunk.toString('utf8');
      w.tail = (w.tail + chunk.toString('latin1')).slice(-200);
      if (delayEvery > 0 && ++writes % delayEvery === 0) setTimeout(done, 5);
      else done();
    },
  }) as Writable & { bytes: number; head: string; tail: string };
  w.bytes = 0;
  w.head = '';
  w.tail = '';
  return w;
}

const RPC_ERROR = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>cannot read the datastore</error-message></rpc-error>';

describe('streamTo over SSH from the fake device', () => {
  it('getConfig streams a 16 MiB <data> with a slow consumer, keeps no text, and the session goes on', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get-config', reply: { reply: '<data><top/></data>', hugeBytes: 16 << 20 } }] }));
    const out = counter(8);
    const reply = await getConfig(session, 'running', { streamTo: out });
    expect(out.writableFinished).toBe(true);
    expect(reply.xml).toBeNull();
    expect(reply.data).toBe('');
    // All of <data>'s content: the element it had and the filler, not <data>'s own tags.
    expect(out.bytes).toBeGreaterThanOrEqual((16 << 20) + '<top/>'.length);
    expect(out.head.startsWith('<top/>')).toBe(true);
    expect(out.tail).not.toContain('</data>');
    expect((await session.rpc('<get-config><source><running/></source></get-config>', { collect: false })).xml).toBeNull();
  });

  it('an error near the start of a big reply reaches onItem long before the data ends; the call rejects with the RpcError', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: `<data><a/>${RPC_ERROR}</data>`, hugeBytes: 8 << 20 } }] }));
    const out = counter();
    let bytesAtItem = -1;
    const error = await get(session, { streamTo: out, onItem: () => (bytesAtItem = out.bytes) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).errors[0]!.message).toBe('cannot read the datastore');
    expect(bytesAtItem).toBeGreaterThanOrEqual(0);
    expect(bytesAtItem).toBeLessThan(1 << 20);
    expect(out.destroyed).toBe(true);
    expect(out.bytes).toBeGreaterThan(8 << 20);
  });

  it('a consumer that destroys its stream gives up the call (ABORTED); the rest is drained and the next call answered', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 8 << 20 } }] }));
    const out = counter();
    out.on('error', () => {});
    const call = get(session, { streamTo: out, onItem: () => {} });
    const watcher = setInterval(() => {
      if (out.bytes > 1 << 20) out.destroy();
    }, 1);
    const error = await call.catch((e: unknown) => e);
    clearInterval(watcher);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('ABORTED');
    expect(out.bytes).toBeLessThan(8 << 20);
    const next = await session.rpc('<get-config><source><running/></source></get-config>');
    expect(next.xml).toContain('<data');
  });

  it('a consumer that stops reading once the reply is read cannot hold the call: RPC_TIMEOUT at the call\'s timeout, the Writable destroyed, the session goes on', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data><a>1</a></data>' } }] }));
    // Takes every byte, then never finishes: its final() never calls back.
    const out = new Writable({ write: (_c, _e, done) => done(), final: () => undefined });
    const error = await get(session, { streamTo: out, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('RPC_TIMEOUT');
    expect((error as TimeoutError).message).toMatch(/was read, but its streamTo Writable did not finish within 300 ms/);
    expect(out.destroyed).toBe(true);
    expect(session.inFlight).toBe(0);
    expect((await session.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
  });

  it('a consumer that stops reading in the middle of a big reply: RPC_TIMEOUT at the call\'s timeout, reading resumes, the rest is drained and the next call answered', async () => {
    const { session } = await attach(await FakeDevice.start({ rules: [{ match: 'get', reply: { reply: '<data/>', hugeBytes: 4 << 20 } }] }));
    let taken = 0;
    // Takes 64 KiB, then never calls back: the transport pauses behind it.
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _e, done) {
        taken += chunk.length;
        if (taken < 64 * 1024) done();
      },
    });
    out.on('error', () => {});
    const error = await get(session, { streamTo: out, timeoutMs: 300 }).catch((e: unknown) => e);
    expect((error as TimeoutError).code).toBe('RPC_TIMEOUT');
    expect(out.destroyed).toBe(true);
    expect(taken).toBeLessThan(4 << 20);
    expect((await session.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
  });

  it('Junos getConfiguration streams the inner XML of <configuration>', async () => {
    const { session } = await attach(await startJunosDevice());
    const out = counter();
    const reply = await getConfiguration(session, { streamTo: out });
    expect(reply.configuration).toBe('');
    expect(out.head).toContain('<system>');
    expect(out.tail).not.toContain('</configuration>');
    const whole = await getConfiguration(session);
    expect(out.bytes).toBe(Buffer.byteLength(whole.configuration));
  });
});

describe('a kept reply over SSH', () => {
  it('getConfig and get give the exact inner XML of a big <data> with multi-byte text, the root\'s own <data> (not one in a comment)', async () => {
    const words = ['ge-0/0/0', 'descrição', '日本語', '𝄞', 'Ünïcödé'];
    const parts: string[] = [];
    for (let i = 0, size = 0; size < 2 << 20; i++) {
      parts.push(`<interface><name>${words[i % words.length]!.repeat(1 + (i % 13))}</name></interface>\n`);
      size += Buffer.byteLength(parts[parts.length - 1]!);
    }
    const body = parts.join('');
    const { session } = await attach(await FakeDevice.start({ rules: [
      { match: 'get-config', reply: `<nc:data xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">${body}</nc:data>` },
      // A search of the text would take the commented-out <data> for the real one.
      { match: 'get', reply: `<!-- <data>not this</data> --><data>${body}</data><!-- after the data: ü -->` },
    ] }));
    const config = await getConfig(session, 'running');
    expect(config.data).toBe(body);
    expect(config.xml).toContain(body);
    const state = await get(session);
    expect(state.data).toBe(body);
    expect(state.xml!.endsWith('<!-- after the data: ü --></rpc-reply>')).toBe(true);
  });
});
