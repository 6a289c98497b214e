import { afterEach, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { getConfig } from '../../src/operations/rfc6241.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { CLOSE_GRACE_MS } from '../../src/transport/ssh-transport.js';
import { type TcpProxy, tcpProxy } from '../support/tcp-proxy.js';
import { tcpSockets } from './raw-server.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function through(options: { bytewise?: boolean } = {}): Promise<{ device: FakeDevice; proxy: TcpProxy; session: Session }> {
  const device = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><top xmlns="urn:example"><leaf>v</leaf></top></data>' }] });
  open.push(device);
  const proxy = await tcpProxy(device, options);
  open.push(proxy);
  const session = await connect({ host: '127.0.0.1', port: proxy.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, closeTimeoutMs: 300 });
  open.push({ close: () => session.close() });
  return { device, proxy, session };
}

describe('a path that went dead', () => {
  it('close() lets go of the socket within the grace period, though the path never answers', async () => {
    const { proxy, session } = await through();
    await getConfig(session, 'running');
    proxy.blackHole();
    const before = tcpSockets();
    await session.close();
    expect(session.state).toBe('closed');
    // The proxy keeps both its sockets and the device its own: only the client's may go.
    await expect.poll(tcpSockets, { timeout: CLOSE_GRACE_MS + 1_500, interval: 20 }).toBe(before - 1);
  });

  it('so does destroy(), and every other teardown', async () => {
    const { proxy, session } = await through();
    proxy.blackHole();
    const before = tcpSockets();
    session.destroy();
    await expect.poll(tcpSockets, { timeout: CLOSE_GRACE_MS + 1_500, interval: 20 }).toBe(before - 1);
  });
});

describe('a forwarder that splits bytes', () => {
  it('connects and works when every byte arrives in a read of its own', async () => {
    const { proxy, session } = await through({ bytewise: true });
    expect(session.state).toBe('open');
    const reply = await getConfig(session, 'running');
    expect(reply.data).toBe('<top xmlns="urn:example"><leaf>v</leaf></top>');
    // The server's identification line alone is a few dozen bytes: it came in as many writes.
    expect(proxy.forwardedToClient).toBeGreaterThan(1_000);
  });
});
