import { type ErrorCode, codeForTag } from './codes.js';
import { NetconfError, type NetconfErrorJSON, causeFromJSON, registerReviver } from './netconf-error.js';

/** The element a device item came from. */
export type DeviceErrorKind = 'rpc-error' | 'xnm:error' | 'xnm:warning';
/** How netconfkit treats an item: anything but an explicit `warning` is an `error`. */
export type Level = 'error' | 'warning';
/** One `error-info` child's text; an array when the name repeats. */
export type InfoValue = string | string[];

/** Everything a device said in one `<rpc-error>`, `<xnm:error>` or `<xnm:warning>`. */
export interface DeviceErrorFields {
  kind: DeviceErrorKind;
  /**
   * The `error-severity` text as the device wrote it (trimmed), `null` when absent. For Junos
   * items it is `error` or `warning`, from the element name.
   */
  severity: string | null;
  type: string | null;
  tag: string | null;
  appTag: string | null;
  /** `error-path`, trimmed. Junos writes it in CLI form (`[edit system]`), others as XPath. */
  path: string | null;
  /** The namespace bindings in scope on `<error-path>` (prefix → URI; `''` is the default). */
  pathNamespaces: Record<string, string> | null;
  /** `error-message` (or Junos `message`), trimmed. */
  message: string | null;
  /** The `xml:lang` of the message. */
  messageLang: string | null;
  badElement: string | null;
  /** Where `badElement` came from: `bad-element` (rpc-error), `statement` or `token` (Junos). */
  badElementSource: 'bad-element' | 'statement' | 'token' | null;
  /** Every child of the first `error-info`, by local name; repeated names give arrays. */
  info: Record<string, InfoValue> | null;
  /** Each `bad-attribute` with the `bad-element` it belongs to, in order. */
  badAttributes: { attribute: string; element: string | null }[];
  badNamespace: string | null;
  /**
   * The `session-id` of error-info: the lock holder for `lock-denied` (0: a non-NETCONF holder
   * such as the CLI). A number, like `Session.sessionId`; null when absent or not digits (the
   * device's text is still in `info['session-id']`).
   */
  sessionId: number | null;
  okElements: string[];
  errElements: string[];
  noopElements: string[];
  /** error-info children RFC 6241 does not define, as XML. */
  unknownInfo: string[];
  editPath: string | null;
  statement: string | null;
  token: string | null;
  sourceDaemon: string | null;
  filename: string | null;
  lineNumber: string | null;
  column: string | null;
  /** The routing engine (`re-name`, or `name` of a `<routing-engine>`) the item came from. */
  routingEngine: string | null;
}

/**
 * A DeviceError's toJSON(): every field, with its `level`, whether a warning policy `ignored`
 * it, and its `location`. `message` is the device's own text (the error's `deviceMessage`),
 * null when it sent none; `NetconfError.fromJSON()` rebuilds the description from it.
 */
export interface DeviceErrorJSON extends NetconfErrorJSON, DeviceErrorFields {
  level: Level;
  ignored: boolean;
  /** `path`, else `editPath` (see `DeviceError.location`). */
  location: string | null;
}

/**
 * One item a device reported. A warning is a DeviceError too (its `level` says so): warnings
 * ride on results, errors are collected into an `RpcError` that rejects the call.
 */
export class DeviceError extends NetconfError implements DeviceErrorFields {
  static override brand = 'DeviceError';
  readonly kind!: DeviceErrorKind;
  readonly level: Level;
  readonly severity!: string | null;
  readonly type!: string | null;
  readonly tag!: string | null;
  readonly appTag!: string | null;
  readonly path!: string | null;
  readonly pathNamespaces!: Record<string, string> | null;
  // Error.message is the device's text, or a description when it sent none.
  readonly messageLang!: string | null;
  readonly badElement!: string | null;
  readonly badElementSource!: DeviceErrorFields['badElementSource'];
  readonly info!: Record<string, InfoValue> | null;
  readonly badAttributes!: { attribute: string; element: string | null }[];
  readonly badNamespace!: string | null;
  readonly sessionId!: number | null;
  readonly okElements!: string[];
  readonly errElements!: string[];
  readonly noopElements!: string[];
  readonly unknownInfo!: string[];
  readonly editPath!: string | null;
  readonly statement!: string | null;
  readonly token!: string | null;
  readonly sourceDaemon!: string | null;
  readonly filename!: string | null;
  readonly lineNumber!: string | null;
  readonly column!: string | null;
  readonly routingEngine!: string | null;
  /** The device's message exactly (null when absent); `message` is never empty. */
  readonly deviceMessage: string | null;
  /** Set when a warning policy set this warning aside: it is kept, but did not count. */
  ignored = false;

  constructor(fields: DeviceErrorFields, options: { code?: ErrorCode; retryable?: boolean; inConfigResults?: boolean } = {}) {
    const level: Level = fields.severity === 'warning' ? 'warning' : 'error';
    const code = options.code ?? deviceCode(fields, level, options.inConfigResults ?? false);
    super(code, describe(fields), options.retryable === undefined ? {} : { retryable: options.retryable });
    // Error.message stays the description; the device's own text is `deviceMessage`. Each
    // field is stored by name (not spread and assigned): a device error is built per item read.
    this.kind = fields.kind;
    this.level = level;
    this.severity = fields.severity;
    this.type = fields.type;
    this.tag = fields.tag;
    this.appTag = fields.appTag;
    this.path = fields.path;
    this.pathNamespaces = fields.pathNamespaces;
    this.messageLang = fields.messageLang;
    this.badElement = fields.badElement;
    this.badElementSource = fields.badElementSource;
    this.info = fields.info;
    this.badAttributes = fields.badAttributes;
    this.badNamespace = fields.badNamespace;
    this.sessionId = fields.sessionId;
    this.okElements = fields.okElements;
    this.errElements = fields.errElements;
    this.noopElements = fields.noopElements;
    this.unknownInfo = fields.unknownInfo;
    this.editPath = fields.editPath;
    this.statement = fields.statement;
    this.token = fields.token;
    this.sourceDaemon = fields.sourceDaemon;
    this.filename = fields.filename;
    this.lineNumber = fields.lineNumber;
    this.column = fields.column;
    this.routingEngine = fields.routingEngine;
    this.deviceMessage = fields.message;
  }

  get isWarning(): boolean {
    return this.level === 'warning';
  }

  /**
   * Where in the configuration the item is, ready to print: `path` (rpc-error `error-path`), or
   * Junos `edit-path` (`[edit system]`); null when the device said neither. What was rejected
   * there is `badElement` (the Junos `statement` or `token`). Derived: in the JSON for whoever
   * reads it there, and rebuilt from `path` / `editPath` by fromJSON.
   */
  get location(): string | null {
    return this.path ?? this.editPath;
  }

  protected override jsonFields(): Record<string, unknown> {
    const out: Record<string, unknown> = { level: this.level, ignored: this.ignored };
    for (const key of DEVICE_FIELD_NAMES) out[key] = key === 'message' ? this.deviceMessage : this[key];
    out.location = this.location;
    return out;
  }

  override toJSON(): DeviceErrorJSON {
    return super.toJSON() as unknown as DeviceErrorJSON;
  }
}

const DEVICE_FIELD_NAMES = [
  'kind', 'severity', 'type', 'tag', 'appTag', 'path', 'pathNamespaces', 'message', 'messageLang',
  'badElement', 'badElementSource', 'info', 'badAttributes', 'badNamespace', 'sessionId',
  'okElements', 'errElements', 'noopElements', 'unknownInfo', 'editPath', 'statement', 'token',
  'sourceDaemon', 'filename', 'lineNumber', 'column', 'routingEngine',
] as const satisfies readonly (keyof DeviceErrorFields)[];

/** A DeviceErrorFields with every field empty, for builders to fill in. */
export function emptyDeviceFields(kind: DeviceErrorKind): DeviceErrorFields {
  return {
    kind, severity: null, type: null, tag: null, appTag: null, path: null, pathNamespaces: null,
    message: null, messageLang: null, badElement: null, badElementSource: null, info: null,
    badAttributes: [], badNamespace: null, sessionId: null, okElements: [], errElements: [],
    noopElements: [], unknownInfo: [], editPath: null, statement: null, token: null,
    sourceDaemon: null, filename: null, lineNumber: null, column: null, routingEngine: null,
  };
}

function deviceCode(fields: DeviceErrorFields, level: Level, inConfigResults: boolean): ErrorCode {
  if (fields.kind === 'xnm:error') return 'CONFIG_REJECTED';
  if (fields.kind === 'xnm:warning') return 'CONFIG_WARNING';
  const byTag = codeForTag(fields.tag);
  if (byTag) return byTag;
  if (level === 'warning') return inConfigResults ? 'CONFIG_WARNING' : 'DEVICE_WARNING';
  // Junos leaves error-tag out of the rpc-errors in load and commit results: a rejected statement.
  return inConfigResults && !fields.tag ? 'CONFIG_REJECTED' : 'DEVICE_ERROR';
}

function describe(f: DeviceErrorFields): string {
  const text = f.message || f.tag || (f.kind === 'rpc-error' ? 'rpc-error without error-message' : `${f.kind} without message`);
  const where = f.path ?? f.editPath;
  return where ? `${text} (at ${where})` : text;
}

/**
 * A reply that carried at least one error-level item. It holds every item of that reply,
 * warnings included, in document order. Its code is the first error's code; it is retryable
 * only when every error in it is.
 */
export class RpcError extends NetconfError {
  static override brand = 'RpcError';
  readonly items: readonly DeviceError[];
  readonly messageId: string | null;

  /**
   * The whole reply, when the session kept it: a reply can fail on one routing engine and still
   * carry the others' data. Not part of the JSON (it can be large).
   */
  declare readonly replyXml: string | null;

  constructor(items: readonly DeviceError[], options: { messageId?: string | null; message?: string; step?: string | null; replyXml?: string | null } = {}) {
    const errors = items.filter((i) => i.level === 'error');
    const first = errors[0] ?? items[0];
    const code: ErrorCode = first?.code ?? 'DEVICE_ERROR';
    const retryable = errors.length > 0 && errors.every((e) => e.retryable);
    super(code, options.message ?? summarise(errors, items.length - errors.length), { retryable, step: options.step ?? null });
    this.items = items;
    this.messageId = options.messageId ?? null;
    Object.defineProperty(this, 'replyXml', { value: options.replyXml ?? null, enumerable: false });
  }

  get errors(): DeviceError[] {
    return this.items.filter((i) => i.level === 'error');
  }

  get warnings(): DeviceError[] {
    return this.items.filter((i) => i.level === 'warning');
  }

  protected override jsonFields(): Record<string, unknown> {
    return { messageId: this.messageId, items: this.items.map((i) => i.toJSON()) };
  }
}

function summarise(errors: readonly DeviceError[], warningCount: number): string {
  const head = errors.length === 1 ? 'The device reported an error' : `The device reported ${errors.length} errors`;
  const list = errors.slice(0, 3).map((e) => e.message).join('; ');
  const more = errors.length > 3 ? `; and ${errors.length - 3} more` : '';
  const warned = warningCount > 0 ? ` (and ${warningCount} warning${warningCount === 1 ? '' : 's'})` : '';
  return `${head}${warned}: ${list}${more}`;
}

function reviveDevice(j: NetconfErrorJSON): DeviceError {
  const fields = emptyDeviceFields('rpc-error');
  const src = j as Record<string, unknown>;
  for (const key of DEVICE_FIELD_NAMES) {
    if (src[key] !== undefined) (fields as unknown as Record<string, unknown>)[key] = src[key];
  }
  // A number (or null), also when the JSON came from a version that kept the text.
  const id = src.sessionId;
  fields.sessionId = typeof id === 'number' && Number.isInteger(id) ? id : typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : null;
  const item = new DeviceError(fields, { code: j.code, retryable: j.retryable });
  item.ignored = src.ignored === true;
  return item;
}

registerReviver(DeviceError.brand, reviveDevice);
registerReviver(RpcError.brand, (j) => {
  const items = Array.isArray(j.items) ? j.items.map((i) => NetconfError.fromJSON(i)).filter((e): e is DeviceError => e instanceof DeviceError) : [];
  const err = new RpcError(items, {
    messageId: typeof j.messageId === 'string' ? j.messageId : null,
    step: typeof j.step === 'string' ? j.step : null,
    message: j.message ?? undefined,
  });
  const cause = causeFromJSON(j.cause);
  if (cause) Object.defineProperty(err, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return err;
});
