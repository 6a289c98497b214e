import { requestFilter, xpathUnsupported } from './datastores.js';
import { FakeDevice } from './fake-device.js';
import { FakeDeviceFront } from './fake-front.js';
import { type JunosPlatform, PlatformReplies } from './junos-platforms.js';
import { DEFAULT_CONFIGURATION, DEFAULT_HOST_NAME, showVersionText, softwareInformation } from './junos-config.js';
import { Flavour, JUNOS_CAPABILITIES, XNM_NS, junosCapabilities, textBlock, xnmItem } from './junos-replies.js';
import { attributesOf, hasElement, innerOf, textOf } from './junos-requests.js';
import {
  type Config, ConfigSyntaxError, type ConfigNode, diff, fromJson, fromPatch, fromSet, fromText, fromXml, hostNameOf, merge, plain, toJson, toSet,
  toText, toXml,
} from './junos-tree.js';
import type { JunosItem, JunosOkStyle, JunosOutcome, JunosScript } from './junos-types.js';
import { BASE_1_0, BASE_1_1, escapeXml } from './replies.js';
import { firstChildOf } from './requests.js';
import type {
  FakeCommit, FakeCommitFault, FakeDeviceOptions, FakeLocks, FakeNotifyOptions, FakePersonality, FakeRawNotifyOptions, FakeReply, FakeRequest,
} from './types.js';

export type { JunosItem, JunosOkStyle, JunosOutcome, JunosScript } from './junos-types.js';
export type { JunosPlatform } from './junos-platforms.js';
export { JUNOS_CAPABILITIES, JUNOS_CAPABILITY, JUNOS_NS, JUNOS_RELEASE } from './junos-replies.js';

/** One `<load-configuration>` the device accepted (or refused: `ok` false). */
export interface JunosLoad {
  sessionId: number;
  /** `merge`, `replace`, `override`, `update`, `set`, `patch`; `rollback` for a rollback. */
  action: string;
  /** `xml`, `text`, `json`; `set` for `<configuration-set>`. */
  format: string;
  /** The rollback index of `<load-configuration rollback="N"/>`, else null. */
  rollback: number | null;
  /** The payload as received: the XML inside `<configuration>`, or the text. */
  text: string;
  ok: boolean;
}

/**
 * One commit the device applied (`commitLog`), with what its request asked for: a client's
 * commit (Junos `<commit-configuration>` or RFC `<commit>`), or the device's own rollback
 * of a confirmed commit that timed out (`sessionId` null, user `root`, client `other`).
 */
export interface JunosCommit extends FakeCommit {
  /** How it came: `netconf`, or `other` for the device's own. */
  client: string;
  /** `confirm-timeout` minutes of a confirmed commit, else null. */
  confirmedMinutes: number | null;
  synchronize: boolean;
  forceSynchronize: boolean;
  /** The database the session had open: `shared`, `private`, `exclusive`, `dynamic`, or `ephemeral:<instance>`. */
  database: string;
}

/** Junos' default `confirm-timeout`. */
const DEFAULT_CONFIRM_MINUTES = 10;
/** Junos keeps rollback 0 to 49. */
const MAX_REVISIONS = 50;

/** A committed configuration and the commit that made it (rollback N is `revisions[N]`). */
interface Revision {
  commit: JunosCommit;
  configuration: string;
}

interface PendingConfirm {
  entry: JunosCommit;
  minutes: number;
  timer: NodeJS.Timeout;
}

/**
 * A Junos-flavoured fake device: a FakeDevice answering like a Junos box, driven by a
 * `JunosScript` that may be changed between calls.
 *
 * ```ts
 * await using junos = await startJunosDevice({ load: { warnings: [{ message: 'statement not found', path: 'system' }] } });
 * const session = await connect({ host: junos.host, port: junos.port, username: 'netconf', password: 'netconf', hostKey: junos.hostKeyFingerprint });
 * junos.script.commit = { errors: [{ message: 'Missing mandatory statement', path: 'system', statement: 'root-authentication' }] };
 * ```
 */
export class JunosDevice extends FakeDeviceFront {
  /** What the device answers; read on every request (hello settings: at each hello). */
  script: JunosScript;
  /** The loaded, uncommitted change as loaded: the payloads since the last commit, rollback or discard. */
  candidate = '';
  /** Every load and rollback, in order. */
  readonly loads: JunosLoad[] = [];
  /** Successful commits (not checks), confirmed ones included. */
  commits = 0;
  /** Successful commits that carried `<confirmed/>`. */
  confirmedCommits = 0;
  /** Successful `commit check`s. */
  checks = 0;
  /** Pending confirmed commits that a later commit (or commit check, as on Junos) confirmed. */
  confirmations = 0;
  /** The `<log>` comments of successful commits, in order. */
  readonly comments: string[] = [];
  /** When the running configuration was last committed (`junos:commit-seconds`). */
  lastCommit = new Date();
  /** Every commit applied, in order: the clients' (ephemeral ones included) and the device's own rollbacks. */
  readonly commitLog: JunosCommit[] = [];
  /** A commit scheduled with `at`: its time, until a later commit replaces it. */
  scheduledCommit: string | null = null;
  /** The rescue configuration (`request system configuration rescue save` copies the committed one), or null. */
  rescue: string | null = null;
  /** Committed ephemeral configuration, by instance (`default` for the default instance). */
  readonly ephemeral: Record<string, string> = {};

  private fake: FakeDevice | null = null;
  /** Sessions that opened a private, exclusive, dynamic or ephemeral database (with its instance). */
  private readonly opened = new Map<number, { mode: 'private' | 'exclusive' | 'dynamic' | 'ephemeral'; instance: string | null }>();
  /** The uncommitted loads into each ephemeral instance. */
  private readonly ephemeralCandidate = new Map<string, string>();
  /** The flavour each session was greeted with (a changed script affects new sessions only). */
  private readonly flavours = new Map<number, Flavour>();
  /** The commit history, newest first: rollback N is `revisions[N]`. */
  private readonly revisions: Revision[];
  private pending: PendingConfirm | null = null;
  /** The candidate configuration; null while it is the committed one. */
  private candidateTree: ConfigNode[] | null = null;

  private constructor(script: JunosScript, private readonly options: FakeDeviceOptions) {
    super();
    this.script = script;
    const initial: JunosCommit = {
      number: 0, sessionId: null, user: 'root', client: 'other', time: this.lastCommit, comment: null, confirmed: null, status: 'committed',
      confirms: null, confirmedMinutes: null, synchronize: false, forceSynchronize: false, database: 'shared',
    };
    this.revisions = [{ commit: initial, configuration: script.configuration ?? DEFAULT_CONFIGURATION }];
  }

  /** Starts a device on 127.0.0.1 at a free port. */
  static async start(script: JunosScript = {}, options: FakeDeviceOptions = {}): Promise<JunosDevice> {
    const junos = new JunosDevice(script, options);
    junos.fake = await FakeDevice.start(junos.fakeDeviceOptions());
    return junos;
  }

  /** The FakeDevice underneath (requests, notify, dropAll, …). */
  get device(): FakeDevice {
    if (!this.fake) throw new Error('the Junos device is not started');
    return this.fake;
  }

  get clientHellos(): string[] {
    return this.device.clientHellos;
  }

  get sessionCount(): number {
    return this.device.sessionCount;
  }

  get connectionCount(): number {
    return this.device.connectionCount;
  }

  /** The session holding the lock on `datastore` (`candidate` for Junos' own locks), or null: FakeDevice's one lock table. */
  lockHolder(datastore = 'candidate'): number | null {
    return this.device.lockHolder(datastore);
  }

  /** The confirmed commit waiting for its confirmation, with its timeout in minutes, or null. */
  get pendingConfirm(): { minutes: number } | null {
    return this.pending === null ? null : { minutes: this.pending.minutes };
  }

  /** The committed configuration (the XML inside `<configuration>`). */
  get configuration(): string {
    return this.revisions[0]!.configuration;
  }

  /** The candidate configuration (the XML inside `<configuration>`): the committed one with the uncommitted changes. */
  get candidateConfiguration(): string {
    return this.candidateTree === null ? this.configuration : toXml(this.candidateTree);
  }

  /**
   * Aims a fault at the next commit (`<commit-configuration>` without `<check/>`, or RFC
   * `<commit>`), whichever session sends it; one-shot. See `FakeCommitFault`.
   */
  faultNextCommit(kind: FakeCommitFault): void {
    this.device.faultNextCommit(kind);
  }

  /**
   * Lets the pending confirmed commit time out now, as its timer would: the device rolls back
   * to the previous configuration and commits it. False when none is pending.
   */
  expireConfirmedCommit(): boolean {
    if (this.pending === null) return false;
    this.rollBackPending(null);
    return true;
  }

  /** The platform profile answering the operational RPCs. */
  get platform(): JunosPlatform {
    return this.script.platform ?? 'vmx';
  }

  notify(xml: string, options?: FakeNotifyOptions): void {
    this.device.notify(xml, options);
  }

  notifyRaw(bytes: Buffer | string, options?: FakeRawNotifyOptions): void {
    this.device.notifyRaw(bytes, options);
  }

  dropAll(): void {
    this.device.dropAll();
  }

  close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending.timer);
    return this.fake ? this.fake.close() : Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private fakeDeviceOptions(): FakeDeviceOptions {
    const o = this.options;
    const capabilities = o.capabilities ?? baseFiltered(junosCapabilities(this.script.rfcCompliant ?? false), o.base);
    const username = o.users?.[0]?.username ?? 'netconf';
    const personality: FakePersonality = {
      // Junos' comments, layout and prefixes; settings read now, so a changed script affects new sessions.
      hello: (sessionId) => {
        const flavour = new Flavour(this.script.rfcCompliant ?? false);
        this.flavours.set(sessionId, flavour);
        return (this.script.preHelloText ?? '') + (o.sendHello === false ? '' : flavour.hello(capabilities, sessionId, username));
      },
      handle: (request, { locks }) => this.handle(request, locks),
      sessionEnded: (sessionId) => this.sessionEnded(sessionId),
      isCommit: (request) => request.operation === 'commit' || (request.operation === 'commit-configuration' && !hasElement(request.xml, 'check')),
    };
    // The personality writes the hello (or, with sendHello false, only the text before it).
    return { ...o, capabilities, personality, sendHello: true };
  }

  private sessionEnded(sessionId: number): void {
    // FakeDevice has released the session's locks already.
    if (this.opened.get(sessionId)?.mode === 'private') this.discard();
    this.opened.delete(sessionId);
    this.flavours.delete(sessionId);
  }

  /** The scripted faults, around the answer proper. */
  private handle(request: FakeRequest, locks: FakeLocks): FakeReply | undefined {
    const script = this.script;
    if (script.stallOn !== undefined && script.stallOn === request.operation) return { stall: true };
    const answer = this.answer(request, this.flavours.get(request.sessionId) ?? new Flavour(script.rfcCompliant ?? false), locks);
    if (answer === undefined || script.dropOn === undefined || script.dropOn !== request.operation) return answer;
    const text = typeof answer === 'string' ? answer : answer.reply;
    if (text === undefined) return answer;
    return { reply: text, dropAfterBytes: Math.floor(Buffer.byteLength(text) / 2) };
  }

  /** The reply to one request, or undefined for FakeDevice's default. */
  private answer(request: FakeRequest, f: Flavour, locks: FakeLocks): FakeReply | undefined {
    const reply = (content: string) => f.reply(content, request.messageId);
    const xml = request.xml;
    const id = request.sessionId;
    const platform = new PlatformReplies(this.platform, this.hostName());
    switch (request.operation) {
      case 'lock':
        return reply(this.lock(f, locks, firstChildOf(xml, 'target') ?? 'candidate', id));
      case 'unlock':
        return reply(this.unlock(f, locks, firstChildOf(xml, 'target') ?? 'candidate', id));
      case 'lock-configuration':
        return reply(this.lock(f, locks, 'candidate', id));
      case 'unlock-configuration':
        return reply(this.unlock(f, locks, 'candidate', id));
      case 'open-configuration':
        return reply(this.openConfiguration(f, locks, xml, id));
      case 'close-configuration':
        return reply(this.closeConfiguration(f, locks, id));
      case 'discard-changes':
        this.discard();
        return reply(f.ok());
      case 'load-configuration':
        return reply(this.loadConfiguration(f, xml, id));
      case 'commit-configuration':
        return reply(this.commitConfiguration(f, xml, id));
      case 'commit':
        return reply(this.rfcCommit(f, xml, id));
      case 'validate':
        // rfc-compliant Junos answers validate with commit-check results (the unclosed <routing-engine> quirk included).
        return reply(f.rfcCompliant && this.script.unclosedRoutingEngine ? this.commitResults(f, this.script.check ?? {}, true) : f.ok());
      case 'cancel-commit':
        if (this.pending === null) return reply(f.rpcError({ message: 'No confirmed commit is pending' }, 'error', { type: 'protocol', tag: 'operation-failed' }));
        this.rollBackPending(id);
        return reply(f.ok());
      case 'get-commit-information':
        return reply(this.commitInformation());
      case 'edit-config':
        return reply(this.editConfig(f, xml));
      case 'copy-config':
      case 'delete-config':
        return reply(f.ok());
      case 'request-save-rescue-configuration':
        this.rescue = this.configuration;
        return reply(f.ok());
      case 'get-configuration':
        return reply(this.getConfiguration(f, xml));
      case 'get-config':
      case 'get': {
        // Junos does not advertise :xpath: an XPath filter is refused, never ignored. A subtree
        // filter is not applied (as with get-configuration): the whole configuration comes back.
        const filter = requestFilter(xml);
        if (filter !== null && 'xpath' in filter) {
          return reply(f.rpcError({ message: xpathUnsupported(filter.xpath), element: 'filter' }, 'error', { type: 'protocol', tag: 'operation-not-supported' }));
        }
        const candidate = request.operation === 'get-config' && firstChildOf(xml, 'source') === 'candidate';
        return reply(`<${f.nc('data')}>\n${this.configurationElement(candidate)}\n</${f.nc('data')}>`);
      }
      case 'command':
        return reply(this.command(f, xml, platform));
      case 'get-software-information':
        return reply(this.softwareInformation(platform));
      case 'get-route-engine-information':
        return reply(platform.routeEngineInformation());
      case 'get-chassis-inventory':
        return reply(platform.chassisInventory());
      case 'get-virtual-chassis-information':
        return reply(platform.virtualChassis() ?? PlatformReplies.notEnabled('chassisd', 'Virtual Chassis not supported'));
      case 'get-chassis-cluster-status':
        return reply(platform.clusterStatus() ?? PlatformReplies.notEnabled('jsrpd', 'error: Chassis cluster is not enabled'));
      case 'file-show':
        return reply(this.fileShow(f, xml));
      case 'file-list':
        return reply(this.fileList(f, xml, id));
      case 'get-interface-information':
        if (textOf(xml, 'routing-instance') === '__juniper_private1__') return reply(platform.privateInterfaces());
        return reply(f.rpcError({ message: 'syntax error', element: request.operation }, 'error', { type: 'protocol', tag: 'operation-failed' }));
      case 'get-ethernet-switching-table-information':
        return reply(platform.switchingTable() ?? f.rpcError({ message: 'syntax error', element: request.operation }, 'error', { type: 'protocol', tag: 'operation-failed' }));
      case 'close-session':
        return { reply: reply(f.ok()), closeChannel: true };
      case 'kill-session':
      case '':
        return undefined; // FakeDevice ends the other session (and its locks) or reports the missing operation
      default:
        return reply(f.rpcError({ message: 'syntax error', element: request.operation }, 'error', { type: 'protocol', tag: 'operation-failed' }));
    }
  }

  private lock(f: Flavour, locks: FakeLocks, datastore: string, sessionId: number): string {
    const result = locks.lock(datastore, sessionId);
    if (result.ok) return f.ok();
    return this.lockDenied(f, result.holder);
  }

  private lockDenied(f: Flavour, holder: number): string {
    const since = localTime(this.lastCommit);
    const message = `configuration database locked by:\n  netconf terminal (session-id ${holder}) on since ${since}\n      exclusive [edit]`;
    return f.rpcError({ message }, 'error', { type: 'protocol', tag: 'lock-denied' }, holder);
  }

  private unlock(f: Flavour, locks: FakeLocks, datastore: string, sessionId: number): string {
    if (locks.unlock(datastore, sessionId)) return f.ok();
    const holder = locks.holder(datastore);
    const message = holder === null ? 'configuration database is not locked' : `configuration database locked by another session (session-id ${holder})`;
    return f.rpcError({ message }, 'error', { type: 'protocol', tag: 'operation-failed' });
  }

  /**
   * Junos' databases: `exclusive` takes the candidate lock; `private` fails while the shared
   * candidate holds uncommitted changes; neither opens while another session holds the lock.
   * `dynamic` and `ephemeral` are databases of their own: the candidate lock does not bar them.
   */
  private openConfiguration(f: Flavour, locks: FakeLocks, xml: string, sessionId: number): string {
    const mode = hasElement(xml, 'exclusive') ? 'exclusive' : hasElement(xml, 'private') ? 'private'
      : hasElement(xml, 'ephemeral') || hasElement(xml, 'ephemeral-instance') ? 'ephemeral' : 'dynamic';
    if (mode === 'ephemeral' || mode === 'dynamic') {
      const instance = mode === 'ephemeral' ? (textOf(xml, 'ephemeral-instance')?.trim() || 'default') : null;
      this.opened.set(sessionId, { mode, instance });
      return f.ok();
    }
    const holder = locks.holder('candidate');
    if (holder !== null && holder !== sessionId) return this.lockDenied(f, holder);
    if (mode === 'private' && this.candidate !== '') {
      return f.rpcError({ message: 'shared configuration database modified' }, 'error', { type: 'protocol', tag: 'operation-failed' });
    }
    if (mode === 'exclusive' && holder === null) locks.lock('candidate', sessionId);
    this.opened.set(sessionId, { mode, instance: null });
    // Junos warns on every private open; clients ignore it.
    return mode === 'private' ? `${f.rpcError({ message: 'uncommitted changes will be discarded on exit' }, 'warning')}\n${f.ok()}` : f.ok();
  }

  private closeConfiguration(f: Flavour, locks: FakeLocks, sessionId: number): string {
    const opened = this.opened.get(sessionId);
    this.opened.delete(sessionId);
    if (opened?.mode === 'exclusive') locks.unlock('candidate', sessionId);
    if (opened?.mode === 'private') this.discard();
    return f.ok();
  }

  /** The database a session works on: `shared`, `private`, `exclusive`, `dynamic` or `ephemeral:<instance>`. */
  private database(sessionId: number): string {
    const opened = this.opened.get(sessionId);
    if (!opened) return 'shared';
    return opened.mode === 'ephemeral' ? `ephemeral:${opened.instance}` : opened.mode;
  }

  private loadConfiguration(f: Flavour, xml: string, sessionId: number): string {
    const attrs = attributesOf(xml, 'load-configuration') ?? {};
    const results = (body: string) => `<load-configuration-results>\n${body}\n</load-configuration-results>`;
    const failed = (message: string) => results(`${f.rpcError({ message }, 'error')}\n<load-error-count>1</load-error-count>`);
    if (attrs.rollback !== undefined) {
      const index = Number(attrs.rollback);
      const revision = this.revisions[index];
      this.loads.push({ sessionId, action: 'rollback', format: 'xml', rollback: index, text: '', ok: revision !== undefined });
      if (revision === undefined) return failed(`Cannot load configuration rollback ${attrs.rollback}: there are ${this.revisions.length} (0 to ${this.revisions.length - 1})`);
      // rollback N puts an older configuration in the candidate: the pending change is gone.
      this.discard();
      if (index > 0) this.candidateTree = fromXml(revision.configuration);
      return results(f.ok());
    }
    if (attrs.rescue !== undefined) {
      if (this.rescue === null) return failed('rescue configuration does not exist');
      this.candidate = this.rescue;
      this.candidateTree = fromXml(this.rescue);
      this.loads.push({ sessionId, action: 'rescue', format: 'xml', rollback: null, text: this.rescue, ok: true });
      return results(f.ok());
    }
    const action = attrs.action ?? 'merge';
    let format = attrs.format ?? 'xml';
    let text: string;
    if (format === 'xml') text = (innerOf(xml, 'configuration') ?? '').trim();
    else if (hasElement(xml, 'configuration-set')) {
      format = 'set';
      text = textOf(xml, 'configuration-set') ?? '';
    } else text = textOf(xml, format === 'json' ? 'configuration-json' : 'configuration-text') ?? attrs.url ?? '';
    const { warnings = [], errors = [] } = this.script.load ?? {};
    const items = [...warnings.map((w) => f.rpcError(w, 'warning')), ...errors.map((e) => f.rpcError(e, 'error'))];
    // The device reads what it was given (a URL it cannot fetch changes nothing); what it cannot read is a load error.
    let change: Config = [];
    try {
      if (errors.length === 0 && attrs.url === undefined) change = readChange(format, action, text);
    } catch (err) {
      if (!(err instanceof ConfigSyntaxError)) throw err;
      items.push(f.rpcError({ message: err.message }, 'error'));
      this.loads.push({ sessionId, action, format, rollback: null, text, ok: false });
      return results([...items, `<load-error-count>${errors.length + 1}</load-error-count>`].join('\n'));
    }
    const ok = errors.length === 0;
    this.loads.push({ sessionId, action, format, rollback: null, text, ok });
    if (!ok) return results([...items, `<load-error-count>${errors.length}</load-error-count>`].join('\n'));
    const database = this.database(sessionId);
    const replaces = action === 'override' || action === 'update';
    if (database.startsWith('ephemeral:')) {
      const instance = database.slice('ephemeral:'.length);
      const before = this.ephemeralCandidate.get(instance) ?? '';
      this.ephemeralCandidate.set(instance, action === 'override' ? text : joinChange(before, text));
    } else {
      this.candidate = action === 'override' ? text : joinChange(this.candidate, text);
      this.candidateTree = replaces ? change.filter((n) => n.op !== 'delete').map(plain) : merge(this.candidateConfig(), change);
    }
    return results([...items, f.ok()].join('\n'));
  }

  private commitConfiguration(f: Flavour, xml: string, sessionId: number): string {
    const check = hasElement(xml, 'check');
    const outcome = (check ? this.script.check : this.script.commit) ?? {};
    const failed = (outcome.errors ?? []).length > 0;
    if (!failed) {
      const at = textOf(xml, 'at-time')?.trim() ?? null;
      const confirmed = !check && hasElement(xml, 'confirmed') ? minutes(textOf(xml, 'confirm-timeout')) : null;
      const database = this.database(sessionId);
      const request = { comment: textOf(xml, 'log')?.trim() ?? null, synchronize: hasElement(xml, 'synchronize'), forceSynchronize: hasElement(xml, 'force-synchronize'), database };
      if (check) {
        this.checks++;
        this.confirmPending(); // on Junos, `commit check` confirms a confirmed commit too
      } else if (at !== null) {
        this.scheduledCommit = at; // checked now, committed at that time: the candidate stays as it is
      } else if (database.startsWith('ephemeral:')) {
        // Ephemeral commits take effect at once and are no revision of the configuration.
        const instance = database.slice('ephemeral:'.length);
        this.ephemeral[instance] = joinChange(this.ephemeral[instance] ?? '', this.ephemeralCandidate.get(instance) ?? '');
        this.ephemeralCandidate.delete(instance);
        this.commitLog.push(this.entry(sessionId, { ...request, confirmedMinutes: null }));
      } else this.committed(sessionId, { ...request, confirmedMinutes: confirmed });
    }
    return this.commitResults(f, outcome, check);
  }

  /** RFC `<commit>`: the same commit, answered the RFC way (`<ok/>`, or rpc-errors). */
  private rfcCommit(f: Flavour, xml: string, sessionId: number): string {
    const outcome = this.script.commit ?? {};
    const errors = outcome.errors ?? [];
    const warnings = (outcome.warnings ?? []).map((w) => f.rpcError(w, 'warning'));
    if (errors.length > 0) {
      const items = [...warnings, ...errors.map((e) => f.rpcError(e, 'error', { type: 'protocol', tag: 'operation-failed' }))];
      return `<commit-results>\n${items.join('\n')}\n</commit-results>`;
    }
    let confirmedMinutes: number | null = null;
    if (hasElement(xml, 'confirmed')) {
      const seconds = Number(textOf(xml, 'confirm-timeout') ?? 600);
      confirmedMinutes = Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 600) / 60));
    }
    this.committed(sessionId, { comment: null, synchronize: false, forceSynchronize: false, database: this.database(sessionId), confirmedMinutes });
    return [...warnings, f.ok()].join('\n');
  }

  /** A new commit-log entry for a commit of this session. */
  private entry(sessionId: number | null, request: Pick<JunosCommit, 'comment' | 'synchronize' | 'forceSynchronize' | 'database' | 'confirmedMinutes'>): JunosCommit {
    const own = sessionId === null;
    const minutes = request.confirmedMinutes;
    return {
      number: this.commitLog.length + 1, sessionId, user: own ? 'root' : (this.device.sessionUser(sessionId) ?? ''), client: own ? 'other' : 'netconf',
      time: new Date(), confirmed: minutes === null ? null : { timeoutSeconds: minutes * 60, persist: null },
      status: minutes === null ? 'committed' : 'pending', confirms: null, ...request,
    };
  }

  /**
   * A commit of the shared configuration: the candidate becomes the running configuration,
   * a new revision (rollback 0). It confirms a pending confirmed commit; a confirmed one
   * starts its own timer, which rolls back to the configuration before it.
   */
  private committed(sessionId: number | null, request: Parameters<JunosDevice['entry']>[1], configuration = this.candidateConfiguration): JunosCommit {
    const entry = this.entry(sessionId, request);
    entry.confirms = this.confirmPending()?.number ?? null;
    this.commits++;
    this.discard();
    this.scheduledCommit = null;
    this.lastCommit = entry.time;
    if (entry.comment !== null) this.comments.push(entry.comment);
    this.commitLog.push(entry);
    this.revisions.unshift({ commit: entry, configuration });
    this.revisions.length = Math.min(this.revisions.length, MAX_REVISIONS);
    const minutes = request.confirmedMinutes;
    if (minutes !== null) {
      this.confirmedCommits++;
      const timer = setTimeout(() => this.rollBackPending(null), minutes * 60_000);
      timer.unref();
      this.pending = { entry, minutes, timer };
    }
    return entry;
  }

  /** Confirms the pending confirmed commit, if any, and returns its entry. */
  private confirmPending(): JunosCommit | null {
    const pending = this.pending;
    if (pending === null) return null;
    clearTimeout(pending.timer);
    pending.entry.status = 'committed';
    this.pending = null;
    this.confirmations++;
    return pending.entry;
  }

  /**
   * The pending confirmed commit is undone: the configuration before it (rollback 1) is
   * committed again, by the device itself when it timed out (`sessionId` null) or by the
   * session that cancelled it. Uncommitted changes in the candidate are lost, as on Junos.
   */
  private rollBackPending(sessionId: number | null): void {
    const pending = this.pending;
    if (pending === null) return;
    clearTimeout(pending.timer);
    this.pending = null;
    pending.entry.status = 'reverted';
    const previous = this.revisions[1]?.configuration ?? this.configuration;
    this.committed(sessionId, { comment: null, synchronize: false, forceSynchronize: false, database: 'shared', confirmedMinutes: null }, previous);
  }

  /** `<get-commit-information/>`: the history, newest first, as Junos answers it. */
  private commitInformation(): string {
    const items = this.revisions.map(({ commit }, i) => {
      const seconds = Math.floor(commit.time.getTime() / 1000);
      const lines = [
        `<sequence-number>${i}</sequence-number>`, `<user>${escapeXml(commit.user)}</user>`, `<client>${escapeXml(commit.client)}</client>`,
        `<date-time junos:seconds="${seconds}">${localTime(commit.time)}</date-time>`,
      ];
      // Junos keeps the note on the entry for good; "rollback pending" only while the timer runs.
      if (commit.confirmedMinutes !== null) lines.push(`<comment>commit confirmed, rollback in ${commit.confirmedMinutes}mins</comment>`);
      if (commit.comment !== null) lines.push(`<log>${escapeXml(commit.comment)}</log>`);
      if (this.pending?.entry === commit) lines.push('<commit-confirmed>rollback pending</commit-confirmed>');
      return `<commit-history>\n${lines.join('\n')}\n</commit-history>`;
    });
    return `<commit-information>\n${items.join('\n')}\n</commit-information>`;
  }

  private commitResults(f: Flavour, outcome: JunosOutcome, check: boolean): string {
    const warnings = outcome.warnings ?? [];
    const errors = outcome.errors ?? [];
    const style: JunosOkStyle = this.script.okStyle ?? 'commit-results';
    // The quirk of some rfc-compliant releases: each <routing-engine> left open, items as rpc-errors.
    const unclosed = f.rfcCompliant && (this.script.unclosedRoutingEngine ?? false);
    if (!unclosed && errors.length === 0 && style === 'bare-ok') return f.ok(); // warnings dropped, as rfc-compliant Junos does beside <ok/>
    if (!unclosed && errors.length === 0 && style === 'output') {
      const line = check ? 'configuration check succeeds' : 'commit complete';
      return [...warnings.map((w) => xnmItem(w, 'warning')), textBlock('output', line), f.ok()].join('\n');
    }
    const engines = this.routingEngines();
    const on = (item: JunosItem, re: string) => (item.routingEngine !== undefined && engines.includes(item.routingEngine) ? item.routingEngine : engines[0]) === re;
    const junosStyle = engines.length > 1 ? 'show-name' : 'normal';
    const item = (i: JunosItem, kind: 'error' | 'warning') => (unclosed ? f.rpcError(i, kind, { type: 'application', tag: 'invalid-value' }) : xnmItem(i, kind));
    const blocks = engines.map((re) => {
      const items = [...warnings.filter((w) => on(w, re)).map((w) => item(w, 'warning')), ...errors.filter((e) => on(e, re)).map((e) => item(e, 'error'))];
      const success = errors.length > 0 ? [] : [check ? '<commit-check-success/>' : '<commit-success/>'];
      return [`<routing-engine junos:style="${junosStyle}">`, `<name>${escapeXml(re)}</name>`, ...items, ...success, ...(unclosed ? [] : ['</routing-engine>'])].join('\n');
    });
    const results = `<commit-results>\n${blocks.join('\n')}\n</commit-results>`;
    return errors.length > 0 ? results : `${results}\n${f.ok()}`;
  }

  private routingEngines(): string[] {
    const res = this.script.routingEngines ?? [];
    return res.length > 0 ? res : ['re0'];
  }

  /**
   * `<get-configuration>`: the candidate (`database="committed"`: the committed one) as XML,
   * text, set commands or JSON; with `compare="rollback"`, the `show | compare` of the
   * candidate against rollback N.
   */
  private getConfiguration(f: Flavour, xml: string): string {
    const attrs = attributesOf(xml, 'get-configuration') ?? {};
    if (attrs.compare === 'rollback') {
      const index = Number(attrs.rollback ?? 0);
      const revision = this.revisions[index];
      if (this.script.diff === undefined && revision === undefined) {
        return f.rpcError({ message: `rollback ${attrs.rollback} does not exist` }, 'error', { type: 'protocol', tag: 'operation-failed' });
      }
      const text = this.script.diff ?? diff(fromXml(revision!.configuration), this.candidateConfig());
      return `<configuration-information>\n${textBlock('configuration-output', text)}\n</configuration-information>`;
    }
    const candidate = attrs.database !== 'committed';
    const config = candidate ? this.candidateConfig() : fromXml(this.configuration);
    const header = `## Last commit: ${localTime(this.lastCommit)} by ${this.revisions[0]!.commit.user}`;
    switch (attrs.format ?? 'xml') {
      case 'text':
        return textBlock('configuration-text', `${header}\n${toText(config).join('\n')}`);
      case 'set':
        return textBlock('configuration-set', `${header}\n${toSet(config).join('\n')}`);
      case 'json':
        return textBlock('configuration-json', toJson(config));
      default:
        return this.configurationElement(candidate);
    }
  }

  /** `<configuration>` with the attributes of the last commit: the candidate, or the committed configuration. */
  private configurationElement(candidate: boolean): string {
    const seconds = Math.floor(this.lastCommit.getTime() / 1000);
    const user = escapeXml(this.revisions[0]!.commit.user);
    const attrs = `junos:commit-seconds="${seconds}" junos:commit-localtime="${localTime(this.lastCommit)}" junos:commit-user="${user}"`;
    return `<configuration ${attrs}>\n${candidate ? this.candidateConfiguration : this.configuration}\n</configuration>`;
  }

  /** The candidate as a tree. */
  private candidateConfig(): Config {
    return this.candidateTree ?? fromXml(this.configuration);
  }

  /** The candidate is the committed configuration again. */
  private discard(): void {
    this.candidate = '';
    this.candidateTree = null;
  }

  /** RFC `<edit-config>`: its `<config>` (a `<configuration>`, or what goes inside one) merged into the candidate. */
  private editConfig(f: Flavour, xml: string): string {
    const inner = (innerOf(xml, 'config') ?? '').trim();
    let change: Config;
    try {
      change = fromXml(inner);
    } catch (err) {
      if (!(err instanceof ConfigSyntaxError)) throw err;
      return f.rpcError({ message: err.message }, 'error', { type: 'protocol', tag: 'malformed-message' });
    }
    const wrapped = change.length === 1 && change[0]!.name === 'configuration' && change[0]!.value === null;
    this.candidate = joinChange(this.candidate, inner);
    this.candidateTree = merge(this.candidateConfig(), wrapped ? change[0]!.children : change);
    return f.ok();
  }

  /** `<command>`: text outputs by command line; as XML, the commands whose RPC the device has. */
  private command(f: Flavour, xml: string, platform: PlatformReplies): string {
    const format = attributesOf(xml, 'command')?.format ?? 'xml';
    const cli = (textOf(xml, 'command') ?? '').trim().replace(/\s+/g, ' ');
    if (format !== 'text') {
      const rpc: Record<string, () => string | null> = {
        'show version': () => this.softwareInformation(platform),
        'show system commit': () => this.commitInformation(),
        'show version invoke-on all-routing-engines': () => platform.softwareAllEngines(),
        'show chassis routing-engine': () => platform.routeEngineInformation(),
        'show chassis hardware': () => platform.chassisInventory(),
        'show virtual-chassis': () => platform.virtualChassis(),
        'show chassis cluster status': () => platform.clusterStatus(),
      };
      // Where there are no bridge domains Junos refuses the word `bridge`.
      if (platform.bridgeCount() !== null) rpc['show bridge mac-table count'] = () => platform.bridgeCount();
      const answer = rpc[cli]?.();
      if (answer !== undefined && answer !== null) return answer;
      if (rpc[cli] !== undefined) return f.rpcError({ message: `syntax error, expecting <command>: ${cli.split(' ').pop()}`, element: cli.split(' ').pop() }, 'error', { type: 'protocol', tag: 'operation-failed' });
    }
    const outputs: Record<string, string> = { 'show version': showVersionText(this.hostName()), ...this.script.commands };
    const output = outputs[cli];
    if (output === undefined) {
      const word = cli.split(' ').find((w) => !['show', 'request', 'clear'].includes(w)) ?? cli;
      return f.rpcError({ message: `syntax error, expecting <command>: ${word}`, element: word }, 'error', { type: 'protocol', tag: 'operation-failed' });
    }
    return textBlock('output', output);
  }

  /** `<file-show>`: the files facts() reads; any other path is not there. */
  private fileShow(f: Flavour, xml: string): string {
    const path = (textOf(xml, 'filename') ?? '').trim();
    if (path === '/etc/hosts.junos') return PlatformReplies.hostsJunos();
    return f.rpcError({ message: `could not resolve file: ${path}` }, 'error', { type: 'protocol', tag: 'operation-failed' });
  }

  /** `<file-list>` of `~`: the session user's home directory, empty. */
  private fileList(f: Flavour, xml: string, sessionId: number): string {
    const path = (textOf(xml, 'path') ?? '').trim();
    if (path !== '~') return f.rpcError({ message: `could not resolve file: ${path}` }, 'error', { type: 'protocol', tag: 'operation-failed' });
    const home = `/var/home/${escapeXml(this.device.sessionUser(sessionId) ?? 'netconf')}/`;
    return `<directory-list root-path="${home}" junos:style="brief">\n<directory name="${home}">\n<directory-name>${home}</directory-name>\n<total-files>0</total-files>\n</directory>\n</directory-list>`;
  }

  /** `<software-information>` of the platform, or with `multiReError` one item per RE where all but the first failed. */
  private softwareInformation(platform: PlatformReplies): string {
    if (!this.script.multiReError) return platform.softwareInformation();
    const info = softwareInformation(this.hostName());
    const engines = this.routingEngines().length > 1 ? this.routingEngines() : ['node0', 'node1'];
    const items = engines.map((re, i) => {
      const body = i === 0 ? info
        : `<error xmlns="${XNM_NS}">\n<source-daemon>chassisd</source-daemon>\n<message>could not read from peer</message>\n</error>`;
      return `<multi-routing-engine-item>\n<re-name>${escapeXml(re)}</re-name>\n${body}\n</multi-routing-engine-item>`;
    });
    return `<multi-routing-engine-results>\n${items.join('\n')}\n</multi-routing-engine-results>`;
  }

  /** The committed host name. */
  private hostName(): string {
    return hostNameOf(fromXml(this.configuration)) ?? DEFAULT_HOST_NAME;
  }
}

/** Starts a Junos-flavoured fake device (see `JunosDevice`). */
export function startJunosDevice(script?: JunosScript, options?: FakeDeviceOptions): Promise<JunosDevice> {
  return JunosDevice.start(script, options);
}

function baseFiltered(capabilities: string[], base: FakeDeviceOptions['base']): string[] {
  if (base === undefined) return capabilities;
  const rest = capabilities.filter((c) => c !== BASE_1_0 && c !== BASE_1_1);
  return [...(base === '1.1' ? [] : [BASE_1_0]), ...(base === '1.0' ? [] : [BASE_1_1]), ...rest];
}

function joinChange(candidate: string, text: string): string {
  if (text === '') return candidate;
  return candidate === '' ? text : `${candidate}\n${text}`;
}

/** The change a load carries, read in its format (`set` commands, a `patch`, text, JSON or XML). */
function readChange(format: string, action: string, text: string): Config {
  if (format === 'set' || action === 'set') return fromSet(text);
  if (action === 'patch') return fromPatch(text);
  if (format === 'text') return fromText(text);
  if (format === 'json') return fromJson(text);
  return fromXml(text);
}

/** `<confirm-timeout>` minutes (Junos: 1 to 65535), default 10. */
function minutes(text: string | null): number {
  const n = Number(text?.trim());
  return text === null || !Number.isInteger(n) || n < 1 ? DEFAULT_CONFIRM_MINUTES : Math.min(65535, n);
}

/** `2024-05-01 10:00:00 UTC`, as Junos writes `commit-localtime`. */
function localTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

