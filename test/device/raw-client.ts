import { createHash } from 'node:crypto';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { FrameDecoder } from '../../src/framing/decoder.js';
import { encodeChunked, encodeEom } from '../../src/framing/encoder.js';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';

/**
 * A bare NETCONF client over ssh2 for the fake device's tests: no session logic of its own,
 * just framing, so each test sees exactly what the device put on the wire.
 */

export const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
export const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
export const NC_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

const devices: FakeDevice[] = [];
const clients: Client[] = [];

/** Starts a device that `cleanup()` closes. */
export async function startDevice(options?: FakeDeviceOptions): Promise<FakeDevice> {
  const device = await FakeDevice.start(options);
  devices.push(device);
  return device;
}

/** Ends every client and closes every device of the test (afterEach). */
export async function cleanup(): Promise<void> {
  for (const client of clients.splice(0)) client.end();
  await Promise.all(devices.splice(0).map((d) => d.close()));
}

export interface Connected {
  client: Client;
  /** Resolves when the client's 'close' event fires. */
  closed: Promise<void>;
  /** The OpenSSH fingerprint of the host key the client was shown. */
  hostFingerprint: string | null;
}

/** Connects with password netconf/netconf unless `config` says otherwise. Rejects on ssh2 errors. */
export function connect(device: FakeDevice, config: Partial<ConnectConfig> = {}): Promise<Connected> {
  const client = new Client();
  clients.push(client);
  let hostFingerprint: string | null = null;
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    client.on('error', reject); // stays for the client's life: later errors are expected in fault tests
    client.once('ready', () => resolve({ client, closed, hostFingerprint }));
    client.once('close', () => reject(new Error('closed before ready')));
    client.connect({
      host: device.host,
      port: device.port,
      username: 'netconf',
      password: 'netconf',
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => {
        hostFingerprint = 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
        return true;
      },
      ...config,
    });
  });
}

export interface OpenOptions {
  /** Capabilities of the client hello (default base 1.0 and 1.1): decides when to switch to chunked. */
  caps?: string[];
  /** Open with `exec` of this command instead of the netconf subsystem. */
  exec?: string;
}

/** A NETCONF channel: decoded messages in, framed messages out. */
export class RawNetconf {
  mode: 'eom' | 'chunked' = 'eom';
  /** Every byte received, in order. */
  readonly received: Buffer[] = [];
  /** Decoded messages not yet taken by `next()`. */
  readonly messages: string[] = [];
  framingError: Error | null = null;
  /** Resolves when the channel closes. */
  readonly closed: Promise<void>;
  private isClosed = false;
  private readonly decoder: FrameDecoder;
  private parts: Buffer[] = [];
  private count = 0;
  private wake: (() => void) | null = null;

  private constructor(
    readonly channel: ClientChannel,
    readonly caps: string[],
  ) {
    this.decoder = new FrameDecoder({
      onData: (bytes) => this.parts.push(Buffer.from(bytes)),
      onMessageEnd: () => {
        const text = Buffer.concat(this.parts).toString('utf8');
        this.parts = [];
        // Like a real client: chunked from the message after the hellos, if both said base:1.1.
        if (this.count++ === 0 && /<(?:[\w.-]+:)?hello[\s>]/.test(text) && text.includes(BASE_11) && caps.includes(BASE_11)) {
          this.mode = 'chunked';
          this.decoder.setMode('chunked');
        }
        this.messages.push(text);
        this.notify();
      },
    });
    channel.on('data', (chunk: Buffer) => {
      this.received.push(Buffer.from(chunk));
      if (this.framingError) return;
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.framingError = err as Error;
        this.notify();
      }
    });
    this.closed = new Promise((resolve) =>
      channel.once('close', () => {
        this.isClosed = true;
        this.notify();
        resolve();
      }),
    );
  }

  static open(client: Client, options: OpenOptions = {}): Promise<RawNetconf> {
    const caps = options.caps ?? [BASE_10, BASE_11];
    return new Promise((resolve, reject) => {
      const done = (err: Error | undefined, channel: ClientChannel) => (err ? reject(err) : resolve(new RawNetconf(channel, caps)));
      if (options.exec !== undefined) client.exec(options.exec, done);
      else client.subsys('netconf', done);
    });
  }

  /** All bytes received so far as text (or from byte `from` on). */
  rawText(from = 0): string {
    return Buffer.concat(this.received).subarray(from).toString('utf8');
  }

  get receivedBytes(): number {
    return this.received.reduce((n, b) => n + b.length, 0);
  }

  /** The next decoded message; rejects when the channel closes or framing breaks first, or after `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.messages.shift();
      if (message !== undefined) return message;
      if (this.framingError) throw this.framingError;
      if (this.isClosed) throw new Error('channel closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves true if no message arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch (err) {
      return (err as Error).message.startsWith('no message');
    }
  }

  sendHello(caps: string[] = this.caps): void {
    const list = caps.map((c) => `<capability>${c}</capability>`).join('');
    this.channel.write(encodeEom(`<hello xmlns="${NC_NS}"><capabilities>${list}</capabilities></hello>`));
  }

  /** Reads the device hello, answers with ours; returns the device hello. */
  async handshake(): Promise<string> {
    const hello = await this.next();
    this.sendHello();
    return hello;
  }

  /** Sends one message in the negotiated framing. */
  send(xml: string): void {
    this.channel.write(this.mode === 'chunked' ? encodeChunked(xml) : encodeEom(xml));
  }

  /** Sends `<rpc message-id="id">body</rpc>`. */
  rpc(id: string, body: string): void {
    this.send(`<rpc xmlns="${NC_NS}" message-id="${id}">${body}</rpc>`);
  }

  /** Sends an rpc and returns the next message. */
  async call(id: string, body: string): Promise<string> {
    this.rpc(id, body);
    return this.next();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Connects, opens a NETCONF channel and exchanges hellos. */
export async function session(device: FakeDevice, options: OpenOptions & { config?: Partial<ConnectConfig> } = {}) {
  const connected = await connect(device, options.config);
  const nc = await RawNetconf.open(connected.client, options);
  const hello = await nc.handshake();
  return { ...connected, nc, hello };
}

/** The message-id attribute of a reply, or null. */
export function messageIdOf(xml: string): string | null {
  return /<(?:[\w.-]+:)?rpc-reply\b[^>]*\smessage-id="([^"]*)"/.exec(xml)?.[1] ?? null;
}
