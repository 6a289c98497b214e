/**
 * The slow consumer: a program that takes 50 ms over each item of a big configuration. Its
 * device is a minimal NETCONF server on ssh2 (base 1.0) in the same process, which writes the
 * reply in 32 KiB pieces as fast as its SSH channel takes them and counts the bytes the
 * channel has sent (a write's callback runs once the SSH window let all of it go). After each
 * item, and again after the 50 ms, the device's bytes written are compared with where that
 * item ends in the reply: how far ahead of the program the device could get.
 */
import ssh2 from 'ssh2';
import { connect, fingerprint, getConfig } from '../../src/index.js';
import { registerChild } from '../children.js';
import { INTERFACES_PATH, build } from '../bigreply/device.js';
import { now } from '../timing.js';

const { Server, utils } = ssh2;
const HELLO = '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>1</session-id></hello>]]>]]>';
const PIECE = 32 * 1024;

export interface SlowConsumerJob {
  bytes: number;
  /** Items consumed before the loop breaks. */
  items: number;
  perItemMs: number;
}

export interface SlowConsumerRun {
  replyBytes: number;
  itemsConsumed: number;
  /** The most the device had written past the end of the last item consumed. */
  maxAheadBytes: number;
  /** Device bytes written when the loop broke off. */
  writtenAtBreak: number;
  seconds: number;
}

interface WindowDevice {
  port: number;
  hostKey: string;
  written(): number;
  close(): void;
}

/** The device: answers the first `<rpc>` with `reply` (message-id written into its slot). */
function startWindowDevice(reply: Buffer, slot: number): Promise<WindowDevice> {
  const keys = utils.generateKeyPairSync('ed25519');
  const hostKey = fingerprint((utils.parseKey(keys.public) as { getPublicSSH(): Buffer }).getPublicSSH());
  let written = 0;
  const server = new Server({ hostKeys: [keys.private] }, (conn) => {
    conn.on('error', () => {});
    conn.on('authentication', (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    conn.on('session', (accept) => {
      accept().on('subsystem', (acceptSub) => {
        const channel = acceptSub();
        channel.write(HELLO);
        let text = '';
        let messages = 0;
        channel.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          for (let end = text.indexOf(']]>]]>'); end !== -1; end = text.indexOf(']]>]]>')) {
            const message = text.slice(0, end);
            text = text.slice(end + 6);
            if (messages++ === 0) continue; // the client's hello
            const at = message.indexOf('message-id="');
            const id = message.slice(at + 12, message.indexOf('"', at + 12));
            reply.write(` message-id="${id}"`.padEnd(80, ' '), slot, 'latin1');
            send(channel);
          }
        });
      });
    });
  });
  const send = (channel: NodeJS.WritableStream) => {
    let at = 0;
    const next = () => {
      while (at < reply.length) {
        const piece = reply.subarray(at, at + PIECE);
        at += piece.length;
        if (!channel.write(piece, () => (written += piece.length))) return void channel.once('drain', next);
      }
    };
    next();
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: (server.address() as { port: number }).port,
      hostKey,
      written: () => written,
      close: () => server.close(),
    }));
  });
}

/** The child's name (importing it also registers the child: the bundle drops bare imports). */
export const SLOW_CONSUMER = 'slow-consumer';

registerChild(SLOW_CONSUMER, async ([json]) => {
  const job = JSON.parse(json!) as SlowConsumerJob;
  const built = build(job.bytes, 'eom', false);
  // Where each interface ends in the reply: the end of its end tag.
  const ends: number[] = [];
  const endTag = Buffer.from('</interface>');
  for (let at = built.bytes.indexOf(endTag); at !== -1 && ends.length < job.items; at = built.bytes.indexOf(endTag, at + 1)) ends.push(at + endTag.length);
  const device = await startWindowDevice(built.bytes, built.slot);
  const session = await connect({ host: '127.0.0.1', port: device.port, username: 'bench', password: 'bench', hostKey: device.hostKey, base: '1.0', rpcTimeoutMs: 0, limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } });
  const run: SlowConsumerRun = { replyBytes: built.bytes.length, itemsConsumed: 0, maxAheadBytes: 0, writtenAtBreak: 0, seconds: 0 };
  const t0 = now();
  const ahead = () => (run.maxAheadBytes = Math.max(run.maxAheadBytes, device.written() - ends[run.itemsConsumed - 1]!));
  try {
    for await (const _ of getConfig(session, 'running', { path: INTERFACES_PATH })) {
      run.itemsConsumed++;
      ahead();
      await new Promise((r) => setTimeout(r, job.perItemMs));
      ahead();
      if (run.itemsConsumed === job.items) break;
    }
    run.writtenAtBreak = device.written();
    run.seconds = now() - t0;
  } finally {
    session.destroy();
    device.close();
  }
  return run;
});
