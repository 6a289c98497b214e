import { createHmac } from 'node:crypto';
import net, { Server as TcpServer, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import ssh2, { type ClientInfo, type Connection, type ServerChannel, type Session } from 'ssh2';
import { ClientError } from '../errors/classes.js';
import { CAPABILITY } from '../xml/namespaces.js';
import { Authenticator } from './auth.js';
import { defaultReply, type DefaultReply } from './default-handlers.js';
import { FakeSession, type SessionHost } from './fake-session.js';
import { type HostKey, knownHostsLine, loadHostKey } from './host-key.js';
import { LockTable } from './locks.js';
import { Datastores, type TopLevelSelector, keepsEvent } from './datastores.js';
import { PartialLocks } from './partial-locks.js';
import { expandPersonality, FAKE_PERSONALITY_NAMES, FAKE_QUIRKS, isPersonalityName } from './personalities.js';
import { BASE_1_0, BASE_1_1, FAKE_DEVICE_CAPABILITIES, NMDA_MODULE_CAPABILITY } from './replies.js';
import { FakePush } from './push.js';
import { RfcCommits } from './rfc-commits.js';
import { RuleBook } from './rule-book.js';
import { FAKE_DEVICE_MODULES, FakeYangLibrary, isYangLibraryShape } from './yang-library.js';
import type {
  FakeCallHomeOptions, FakeCommit, FakeCommitFault, FakeDeviceOptions, FakeDynamicSubscription, FakeNotifyOptions, FakeTlsOptions, FakePersonality, FakePersonalityContext, FakeQuirks, FakeRawNotifyOptions, FakeReply,
  FakeRequest, FakeSubscription, FakeUser,
} from './types.js';

export type {
  FakeCommit, FakeCommitFault, FakeDatastores, FakeDeviceOptions, FakeDynamicSubscription, FakeHandler, FakeLocks, FakeNotifyOptions, FakePersonality,
  FakePersonalityContext, FakePersonalityName, FakePushOptions, FakeQuirks, FakeRawNotifyOptions, FakeReply, FakeReplyOptions, FakeRequest, FakeRule,
  FakeSubscription, FakeUser,
} from './types.js';
export type { FakeCallHomeOptions, FakeOutboundSsh, FakeTlsOptions } from './types.js';

// ssh2 is CommonJS and Node's ESM loader sees only a few of its names (Client, not Server or
// utils), so take them from the default export: this works in the ESM and the CJS build.
const { Server: SshServer } = ssh2;

const DEFAULT_USERS: readonly FakeUser[] = [{ username: 'netconf', password: 'netconf' }];
const COMMIT_FAULTS: readonly FakeCommitFault[] = ['drop-before-apply', 'drop-after-apply'];

/**
 * ssh2's server pings every client on a timer it always starts (there is no "off"). A dead
 * peer on 127.0.0.1 shows up as a closed socket anyway, and under fake timers the pings would
 * do harm: advancing the clock by a minute would "time out" a client that cannot answer while
 * time stands still. So the interval is a day; the timer lives only while a connection is
 * open and ssh2 clears it when the connection closes.
 */
const KEEPALIVE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** A client that ignores our SSH disconnect must not hold `close()` up for long. */
const CLOSE_GRACE_MS = 2000;

/** One TCP connection and what runs on it. */
interface Link {
  socket: Socket;
  conn: Connection | null;
  /** The TLS layer, for a device serving NETCONF over TLS. */
  tls: TLSSocket | null;
  sessions: Set<FakeSession>;
  /** The user the SSH layer authenticated (the last one tried until then). */
  username: string;
  /** Resolves after the socket closed and its sessions ended. */
  closed: Promise<void>;
}

/**
 * A NETCONF server over SSH on 127.0.0.1, for tests and demos: scripted replies, real lock
 * state, injected faults (delays, stalls, cut connections, garbage) and capture replay.
 *
 * ```ts
 * await using device = await FakeDevice.start({ rules: [{ match: 'commit', reply: { delayMs: 500 } }] });
 * // connect to device.host:device.port as netconf/netconf, trusting device.hostKeyFingerprint
 * ```
 */
export class FakeDevice {
  readonly host = '127.0.0.1' as const;
  /** Every `<rpc>` received, in order of arrival, from every session. */
  readonly requests: FakeRequest[] = [];
  /** Each client `<hello>` text, in order. */
  readonly clientHellos: string[] = [];

  private readonly tcp: TcpServer;
  private readonly tlsContext: FakeTlsOptions | null;
  private readonly hostKey: HostKey;
  private readonly auth: Authenticator;
  private readonly rules: RuleBook;
  private readonly locks = new LockTable();
  private readonly partialLocks = new PartialLocks(this.locks);
  private readonly capabilities: readonly string[];
  private readonly quirks: FakeQuirks;
  /** The personality's hooks (a named one's hello layout, if it has one). */
  private readonly personality: FakePersonality | undefined;
  private readonly capture: Buffer | undefined;
  private readonly links = new Set<Link>();
  private readonly sessions = new Map<number, FakeSession>();
  /** RFC 5277 subscriptions: session id to stream and the subtree filter's selection. */
  private readonly subscribed = new Map<number, { stream: string; selects: TopLevelSelector | null }>();
  /** The SSH user of each session open now. */
  private readonly users = new Map<number, string>();
  private readonly commits: RfcCommits;
  private readonly datastores: Datastores;
  private readonly yang: FakeYangLibrary;
  private readonly push: FakePush;
  private commitFault: FakeCommitFault | null;
  private nextSessionId = 1;
  private listeningPort = 0;
  private closing: Promise<void> | null = null;

  private constructor(private readonly options: FakeDeviceOptions) {
    this.hostKey = loadHostKey(options.hostKey);
    this.auth = new Authenticator(options.users ?? DEFAULT_USERS);
    this.rules = new RuleBook(options.rules ?? [], options.handler);
    this.datastores = new Datastores(options.datastores ?? {}, (edits) => this.push.configChanged(edits));
    ({ capabilities: this.capabilities, quirks: this.quirks, personality: this.personality } = expandPersonality(options, () => [
      ...defaultCapabilities(options.base ?? 'both'),
      ...(options.datastores ? [NMDA_MODULE_CAPABILITY] : []),
    ]));
    this.capture = options.capture === undefined ? undefined : Buffer.from(options.capture);
    const has = (uri: string) => this.capabilities.some((c) => c === uri || c.startsWith(`${uri}?`));
    this.yang = new FakeYangLibrary(options.modules ?? FAKE_DEVICE_MODULES, options.yangLibrary ?? 'both');
    this.commits = new RfcCommits(has(CAPABILITY.confirmedCommit10) || has(CAPABILITY.confirmedCommit11), has(CAPABILITY.confirmedCommit11));
    this.commitFault = options.commitFault ?? null;
    this.push = new FakePush(
      {
        send: (sessionId, xml) => this.sessions.get(sessionId)?.notify(xml),
        contents: (datastore, selects) => (selects ? this.datastores.selected(datastore, selects) : this.datastores.content(datastore)),
        log: (line) => this.log(line),
      },
      options.push,
    );
    this.tlsContext = options.tls ? { cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca } : null;
    // Our own TCP server hands sockets to ssh2, so the device holds every socket it has to
    // close or crash (ssh2 keeps its own private).
    this.tcp = new TcpServer((socket) => this.onSocket(socket));
  }

  /** Starts a device listening on 127.0.0.1 at a free port. */
  static async start(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
    checkOptions(options);
    const device = new FakeDevice(options);
    await new Promise<void>((resolve, reject) => {
      device.tcp.once('error', reject);
      device.tcp.listen(0, '127.0.0.1', () => {
        device.tcp.off('error', reject);
        resolve();
      });
    });
    device.tcp.on('error', (err) => device.log(`tcp server error: ${describe(err)}`));
    const address = device.tcp.address();
    device.listeningPort = typeof address === 'object' && address !== null ? address.port : 0;
    device.log(`listening on 127.0.0.1:${device.listeningPort}`);
    return device;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** OpenSSH style: `SHA256:` + unpadded base64 of sha256 over the public key blob. */
  get hostKeyFingerprint(): string {
    return this.hostKey.fingerprint;
  }

  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, for a known_hosts file. */
  get knownHostsLine(): string {
    return knownHostsLine(this.host, this.port, this.hostKey);
  }

  /** NETCONF sessions open now. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** TCP connections open now (whether or not they got as far as a NETCONF session). */
  get connectionCount(): number {
    return this.links.size;
  }

  /** The session holding the lock on `datastore` now (`<lock>`'s, or a personality's), or null. */
  lockHolder(datastore: string): number | null {
    return this.locks.holder(datastore);
  }

  /**
   * A datastore's content now: `running`, `candidate`, `startup`, `intended`, `operational`
   * (without origins), as the `datastores` option began them and `<edit-config>`,
   * `<edit-data>`, `<commit>` and `<discard-changes>` left them.
   */
  datastore(name: 'running' | 'candidate' | 'startup' | 'intended' | 'operational'): string {
    return this.datastores.content(name);
  }

  /** The RFC 5717 partial locks held now: each lock's id and the session holding it. */
  get partialLockHolders(): { lockId: number; sessionId: number }[] {
    return this.partialLocks.all;
  }

  /** The sessions subscribed with `<create-subscription>` now, in the order they subscribed. */
  get subscriptions(): FakeSubscription[] {
    return [...this.subscribed].map(([sessionId, { stream }]) => ({ sessionId, stream }));
  }

  /** The dynamic subscriptions (RFC 8639 establish-subscription, YANG-Push) now, in the order they were made. */
  get dynamicSubscriptions(): FakeDynamicSubscription[] {
    return this.push.list();
  }

  /**
   * Ends a dynamic subscription as the device would on its own: its subscriber gets
   * subscription-terminated with `reason` (an RFC 8639 identity's name). False when there is none.
   */
  terminateSubscription(id: number, reason = 'suspension-timeout'): boolean {
    return this.push.terminate(id, reason);
  }

  /**
   * Sends a `<notification>` (wrapped with an `<eventTime>` unless it is one) to every
   * subscribed session whose subscription's filter keeps it (RFC 5277, or an RFC 8639 stream
   * subscription); with `all`, to every session past its hello.
   */
  notify(xml: string, options: FakeNotifyOptions = {}): void {
    const count = options.count ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) throw new ClientError('INVALID_ARGUMENT', `count must be an integer >= 1, got ${String(count)}`);
    for (const session of this.recipients(options.all, xml)) session.notify(xml, count);
  }

  /**
   * Sends bytes as they are where a notification goes (garbage, a `<notification>` no XML
   * parser accepts), framed with each session's framing unless `framed` is false.
   */
  notifyRaw(bytes: Buffer | string, options: FakeRawNotifyOptions = {}): void {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
    for (const session of this.recipients(options.all)) session.notifyRaw(buffer, options.framed ?? true);
  }

  /**
   * Every commit the device's own datastore applied (RFC `<commit>`, answered by FakeDevice's
   * defaults), in order; a personality that answers commits (the Junos one) keeps its own.
   */
  get commitLog(): readonly FakeCommit[] {
    return this.commits.log;
  }

  /** The confirmed commit awaiting its confirmation (an entry of `commitLog`), or null. */
  get pendingCommit(): FakeCommit | null {
    return this.commits.pendingCommit;
  }

  /** Lets the pending confirmed commit time out now, as its timer would: it is reverted. False when none is pending. */
  expireConfirmedCommit(): boolean {
    return this.commits.expire();
  }

  /**
   * Aims a fault at the next commit, whichever session sends it (see `FakeCommitFault`);
   * one-shot. A `commit check` or `<validate>` does not take it.
   */
  faultNextCommit(kind: FakeCommitFault): void {
    if (!COMMIT_FAULTS.includes(kind)) throw new ClientError('INVALID_ARGUMENT', `kind must be one of ${COMMIT_FAULTS.join(', ')}, got ${JSON.stringify(kind)}`);
    this.commitFault = kind;
  }

  /** The SSH user of a session open now, or null. */
  sessionUser(sessionId: number): string | null {
    return this.users.get(sessionId) ?? null;
  }

  /** Destroys every TCP connection now, with no SSH goodbye: a simulated crash. */
  dropAll(): void {
    for (const link of this.links) link.socket.destroy();
  }

  /** Stops listening and ends every connection; resolves once all are closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
      const links = [...this.links];
      for (const link of links) {
        if (link.conn) link.conn.end();
        else if (link.tls?.encrypted && !link.tls.destroyed) link.tls.end();
        else link.socket.destroy(); // still in the SSH handshake: nothing polite to say
      }
      const grace = links.length > 0 ? setTimeout(() => this.dropAll(), CLOSE_GRACE_MS) : undefined;
      // Each link's own promise, not just the server's: net.Server may report its close
      // before the sockets' 'close' handlers (which end the sessions) have run.
      await Promise.all([stopped, ...links.map((l) => l.closed)]);
      clearTimeout(grace);
      this.commits.stop();
      this.push.stop();
      this.log('closed');
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Dials a manager (RFC 8071 Call Home): the device opens the TCP connection, then serves it
   * as it serves one it accepted (SSH, or TLS with `tls`), the manager being the SSH or TLS
   * client. With `junos`, Junos outbound-ssh: the DEVICE-CONN-INFO preamble goes first.
   * Resolves once the TCP connection is up.
   */
  callHome(options: FakeCallHomeOptions): Promise<void> {
    if (this.closing) return Promise.reject(new ClientError('SESSION_CLOSED', 'The fake device is closed'));
    if (options.junos && this.tlsContext) return Promise.reject(new ClientError('INVALID_ARGUMENT', 'Junos outbound-ssh runs over SSH, not TLS'));
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port });
      socket.once('error', (err) => reject(new ClientError('INVALID_ARGUMENT', `Cannot call home to ${options.host ?? '127.0.0.1'}:${options.port}: ${describe(err)}`, { cause: err })));
      socket.once('connect', () => {
        this.log(`called home to port ${options.port}`);
        if (options.junos) socket.write(options.junos.preamble ?? this.outboundPreamble(options.junos.deviceId, options.junos.secret));
        this.onSocket(socket);
        resolve();
      });
    });
  }

  /**
   * Junos's outbound-ssh initiation sequence: MSG-ID, MSG-VER and DEVICE-ID lines and, when a
   * secret is configured, the host key and HMAC-SHA1(secret, host key) in hex.
   */
  private outboundPreamble(deviceId: string, secret: string | undefined): string {
    const lines = ['MSG-ID: DEVICE-CONN-INFO', 'MSG-VER: V1', `DEVICE-ID: ${deviceId}`];
    if (secret !== undefined) {
      const hostKey = `${this.hostKey.type} ${this.hostKey.blob.toString('base64')}`;
      lines.push(`HOST-KEY: ${hostKey}`, `HMAC: ${createHmac('sha1', secret).update(hostKey).digest('hex')}`);
    }
    return lines.map((l) => `${l}\r\n`).join('');
  }

  private onSocket(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const link: Link = { socket, conn: null, tls: null, sessions: new Set(), username: '', closed };
    this.links.add(link);
    socket.on('error', () => {}); // ssh2 reports socket errors on the connection
    socket.once('close', () => {
      this.links.delete(link);
      for (const session of link.sessions) session.kill();
      markClosed();
    });
    if (this.tlsContext) this.serveTls(socket, link, this.tlsContext);
    else this.serveSsh(socket, link);
  }

  /**
   * Each connection gets its own (never listening) ssh2 Server, as each TLS one gets its own
   * tls.Server: ssh2 names a connection only by the peer's address and port, which do not tell
   * links apart (every call home to one manager has the manager's port as its remote port).
   */
  private serveSsh(socket: Socket, link: Link): void {
    const server = new SshServer(
      { hostKeys: [this.hostKey.privateKey], keepaliveInterval: KEEPALIVE_INTERVAL_MS, keepaliveCountMax: 3 },
      (conn, info) => this.onConnection(conn, info, link),
    );
    server.on('error', (err: unknown) => this.log(`ssh server error: ${describe(err)}`));
    server.injectSocket(socket);
  }

  /**
   * NETCONF over TLS: a client certificate the CA signed is the login, its CN the user. Each
   * connection gets its own (never listening) tls.Server, which does the server side of the
   * handshake and refuses a client certificate that does not verify with a TLS alert.
   */
  private serveTls(socket: Socket, link: Link, context: FakeTlsOptions): void {
    const server = tls.createServer({ ...context, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true }, (secure) => {
      link.tls = secure;
      secure.on('error', (err: unknown) => this.log(`tls error: ${describe(err)}`));
      if (this.closing) return void secure.destroy();
      const subject = secure.getPeerCertificate().subject;
      link.username = subject?.CN ? String(subject.CN) : '';
      this.log(`tls client ${JSON.stringify(link.username)} accepted`);
      this.startSession(secure, link, false);
    });
    server.on('tlsClientError', (err) => {
      this.log(`tls handshake failed: ${describe(err)}`);
      socket.destroy();
    });
    server.emit('connection', socket);
  }

  private onConnection(conn: Connection, info: ClientInfo, link: Link): void {
    if (this.closing) {
      conn.end();
      return;
    }
    link.conn = conn;
    this.log(`connection from port ${info.port}`);
    conn.on('authentication', (ctx) => {
      link.username = ctx.username;
      this.log(this.auth.handle(ctx));
    });
    conn.on('session', (accept) => {
      const session = accept();
      if (session) this.onSshSession(session, link);
    });
    conn.on('error', (err: unknown) => this.log(`connection error: ${describe(err)}`));
  }

  private onSshSession(session: Session, link: Link): void {
    session.on('subsystem', (accept, reject, info) => {
      if (info.name !== 'netconf' || this.options.subsystem === false || this.closing) {
        this.log(`subsystem ${JSON.stringify(info.name)} rejected`);
        reject?.();
        return;
      }
      const channel = accept?.();
      if (channel) this.startSession(channel, link, false);
    });
    session.on('exec', (accept, reject, info) => {
      if (!(this.options.exec ?? []).includes(info.command) || this.closing) {
        this.log(`exec ${JSON.stringify(info.command)} rejected`);
        reject?.();
        return;
      }
      const channel = accept?.();
      if (channel) this.startSession(channel, link, true);
    });
  }

  private startSession(channel: ServerChannel | TLSSocket, link: Link, viaExec: boolean): void {
    const id = this.nextSessionId++;
    const session = new FakeSession(id, channel, this.sessionHost(link), viaExec);
    this.sessions.set(id, session);
    this.users.set(id, link.username);
    link.sessions.add(session);
    this.log(`session ${id}: started (${viaExec ? 'exec' : 'subsystem'})`);
    session.start();
  }

  /** What a session may ask of the device, bound to the connection it runs on. */
  private sessionHost(link: Link): SessionHost {
    const o = this.options;
    return {
      capabilities: this.capabilities,
      preHello: o.preHello,
      helloDelayMs: o.helloDelayMs ?? 0,
      sendHello: o.sendHello ?? true,
      capture: this.capture,
      quirks: this.quirks,
      personalityHello: (sessionId) => this.personality?.hello?.(sessionId),
      log: (line) => this.log(line),
      recordHello: (xml) => this.clientHellos.push(xml),
      recordRequest: (request) => this.requests.push(request),
      script: (request): Promise<FakeReply | undefined> | FakeReply | undefined => {
        const scripted = this.rules.resolve(request, this);
        return scripted instanceof Promise ? scripted.then((r) => this.withPersonality(request, r)) : this.withPersonality(request, scripted);
      },
      defaultReply: (request): DefaultReply =>
        defaultReply(request, {
          locks: this.locks,
          killSession: (id) => this.killSession(id),
          subscribe: (id, stream, selects) => this.subscribe(id, stream, selects),
          commits: this.commits,
          yang: this.yang,
          user: (id) => this.users.get(id) ?? '',
          nmda: this.options.datastores !== undefined,
          partialLocks: this.partialLocks,
          datastores: this.datastores,
          push: this.push,
        }),
      takeCommitFault: (request) => {
        if (this.commitFault === null) return null;
        const isCommit = this.personality?.isCommit ? this.personality.isCommit(request) : request.operation === 'commit';
        if (!isCommit) return null;
        const fault = this.commitFault;
        this.commitFault = null;
        return fault;
      },
      destroyConnection: () => crash(link.socket),
      endConnection: () => (link.conn ? link.conn.end() : link.tls ? link.tls.end() : link.socket.destroy()),
      ended: (session) => {
        this.sessions.delete(session.id);
        link.sessions.delete(session);
        this.locks.releaseAll(session.id);
        this.partialLocks.releaseAll(session.id);
        this.subscribed.delete(session.id);
        this.push.sessionEnded(session.id);
        this.commits.sessionEnded(session.id);
        this.log(`session ${session.id}: ended`);
        this.personality?.sessionEnded?.(session.id);
        this.users.delete(session.id);
      },
    };
  }

  /**
   * The personality answers what no rule or handler did; a scripted reply of faults only
   * (no content) gets the personality's answer as its content.
   */
  private withPersonality(request: FakeRequest, scripted: FakeReply | undefined): FakeReply | undefined {
    const handle = this.personality?.handle;
    if (!handle) return scripted;
    const context: FakePersonalityContext = { device: this, locks: this.locks };
    if (scripted === undefined) return handle(request, context);
    if (typeof scripted === 'string' || scripted.reply !== undefined || scripted.raw !== undefined || scripted.stall) return scripted;
    const own = handle(request, context);
    if (own === undefined) return scripted; // FakeDevice's default answers, with the faults
    const answer = typeof own === 'string' ? { reply: own } : own;
    return { ...answer, ...scripted, reply: answer.reply, stall: answer.stall ?? false };
  }

  /** The sessions a notification goes to; raw bytes (no `event`) are for every subscriber, filters aside. */
  private recipients(all: boolean | undefined, event?: string): FakeSession[] {
    return [...this.sessions.values()].filter((s) => {
      if (all === true) return true;
      const rfc5277 = this.subscribed.get(s.id);
      return (rfc5277 !== undefined && keepsEvent(rfc5277.selects, event)) || this.push.wantsEvent(s.id, event);
    });
  }

  private subscribe(sessionId: number, stream: string, selects: TopLevelSelector | null): boolean {
    if (this.subscribed.has(sessionId)) return false;
    this.subscribed.set(sessionId, { stream, selects });
    this.log(`session ${sessionId}: subscribed to ${stream}`);
    return true;
  }

  private killSession(id: number): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    session.kill();
    return true;
  }

  private log(line: string): void {
    this.options.logger?.(line);
  }
}

function defaultCapabilities(base: '1.0' | '1.1' | 'both'): string[] {
  return FAKE_DEVICE_CAPABILITIES.filter((c) => (c === BASE_1_0 ? base !== '1.1' : c === BASE_1_1 ? base !== '1.0' : true));
}

/** Flushes what was already written (a reply's first bytes), then drops the connection without a goodbye. */
function crash(socket: Socket): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
}

function checkOptions(o: FakeDeviceOptions): void {
  if (o.base !== undefined && o.base !== '1.0' && o.base !== '1.1' && o.base !== 'both') {
    throw new ClientError('INVALID_ARGUMENT', `base must be '1.0', '1.1' or 'both', got ${JSON.stringify(o.base)}`);
  }
  if (o.helloDelayMs !== undefined && !(o.helloDelayMs >= 0)) {
    throw new ClientError('INVALID_ARGUMENT', `helloDelayMs must be a number >= 0, got ${String(o.helloDelayMs)}`);
  }
  if (typeof o.personality === 'string' && !isPersonalityName(o.personality)) {
    throw new ClientError('INVALID_ARGUMENT', `personality must be hooks or one of ${FAKE_PERSONALITY_NAMES.join(', ')}, got ${JSON.stringify(o.personality)}`);
  }
  const unknown = Object.keys(o.quirks ?? {}).filter((k) => !(FAKE_QUIRKS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ClientError('INVALID_ARGUMENT', `quirks has no option ${unknown.join(', ')} (it has ${FAKE_QUIRKS.join(', ')})`);
  if (o.yangLibrary !== undefined && !isYangLibraryShape(o.yangLibrary)) {
    throw new ClientError('INVALID_ARGUMENT', `yangLibrary must be 'rfc8525', 'rfc7895', 'both' or 'none', got ${JSON.stringify(o.yangLibrary)}`);
  }
  const minPeriodMs = o.push?.minPeriodMs;
  if (minPeriodMs !== undefined && !(Number.isSafeInteger(minPeriodMs) && minPeriodMs >= 10 && minPeriodMs % 10 === 0)) {
    throw new ClientError('INVALID_ARGUMENT', `push.minPeriodMs must be a whole number of centiseconds (a multiple of 10 ms), got ${String(minPeriodMs)}`);
  }
  if (o.users !== undefined && o.users.length === 0) throw new ClientError('INVALID_ARGUMENT', 'users must list at least one user');
  if (o.commitFault !== undefined && !COMMIT_FAULTS.includes(o.commitFault)) {
    throw new ClientError('INVALID_ARGUMENT', `commitFault must be one of ${COMMIT_FAULTS.join(', ')}, got ${JSON.stringify(o.commitFault)}`);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
