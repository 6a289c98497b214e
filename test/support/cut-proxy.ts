import { type Server, type Socket, createServer, connect as tcpConnect } from 'node:net';

/**
 * A TCP relay in front of a real server that can cut one write off the way a network does,
 * for servers we cannot script (netconfd). Armed, it acts on the next bytes the client sends:
 * - `drop-before-apply`: they never reach the server, and both connections are destroyed;
 * - `drop-after-apply`: they reach the server, and its next bytes (the reply) are withheld
 *   while both connections are destroyed: the server acted, the client never hears of it.
 * Arm it right before the write (commitFlow's onStep for `commit`, status `start`): the SSH
 * records in between are the write's own.
 */
export class CutProxy {
  private armed: 'drop-before-apply' | 'drop-after-apply' | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<CutProxy> {
    let proxy: CutProxy | null = null;
    const server = createServer((client) => proxy!.relay(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    proxy = new CutProxy(server, address.port);
    return proxy;
  }

  /** Cuts the next write off (one-shot). */
  arm(kind: 'drop-before-apply' | 'drop-after-apply'): void {
    this.armed = kind;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const server = tcpConnect(target.port, target.host);
    this.sockets.add(client).add(server);
    let replyDue = false;
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const kind = this.armed;
      if (kind === 'drop-before-apply') {
        this.armed = null;
        return cut();
      }
      if (kind === 'drop-after-apply') {
        this.armed = null;
        replyDue = true;
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (replyDue) return cut();
      client.write(chunk);
    });
    for (const s of [client, server]) {
      s.on('error', cut);
      s.on('close', () => {
        this.sockets.delete(s);
        cut();
      });
    }
  }
}
