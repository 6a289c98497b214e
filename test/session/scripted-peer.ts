import { Duplex, PassThrough } from 'node:stream';
import { FrameDecoder } from '../../src/framing/decoder.js';
import { encodeMessage } from '../../src/framing/encoder.js';
import type { NetconfError } from '../../src/errors/index.js';
import { Session, type SessionOptions, type SessionTransport } from '../../src/session/session.js';

export const BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';

export function serverHello(opts: { base?: '1.0' | '1.1' | 'both'; sessionId?: string | null; extra?: string[] } = {}): string {
  const base = opts.base ?? 'both';
  const caps = [
    ...(base === '1.1' ? [] : ['urn:ietf:params:netconf:base:1.0']),
    ...(base === '1.0' ? [] : ['urn:ietf:params:netconf:base:1.1']),
    'urn:ietf:params:netconf:capability:candidate:1.0',
    ...(opts.extra ?? []),
  ];
  const sid = opts.sessionId === undefined ? '<session-id>42</session-id>' : opts.sessionId === null ? '' : `<session-id>${opts.sessionId}</session-id>`;
  return `<hello xmlns="${BASE}"><capabilities>${caps.map((c) => `<capability>${c}</capability>`).join('')}</capabilities>${sid}</hello>`;
}

/**
 * An in-memory NETCONF peer for session tests: the test reads each request the session
 * writes and answers with exact bytes, so every ordering and fault can be staged.
 */
export class ScriptedPeer {
  readonly toClient = new PassThrough();
  readonly fromClient = new PassThrough();
  readonly requests: string[] = [];
  framing: 'eom' | 'chunked' = 'eom';
  private waiters: (() => void)[] = [];
  private closeListeners: ((e: NetconfError | null) => void)[] = [];
  closedByClient = false;
  readonly transport: SessionTransport;

  constructor() {
    let current: Buffer[] = [];
    const decoder = new FrameDecoder(
      {
        onData: (b) => current.push(Buffer.from(b)),
        onMessageEnd: () => {
          this.requests.push(Buffer.concat(current).toString('utf8'));
          current = [];
          for (const w of this.waiters.splice(0)) w();
        },
      },
      { mode: 'eom' },
    );
    this.decode = decoder;
    this.fromClient.on('data', (d: Buffer) => decoder.push(d));
    const stream = Duplex.from({ readable: this.toClient, writable: this.fromClient });
    this.transport = {
      stream,
      close: () => {
        this.closedByClient = true;
      },
      onClose: (l) => this.closeListeners.push(l),
    };
  }

  private readonly decode: FrameDecoder;

  /** Switches both directions to chunked framing (after the hellos, when both speak 1.1). */
  useChunked(): void {
    this.framing = 'chunked';
    this.decode.setMode('chunked');
  }

  /** Waits until the session has written `count` messages in all (the hello included). */
  async waitForRequests(count: number): Promise<string[]> {
    while (this.requests.length < count) await new Promise<void>((r) => this.waiters.push(r));
    return this.requests;
  }

  /** The message-id of the n-th request (0 is the hello). */
  idOf(n: number): string {
    return /message-id="([^"]+)"/.exec(this.requests[n] ?? '')![1]!;
  }

  send(xml: string): void {
    this.toClient.write(encodeMessage(xml, this.framing));
  }

  sendRaw(bytes: string | Buffer): void {
    this.toClient.write(bytes);
  }

  /** One chunk of an RFC 6242 chunked message: a reply sent piece by piece (the session speaks base:1.1). */
  sendChunk(text: string): void {
    this.sendRaw(`\n#${Buffer.byteLength(text)}\n${text}`);
  }

  /** The end of a chunked message. */
  endChunks(): void {
    this.sendRaw('\n##\n');
  }

  reply(n: number, body: string): void {
    this.send(`<rpc-reply xmlns="${BASE}" message-id="${this.idOf(n)}">${body}</rpc-reply>`);
  }

  /** The connection drops. */
  drop(error: NetconfError | null = null): void {
    for (const l of this.closeListeners) l(error);
  }
}

/** A session over a fresh scripted peer, hellos exchanged; chunked when both speak base:1.1. */
export async function openScripted(options: SessionOptions = {}, hello = serverHello()): Promise<{ session: Session; peer: ScriptedPeer }> {
  const peer = new ScriptedPeer();
  const started = Session.start(peer.transport, options);
  await peer.waitForRequests(1);
  peer.send(hello);
  const session = await started;
  if (session.capabilities.base11 && options.base !== '1.0') peer.useChunked();
  return { session, peer };
}

/** Whether the session still works: a `<get/>` sent now gets its own `<ok/>`. */
export async function nextCallAnswered(session: Session, peer: ScriptedPeer): Promise<boolean> {
  const n = peer.requests.length;
  const next = session.rpc('<get/>');
  await peer.waitForRequests(n + 1);
  peer.reply(n, '<ok/>');
  return (await next).hasOk;
}
