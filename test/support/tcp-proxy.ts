import net from 'node:net';

/** A TCP forwarder on 127.0.0.1 standing for the network path between a client and a device. */
export interface TcpProxy {
  readonly port: number;
  /** The client-side sockets the proxy accepted, open or not. */
  readonly accepted: net.Socket[];
  /** Bytes passed on from the device to the client so far. */
  readonly forwardedToClient: number;
  /**
   * From now on the path drops everything, both ways, and never says so: no FIN, no reset (a
   * firewall that lost its state). The sockets stay open.
   */
  blackHole(): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /**
   * Pass the device's bytes to the client one at a time, each in a write of its own on a later
   * turn of the event loop. (Only that way: the fake device's ssh2 server would lose a client
   * identification line split so.)
   */
  bytewise?: boolean;
}

/** Starts a forwarder to `target` on 127.0.0.1. */
export async function tcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const accepted: net.Socket[] = [];
  let dead = false;
  let toClient = 0;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const pipe = (from: net.Socket, to: net.Socket, bytewise: boolean, count: (n: number) => void) => {
    const queue: number[] = [];
    let pumping = false;
    const pump = () => {
      const byte = queue.shift();
      if (byte === undefined || dead || to.destroyed) {
        pumping = false;
        return;
      }
      to.write(Buffer.of(byte));
      count(1);
      setImmediate(pump);
    };
    from.on('data', (chunk: Buffer) => {
      if (dead || to.destroyed) return;
      if (!bytewise) {
        count(chunk.length);
        // As a network path does: a receiver that stops reading stops the sender.
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
        return;
      }
      for (const b of chunk) queue.push(b);
      if (!pumping) {
        pumping = true;
        setImmediate(pump);
      }
    });
    from.on('end', () => {
      if (!dead) to.end();
    });
  };
  // Half-open allowed: a black hole must not answer the client's FIN with its own.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted.push(client);
    track(client);
    client.setNoDelay(true);
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    track(upstream);
    upstream.setNoDelay(true);
    pipe(client, upstream, false, () => {});
    pipe(upstream, client, options.bytewise === true, (n) => (toClient += n));
    client.on('close', () => {
      if (!dead) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!dead) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted,
    get forwardedToClient() {
      return toClient;
    },
    blackHole() {
      dead = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
