import { ClientError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { decodeEntities, escapeXml } from '../xml/entities.js';
import { type XmlObject, type XmlValue, parseXml, textOf } from '../xml/parse-data.js';
import { type ConfirmedCommit, type XmlContent, addContent, request, serialise } from './build.js';
import { innerXml } from './rfc6241.js';

/** The formats Junos takes and gives configuration in. */
export type JunosFormat = 'xml' | 'text' | 'set' | 'json';
/** What a Junos `<load-configuration>` does with the loaded configuration. */
export type LoadAction = 'merge' | 'replace' | 'override' | 'update' | 'set' | 'patch';

/** Options of the Junos `<load-configuration>`. */
export interface LoadOptions extends Omit<RpcOptions, 'write'> {
  /** Default: `xml` for objects and nodes, and for strings that start with `<`; else `text`. */
  format?: JunosFormat;
  /** Default `merge` (`set` for the set format). */
  action?: LoadAction;
}

/** The reply, plus what the load said. */
export interface LoadResult extends RpcReply {
  /** `<ok/>` or `<load-success/>` was in the results. */
  success: boolean;
  /** `<load-error-count>`, when the device sent one. */
  errorCount: number | null;
}

/**
 * Junos `<load-configuration>`: xml, text (curly braces), set commands or JSON, with the
 * load action. The payload goes in as data: text is escaped, XML is checked first.
 */
export async function loadConfiguration(session: Session, config: XmlContent, options: LoadOptions = {}): Promise<LoadResult> {
  const format = options.format ?? (typeof config !== 'string' || config.trimStart().startsWith('<') ? 'xml' : 'text');
  const action = options.action ?? (format === 'set' ? 'set' : 'merge');
  if (format === 'set' && action !== 'set') throw new ClientError('INVALID_ARGUMENT', 'set-format configuration loads with action "set"');
  const op = request('load-configuration', { action, format: format === 'set' ? 'text' : format });
  if (format === 'xml') addContent(op.ele('configuration'), config);
  else {
    if (typeof config !== 'string') throw new ClientError('INVALID_ARGUMENT', `a ${format}-format configuration must be a string`);
    op.ele(format === 'text' ? 'configuration-text' : format === 'set' ? 'configuration-set' : 'configuration-json').txt(config);
  }
  return loadResult(await session.rpc(serialise(op), { ...options, write: true }));
}

/** Junos rollback: loads rollback N into the candidate (commit it to apply). */
export async function rollback(session: Session, index = 0, options: Omit<RpcOptions, 'write'> = {}): Promise<LoadResult> {
  if (!Number.isInteger(index) || index < 0 || index > 49) throw new ClientError('INVALID_ARGUMENT', `rollback index must be 0-49, not ${index}`);
  const op = request('load-configuration', { rollback: String(index) });
  return loadResult(await session.rpc(serialise(op), { ...options, write: true }));
}

/** Options of the Junos `<commit-configuration>`. */
export interface CommitConfigurationOptions extends Omit<RpcOptions, 'write'> {
  /** `commit check`: validate only. */
  check?: boolean;
  /**
   * A confirmed commit, rolled back unless confirmed in time. In seconds, like RFC commits:
   * Junos counts minutes, so it is rounded up to whole minutes (the result's
   * `confirmTimeoutSeconds` says what the device was given). `persist` is not for Junos: its
   * pending commit outlives the session anyway, and a plain commit confirms it.
   */
  confirmed?: ConfirmedCommit;
  comment?: string;
  synchronize?: boolean;
  forceSynchronize?: boolean;
  full?: boolean;
}

/** One routing engine's part of a Junos commit result. */
export interface RoutingEngineResult {
  name: string | null;
  success: boolean;
  items: DeviceError[];
}

/** The reply, plus what the commit said. */
export interface CommitResult extends RpcReply {
  success: boolean;
  check: boolean;
  routingEngines: RoutingEngineResult[];
  /** The effective timeout of a confirmed commit, in seconds (whole minutes); null when not confirmed. */
  confirmTimeoutSeconds: number | null;
}

/** Junos `<commit-configuration>`. A plain one also confirms a pending confirmed commit. */
export async function commitConfiguration(session: Session, options: CommitConfigurationOptions = {}): Promise<CommitResult> {
  const op = request('commit-configuration');
  if (options.check) op.ele('check');
  const confirmed = options.confirmed;
  let minutes: number | null = null;
  if (confirmed) {
    if (options.check) throw new ClientError('INVALID_ARGUMENT', 'a commit check cannot also be confirmed');
    if (confirmed.persist !== undefined) throw new ClientError('INVALID_ARGUMENT', 'Junos has no persist: its pending confirmed commit outlives the session, and a plain commit confirms it');
    minutes = junosMinutes(confirmed.timeoutSeconds);
    op.ele('confirmed');
    op.ele('confirm-timeout').txt(String(minutes));
  }
  if (options.synchronize) op.ele('synchronize');
  if (options.forceSynchronize) op.ele('force-synchronize');
  if (options.full) op.ele('full');
  if (options.comment !== undefined) op.ele('log').txt(options.comment);
  const reply = await session.rpc(serialise(op), { ...options, write: !options.check });
  return { ...commitResult(reply, options.check ?? false), confirmTimeoutSeconds: minutes === null ? null : minutes * 60 };
}

/** Seconds to Junos minutes, rounded up (Junos accepts 1 to 65535). */
export function junosMinutes(seconds: number): number {
  if (!(seconds > 0)) throw new ClientError('INVALID_ARGUMENT', `confirmed.timeoutSeconds must be positive, not ${seconds}`);
  return Math.min(65535, Math.max(1, Math.ceil(seconds / 60)));
}

/** Options of the Junos `<get-configuration>`. */
export interface GetConfigurationOptions extends Omit<RpcOptions, 'write'> {
  format?: JunosFormat;
  database?: 'committed' | 'candidate';
  /** The diff against rollback N (text): what `show | compare rollback N` prints. */
  compareRollback?: number;
  /** A subtree of the configuration to return (XML content under `<configuration>`). */
  filter?: XmlContent;
}

/** The reply of the Junos `<get-configuration>`. */
export interface ConfigurationReply extends RpcReply {
  /** The configuration as sent: XML inside `<configuration>`, or the text/set/JSON output. */
  configuration: string;
}

/** Junos `<get-configuration>`, and the diff with `compareRollback`. */
export async function getConfiguration(session: Session, options: GetConfigurationOptions = {}): Promise<ConfigurationReply> {
  const attrs: Record<string, string> = {};
  if (options.format) attrs.format = options.format;
  if (options.database) attrs.database = options.database;
  if (options.compareRollback !== undefined) {
    attrs.compare = 'rollback';
    attrs.rollback = String(options.compareRollback);
    attrs.format ??= 'text';
  }
  const op = request('get-configuration', attrs);
  if (options.filter !== undefined) addContent(op.ele('configuration'), options.filter, 'The filter');
  const reply = await session.rpc(serialise(op), options);
  const xml = reply.xml ?? '';
  const configuration = (attrs.format ?? 'xml') === 'xml' ? innerXml(xml, 'configuration')
    : decodeText(innerXml(xml, 'configuration-output') || innerXml(xml, 'configuration-text') || innerXml(xml, 'configuration-set')
      || innerXml(xml, 'configuration-json') || innerXml(xml, 'configuration-information'));
  return { ...reply, configuration };
}

/** The reply of a Junos configuration diff. */
export interface DiffReply extends RpcReply {
  /** What `show | compare rollback N` prints, trimmed; empty when nothing differs. */
  diff: string;
}

/** The diff of the candidate against the committed configuration (rollback N; default 0). */
export async function diffConfiguration(session: Session, rollbackIndex = 0, options: Omit<RpcOptions, 'write'> = {}): Promise<DiffReply> {
  const { configuration, ...reply } = await getConfiguration(session, { ...options, compareRollback: rollbackIndex, format: 'text' });
  return { ...reply, diff: configuration.trim() };
}

/** Junos `<open-configuration>`: a private or exclusive candidate for this session. */
export async function openConfiguration(session: Session, mode: 'private' | 'exclusive' | 'dynamic' = 'private', options: RpcOptions = {}): Promise<RpcReply> {
  const op = request('open-configuration');
  op.ele(mode);
  return session.rpc(serialise(op), options);
}

/** Junos `<close-configuration>`: closes the private or exclusive candidate opened by openConfiguration. */
export async function closeConfiguration(session: Session, options: RpcOptions = {}): Promise<RpcReply> {
  return session.rpc(serialise(request('close-configuration')), options);
}

/** Junos `<lock-configuration>` / `<unlock-configuration>` (the Junos XML protocol names). */
export async function lockConfiguration(session: Session, options: RpcOptions = {}): Promise<RpcReply> {
  return session.rpc(serialise(request('lock-configuration')), options);
}

/** Junos `<unlock-configuration>`: releases the lock taken by lockConfiguration. */
export async function unlockConfiguration(session: Session, options: RpcOptions = {}): Promise<RpcReply> {
  return session.rpc(serialise(request('unlock-configuration')), options);
}

/** The reply of runCommand: the command's output. */
export interface CommandReply extends RpcReply {
  /** The text output (`format: 'text'`), or the reply's inner XML. */
  output: string;
}

/** A CLI command through `<command>`: text in, text (or XML) out. */
export async function runCommand(session: Session, cli: string, options: Omit<RpcOptions, 'write'> & { format?: 'text' | 'xml' } = {}): Promise<CommandReply> {
  const format = options.format ?? 'text';
  const op = request('command', { format });
  op.txt(cli);
  const reply = await session.rpc(serialise(op), options);
  const xml = reply.xml ?? '';
  const output = format === 'text' ? decodeText(innerXml(xml, 'output')) : innerXml(xml, 'rpc-reply');
  return { ...reply, output };
}

function loadResult(reply: RpcReply): LoadResult {
  const results = findResults(reply.xml, 'load-configuration-results');
  const count = results ? textOf(results['load-error-count']) : null;
  return {
    ...reply,
    success: reply.hasOk || (results !== null && 'load-success' in results),
    errorCount: count === null || count === '' ? null : Number(count),
  };
}

/**
 * Reads commit results whatever the platform sends: a bare `<ok/>`, `<commit-results>` with a
 * `<routing-engine>` per RE (`<commit-success/>` or `<commit-check-success/>`), or an
 * `<output>` beside `<ok/>`. Errors never reach here: they reject the call.
 */
export function commitResult(reply: RpcReply, check: boolean): Omit<CommitResult, 'confirmTimeoutSeconds'> {
  const results = findResults(reply.xml, 'commit-results');
  const engines = results ? asArray(results['routing-engine']) : [];
  const routingEngines = engines.map((re): RoutingEngineResult => {
    const obj = typeof re === 'object' && !Array.isArray(re) ? re : {};
    const name = textOf(obj.name);
    return {
      name,
      success: 'commit-success' in obj || 'commit-check-success' in obj,
      items: reply.items.filter((i) => i.routingEngine === name),
    };
  });
  const success = reply.hasOk || (routingEngines.length > 0 && routingEngines.every((r) => r.success))
    || (results !== null && ('commit-success' in results || 'commit-check-success' in results));
  return { ...reply, success, check, routingEngines };
}

function findResults(xml: string | null, name: string): XmlObject | null {
  if (!xml) return null;
  const doc = parseXml(xml, { arrays: ['routing-engine'] });
  const reply = doc['rpc-reply'];
  if (!reply || typeof reply !== 'object' || Array.isArray(reply)) return null;
  const found = reply[name];
  if (found === undefined) return null;
  if (typeof found === 'string') return {};
  return Array.isArray(found) ? ((found[0] as XmlObject | undefined) ?? null) : found;
}

function asArray(v: XmlValue | undefined): XmlValue[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Text output comes as XML text: drop any markup around it, decode its entities. */
function decodeText(inner: string): string {
  return decodeEntities(inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, cdata: string) => escapeXml(cdata)).replace(/<[^>]+>/g, ''));
}
