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
  /**
   * Cuts the client's next write off the way a network does (one-shot), for a device we cannot
   * script (netconfd):
   * - `drop-before-apply`: it never reaches the device, and both connections are destroyed;
   * - `drop-after-apply`: it reaches the device, whose next bytes (the reply) are withheld while
   *   both connections are destroyed: the device acted, the client never hears of it.
   * Arm it right before the write (commitFlow's onStep for `commit`, status `start`): the SSH
   * records in between are the write's own.
   */
  cut(kind: CutKind): void;
  close(): Promise<void>;
}

export type CutKind = 'drop-before-apply' | 'drop-after-apply';

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
  let armed: CutKind | null = null;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const pipe = (from: net.Socket, to: net.Socket, bytewise: boolean, count: (n: number) => void, pass: (chunk: Buffer) => boolean) => {
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
      if (dead || to.destroyed || !pass(chunk)) return;
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
    let replyDue = false;
    const sever = () => {
      client.destroy();
      upstream.destroy();
    };
    const outbound = () => {
      const kind = armed;
      armed = null;
      if (kind === 'drop-before-apply') sever();
      if (kind === 'drop-after-apply') replyDue = true;
      return kind !== 'drop-before-apply';
    };
    const inbound = () => {
      if (replyDue) sever();
      return !replyDue;
    };
    pipe(client, upstream, false, () => {}, outbound);
    pipe(upstream, client, options.bytewise === true, (n) => (toClient += n), inbound);
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
    cut(kind) {
      armed = kind;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
