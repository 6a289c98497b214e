import { FakeDevice } from './fake-device.js';
import {
  DEFAULT_CONFIGURATION, configurationJson, configurationSet, configurationText, hostNameOf, showVersionText, softwareInformation,
} from './junos-config.js';
import { Flavour, JUNOS_CAPABILITIES, XNM_NS, junosCapabilities, textBlock, xnmItem } from './junos-replies.js';
import { attributesOf, hasElement, innerOf, textOf } from './junos-requests.js';
import type { JunosItem, JunosOkStyle, JunosOutcome, JunosScript } from './junos-types.js';
import { LockTable } from './locks.js';
import { BASE_1_0, BASE_1_1, escapeXml } from './replies.js';
import { firstChildOf } from './requests.js';
import type { FakeDeviceOptions, FakeNotifyOptions, FakeRawNotifyOptions, FakeReply, FakeRequest } from './types.js';

export type { JunosItem, JunosOkStyle, JunosOutcome, JunosScript } from './junos-types.js';
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

/** Junos' default `confirm-timeout`. */
const DEFAULT_CONFIRM_MINUTES = 10;

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
export class JunosDevice {
  /** What the device answers; read on every request (hello settings: at each hello). */
  script: JunosScript;
  /** The loaded, uncommitted change: the payloads of the loads since the last commit, rollback 0 or discard. */
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
  /** The confirmed commit waiting for its confirmation, with its timeout in minutes. */
  pendingConfirm: { minutes: number } | null = null;
  /** When the running configuration was last committed (`junos:commit-seconds`). */
  lastCommit = new Date();

  private fake: FakeDevice | null = null;
  private readonly locks = new LockTable();
  /** Sessions that opened a private, exclusive or dynamic database. */
  private readonly opened = new Map<number, 'private' | 'exclusive' | 'dynamic'>();
  /** The flavour each session was greeted with (a changed script affects new sessions only). */
  private readonly flavours = new Map<number, Flavour>();
  /** Counts hellos; FakeDevice numbers its sessions the same way, from 1. */
  private hellos = 0;

  private constructor(script: JunosScript, private readonly options: FakeDeviceOptions) {
    this.script = script;
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

  get host(): '127.0.0.1' {
    return this.device.host;
  }

  get port(): number {
    return this.device.port;
  }

  get hostKeyFingerprint(): string {
    return this.device.hostKeyFingerprint;
  }

  get knownHostsLine(): string {
    return this.device.knownHostsLine;
  }

  get requests(): FakeRequest[] {
    return this.device.requests;
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

  /** The session holding the lock on `datastore` (`candidate` for Junos' own locks), or null. */
  lockHolder(datastore = 'candidate'): number | null {
    return this.locks.holder(datastore);
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
    return this.fake ? this.fake.close() : Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private fakeDeviceOptions(): FakeDeviceOptions {
    const o = this.options;
    const self = this;
    const capabilities = o.capabilities ?? baseFiltered(junosCapabilities(this.script.rfcCompliant ?? false), o.base);
    const username = o.users?.[0]?.username ?? 'netconf';
    return {
      ...o,
      capabilities,
      sendHello: false, // the hello is written as "pre-hello" text: Junos' comments, its layout, its prefixes
      // FakeDevice reads this once per session, as the session starts: each gets its own hello.
      get preHello(): string {
        const sessionId = ++self.hellos;
        const flavour = new Flavour(self.script.rfcCompliant ?? false);
        self.flavours.set(sessionId, flavour);
        const hello = o.sendHello === false ? '' : flavour.hello(capabilities, sessionId, username);
        return (o.preHello ?? '') + (self.script.preHelloText ?? '') + hello;
      },
      // A rule or handler that only adds faults (`{ delayMs: 500 }`) gets the Junos answer, not FakeDevice's default.
      rules: o.rules?.map((rule) => ({
        ...rule,
        reply: async (request: FakeRequest, device: FakeDevice) =>
          this.fillIn(request, typeof rule.reply === 'function' ? await rule.reply(request, device) : rule.reply),
      })),
      handler: async (request, device) => this.fillIn(request, await o.handler?.(request, device)) ?? this.handle(request),
      // FakeDevice has no session-end hook; its "session N: ended" log line is the signal to free that session's locks.
      logger: (line) => {
        const ended = /^session (\d+): ended$/.exec(line);
        if (ended) this.sessionEnded(Number(ended[1]));
        o.logger?.(line);
      },
    };
  }

  private sessionEnded(sessionId: number): void {
    this.locks.releaseAll(sessionId);
    if (this.opened.get(sessionId) === 'private') this.candidate = '';
    this.opened.delete(sessionId);
    this.flavours.delete(sessionId);
  }

  /** A scripted reply with faults but no content gets the Junos answer as its content. */
  private fillIn(request: FakeRequest, scripted: FakeReply | undefined): FakeReply | undefined {
    if (scripted === undefined || typeof scripted === 'string') return scripted;
    if (scripted.reply !== undefined || scripted.raw !== undefined || scripted.stall) return scripted;
    const junos = this.handle(request);
    if (junos === undefined) return scripted; // FakeDevice's default answers it
    const own = typeof junos === 'string' ? { reply: junos } : junos;
    return { ...own, ...scripted, reply: own.reply, stall: own.stall ?? false };
  }

  /** The scripted faults, around the answer proper. */
  private handle(request: FakeRequest): FakeReply | undefined {
    const script = this.script;
    if (script.stallOn !== undefined && script.stallOn === request.operation) return { stall: true };
    const answer = this.answer(request, this.flavours.get(request.sessionId) ?? new Flavour(script.rfcCompliant ?? false));
    if (answer === undefined || script.dropOn === undefined || script.dropOn !== request.operation) return answer;
    const text = typeof answer === 'string' ? answer : answer.reply;
    if (text === undefined) return answer;
    return { reply: text, dropAfterBytes: Math.floor(Buffer.byteLength(text) / 2) };
  }

  /** The reply to one request, or undefined for FakeDevice's default. */
  private answer(request: FakeRequest, f: Flavour): FakeReply | undefined {
    const reply = (content: string) => f.reply(content, request.messageId);
    const xml = request.xml;
    switch (request.operation) {
      case 'lock':
        return reply(this.lock(f, firstChildOf(xml, 'target') ?? 'candidate', request.sessionId));
      case 'unlock':
        return reply(this.unlock(f, firstChildOf(xml, 'target') ?? 'candidate', request.sessionId));
      case 'lock-configuration':
        return reply(this.lock(f, 'candidate', request.sessionId));
      case 'unlock-configuration':
        return reply(this.unlock(f, 'candidate', request.sessionId));
      case 'open-configuration':
        return reply(this.openConfiguration(f, xml, request.sessionId));
      case 'close-configuration':
        return reply(this.closeConfiguration(f, request.sessionId));
      case 'discard-changes':
        this.candidate = '';
        return reply(f.ok());
      case 'load-configuration':
        return reply(this.loadConfiguration(f, xml, request.sessionId));
      case 'commit-configuration':
        return reply(this.commitConfiguration(f, xml));
      case 'commit':
        return reply(this.rfcCommit(f, xml));
      case 'cancel-commit':
        this.pendingConfirm = null;
        return reply(f.ok());
      case 'edit-config':
        this.candidate = joinChange(this.candidate, (innerOf(xml, 'config') ?? '').trim());
        return reply(f.ok());
      case 'validate':
      case 'copy-config':
      case 'delete-config':
        return reply(f.ok());
      case 'get-configuration':
        return reply(this.getConfiguration(xml));
      case 'get-config':
      case 'get':
        return reply(`<${f.nc('data')}>\n${this.configurationElement()}\n</${f.nc('data')}>`);
      case 'command':
        return reply(this.command(f, xml));
      case 'get-software-information':
        return reply(this.softwareInformation());
      case 'close-session':
        return { reply: reply(f.ok()), closeChannel: true };
      case 'kill-session':
      case '':
        return undefined; // FakeDevice ends the other session (and its locks) or reports the missing operation
      default:
        return reply(f.rpcError({ message: 'syntax error', element: request.operation }, 'error', { type: 'protocol', tag: 'operation-failed' }));
    }
  }

  private lock(f: Flavour, datastore: string, sessionId: number): string {
    const result = this.locks.lock(datastore, sessionId);
    if (result.ok) return f.ok();
    return this.lockDenied(f, result.holder);
  }

  private lockDenied(f: Flavour, holder: number): string {
    const since = localTime(this.lastCommit);
    const message = `configuration database locked by:\n  netconf terminal (session-id ${holder}) on since ${since}\n      exclusive [edit]`;
    return f.rpcError({ message }, 'error', { type: 'protocol', tag: 'lock-denied' }, holder);
  }

  private unlock(f: Flavour, datastore: string, sessionId: number): string {
    if (this.locks.unlock(datastore, sessionId)) return f.ok();
    const holder = this.locks.holder(datastore);
    const message = holder === null ? 'configuration database is not locked' : `configuration database locked by another session (session-id ${holder})`;
    return f.rpcError({ message }, 'error', { type: 'protocol', tag: 'operation-failed' });
  }

  private openConfiguration(f: Flavour, xml: string, sessionId: number): string {
    const mode = hasElement(xml, 'exclusive') ? 'exclusive' : hasElement(xml, 'private') ? 'private' : 'dynamic';
    const holder = this.locks.holder('candidate');
    if (holder !== null && holder !== sessionId) return this.lockDenied(f, holder);
    if (mode === 'exclusive' && holder === null) this.locks.lock('candidate', sessionId);
    this.opened.set(sessionId, mode);
    // Junos warns on every private open; clients ignore it.
    return mode === 'private' ? `${f.rpcError({ message: 'uncommitted changes will be discarded on exit' }, 'warning')}\n${f.ok()}` : f.ok();
  }

  private closeConfiguration(f: Flavour, sessionId: number): string {
    const mode = this.opened.get(sessionId);
    this.opened.delete(sessionId);
    if (mode === 'exclusive') this.locks.unlock('candidate', sessionId);
    if (mode === 'private') this.candidate = '';
    return f.ok();
  }

  private loadConfiguration(f: Flavour, xml: string, sessionId: number): string {
    const attrs = attributesOf(xml, 'load-configuration') ?? {};
    const results = (body: string) => `<load-configuration-results>\n${body}\n</load-configuration-results>`;
    if (attrs.rollback !== undefined) {
      // rollback N puts an older configuration in the candidate: the pending change is gone.
      this.candidate = '';
      this.loads.push({ sessionId, action: 'rollback', format: 'xml', rollback: Number(attrs.rollback), text: '', ok: true });
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
    const ok = errors.length === 0;
    this.loads.push({ sessionId, action, format, rollback: null, text, ok });
    if (!ok) return results([...items, `<load-error-count>${errors.length}</load-error-count>`].join('\n'));
    this.candidate = action === 'override' ? text : joinChange(this.candidate, text);
    return results([...items, f.ok()].join('\n'));
  }

  private commitConfiguration(f: Flavour, xml: string): string {
    const check = hasElement(xml, 'check');
    const outcome = (check ? this.script.check : this.script.commit) ?? {};
    const failed = (outcome.errors ?? []).length > 0;
    if (!failed) {
      if (check) {
        this.checks++;
        this.confirmPending(); // on Junos, `commit check` confirms a confirmed commit too
      } else {
        const confirmed = hasElement(xml, 'confirmed');
        this.committed(textOf(xml, 'log'), confirmed ? minutes(textOf(xml, 'confirm-timeout')) : null);
      }
    }
    return this.commitResults(f, outcome, check);
  }

  /** RFC `<commit>`: the same commit, answered the RFC way (`<ok/>`, or rpc-errors). */
  private rfcCommit(f: Flavour, xml: string): string {
    const outcome = this.script.commit ?? {};
    const errors = outcome.errors ?? [];
    const warnings = (outcome.warnings ?? []).map((w) => f.rpcError(w, 'warning'));
    if (errors.length > 0) {
      const items = [...warnings, ...errors.map((e) => f.rpcError(e, 'error', { type: 'protocol', tag: 'operation-failed' }))];
      return `<commit-results>\n${items.join('\n')}\n</commit-results>`;
    }
    if (hasElement(xml, 'confirmed')) {
      const seconds = Number(textOf(xml, 'confirm-timeout') ?? 600);
      this.committed(null, Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 600) / 60)));
    } else this.committed(null, null);
    return [...warnings, f.ok()].join('\n');
  }

  private committed(comment: string | null, confirmMinutes: number | null): void {
    this.commits++;
    this.candidate = '';
    this.lastCommit = new Date();
    if (comment !== null) this.comments.push(comment.trim());
    if (confirmMinutes !== null) {
      this.confirmedCommits++;
      this.pendingConfirm = { minutes: confirmMinutes }; // a new confirmed commit restarts the timer
    } else this.confirmPending();
  }

  private confirmPending(): void {
    if (this.pendingConfirm === null) return;
    this.pendingConfirm = null;
    this.confirmations++;
  }

  private commitResults(f: Flavour, outcome: JunosOutcome, check: boolean): string {
    const warnings = outcome.warnings ?? [];
    const errors = outcome.errors ?? [];
    const style: JunosOkStyle = this.script.okStyle ?? 'commit-results';
    if (errors.length === 0 && style === 'bare-ok') return f.ok(); // warnings dropped, as rfc-compliant Junos does beside <ok/>
    if (errors.length === 0 && style === 'output') {
      const line = check ? 'configuration check succeeds' : 'commit complete';
      return [...warnings.map((w) => xnmItem(w, 'warning')), textBlock('output', line), f.ok()].join('\n');
    }
    const engines = this.routingEngines();
    const on = (item: JunosItem, re: string) => (item.routingEngine !== undefined && engines.includes(item.routingEngine) ? item.routingEngine : engines[0]) === re;
    const junosStyle = engines.length > 1 ? 'show-name' : 'normal';
    const blocks = engines.map((re) => {
      const items = [
        ...warnings.filter((w) => on(w, re)).map((w) => xnmItem(w, 'warning')),
        ...errors.filter((e) => on(e, re)).map((e) => xnmItem(e, 'error')),
      ];
      const success = errors.length > 0 ? [] : [check ? '<commit-check-success/>' : '<commit-success/>'];
      return [`<routing-engine junos:style="${junosStyle}">`, `<name>${escapeXml(re)}</name>`, ...items, ...success, '</routing-engine>'].join('\n');
    });
    const results = `<commit-results>\n${blocks.join('\n')}\n</commit-results>`;
    return errors.length > 0 ? results : `${results}\n${f.ok()}`;
  }

  private routingEngines(): string[] {
    const res = this.script.routingEngines ?? [];
    return res.length > 0 ? res : ['re0'];
  }

  private getConfiguration(xml: string): string {
    const attrs = attributesOf(xml, 'get-configuration') ?? {};
    if (attrs.compare === 'rollback') {
      return `<configuration-information>\n${textBlock('configuration-output', this.diffText())}\n</configuration-information>`;
    }
    const config = this.script.configuration ?? DEFAULT_CONFIGURATION;
    const header = `## Last commit: ${localTime(this.lastCommit)} by netconf`;
    switch (attrs.format ?? 'xml') {
      case 'text':
        return textBlock('configuration-text', `${header}\n${configurationText(config)}`);
      case 'set':
        return textBlock('configuration-set', `${header}\n${configurationSet(config)}`);
      case 'json':
        return textBlock('configuration-json', configurationJson(config));
      default:
        return this.configurationElement();
    }
  }

  private configurationElement(): string {
    const seconds = Math.floor(this.lastCommit.getTime() / 1000);
    const attrs = `junos:commit-seconds="${seconds}" junos:commit-localtime="${localTime(this.lastCommit)}" junos:commit-user="netconf"`;
    return `<configuration ${attrs}>\n${this.script.configuration ?? DEFAULT_CONFIGURATION}\n</configuration>`;
  }

  /** The script's diff, or one built from the candidate: each line prefixed with `+ `. */
  private diffText(): string {
    if (this.script.diff !== undefined) return this.script.diff;
    return this.candidate.split('\n').filter((l) => l.trim() !== '').map((l) => `+ ${l.trimEnd()}`).join('\n');
  }

  private command(f: Flavour, xml: string): string {
    const format = attributesOf(xml, 'command')?.format ?? 'xml';
    const cli = (textOf(xml, 'command') ?? '').trim().replace(/\s+/g, ' ');
    if (format !== 'text' && cli === 'show version') return this.softwareInformation();
    const outputs: Record<string, string> = { 'show version': showVersionText(this.hostName()), ...this.script.commands };
    const output = outputs[cli];
    if (output === undefined) {
      const word = cli.split(' ').find((w) => !['show', 'request', 'clear'].includes(w)) ?? cli;
      return f.rpcError({ message: `syntax error, expecting <command>: ${word}`, element: word }, 'error', { type: 'protocol', tag: 'operation-failed' });
    }
    return textBlock('output', output);
  }

  /** `<software-information>`, or with `multiReError` one item per RE where all but the first failed. */
  private softwareInformation(): string {
    const info = softwareInformation(this.hostName());
    if (!this.script.multiReError) return info;
    const engines = this.routingEngines().length > 1 ? this.routingEngines() : ['node0', 'node1'];
    const items = engines.map((re, i) => {
      const body = i === 0 ? info
        : `<error xmlns="${XNM_NS}">\n<source-daemon>chassisd</source-daemon>\n<message>could not read from peer</message>\n</error>`;
      return `<multi-routing-engine-item>\n<re-name>${escapeXml(re)}</re-name>\n${body}\n</multi-routing-engine-item>`;
    });
    return `<multi-routing-engine-results>\n${items.join('\n')}\n</multi-routing-engine-results>`;
  }

  private hostName(): string {
    return hostNameOf(this.script.configuration ?? DEFAULT_CONFIGURATION);
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

/** `<confirm-timeout>` minutes (Junos: 1 to 65535), default 10. */
function minutes(text: string | null): number {
  const n = Number(text?.trim());
  return text === null || !Number.isInteger(n) || n < 1 ? DEFAULT_CONFIRM_MINUTES : Math.min(65535, n);
}

/** `2024-05-01 10:00:00 UTC`, as Junos writes `commit-localtime`. */
function localTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

