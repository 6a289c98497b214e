import { type Server, type Socket, createConnection, createServer } from 'node:net';
import type { FakeDevice } from '../../src/device/index.js';
import type { FleetDevice } from '../../src/fleet/index.js';

export { freePort } from '../support/ports.js';

/** Makes `port` start answering as the device on `targetPort`: a TCP forwarder. */
export async function forward(port: number, targetPort: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A fleet entry for a fake device: its own name, its pinned host key, the default login. */
export function entry(name: string, device: FakeDevice, overrides: Partial<FleetDevice> = {}): FleetDevice {
  return { name, host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, ...overrides };
}

export const ACCESS_DENIED_REPLY =
  '<rpc-error><error-type>application</error-type><error-tag>access-denied</error-tag>' +
  '<error-severity>error</error-severity><error-message>read access to running denied</error-message></rpc-error>';
