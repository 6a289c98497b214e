/**
 * Seeded generator of Junos-like `<rpc-reply>`s: a multi-routing-engine `show configuration`
 * with thousands of interfaces and policies, Junos attributes (`junos:changed-seconds`,
 * `inactive`, `junos:group`), `<junos:comment>`s, entities, some UTF-8, and syslog `<error/>`
 * / `<warning/>` *data* inside `<configuration>` (not errors). Error items (`<rpc-error>`,
 * `<xnm:error>`, `<xnm:warning>`) sit at the start, the middle and the end of the reply.
 *
 * The reply is produced as a sequence of pieces of about `pieceBytes`, so a caller can stream
 * hundreds of megabytes without ever holding them; `generateReply` joins them for the sizes
 * that are held whole.
 */

export const XNM = 'http://xml.juniper.net/xnm/1.1/xnm';
export type ItemKind = 'rpc-error' | 'xnm:error' | 'xnm:warning';
export type ItemPosition = 'start' | 'middle' | 'end';

export interface ReplyPlan {
  /** Approximate size of the reply in bytes (it ends within a few KiB past this). */
  bytes: number;
  seed?: number;
  /** Put error items at the start, middle and end (default true). */
  items?: boolean;
  /** Size of each piece produced (default 64 KiB). */
  pieceBytes?: number;
}

/** Where an error item ends: `end` is the offset just past the `>` of its end tag. */
export interface ItemMark {
  kind: ItemKind;
  position: ItemPosition;
  end: number;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DESCRIPTIONS = [
  'uplink to core-1', 'customer A &amp; B shared port', 'backbone &lt;40G&gt;', 'peering: IX-Frankfurt',
  'management (oob)', 'café lab — rack 12', 'to dc-edge &quot;north&quot;', 'spare', 'LAG member', 'transit provider',
];
const POLICY_PROTOCOLS = ['bgp', 'ospf', 'static', 'direct', 'isis'];

/** Builds the reply piece by piece; byte offsets are counted as UTF-8. */
class Writer {
  private parts: string[] = [];
  private partBytes = 0;
  /** Bytes handed out in earlier pieces. */
  flushed = 0;

  constructor(private readonly pieceBytes: number) {}

  get offset(): number {
    return this.flushed + this.partBytes;
  }

  write(s: string): void {
    this.parts.push(s);
    this.partBytes += Buffer.byteLength(s, 'utf8');
  }

  /** A full piece, or null while less than a piece is pending. */
  take(force = false): Buffer | null {
    if (this.partBytes === 0 || (!force && this.partBytes < this.pieceBytes)) return null;
    const piece = Buffer.from(this.parts.join(''), 'utf8');
    this.flushed += piece.length;
    this.parts = [];
    this.partBytes = 0;
    return piece;
  }
}

function rpcError(rnd: () => number, n: number): string {
  return (
    `<rpc-error>\n<error-type>protocol</error-type>\n<error-tag>operation-failed</error-tag>\n` +
    `<error-severity>error</error-severity>\n<error-path>[edit interfaces ge-0/0/${n}]</error-path>\n` +
    `<error-message>\nlogical unit ${Math.floor(rnd() * 4000)} is not allowed on aggregated links\n</error-message>\n` +
    `<error-info>\n<bad-element>unit ${n}</bad-element>\n</error-info>\n</rpc-error>\n`
  );
}

function xnmItem(kind: 'error' | 'warning', n: number): string {
  return (
    `<xnm:${kind} xmlns="${XNM}" xmlns:xnm="${XNM}">\n<source-daemon>\ndcd\n</source-daemon>\n` +
    `<edit-path>\n[edit interfaces ae${n}]\n</edit-path>\n<statement>\nunit ${n}\n</statement>\n` +
    `<message>\n${kind === 'error' ? 'mtu mismatch on aggregated links' : 'statement has no effect: mtu is inherited'}\n</message>\n` +
    `</xnm:${kind}>\n`
  );
}

function interfaceXml(rnd: () => number, n: number): string {
  const slot = n % 48;
  const fpc = Math.floor(n / 48) % 16;
  const inactive = rnd() < 0.05 ? ' inactive="inactive"' : '';
  const group = rnd() < 0.1 ? ' junos:group="CORE-IFACES"' : '';
  const comment = rnd() < 0.08 ? `<junos:comment>/* changed by ops &amp; netops, ticket ${n} */</junos:comment>\n` : '';
  const a = 1 + Math.floor(rnd() * 250);
  const b = Math.floor(rnd() * 256);
  return (
    `${comment}<interface${inactive}${group}>\n<name>xe-${fpc}/0/${slot}.${n}</name>\n` +
    `<description>${DESCRIPTIONS[n % DESCRIPTIONS.length]}</description>\n<mtu>${rnd() < 0.5 ? 9192 : 1514}</mtu>\n` +
    `<unit>\n<name>0</name>\n<family>\n<inet>\n<address>\n<name>10.${a}.${b}.${n % 256}/31</name>\n</address>\n</inet>\n` +
    `<inet6>\n<address>\n<name>2001:db8:${a.toString(16)}:${b.toString(16)}::${(n % 65536).toString(16)}/127</name>\n</address>\n</inet6>\n` +
    `</family>\n</unit>\n</interface>\n`
  );
}

function policyXml(rnd: () => number, n: number): string {
  const terms: string[] = [];
  const count = 1 + Math.floor(rnd() * 3);
  for (let t = 0; t < count; t++) {
    const proto = POLICY_PROTOCOLS[Math.floor(rnd() * POLICY_PROTOCOLS.length)]!;
    terms.push(
      `<term>\n<name>t${t}</name>\n<from>\n<protocol>${proto}</protocol>\n<route-filter>\n` +
      `<address>192.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.0/24</address>\n<orlonger/>\n</route-filter>\n</from>\n` +
      `<then>\n<community>\n<add/>\n<community-name>C-${n}-${t}</community-name>\n</community>\n${rnd() < 0.8 ? '<accept/>' : '<reject/>'}\n</then>\n</term>\n`,
    );
  }
  const changed = rnd() < 0.1 ? ` junos:changed-seconds="${1700000000 + n}" junos:changed-localtime="2024-03-05 10:${String(n % 60).padStart(2, '0')}:00 UTC"` : '';
  return `<policy-statement${changed}>\n<name>EXPORT-${n}</name>\n${terms.join('')}</policy-statement>\n`;
}

function configOpen(re: string): string {
  return (
    `<configuration junos:commit-seconds="1709633100" junos:commit-localtime="2024-03-05 10:05:00 UTC" junos:commit-user="netops">\n` +
    `<version>23.4R1.9</version>\n<system>\n<host-name>mx960-lab-${re}</host-name>\n<syslog>\n<file>\n<name>messages</name>\n` +
    `<contents>\n<name>any</name>\n<warning/>\n</contents>\n<contents>\n<name>authorization</name>\n<error/>\n</contents>\n</file>\n</syslog>\n</system>\n`
  );
}

/**
 * The reply, in pieces of about `pieceBytes`. Each error item's end offset is appended to
 * `marks` as it is written (before the piece holding it is produced).
 */
export function* replyPieces(plan: ReplyPlan, marks: ItemMark[] = []): Generator<Buffer, void, undefined> {
  const rnd = prng(plan.seed ?? 6);
  const withItems = plan.items ?? true;
  const w = new Writer(plan.pieceBytes ?? 64 * 1024);
  const target = plan.bytes;
  let n = 0;
  const item = (kind: ItemKind, position: ItemPosition) => {
    if (!withItems) return;
    w.write(kind === 'rpc-error' ? rpcError(rnd, n) : xnmItem(kind === 'xnm:error' ? 'error' : 'warning', n));
    marks.push({ kind, position, end: w.offset - 1 }); // the newline after the end tag is not part of it
  };

  w.write(
    `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos" message-id="101">\n` +
    `<multi-routing-engine-results>\n`,
  );
  for (const [re, share] of [['re0', 0.5], ['re1', 1]] as const) {
    w.write(`<multi-routing-engine-item>\n<re-name>${re}</re-name>\n`);
    if (re === 're0') {
      item('rpc-error', 'start');
      item('xnm:warning', 'start');
      item('xnm:error', 'start');
    }
    w.write(configOpen(re));
    // Interfaces then policies, about 60/40 by bytes, up to this engine's share of the target.
    const limit = target * share - 512;
    const ifaceUntil = w.offset + (limit - w.offset) * 0.6;
    w.write('<interfaces>\n');
    while (w.offset < ifaceUntil) {
      w.write(interfaceXml(rnd, n++));
      const piece = w.take();
      if (piece) yield piece;
    }
    w.write('</interfaces>\n<policy-options>\n');
    while (w.offset < limit) {
      w.write(policyXml(rnd, n++));
      const piece = w.take();
      if (piece) yield piece;
    }
    w.write('</policy-options>\n</configuration>\n');
    if (re === 're0') {
      item('xnm:warning', 'middle');
      item('rpc-error', 'middle');
    } else {
      item('xnm:error', 'end');
      item('rpc-error', 'end');
      item('xnm:warning', 'end');
    }
    w.write('</multi-routing-engine-item>\n');
  }
  w.write('</multi-routing-engine-results>\n</rpc-reply>\n');
  const last = w.take(true);
  if (last) yield last;
}

/** How many error items a reply holds. */
export function itemCount(plan: ReplyPlan): number {
  return (plan.items ?? true) ? 8 : 0;
}

/** The whole reply as one Buffer (for the sizes that are held). */
export function generateReply(plan: ReplyPlan): { bytes: Buffer; marks: ItemMark[] } {
  const marks: ItemMark[] = [];
  const pieces = [...replyPieces({ pieceBytes: 1024 * 1024, ...plan }, marks)];
  return { bytes: Buffer.concat(pieces), marks };
}
