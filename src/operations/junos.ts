import { ClientError } from '../errors/classes.js';
import type { DeviceError } from '../errors/device-error.js';
import { ItemStream, type StreamItemsOptions } from '../session/item-stream.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { type XmlObject, type XmlValue, parseXml, textOf } from '../xml/parse-data.js';
import { findAll, innerOf, innerXml, rootElement, textContent } from '../xml/query.js';
import { type ConfirmedCommit, type XmlContent, addContent, request, serialise } from './build.js';
import { checkCommitId, commitLog, newCommitId, withCommitId } from './commit-id.js';
import { childXml } from './rfc6241.js';
import { tolerantRpc } from './tolerant.js';

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
  if (!FORMATS.includes(format)) throw new ClientError('INVALID_ARGUMENT', `format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  const action = options.action ?? (format === 'set' ? 'set' : 'merge');
  if (!ACTIONS.includes(action)) throw new ClientError('INVALID_ARGUMENT', `action must be one of ${ACTIONS.join(', ')}, not ${JSON.stringify(action)}`);
  if (format === 'set' && action !== 'set') throw new ClientError('INVALID_ARGUMENT', 'set-format configuration loads with action "set"');
  if (action === 'set' && format !== 'set' && format !== 'text') throw new ClientError('INVALID_ARGUMENT', 'action "set" loads set commands (format "set")');
  // Junos applies a patch (`show | compare` output) only as text.
  if (action === 'patch' && format !== 'text') throw new ClientError('INVALID_ARGUMENT', 'action "patch" loads a text patch (format "text")');
  const op = request('load-configuration', { action, format: format === 'set' ? 'text' : format });
  if (format === 'xml') addContent(op.ele('configuration'), config);
  else {
    if (typeof config !== 'string') throw new ClientError('INVALID_ARGUMENT', `a ${format}-format configuration must be a string`);
    op.ele(format === 'text' ? 'configuration-text' : format === 'set' ? 'configuration-set' : 'configuration-json').txt(config);
  }
  return loadResult(await session.rpc(serialise(op), { ...options, write: true }));
}

const FORMATS: readonly JunosFormat[] = ['xml', 'text', 'set', 'json'];
const ACTIONS: readonly LoadAction[] = ['merge', 'replace', 'override', 'update', 'set', 'patch'];

/** Junos `request system configuration rescue save`: the committed configuration becomes the rescue configuration. */
export async function saveRescueConfiguration(session: Session, options: Omit<RpcOptions, 'write'> = {}): Promise<RpcReply> {
  return session.rpc(serialise(request('request-save-rescue-configuration')), { ...options, write: true });
}

/** Junos `rollback rescue`: loads the rescue configuration into the candidate (commit it to apply). */
export async function loadRescueConfiguration(session: Session, options: Omit<RpcOptions, 'write'> = {}): Promise<LoadResult> {
  return loadResult(await session.rpc(serialise(request('load-configuration', { rescue: 'rescue' })), { ...options, write: true }));
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
  /** The commit's comment (`<log>`); the commit id is added after it. */
  comment?: string;
  /**
   * The id written into the commit's log after the comment (`change 42 [nck-…]`; a confirmed
   * commit `[nck-… confirmed]`), found again in the commit history by `resolveCommitOutcome`.
   * Default: a fresh random id. Not for a check.
   */
  commitId?: string;
  /** Commit on both routing engines (`commit synchronize`). */
  synchronize?: boolean;
  /** `commit synchronize force`: even when the other RE's configuration is locked or modified. */
  forceSynchronize?: boolean;
  full?: boolean;
  /**
   * `commit at`: check now, commit at that time: `HH:MM[:SS]` today or `YYYY-MM-DD HH:MM[:SS]`
   * (the device's local time), or `reboot`. Not with `check` or `confirmed`.
   */
  at?: string;
  /**
   * `commit and-quit`: after a successful commit, leave the database opened with
   * openConfiguration (`<close-configuration/>`): a private one's changes are gone, an
   * exclusive one's lock released. Not with `check`.
   */
  andQuit?: boolean;
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
  /**
   * The reply was malformed the known Junos way (rfc-compliant releases leave `<routing-engine>`
   * unclosed) and was read up to that point: its items are those read before it; it carried no
   * error (one that did rejects with that error, typed). `messageId` and `xml` are empty then.
   */
  repaired: boolean;
  /** The id in the commit's log; null for a check. */
  commitId: string | null;
}

/**
 * Junos `<commit-configuration>`. A plain one also confirms a pending confirmed commit. Every
 * commit carries a commit id in its log; a commit cut off in flight is COMMIT_OUTCOME_UNKNOWN
 * naming it.
 */
export async function commitConfiguration(session: Session, options: CommitConfigurationOptions = {}): Promise<CommitResult> {
  if (options.check && options.commitId !== undefined) throw new ClientError('INVALID_ARGUMENT', 'a commit check commits nothing: it takes no commitId');
  const commitId = options.check ? null : options.commitId === undefined ? newCommitId() : checkCommitId(options.commitId);
  const log = commitId === null ? options.comment : commitLog(commitId, options.confirmed ? 'confirmed' : 'commit', options.comment);
  return commitConfigurationAs(session, options, log, commitId);
}

/** commitConfiguration with its `<log>` as given: the commit flow names what each of its commits is to its id. */
export async function commitConfigurationAs(session: Session, options: CommitConfigurationOptions, log: string | undefined, commitId: string | null): Promise<CommitResult> {
  const op = request('commit-configuration');
  if (options.check) op.ele('check');
  if (options.at !== undefined) {
    if (options.check || options.confirmed) throw new ClientError('INVALID_ARGUMENT', 'a commit at a time cannot also be a check or confirmed');
    if (!/^(reboot|(\d{4}-\d{2}-\d{2} )?\d{1,2}:\d{2}(:\d{2})?)$/.test(options.at)) {
      throw new ClientError('INVALID_ARGUMENT', `at must be "HH:MM[:SS]", "YYYY-MM-DD HH:MM[:SS]" or "reboot", not ${JSON.stringify(options.at)}`);
    }
  }
  if (options.andQuit && options.check) throw new ClientError('INVALID_ARGUMENT', 'a commit check does not quit the database');
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
  if (options.at !== undefined) op.ele('at-time').txt(options.at);
  if (log !== undefined) op.ele('log').txt(log);
  const { at: _at, andQuit: _andQuit, check: _check, confirmed: _confirmed, comment: _comment, commitId: _id, synchronize: _s, forceSynchronize: _f, full: _full, ...rpcOptions } = options;
  const read = await tolerantRpc(session, serialise(op), { ...rpcOptions, write: !options.check }).catch((err: unknown) => {
    throw commitId === null ? err : withCommitId(err, commitId);
  });
  const result = { ...commitResult(read.reply, options.check ?? false), confirmTimeoutSeconds: minutes === null ? null : minutes * 60, repaired: read.repaired, commitId };
  if (read.repaired) result.success = true; // it carried no error: a check passed, a commit was made
  if (options.andQuit) await closeConfiguration(session, { ...rpcOptions });
  return result;
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

/** A Junos configuration read streamed as items: `path` such as `configuration/interfaces/interface` (see `streamItems`). */
export type GetConfigurationItemsOptions = Omit<GetConfigurationOptions, 'streamTo' | 'collect' | 'parse' | 'format' | 'compareRollback'> & StreamItemsOptions;

/**
 * Junos `<get-configuration>`, and the diff with `compareRollback`. With `path`
 * (`configuration/interfaces/interface`), the XML configuration's items one at a time
 * instead: an ItemStream (see `streamItems`).
 */
export function getConfiguration(session: Session, options: GetConfigurationItemsOptions): ItemStream;
/** Junos `<get-configuration>`: the reply, with the configuration as sent (XML, text, set or JSON), or the diff with `compareRollback`. */
export function getConfiguration(session: Session, options?: GetConfigurationOptions): Promise<ConfigurationReply>;
export function getConfiguration(session: Session, options: GetConfigurationOptions | GetConfigurationItemsOptions = {}): Promise<ConfigurationReply> | ItemStream {
  if ('path' in options) return new ItemStream(session, () => configurationRequest({ ...options, format: 'xml' }), options);
  return readConfiguration(session, options);
}

function configurationRequest(options: GetConfigurationOptions): string {
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
  return serialise(op);
}

async function readConfiguration(session: Session, options: GetConfigurationOptions): Promise<ConfigurationReply> {
  const format = options.format ?? (options.compareRollback !== undefined ? 'text' : 'xml');
  const reply = await session.rpc(configurationRequest(options), options);
  const xml = reply.xml ?? '';
  const configuration = format === 'xml' ? childXml(reply, 'configuration')
    : textContent(innerXml(xml, 'configuration-output') || innerXml(xml, 'configuration-text') || innerXml(xml, 'configuration-set')
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

/** The databases `<open-configuration>` opens. */
export type OpenConfigurationMode = 'private' | 'exclusive' | 'dynamic' | 'ephemeral';

/** Options of openConfiguration. */
export interface OpenConfigurationOptions extends RpcOptions {
  /** `ephemeral` only: the instance (`<ephemeral-instance>`); default the default instance (`<ephemeral/>`). */
  instance?: string;
}

/**
 * Junos `<open-configuration>`: a database for this session. `private`: a copy of the
 * candidate, refused while another session holds the lock or the shared candidate has
 * uncommitted changes; `exclusive`: the candidate, locked; `dynamic`: the dynamic database;
 * `ephemeral`: an ephemeral instance, not barred by the candidate lock (several sessions may
 * open one).
 */
export async function openConfiguration(session: Session, mode: OpenConfigurationMode = 'private', options: OpenConfigurationOptions = {}): Promise<RpcReply> {
  if (!['private', 'exclusive', 'dynamic', 'ephemeral'].includes(mode)) throw new ClientError('INVALID_ARGUMENT', `mode must be private, exclusive, dynamic or ephemeral, not ${JSON.stringify(mode)}`);
  const { instance, ...rpcOptions } = options;
  if (instance !== undefined && mode !== 'ephemeral') throw new ClientError('INVALID_ARGUMENT', 'an instance is for the ephemeral database only');
  const op = request('open-configuration');
  if (mode === 'ephemeral' && instance !== undefined) op.ele('ephemeral-instance').txt(instance);
  else op.ele(mode);
  return session.rpc(serialise(op), rpcOptions);
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
  // Text comes as the text of <output>, one per routing engine on a multi-RE device.
  const output = format === 'text' ? findAll(xml, 'output').map((o) => textContent(innerOf(xml, o))).join('') : innerOf(xml, rootElement(xml));
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
export function commitResult(reply: RpcReply, check: boolean): Omit<CommitResult, 'confirmTimeoutSeconds' | 'repaired' | 'commitId'> {
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

