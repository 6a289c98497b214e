/**
 * Security properties, end to end:
 *
 * - no parse path (the streaming extractor, parseXml, a live session's replies, notifications
 *   and hello) accepts a DOCTYPE, an external entity or an entity expansion;
 * - nesting depth and sizes are bounded by default, with the defaults docs/extractor.md lists;
 * - host keys are verified by default;
 * - a password, a key passphrase and a private key never appear in an error's message, stack,
 *   toJSON(), util.inspect() (which shows the whole cause chain), in the fake device's log, or
 *   in the CLI's output.
 *
 * What the secret check covers: every error produced by the failing connects and commands in
 * this file, their whole cause chains, the device's log lines and the CLI's stdout and stderr.
 * It does not see errors other test files create (there is no hook on NetconfError creation);
 * test/integration/fake-device/session.test.ts and test/cli/rpc.test.ts check theirs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';
import { FakeDevice } from '../../src/device/fake-device.js';
import { connect, type ConnectOptions } from '../../src/session/connect.js';
import { NetconfError } from '../../src/errors/netconf-error.js';
import { ErrorExtractor } from '../../src/xml/extractor.js';
import { FrameDecoder } from '../../src/framing/decoder.js';
import { encodeChunked } from '../../src/framing/encoder.js';
import { replay } from '../../src/replay/replayer.js';
import { parseXml } from '../../src/xml/parse-data.js';
import { Harness, NS, codes, expectResourcesBack, options, resources, settleAll } from './support.js';
import { openScripted } from '../session/scripted-peer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const h = new Harness();
let before: Map<string, number>;
beforeEach(() => {
  before = resources();
});
afterEach(async () => {
  await h.closeAll();
  await expectResourcesBack(before);
});

/** A file whose content must never show up anywhere: the target of every external entity. */
const CANARY_DIR = mkdtempSync(path.join(tmpdir(), 'nk-xxe-'));
const CANARY = path.join(CANARY_DIR, 'secret.txt');
const CANARY_TEXT = 'CANARY-d41d8cd98f00b204';
writeFileSync(CANARY, CANARY_TEXT);

const BILLION_LAUGHS = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">${
  Array.from({ length: 8 }, (_, k) => `<!ENTITY lol${k + 2} "${`&lol${k + 1};`.repeat(10)}">`).join('')}]>`;
const ATTACKS: Record<string, { prolog: string; ref: string }> = {
  'billion laughs': { prolog: BILLION_LAUGHS, ref: '&lol9;' },
  'external entity (XXE)': { prolog: `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://${CANARY}">]>`, ref: '&xxe;' },
  'parameter entity': { prolog: `<!DOCTYPE r [<!ENTITY % p SYSTEM "file://${CANARY}"> %p;]>`, ref: '' },
  'external DTD': { prolog: `<!DOCTYPE r SYSTEM "file://${CANARY}">`, ref: '' },
  'lower-case doctype': { prolog: `<!doctype r [<!ENTITY e "expanded">]>`, ref: '&e;' },
  'bare ENTITY declaration': { prolog: '<!ENTITY e "expanded">', ref: '&e;' },
};

const errorReply = (id: string | null, message: string) =>
  `<rpc-reply xmlns="${NS}"${id === null ? '' : ` message-id="${id}"`}><rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag>`
  + `<error-severity>error</error-severity><error-message>${message}</error-message></rpc-error></rpc-reply>`;

/** Replay reports failures in its result: the first one's code (checked like codeOf), or 'ok'. */
function replayCode(input: string | Buffer): string {
  const result = replay(input);
  const first = [...result.messages.map((m) => m.error), result.error].find((e) => e !== null);
  return first ? codeOf(() => { throw first; }) : 'ok';
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(NetconfError);
    const text = `${(err as Error).message} ${JSON.stringify((err as NetconfError).toJSON())}`;
    expect(text).not.toContain(CANARY_TEXT);
    expect(text).not.toMatch(/(lol){20}/);
    return (err as NetconfError).code;
  }
}

/** Codes down the cause chain, outermost first. */
function causeCodes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (typeof e.code === 'string') out.push(e.code);
  return out;
}

describe('no DOCTYPE, external entity or entity expansion on any parse path', () => {
  describe.each(Object.entries(ATTACKS))('%s', (_name, { prolog, ref }) => {
    const doc = `${prolog}<rpc-reply xmlns="${NS}" message-id="1"><rpc-error><error-severity>error</error-severity><error-message>x${ref}</error-message></rpc-error><data>${ref}</data></rpc-reply>`;

    it('the extractor refuses it, whole and one byte at a time', () => {
      expect(codeOf(() => { const x = new ErrorExtractor(); x.push(Buffer.from(doc)); x.end(); })).toBe('MALFORMED_XML');
      expect(codeOf(() => { const x = new ErrorExtractor(); for (const c of Buffer.from(doc)) x.push(Buffer.from([c])); x.end(); })).toBe('MALFORMED_XML');
    });

    it('replay refuses it in the first message, and in a later eom or chunked message', () => {
      const ok = `<rpc-reply xmlns="${NS}" message-id="0"><ok/></rpc-reply>`;
      expect(replayCode(doc)).toBe('MALFORMED_XML');
      expect(replayCode(`${ok}]]>]]>${doc}]]>]]>`)).toBe('MALFORMED_XML');
      expect(replayCode(Buffer.concat([Buffer.from(`${ok}]]>]]>`), encodeChunked(ok, 5), encodeChunked(doc, 3)]))).toBe('MALFORMED_XML');
    });

    it('parseXml refuses it', () => {
      expect(codeOf(() => parseXml(doc))).toBe('MALFORMED_XML');
      expect(codeOf(() => parseXml(`\uFEFF  ${doc}`))).toBe('MALFORMED_XML');
      expect(codeOf(() => parseXml(`<?xml version="1.0"?>\n${doc}`))).toBe('MALFORMED_XML');
    });
  });

  it('an entity reference with no declaration is never expanded: refused where text is decoded, kept literal where it is not', () => {
    // In a captured error: decoded, so refused.
    expect(replayCode(errorReply('1', 'a &xxe; b'))).toBe('MALFORMED_XML');
    // In data: the extractor does not decode it (it is not read), parseXml refuses it.
    expect(replayCode(`<rpc-reply xmlns="${NS}" message-id="1"><data>&xxe;</data></rpc-reply>`)).toBe('ok');
    expect(codeOf(() => parseXml(`<data>&xxe;</data>`))).toBe('MALFORMED_XML');
    expect(codeOf(() => parseXml(`<data a="&xxe;"/>`))).toBe('MALFORMED_XML');
    // The five predefined entities and character references are all that is ever decoded.
    expect(parseXml('<d a="&lt;&#x41;">&amp;&#66;&gt;</d>')).toEqual({ d: { '#text': '&B>', '@_a': '<A' } });
  });

  it('a live session: a reply with a DOCTYPE inside its root rejects its call (MALFORMED_XML); a parsed reply with an entity reference too; the session goes on', async () => {
    const d = await h.device({
      rules: [
        { match: 'doctype', reply: (r) => ({ raw: encodeChunked(errorReply(r.messageId, '&lol9;').replace('<rpc-error>', `${BILLION_LAUGHS}<rpc-error>`)) }) },
        { match: 'xxe', reply: `<data><v>&xxe;</v></data>` },
      ],
    });
    const s = await h.session(d);
    const [bomb, xxe, xxeParsed] = await settleAll([
      s.rpc('<doctype xmlns="urn:nk:test"/>'),
      s.rpc('<xxe xmlns="urn:nk:test"/>'),
      s.rpc('<xxe xmlns="urn:nk:test"/>', { parse: true }),
    ]);
    expect(codes([bomb!, xxeParsed!])).toEqual(['MALFORMED_XML', 'MALFORMED_XML']);
    // Unparsed, the reply text is handed over as it came: the reference stays a reference.
    expect(xxe!.ok && xxe!.reply.xml).toContain('<v>&xxe;</v>');
    expect((await s.rpc('<get/>')).xml).toContain('<data');
  });

  it('a live session: a reply with a DOCTYPE before its root rejects its own call with MALFORMED_XML (as the session guide says of a reply that is not well-formed)', async () => {
    const d = await h.device({
      rules: [{ match: 'doctype', reply: (r) => ({ raw: encodeChunked(`${BILLION_LAUGHS}${errorReply(r.messageId, '&lol9;')}`) }) }],
    });
    const s = await h.session(d);
    const protocolErrors: NetconfError[] = [];
    s.on('protocolError', (e) => protocolErrors.push(e));
    const [bomb] = await settleAll([s.rpc('<doctype xmlns="urn:nk:test"/>', { timeoutMs: 1_000 })]);
    process.stdout.write(`a reply with a DOCTYPE before its root: the call ended with ${codes([bomb!])[0]}; protocolError events: ${protocolErrors.map((e) => e.code).join(', ') || 'none'}\n`);
    // Nothing was expanded, the failure went to its own call (not to the protocolError event),
    // and the session goes on.
    expect(codes([bomb!])).toEqual(['MALFORMED_XML']);
    expect(protocolErrors).toEqual([]);
    expect((await s.rpc('<get/>')).xml).toContain('<data');
  });

  it('a notification with a DOCTYPE, before or inside its root, is a protocolError, never a notification event', async () => {
    const notification = (body: string) => `<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2024-01-01T00:00:00Z</eventTime>${body}</notification>`;
    const d = await h.device({
      rules: [{
        match: 'notify-me',
        reply: (r) => ({
          raw: Buffer.concat([
            encodeChunked(`${BILLION_LAUGHS}${notification('<e>&lol9;</e>')}`),
            encodeChunked(notification(`<!DOCTYPE e [<!ENTITY x SYSTEM "file://${CANARY}">]><e>&x;</e>`)),
            encodeChunked(notification('<e>&undeclared;</e>')),
            encodeChunked(`<rpc-reply xmlns="${NS}" message-id="${r.messageId}"><ok/></rpc-reply>`),
          ]),
        }),
      }],
    });
    const s = await h.session(d);
    const events: string[] = [];
    const protocolErrors: NetconfError[] = [];
    s.on('notification', (n) => events.push(n.xml));
    s.on('protocolError', (e) => protocolErrors.push(e));
    await s.rpc('<notify-me xmlns="urn:nk:test"/>');
    await expect.poll(() => protocolErrors.length, { timeout: 5_000, message: 'two protocol errors' }).toBeGreaterThanOrEqual(2);
    expect(protocolErrors.map((e) => e.code)).toEqual(['MALFORMED_XML', 'MALFORMED_XML']);
    // The third has no DOCTYPE: it is delivered, its reference unexpanded.
    expect(events).toHaveLength(1);
    expect(events[0]).toContain('<e>&undeclared;</e>');
    expect(JSON.stringify(protocolErrors.map((e) => e.toJSON()))).not.toContain(CANARY_TEXT);
  });

  it.each([
    ['before the root', (hello: string) => `${BILLION_LAUGHS}${hello}`],
    ['inside the root', (hello: string) => hello.replace('<capabilities>', `<!DOCTYPE h [<!ENTITY x SYSTEM "file://${CANARY}">]><capabilities>`)],
    ['as an entity reference in a capability', (hello: string) => hello.replace('</capabilities>', '<capability>&xxe;</capability></capabilities>')],
  ])('a <hello> with a DOCTYPE %s: connect() fails, MALFORMED_XML in the cause chain', async (_where, mutate) => {
    const hello = `<hello xmlns="${NS}"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities><session-id>1</session-id></hello>`;
    const d = await h.device({ sendHello: false, preHello: `${mutate(hello)}]]>]]>` });
    const err = await connect(options(d, { helloTimeoutMs: 5_000 })).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NetconfError);
    expect(causeCodes(err)).toContain('MALFORMED_XML');
    expect(inspect(err, { depth: 10 })).not.toContain(CANARY_TEXT);
  });
});

describe('bounded by default, as the extractor guide lists', () => {
  const readme = readFileSync(path.join(ROOT, 'docs', 'extractor.md'), 'utf8');
  const limit = (name: string) => new RegExp(`\\| \`${name}\`(?: \\(framing\\))? \\| ([^|]+) \\| ([^|]+) \\|`).exec(readme);

  it('docs/extractor.md lists the defaults tested here', () => {
    expect(limit('maxMessageBytes')?.slice(1).map((s) => s.trim())).toEqual(['512 MiB', '`MESSAGE_TOO_LARGE`']);
    expect(limit('maxChunkBytes')?.slice(1).map((s) => s.trim())).toEqual(['4294967295 (the RFC maximum)', '`FRAMING_ERROR`']);
    expect(limit('maxDepth')?.slice(1).map((s) => s.trim())).toEqual(['512 nested elements', '`MALFORMED_XML`']);
    expect(limit('maxTagBytes')?.slice(1).map((s) => s.trim())).toEqual(['64 KiB for one tag', '`MALFORMED_XML`']);
    expect(limit('maxItemBytes')?.slice(1).map((s) => s.trim())).toEqual(['1 MiB for one captured error element', '`MESSAGE_TOO_LARGE`']);
    expect(limit('maxSkippedTextBytes')?.slice(1).map((s) => s.trim())).toEqual(['8 KiB of banner text kept', '(the rest is dropped)']);
  });

  const nest = (n: number) => `<rpc-reply xmlns="${NS}" message-id="1">${'<a>'.repeat(n - 1)}${'</a>'.repeat(n - 1)}</rpc-reply>`;

  it('maxDepth: 512 nested elements pass, 513 are MALFORMED_XML; 100,000 fail fast, without recursion', () => {
    expect(replayCode(nest(512))).toBe('ok');
    expect(replayCode(nest(513))).toBe('MALFORMED_XML');
    const t0 = performance.now();
    expect(replayCode(nest(100_000))).toBe('MALFORMED_XML');
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('maxMessageBytes: a chunk announcing more than 512 MiB is MESSAGE_TOO_LARGE at its header, nothing allocated', () => {
    const sink = { onData: () => {}, onMessageEnd: () => {} };
    const dec = new FrameDecoder(sink, { mode: 'chunked' });
    expect(codeOf(() => dec.push(Buffer.from(`\n#${512 * 1024 * 1024 + 1}\n`)))).toBe('MESSAGE_TOO_LARGE');
    const ok = new FrameDecoder(sink, { mode: 'chunked' });
    expect(codeOf(() => ok.push(Buffer.from(`\n#${512 * 1024 * 1024}\n`)))).toBe('ok');
  });

  it('maxMessageBytes: an eom message passing 512 MiB is MESSAGE_TOO_LARGE at byte 512 MiB', () => {
    let delivered = 0;
    const dec = new FrameDecoder({ onData: (b) => (delivered += b.length), onMessageEnd: () => {} }, { mode: 'eom' });
    const mib = Buffer.alloc(1 << 20, 0x61);
    for (let k = 0; k < 512; k++) dec.push(mib);
    expect(codeOf(() => dec.push(Buffer.from('a')))).toBe('MESSAGE_TOO_LARGE');
    expect(delivered).toBe(512 * 1024 * 1024);
  });

  it('maxMessageBytes in a session: a device announcing a 600 MB chunk is cut off at once', async () => {
    const { session, peer } = await openScripted();
    const call = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.sendRaw('\n#600000000\n<rpc-reply');
    expect(codes(await settleAll([call]))).toEqual(['MESSAGE_TOO_LARGE']);
    expect(session.closed).toBe(true);
  });

  it('maxChunkBytes: a chunk size past 4294967295 is FRAMING_ERROR', () => {
    const sink = { onData: () => {}, onMessageEnd: () => {} };
    expect(codeOf(() => new FrameDecoder(sink, { mode: 'chunked', maxMessageBytes: Number.MAX_SAFE_INTEGER }).push(Buffer.from('\n#4294967296\n')))).toBe('FRAMING_ERROR');
    expect(codeOf(() => new FrameDecoder(sink, { mode: 'chunked', maxMessageBytes: Number.MAX_SAFE_INTEGER }).push(Buffer.from('\n#4294967295\n')))).toBe('ok');
  });

  const inPieces = (text: string, size: number) => () => {
    const x = new ErrorExtractor();
    const bytes = Buffer.from(text);
    for (let k = 0; k < bytes.length; k += size) x.push(bytes.subarray(k, k + size));
    return x.end();
  };
  const whole = (text: string) => () => {
    const x = new ErrorExtractor();
    x.push(Buffer.from(text));
    return x.end();
  };

  const tag = (bytes: number) => `<rpc-reply xmlns="${NS}" message-id="1"><data><a b="${'x'.repeat(bytes)}"/></data></rpc-reply>`;
  const item = (bytes: number) => `<rpc-reply xmlns="${NS}" message-id="1"><rpc-error><error-message>${'x'.repeat(bytes)}</error-message></rpc-error></rpc-reply>`;

  it('maxTagBytes: a 256 KiB start tag arriving in 16 KiB pieces is MALFORMED_XML once 64 KiB of it are held', () => {
    expect(codeOf(inPieces(tag(256 * 1024), 16 * 1024))).toBe('MALFORMED_XML');
  });

  it('maxTagBytes: any start tag over 64 KiB is MALFORMED_XML, however it arrives (65 KiB: whole, in 16 KiB pieces)', () => {
    expect([codeOf(whole(tag(65 * 1024))), codeOf(inPieces(tag(65 * 1024), 16 * 1024))]).toEqual(['MALFORMED_XML', 'MALFORMED_XML']);
  });

  it('maxItemBytes: a 4 MiB rpc-error arriving in 64 KiB pieces is MESSAGE_TOO_LARGE once 1 MiB of it is read', () => {
    expect(codeOf(inPieces(item(4 * 1024 * 1024), 64 * 1024))).toBe('MESSAGE_TOO_LARGE');
  });

  it('maxItemBytes: any rpc-error over 1 MiB is MESSAGE_TOO_LARGE, however it arrives (1 MiB + 1 KiB: whole, in 64 KiB pieces)', () => {
    expect([codeOf(whole(item(1025 * 1024))), codeOf(inPieces(item(1025 * 1024), 64 * 1024))]).toEqual(['MESSAGE_TOO_LARGE', 'MESSAGE_TOO_LARGE']);
  });

  it('maxSkippedTextBytes: of a 1 MiB banner, 8 KiB are kept', () => {
    const r = replay(`${'banner '.repeat(150_000)}\n<rpc-reply xmlns="${NS}" message-id="1"><ok/></rpc-reply>`);
    expect(r.messages[0]!.skippedText!.length).toBeLessThanOrEqual(8 * 1024);
  });
});

describe('host keys are verified by default', () => {
  let home: string | undefined;
  beforeAll(() => {
    home = process.env.HOME;
  });
  afterAll(() => {
    if (home === undefined) delete process.env.HOME;
    else process.env.HOME = home;
  });

  it('connect() with no hostKey or knownHosts, and an empty home directory: HOST_KEY_UNKNOWN, with the fingerprint presented', async () => {
    const d = await h.device();
    process.env.HOME = mkdtempSync(path.join(tmpdir(), 'nk-home-'));
    const err = await connect({ host: d.host, port: d.port, username: 'netconf', password: 'netconf' }).then(() => null, (e: unknown) => e as NetconfError);
    expect(err?.code).toBe('HOST_KEY_UNKNOWN');
    expect((err as NetconfError & { fingerprint?: string }).fingerprint).toBe(d.hostKeyFingerprint);
    await expect.poll(() => d.connectionCount, { timeout: 5_000, message: 'the refused connection to close' }).toBe(0);
  });

  it('with ~/.ssh/known_hosts in that home listing the device: accepted; listing another key for the host: HOST_KEY_MISMATCH', async () => {
    const d = await h.device();
    const other = await h.device();
    process.env.HOME = mkdtempSync(path.join(tmpdir(), 'nk-home-'));
    mkdirSync(path.join(process.env.HOME, '.ssh'));
    const knownHosts = path.join(process.env.HOME, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `${d.knownHostsLine}\n`);
    const s = await connect({ host: d.host, port: d.port, username: 'netconf', password: 'netconf' });
    h.sessions.push(s);
    expect(s.sessionId).toBe(1);
    // d's key, listed for other's address: other presents a different key.
    writeFileSync(knownHosts, `${d.knownHostsLine.replace(`]:${d.port} `, `]:${other.port} `)}\n`);
    const err = await connect({ host: other.host, port: other.port, username: 'netconf', password: 'netconf' }).then(() => null, (e: unknown) => e as NetconfError);
    expect(err?.code).toBe('HOST_KEY_MISMATCH');
  });
});

describe('secrets never leak', () => {
  const PASSWORD = 'Pw-5ecr3t-9f1c2e';
  const PASSPHRASE = 'Pp-5ecr3t-77ab01';
  const RIGHT_PASSWORD = 'Pw-r1ght-0b3e55';
  // An encrypted key (never authorised) and a plain one (not authorised either).
  const encrypted = ssh2.utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 16 });
  const plain = ssh2.utils.generateKeyPairSync('ed25519');
  /** Distinctive pieces of each private key's body: none may appear anywhere. */
  const keyPieces = [encrypted.private, plain.private].flatMap((pem) => {
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    return [body.slice(40, 64), body.slice(100, 124), body.slice(-60, -36)];
  });
  const secrets = [PASSWORD, PASSPHRASE, RIGHT_PASSWORD, ...keyPieces];
  const produced: string[] = [];
  const logLines: string[] = [];

  /** Every view of an error a caller, a log or a job queue could see. */
  function views(err: unknown): string[] {
    const e = err as NetconfError;
    return [
      String(e), e.message, String(e.stack), JSON.stringify(e.toJSON()), JSON.stringify(NetconfError.fromJSON(e.toJSON()).toJSON()),
      inspect(e, { depth: 20, showHidden: true }),
    ];
  }

  function expectClean(label: string, texts: string[]): void {
    for (const text of texts) for (const secret of secrets) expect(text.includes(secret), `${label} shows a secret: …${text.slice(Math.max(0, text.indexOf(secret) - 40), text.indexOf(secret) + 40)}…`).toBe(false);
  }

  let device: FakeDevice;
  let silent: net.Server;
  beforeAll(async () => {
    device = await FakeDevice.start({ users: [{ username: 'ops', password: RIGHT_PASSWORD }], logger: (l) => logLines.push(l) });
    // Accepts TCP and never speaks SSH: connect timeouts.
    silent = net.createServer((socket) => socket.on('error', () => {}).resume()); // reads, so it sees the client's FIN
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await device.close();
    await new Promise((r) => silent.close(r));
    expectClean('the device log', logLines);
    process.stdout.write(`secrets: ${produced.length} errors and outputs checked for ${secrets.length} secret strings, plus ${logLines.length} device log lines\n`);
  });

  const base = (): ConnectOptions => ({ host: device.host, port: device.port, username: 'ops', hostKey: device.hostKeyFingerprint, connectTimeoutMs: 5_000 });
  const failing: [string, () => Partial<ConnectOptions>, string][] = [
    ['a wrong password', () => ({ password: PASSWORD }), 'AUTH_FAILED'],
    ['a wrong password over keyboard-interactive', () => ({ password: PASSWORD, tryKeyboard: true }), 'AUTH_FAILED'],
    ['an encrypted key with the wrong passphrase', () => ({ privateKey: encrypted.private, passphrase: `${PASSPHRASE}-wrong` }), 'INVALID_ARGUMENT'],
    ['an encrypted key without its passphrase', () => ({ privateKey: encrypted.private }), 'INVALID_ARGUMENT'],
    ['an encrypted key with its passphrase, not authorised', () => ({ privateKey: encrypted.private, passphrase: PASSPHRASE }), 'AUTH_FAILED'],
    ['a plain key, not authorised, with a password', () => ({ privateKey: plain.private, password: PASSWORD }), 'AUTH_FAILED'],
    ['a key that is no key', () => ({ privateKey: `not a key ${PASSPHRASE} ${PASSWORD}` }), 'INVALID_ARGUMENT'],
    ['the right password, an unknown host key', () => ({ password: RIGHT_PASSWORD, hostKey: undefined, knownHosts: path.join(CANARY_DIR, 'empty') }), 'HOST_KEY_UNKNOWN'],
    ['the right password, a wrong pinned key', () => ({ password: RIGHT_PASSWORD, hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 'HOST_KEY_MISMATCH'],
    ['a password to a closed port', () => ({ password: PASSWORD, port: 1 }), 'CONNECTION_REFUSED'],
    ['a password to a server that never speaks', () => ({ password: PASSWORD, port: (silent.address() as net.AddressInfo).port, connectTimeoutMs: 300 }), 'CONNECT_TIMEOUT'],
    ['a missing known_hosts file', () => ({ password: PASSWORD, hostKey: undefined, knownHosts: path.join(CANARY_DIR, 'nope') }), 'INVALID_ARGUMENT'],
    ['the right password, a subsystem that does not exist', () => ({ password: RIGHT_PASSWORD, subsystem: 'no-such-subsystem' }), 'SUBSYSTEM_UNAVAILABLE'],
  ];

  it.each(failing)('%s: fails with its code, and no view of the error shows a secret', async (what, extra, code) => {
    writeFileSync(path.join(CANARY_DIR, 'empty'), '');
    const err = await connect({ ...base(), ...extra() }).then((s) => (s.destroy(), null), (e: unknown) => e);
    expect(err, what).toBeInstanceOf(NetconfError);
    expect((err as NetconfError).code).toBe(code);
    const texts = views(err);
    produced.push(...texts);
    expectClean(what, texts);
  });

  it('errors from a working session (a device error, a timeout, a lost connection) do not show the password either', async () => {
    const d = await h.device({ users: [{ username: 'ops', password: RIGHT_PASSWORD }], rules: [{ match: 'slow', reply: { stall: true } }] });
    const s = await connect({ ...options(d), username: 'ops', password: RIGHT_PASSWORD });
    const settled = await settleAll([s.rpc('<no-such-op/>'), s.rpc('<slow xmlns="urn:nk:test"/>', { timeoutMs: 50 })]);
    expect(codes(settled)).toEqual(['OPERATION_NOT_SUPPORTED', 'RPC_TIMEOUT']);
    const lost = s.rpc('<slow xmlns="urn:nk:test"/>', { write: true });
    d.dropAll();
    const [l] = await settleAll([lost]);
    expect(codes([l!])).toEqual(['COMMIT_OUTCOME_UNKNOWN']);
    for (const x of [...settled, l!]) {
      if (x.ok) continue;
      const texts = views(x.error);
      produced.push(...texts);
      expectClean(x.error.code, texts);
    }
  });

  describe('the CLI', () => {
    const CLI = path.join(ROOT, 'dist/cli/main.js');
    const keyFile = path.join(CANARY_DIR, 'id_ed25519');
    writeFileSync(keyFile, encrypted.private, { mode: 0o600 });

    function cli(args: string[], env: Record<string, string>): Promise<string> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: CANARY_DIR, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        child.on('close', (status) => resolve(`exit ${status}\n${out}`));
      });
    }
    const target = () => ['--host', device.host, '--port', String(device.port), '--username', 'ops'];
    const pin = () => ['--host-key', device.hostKeyFingerprint];

    it.each([
      ['rpc, wrong password', () => [...target(), ...pin()], { NETCONF_PASSWORD: PASSWORD }, /AUTH_FAILED/],
      ['rpc, encrypted key, wrong passphrase', () => [...target(), ...pin(), '--key', keyFile], { NETCONF_PASSPHRASE: `${PASSPHRASE}x` }, /INVALID_ARGUMENT/],
      ['rpc, encrypted key, right passphrase, not authorised', () => [...target(), ...pin(), '--key', keyFile], { NETCONF_PASSPHRASE: PASSPHRASE }, /AUTH_FAILED/],
      ['rpc, unknown host key (empty HOME)', () => target(), { NETCONF_PASSWORD: RIGHT_PASSWORD }, /HOST_KEY_UNKNOWN/],
      ['rpc, closed port', () => ['--host', '127.0.0.1', '--port', '1', '--username', 'ops', ...pin()], { NETCONF_PASSWORD: PASSWORD }, /CONNECTION_REFUSED/],
    ])('%s: the output names the failure and shows no secret', async (what, args, env, expected) => {
      expect(existsSync(CLI), `${CLI} is built by npm test (tsup)`).toBe(true);
      const out = await cli(['rpc', ...args(), '<get/>'], env);
      expect(out).toMatch(expected);
      produced.push(out);
      expectClean(`netconfkit ${what}`, [out]);
    });

    it('get-config and commit with a wrong password: no secret in the output', async () => {
      for (const command of [['get-config'], ['commit']]) {
        const out = await cli([...command, ...target(), ...pin(), '--json'], { NETCONF_PASSWORD: PASSWORD });
        expect(out).toMatch(/AUTH_FAILED/);
        produced.push(out);
        expectClean(`netconfkit ${command[0]}`, [out]);
      }
    });
  });
});
