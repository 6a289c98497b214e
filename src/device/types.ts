/**
 * The public shapes of the fake NETCONF device. They live apart from the classes so that the
 * session, the rule book and the default handlers can share them without importing each other.
 */
import type { FakeDevice } from './fake-device.js';

/** An account the device accepts. Give a password, a public key, or both. */
export interface FakeUser {
  username: string;
  /** Compared exactly. */
  password?: string;
  /** An OpenSSH public key line (`ssh-ed25519 AAAA… comment`), or any key ssh2's `utils.parseKey` reads. */
  publicKey?: string | Buffer;
}

/** One `<rpc>` as the device received it. */
export interface FakeRequest {
  /** The `message-id` attribute of `<rpc>` (entities decoded), or null when it has none. */
  messageId: string | null;
  /** Local name of the first child element of `<rpc>` (`get-config`, `lock`, …); `''` when it has none. */
  operation: string;
  /** The whole `<rpc>` message text as received, without framing. */
  xml: string;
  /** The NETCONF session it arrived on. */
  sessionId: number;
}

/** How to answer one request, with faults to inject. */
export interface FakeReplyOptions {
  /**
   * Reply content, as for the string form of `FakeReply`. Omitted: the device's default
   * reply for the operation (so `{ delayMs: 50 }` delays the normal answer).
   */
  reply?: string;
  /** Answer after this many milliseconds. Later requests are served meanwhile. */
  delayMs?: number;
  /** Never answer. The session keeps serving later requests. With `close`/`closeChannel`: close without answering. */
  stall?: boolean;
  /** Write only this many bytes of the framed reply, then destroy the TCP connection. */
  dropAfterBytes?: number;
  /**
   * Write only this many bytes of the framed reply and never the rest; the connection stays
   * up and later replies are written after the half message, as a broken device would (so
   * the client's framing is off from here on). `dropAfterBytes` wins when both are given.
   */
  stallAfterBytes?: number;
  /**
   * Write the framed reply (or the part `stallAfterBytes` leaves) `bytes` at a time, one piece
   * every `everyMs`: a device that answers slowly but steadily. Later replies wait behind it.
   */
  trickle?: { bytes: number; everyMs: number };
  /** After the reply (if any), close this SSH channel only; the connection stays up. */
  closeChannel?: boolean;
  /** Written as is instead of a reply: no framing, no message-id substitution. */
  raw?: Buffer | string;
  /** Pad the reply's `<data>` with this many bytes of whitespace-separated XML elements. */
  hugeBytes?: number;
  /** After the reply (if any), end the whole SSH connection. */
  close?: boolean;
}

/**
 * A reply. A string that does not start with `<rpc-reply` (after trimming; any prefix, or an
 * XML declaration) is content, wrapped in an `<rpc-reply>` carrying the request's message-id.
 * One that does is sent as is, with every `{{message-id}}` replaced by the escaped id.
 */
export type FakeReply = string | FakeReplyOptions;

/** Computes a reply. Returning undefined passes the request on (next rules, then the handler, then the defaults). */
export type FakeHandler = (
  request: FakeRequest,
  device: FakeDevice,
) => FakeReply | Promise<FakeReply | undefined> | undefined;

/** A scripted reply: the first rule that matches a request answers it. */
export interface FakeRule {
  /** A string matches the operation name exactly; a RegExp is tested on the request XML. */
  match: string | RegExp | ((request: FakeRequest) => boolean);
  reply: FakeReply | FakeHandler;
  /** Use this rule for at most this many requests (across all sessions). */
  times?: number;
}

/**
 * The initial content of the fake device's datastores (RFC 8342), each XML with any number of
 * top-level elements; a datastore not given starts empty (the candidate: as running). Every
 * operation reads and writes the same datastores: `<get-config>`, `<edit-config>`, `<commit>`,
 * `<get-data>`, `<edit-data>` (`running`, `candidate`, `startup`), YANG-Push.
 */
export interface FakeDatastores {
  running?: string;
  candidate?: string;
  startup?: string;
  /** Default: whatever `running` holds at the time of the read. */
  intended?: string;
  /** State (config false) and learned nodes, shown after the intended config in `operational`, and after running in `<get>`. */
  operational?: string;
}

/** How FakeDevice.start sets a device up: accounts, host key, capabilities, rules, faults. */
export interface FakeDeviceOptions {
  /** Accounts. Default `[{ username: 'netconf', password: 'netconf' }]`. */
  users?: FakeUser[];
  /** Host private key (PEM or OpenSSH). Default: a fresh ed25519 key. */
  hostKey?: string | Buffer;
  /** Capabilities advertised in the hello, exactly. Default: see `FAKE_DEVICE_CAPABILITIES`. */
  capabilities?: string[];
  /** Base versions advertised when `capabilities` is not given. Default 'both'. */
  base?: '1.0' | '1.1' | 'both';
  /** Text written before the `<hello>` (Junos prints lines there for restricted users). */
  preHello?: string;
  /** Wait this long before sending the hello. */
  helloDelayMs?: number;
  /** Default true; false: never send a hello. */
  sendHello?: boolean;
  /** Scripted replies; the first rule that matches wins. */
  rules?: FakeRule[];
  /** Consulted when no rule matches; returning undefined falls through to the defaults. */
  handler?: FakeHandler;
  /** Accept the `netconf` subsystem (default true); false rejects it. */
  subsystem?: boolean;
  /** Commands accepted over `exec` that start a NETCONF session, e.g. `['xml-mode netconf need-trailer']`. */
  exec?: string[];
  /**
   * Replay mode: once the client's hello arrives, write this stream as is (no framing added);
   * afterwards only `<close-session>` is answered. The device still sends its own hello
   * unless `sendHello` is false: set it to false when the capture holds a hello.
   */
  capture?: Buffer | string;
  /** Receives one line per event. Passwords are never logged. */
  logger?: (line: string) => void;
  /**
   * Serve NETCONF over TLS (RFC 7589) instead of SSH: the device's certificate and key, and
   * the CA client certificates must be signed by (a client without one is refused in the
   * handshake). The session's user is the client certificate's common name.
   */
  tls?: FakeTlsOptions;
  /**
   * A device's behaviour beyond the defaults: hooks (`FakePersonality`; the Junos profile is
   * one) for its hello, its answers and what it forgets when a session ends; or the name of a
   * real server's, which stands for its `capabilities`, `quirks` and hello layout (options
   * given beside it win, `quirks` field by field).
   */
  personality?: FakePersonality | FakePersonalityName;
  /** Ways real servers break the RFCs, applied to everything the device writes. See `FakeQuirks`. */
  quirks?: FakeQuirks;
  /** A fault aimed at the first commit (see `faultNextCommit()`). */
  commitFault?: FakeCommitFault;
  /**
   * NMDA datastores: the device answers `<get-data>` and `<edit-data>` (RFC 8526) from them,
   * and advertises `ietf-netconf-nmda` (unless `capabilities` is given). See `FakeDatastores`.
   */
  datastores?: FakeDatastores;
  /** The YANG modules the device has, with their sources. Default `FAKE_DEVICE_MODULES` (small modules of its own). */
  modules?: FakeYangModule[];
  /**
   * Which YANG library a `<get>` asking for it gets: RFC 8525 `/yang-library`, RFC 7895
   * `/modules-state`, `both` (default) or `none` (an empty `<data/>`, as for any other get).
   */
  yangLibrary?: FakeYangLibraryShape;
  /** What the device's dynamic subscriptions and YANG-Push support (see `FakePushOptions`). */
  push?: FakePushOptions;
}

/** The YANG library shapes the device serves: RFC 8525, RFC 7895, both, or none. */
export type FakeYangLibraryShape = 'rfc8525' | 'rfc7895' | 'both' | 'none';

/** A YANG module of the device: what its YANG library lists and `<get-schema>` returns. */
export interface FakeYangModule {
  /** The module's name, as the library lists it and `<get-schema>` finds it. */
  name: string;
  /** Omitted: a module without revision. */
  revision?: string;
  /** Its XML namespace. */
  namespace: string;
  /** Default `implement`; `import`: an import-only module. */
  conformance?: 'implement' | 'import';
  /** The features it supports. */
  features?: string[];
  /** The modules that deviate it, by name. */
  deviations?: string[];
  /** Its submodules, each with its own source. */
  submodules?: { name: string; revision?: string; text: string }[];
  /** Its source (YANG), as `<get-schema>` returns it. */
  text: string;
}

/** What FakeDevice's RFC 8639 / RFC 8641 subscriptions support. */
export interface FakePushOptions {
  /** The shortest period of a periodic subscription; shorter ones are refused with period-unsupported. Default 100 ms. */
  minPeriodMs?: number;
  /** Default true; false: on-change subscriptions are refused with on-change-unsupported. */
  onChange?: boolean;
}

/** A dynamic subscription (RFC 8639 establish-subscription) on the device. */
export interface FakeDynamicSubscription {
  id: number;
  sessionId: number;
  /** The stream of a stream subscription, else null. */
  stream: string | null;
  /** The datastore of a YANG-Push subscription (`running`, `operational`, …), else null. */
  datastore: string | null;
  /** A periodic subscription's period, else null. */
  periodMs: number | null;
  onChange: boolean;
  stopTime: Date | null;
}

/**
 * A real server's behaviour, by name: `iosxe` (Cisco IOS-XE 17.15, `omitMessageId`), `nxos`
 * (Cisco NX-OS, `closeWithoutOk`, `nf:`-prefixed hello), `huawei` (Huawei VRP, `nulPadding`),
 * `ios` (older Cisco IOS and Vyatta, `writeableRunning`). Each also advertises that server's
 * capabilities.
 */
export type FakePersonalityName = 'iosxe' | 'nxos' | 'huawei' | 'ios';

/**
 * Ways real servers break the RFCs, each reproducing one quirk a client reports (see
 * docs/devices-as-they-are.md). They apply to whatever answers: rules, handler, personality
 * and defaults alike; a `raw` reply is written as it is.
 */
export interface FakeQuirks {
  /** Every `<rpc-reply>` goes out without its `message-id` (Cisco IOS-XE 17.15). Client: `reply-without-message-id`. */
  omitMessageId?: boolean;
  /** Every `<rpc-reply>` carries its `message-id` unquoted (`message-id=5`), so no parser reads it. Client: `unreadable-message-id`. */
  unquotedMessageId?: boolean;
  /** A NUL byte after each message's root element and two after each message, hello included (Huawei VRP). Client: `nul-padding`. */
  nulPadding?: boolean;
  /** `<close-session>` is never answered: the channel is closed instead (Cisco NX-OS). Client: `close-without-ok`. */
  closeWithoutOk?: boolean;
  /** `:writable-running` advertised as `writeable-running` (older IOS, Vyatta), added when not listed. Client: `capability-spelling`. */
  writeableRunning?: boolean;
}

/**
 * A fault aimed at a commit itself (RFC `<commit>`, Junos `<commit-configuration>`; never a
 * `commit check` or `<validate>`): `drop-before-apply` drops the SSH connection as the commit
 * arrives, so nothing changes; `drop-after-apply` applies the commit, then drops the
 * connection instead of replying. Either way the client cannot know the outcome.
 */
export type FakeCommitFault = 'drop-before-apply' | 'drop-after-apply';

/**
 * One commit a device applied, as a test sees it afterwards (`commitLog`): who, when, with
 * which comment, whether it was a confirmed commit and what became of it.
 */
export interface FakeCommit {
  /** 1, 2, … in the order the device applied its commits. */
  number: number;
  /** The session that sent it; null for the device's own (a confirmed commit's automatic rollback). */
  sessionId: number | null;
  /** The SSH user of that session (`root` for the device's own). */
  user: string;
  /** When it was applied. */
  time: Date;
  /** The commit comment (Junos `<log>`); null when there was none (always on an RFC device). */
  comment: string | null;
  /** A confirmed commit: its timeout and its `persist` token (null without one). */
  confirmed: { timeoutSeconds: number; persist: string | null } | null;
  /**
   * `committed`; `pending` while a confirmed commit awaits its confirmation; `reverted` once it
   * was cancelled, timed out, or (without `persist`, on an RFC device) its session ended.
   */
  status: 'committed' | 'pending' | 'reverted';
  /** The `number` of the pending confirmed commit this commit confirmed, else null. */
  confirms: number | null;
}

/**
 * What a personality may use of the device while it answers: the lock table every session
 * shares (so `<lock>` and a personality's own locking RPCs contend for the same locks) and
 * the device itself.
 */
export interface FakePersonalityContext {
  readonly device: FakeDevice;
  readonly locks: FakeLocks;
}

/** The device's datastore locks (RFC 6241 section 7.5), shared by every session. */
export interface FakeLocks {
  /** The session holding `datastore`, or null. */
  holder(datastore: string): number | null;
  /** Takes the lock, or says who holds it (even when that is `sessionId` itself). */
  lock(datastore: string, sessionId: number): { ok: true } | { ok: false; holder: number };
  /** Releases the lock if `sessionId` holds it; false otherwise. */
  unlock(datastore: string, sessionId: number): boolean;
}

/**
 * A device's behaviour plugged into FakeDevice: three hooks, each optional. The order of
 * answering is rules, then the `handler` option, then `handle`, then the defaults. A rule or
 * handler that returns only faults (`{ delayMs: 50 }`, no `reply`) delays or cuts the
 * personality's answer, as it would the default one.
 */
export interface FakePersonality {
  /**
   * The bytes of the hello for a new session, written as they are (framing and any text
   * before the hello included), after the `preHello` option; undefined: FakeDevice's own
   * hello. Called once per session as it starts, unless `sendHello` is false.
   */
  hello?(sessionId: number): string | undefined;
  /** Answers a request; undefined passes it on to FakeDevice's defaults. May throw (answered `operation-failed`). */
  handle?(request: FakeRequest, context: FakePersonalityContext): FakeReply | undefined;
  /** The session is over; FakeDevice has already released its locks and subscription. */
  sessionEnded?(sessionId: number): void;
  /** Whether a request is a commit that a commit fault aims at. Default: an RFC `<commit>`. */
  isCommit?(request: FakeRequest): boolean;
}

/** Options of `FakeDevice.notify()`. */
export interface FakeNotifyOptions {
  /**
   * Send to every session past its hello, subscribed or not (a device that pushes
   * notifications unasked). Default false: only sessions that sent `<create-subscription>`.
   */
  all?: boolean;
  /** Send the same notification this many times, in one write (a flood). Default 1. */
  count?: number;
}

/** Options of `FakeDevice.notifyRaw()`. */
export interface FakeRawNotifyOptions {
  /** Default true: frame the bytes with the session's framing; false: write them as they are. */
  framed?: boolean;
  /** As for `notify()`: every session past its hello, not only subscribed ones. */
  all?: boolean;
}

/** A session's RFC 5277 subscription. */
export interface FakeSubscription {
  sessionId: number;
  /** The stream it asked for (`NETCONF`, the only one the device has). */
  stream: string;
}

/** The device side of NETCONF over TLS. */
export interface FakeTlsOptions {
  /** The device's certificate (PEM). */
  cert: string | Buffer;
  /** Its private key (PEM). */
  key: string | Buffer;
  /** The CA(s) client certificates must chain to (PEM). */
  ca: string | Buffer | (string | Buffer)[];
}

/** Where and how `FakeDevice.callHome` dials a manager. */
export interface FakeCallHomeOptions {
  /** The manager's port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Junos outbound-ssh: before SSH starts, the device announces itself with the
   * DEVICE-CONN-INFO preamble (its id, its host key and, with a secret, their HMAC).
   */
  junos?: FakeOutboundSsh;
}

/** The Junos outbound-ssh preamble the device sends. */
export interface FakeOutboundSsh {
  deviceId: string;
  /** The secret configured on both sides: the preamble then carries an HMAC. */
  secret?: string;
  /** Send this text as the preamble instead (to test a listener against a broken one). */
  preamble?: string;
}
