import { Duplex } from 'node:stream';

const LF = 0x0a;
const SSH_DASH = Buffer.from('SSH-');
// Past this much without an identification line the bytes go on as they are, for ssh2 to refuse.
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * A connection whose first bytes reach ssh2 with the server's identification line whole.
 *
 * ssh2 1.17 keeps only the first partial read of the server's `SSH-2.0-…` line
 * (`parseHeader` in lib/protocol/Protocol.js): when the line arrives in three reads or more,
 * as it may through a forwarder that splits bytes (OpenSSH reads it byte by byte), the
 * connection waits out its deadline or fails on a bogus signature. So the bytes read are held
 * until that line (and any lines a server may send before it, RFC 4253 §4.2) has ended, then
 * handed on in one piece; everything after passes straight through, both ways.
 */
export class WholeIdentLine extends Duplex {
  private head: Buffer[] | null = [];
  private headBytes = 0;
  /** Where the line being read is: how many bytes of "SSH-" it has matched, -1 once it cannot be the identification line. */
  private matched = 0;

  constructor(private readonly inner: Duplex) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => this.received(chunk));
    inner.on('end', () => {
      this.release();
      this.push(null);
    });
    inner.on('error', (err: Error) => this.destroy(err));
    inner.on('close', () => this.destroy());
    // ssh2 waits for 'connect' when `connecting` says a socket is still on its way.
    inner.on('connect', () => this.emit('connect'));
  }

  /** The socket's own flag (undefined for a channel, which ssh2 takes as connected). */
  get connecting(): boolean | undefined {
    return (this.inner as Duplex & { connecting?: boolean }).connecting;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.inner.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.inner.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.inner.destroy();
    done(error);
  }

  private received(chunk: Buffer): void {
    if (this.head === null) {
      if (!this.push(chunk)) this.inner.pause();
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.identEnds(chunk) || this.headBytes > MAX_HEAD_BYTES) this.release();
  }

  /** Whether the identification line ends in this chunk (the lines before it are read past). */
  private identEnds(chunk: Buffer): boolean {
    for (const byte of chunk) {
      if (byte === LF) {
        if (this.matched === SSH_DASH.length) return true;
        this.matched = 0;
      } else if (this.matched >= 0 && this.matched < SSH_DASH.length) {
        this.matched = byte === SSH_DASH[this.matched] ? this.matched + 1 : -1;
      }
    }
    return false;
  }

  /** Hands on what was held, in one piece; from now on chunks pass straight through. */
  private release(): void {
    const head = this.head;
    if (head === null) return;
    this.head = null;
    if (head.length > 0 && !this.push(head.length === 1 ? head[0] : Buffer.concat(head))) this.inner.pause();
  }
}
