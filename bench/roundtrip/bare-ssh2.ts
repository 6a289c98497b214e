/**
 * The bare client: ssh2 with nothing on top. It opens the netconf subsystem, swaps hellos
 * (base:1.1, so chunked framing), then writes each framed request straight into the channel
 * and reads until the reply's `\n##\n` end marker, one request at a time. No parsing, no
 * error extraction, no message-id matching: the least a NETCONF client can do per RPC.
 */
import { Client, type ClientChannel } from 'ssh2';
import { now } from '../timing.js';
import { GET_CONFIG, NETCONF_NS, rate, type RateResult } from './request.js';
import type { Server } from './servers.js';
import { fingerprint } from '../../src/index.js';

const HELLO = `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NETCONF_NS}"><capabilities>` +
  '<capability>urn:ietf:params:netconf:base:1.0</capability><capability>urn:ietf:params:netconf:base:1.1</capability>' +
  '</capabilities></hello>]]>]]>';
const END = Buffer.from('\n##\n');

function open(server: Server): Promise<{ client: Client; channel: ClientChannel }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.subsys('netconf', (err, channel) => (err ? reject(err) : resolve({ client, channel })));
    });
    client.connect({
      host: server.host, port: server.port, username: server.username, password: server.password,
      hostVerifier: (key: Buffer) => server.hostKey.includes(fingerprint(key)),
    });
  });
}

/** Resolves with the bytes received up to and including `marker` at their end. */
function readUntil(channel: ClientChannel, endsWith: (buf: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      total += d.length;
      const buf = parts.length === 1 ? d : Buffer.concat(parts, total);
      if (parts.length > 1) parts.splice(0, parts.length, buf);
      if (endsWith(buf)) {
        channel.off('data', onData);
        channel.off('close', onClose);
        resolve(buf);
      }
    };
    const onClose = () => reject(new Error('the channel closed before the reply ended'));
    channel.on('data', onData);
    channel.on('close', onClose);
  });
}

export async function bareRate(server: Server, count: number): Promise<RateResult> {
  const { client, channel } = await open(server);
  try {
    const hello = await readUntil(channel, (b) => b.includes(']]>]]>'));
    const chunked = hello.includes('urn:ietf:params:netconf:base:1.1');
    channel.write(HELLO);
    // netconfd leaves an <rpc> that arrives in the same read as the <hello> for later.
    await new Promise((r) => setTimeout(r, 200));
    let id = 0;
    const one = async () => {
      const rpc = Buffer.from(`<rpc xmlns="${NETCONF_NS}" message-id="${++id}">${GET_CONFIG}</rpc>`);
      const done = chunked
        ? readUntil(channel, (b) => b.length >= 4 && b.compare(END, 0, 4, b.length - 4) === 0)
        : readUntil(channel, (b) => b.includes(']]>]]>'));
      channel.write(chunked ? Buffer.concat([Buffer.from(`\n#${rpc.length}\n`), rpc, END]) : Buffer.concat([rpc, Buffer.from(']]>]]>')]));
      await done;
    };
    for (let i = 0; i < 100; i++) await one(); // warm-up
    const t0 = now();
    for (let i = 0; i < count; i++) await one();
    return rate('bare ssh2 (framed bytes, no library), one at a time', 'bare-ssh2', count, 1, now() - t0);
  } finally {
    channel.end();
    client.end();
  }
}
