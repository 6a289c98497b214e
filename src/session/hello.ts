import { ClientError, ProtocolError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { escapeXml } from '../xml/entities.js';
import { type XmlObject, type XmlValue, parseXml, textOf } from '../xml/parse-data.js';
import { CAPABILITY, NETCONF_BASE_NS } from '../xml/namespaces.js';
import { Capabilities } from './capabilities.js';

/** The client `<hello>`: capabilities only, never a session-id (RFC 6241 §8.1). */
export function clientHello(capabilities: readonly string[]): string {
  const caps = capabilities.map((c) => `<capability>${escapeXml(c)}</capability>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="${NETCONF_BASE_NS}"><capabilities>${caps}</capabilities></hello>`;
}

export interface ServerHello {
  sessionId: number;
  capabilities: string[];
}

/** Reads the device's `<hello>`; one without a valid session-id ends the session (RFC 6241 §8.1). */
export function parseServerHello(xml: string, name: string): ServerHello {
  const doc = parseXml(xml);
  const hello = doc.hello as XmlObject | undefined;
  if (!hello || typeof hello !== 'object') throw new ProtocolError('PROTOCOL_ERROR', `${name} sent a malformed <hello>`);
  const caps = (hello.capabilities as XmlObject | undefined)?.capability;
  const capabilities = (Array.isArray(caps) ? caps : caps === undefined ? [] : [caps]).map(text);
  const rawId = text(hello['session-id']);
  const sessionId = /^[1-9][0-9]{0,9}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(sessionId) || sessionId > 4294967295) {
    throw new ProtocolError('PROTOCOL_ERROR', `${name} sent a <hello> without a valid <session-id> (got "${rawId.slice(0, 40)}")`);
  }
  if (capabilities.length === 0) throw new ProtocolError('PROTOCOL_ERROR', `${name} sent a <hello> with no capabilities`);
  return { sessionId, capabilities };
}

function text(value: XmlValue | undefined): string {
  return textOf(value) ?? '';
}

/** Which base versions the client offers. */
export type BaseVersions = '1.0' | '1.1' | 'both';

/** The capabilities the client's `<hello>` lists for the base versions it offers. */
export function clientCapabilities(base: BaseVersions, extra: readonly string[]): string[] {
  return [
    ...(base === '1.1' ? [] : [CAPABILITY.base10]),
    ...(base === '1.0' ? [] : [CAPABILITY.base11]),
    ...extra,
  ];
}

export interface Negotiated {
  sessionId: number;
  capabilities: Capabilities;
  /** Chunked when both sides speak base:1.1 (RFC 6242 §4.1), from the next message on. */
  framing: 'eom' | 'chunked';
}

/** Reads the device's `<hello>` and settles the framing; throws PROTOCOL_ERROR when no base version is shared. */
export function negotiate(serverHello: string, base: BaseVersions, name: string): Negotiated {
  const hello = parseServerHello(serverHello, name);
  const capabilities = new Capabilities(hello.capabilities);
  const both11 = base !== '1.0' && capabilities.base11;
  const both10 = base !== '1.1' && capabilities.base10;
  if (!both11 && !both10) {
    const offered = capabilities.uris.filter((u) => u.includes(':base:')).join(', ') || 'none';
    throw new ProtocolError('PROTOCOL_ERROR', `${name} offers no base version in common with us (it advertised: ${offered})`);
  }
  return { sessionId: hello.sessionId, capabilities, framing: both11 ? 'chunked' : 'eom' };
}

// How much a device sends before its <hello> is kept to show in errors.
const SEEN_BYTES = 2048;

/**
 * The wait for the device's `<hello>`: bounded by a timeout and an optional signal, and
 * keeping what the device printed before it (Junos does for restricted users), so a timeout
 * says what came instead of a bare "no hello".
 */
export class HelloWait {
  readonly done: Promise<void>;
  private finish: (error: NetconfError | null) => void = () => {};
  private readonly seen: Buffer[] = [];
  private seenBytes = 0;

  constructor(name: string, timeoutMs: number, signal: AbortSignal | undefined) {
    this.done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const text = this.text();
        this.finish(new TimeoutError('HELLO_TIMEOUT', `${name} sent no <hello> within ${timeoutMs} ms${text ? `; it sent: ${text}` : ''}`));
      }, timeoutMs);
      const onAbort = () => this.finish(new ClientError('ABORTED', `The connection to ${name} was aborted while waiting for its <hello>`, { cause: signal?.reason }));
      this.finish = (error) => {
        this.finish = () => {};
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Bytes read while waiting (the hello itself included; only the first ones are kept). */
  see(chunk: Buffer): void {
    if (this.seenBytes >= SEEN_BYTES) return;
    this.seen.push(Buffer.from(chunk.subarray(0, SEEN_BYTES - this.seenBytes)));
    this.seenBytes += chunk.length;
  }

  /** What the device sent so far, whitespace folded. */
  text(): string {
    return Buffer.concat(this.seen).toString('utf8').replace(/\s+/g, ' ').trim();
  }

  resolve(): void {
    this.finish(null);
  }

  reject(error: NetconfError): void {
    this.finish(error);
  }
}
