import { ERROR_CODES, type ErrorCategory, type ErrorCode, isErrorCode } from './codes.js';

/** The JSON form of any NetconfError: what crosses job queues and worker threads. */
export interface NetconfErrorJSON {
  name: string;
  code: ErrorCode;
  category: ErrorCategory;
  retryable: boolean;
  /** The error's message; `null` only for a device item that carried no message. */
  message: string | null;
  /** The step of a multi-step flow where it happened (see `NetconfError.step`); absent when none. */
  step?: string;
  /** The chain of causes, outermost first, reduced to name, message and code. */
  cause?: CauseJSON;
  [field: string]: unknown;
}

/** An error's `cause` as plain data: name, message and code only, so no credential or object leaks into JSON. */
export interface CauseJSON {
  name: string;
  message: string;
  code?: string | number;
  cause?: CauseJSON;
}

/** What a NetconfError may be given besides its code and message. */
export interface NetconfErrorOptions {
  cause?: unknown;
  /** Overrides the code's default, e.g. a DNS failure that is temporary (EAI_AGAIN). */
  retryable?: boolean;
  /** The step of a multi-step flow where it happened. */
  step?: string | null;
}

// Brands make `instanceof` work across two loaded copies of the library (ESM and CJS builds
// in one process), the way undici does it.
const BRANDS = Symbol.for('netconfkit.error.brands');
type Branded = { [BRANDS]?: ReadonlySet<string> };
const brandCache = new WeakMap<object, ReadonlySet<string>>();

/** The brands of a class and its ancestors, computed once per class. */
function brandsOf(target: object): ReadonlySet<string> {
  let brands = brandCache.get(target);
  if (!brands) {
    const set = new Set<string>();
    for (let c: unknown = target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      set.add((c as { brand?: string }).brand ?? '');
    }
    brandCache.set(target, set);
    brands = set;
  }
  return brands;
}

/**
 * The one base class for every failure netconfkit reports. Match on `code` first; use the
 * subclasses to `catch` a whole family.
 */
export class NetconfError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /**
   * The step of a multi-step flow where it happened (the commit flow's `lock`, `load`, `check`,
   * `diff`, `commit`, `health-check`, `confirm`, `unlock`); null outside such a flow.
   */
  readonly step: string | null;

  constructor(code: ErrorCode, message: string, options: NetconfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info = ERROR_CODES[code];
    this.code = code;
    this.category = info.category;
    this.retryable = options.retryable ?? info.retryable;
    this.step = options.step ?? null;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target), enumerable: false });
    // The name lives on each class's prototype, set by its first instance: a property defined
    // on every error was a third of the cost of building one (a reply's items are errors).
    const proto = new.target.prototype as object;
    if (!Object.prototype.hasOwnProperty.call(proto, 'name')) {
      Object.defineProperty(proto, 'name', { value: new.target.brand, enumerable: false, writable: true, configurable: true });
    }
  }

  static brand = 'NetconfError';

  static override [Symbol.hasInstance](value: unknown): boolean {
    const brands = (value as Branded | null | undefined)?.[BRANDS];
    return brands instanceof Set && brands.has(this.brand);
  }

  /** Fields beyond the common ones; subclasses add theirs. */
  protected jsonFields(): Record<string, unknown> {
    return {};
  }

  toJSON(): NetconfErrorJSON {
    const json: NetconfErrorJSON = {
      name: this.name,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      message: this.message,
      ...(this.step === null ? {} : { step: this.step }),
      ...this.jsonFields(),
    };
    const cause = causeToJSON(this.cause);
    if (cause) json.cause = cause;
    return json;
  }

  /** Rebuilds the right subclass from `toJSON()` output (see errors/from-json.ts). */
  static fromJSON(json: unknown): NetconfError {
    return reviveError(json);
  }
}

/**
 * The same error as it happened at `step` of a flow: a copy of the same class with every field
 * kept, since the original may be shared (one teardown error rejects every pending call).
 */
export function atStep<E extends NetconfError>(error: E, step: string): E {
  const fields = Object.getOwnPropertyDescriptors(error) as PropertyDescriptorMap;
  fields.step = { value: step, enumerable: true, writable: true, configurable: true };
  return Object.create(Object.getPrototypeOf(error) as object, fields) as E;
}

/** Reduces any cause chain to plain data; depth-bounded so a cyclic chain cannot loop. */
export function causeToJSON(cause: unknown, depth = 0): CauseJSON | undefined {
  if (cause === undefined || cause === null || depth > 8) return undefined;
  if (cause instanceof Error) {
    const out: CauseJSON = { name: cause.name, message: cause.message };
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    const inner = causeToJSON((cause as { cause?: unknown }).cause, depth + 1);
    if (inner) out.cause = inner;
    return out;
  }
  if (typeof cause === 'object') {
    const c = cause as Partial<CauseJSON>;
    if (typeof c.message === 'string') {
      const out: CauseJSON = { name: typeof c.name === 'string' ? c.name : 'Error', message: c.message };
      if (typeof c.code === 'string' || typeof c.code === 'number') out.code = c.code;
      const inner = causeToJSON(c.cause, depth + 1);
      if (inner) out.cause = inner;
      return out;
    }
  }
  // Any other object is described by its type only: its string form might hold a secret
  // (a URL with a password, say).
  if (typeof cause === 'object' || typeof cause === 'function') {
    return { name: typeof cause, message: `[${Object.prototype.toString.call(cause).slice(8, -1)}]` };
  }
  return { name: typeof cause, message: String(cause) };
}

/** Rebuilds a cause chain from its JSON as plain Errors carrying name and code. */
export function causeFromJSON(json: CauseJSON | undefined): Error | undefined {
  if (!json) return undefined;
  const inner = causeFromJSON(json.cause);
  const err = new Error(json.message, inner ? { cause: inner } : undefined);
  err.name = json.name;
  if (json.code !== undefined) (err as Error & { code?: string | number }).code = json.code;
  return err;
}

type Reviver = (json: NetconfErrorJSON) => NetconfError;
const revivers = new Map<string, Reviver>();

/** Subclasses register how to rebuild themselves from JSON, keyed by their `name`. */
export function registerReviver(name: string, reviver: Reviver): void {
  revivers.set(name, reviver);
}

function reviveError(json: unknown): NetconfError {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch {
      return new NetconfError('UNKNOWN', 'Not the JSON of a netconfkit error');
    }
  }
  if (!json || typeof json !== 'object') return new NetconfError('UNKNOWN', 'Not the JSON of a netconfkit error');
  const j = json as Partial<NetconfErrorJSON>;
  const code: ErrorCode = isErrorCode(j.code) ? j.code : 'UNKNOWN';
  const full: NetconfErrorJSON = {
    ...(j as Record<string, unknown>),
    name: typeof j.name === 'string' ? j.name : 'NetconfError',
    code,
    category: ERROR_CODES[code].category,
    retryable: typeof j.retryable === 'boolean' ? j.retryable : ERROR_CODES[code].retryable,
    message: typeof j.message === 'string' ? j.message : null,
  };
  const reviver = revivers.get(full.name);
  const step = typeof j.step === 'string' ? j.step : null;
  if (reviver) {
    const error = reviver(full);
    // Revived errors are fresh: the step is set on them rather than passed to every reviver.
    if (step !== null) (error as { step: string | null }).step = step;
    return error;
  }
  return new NetconfError(code, full.message ?? '', { cause: causeFromJSON(full.cause), retryable: full.retryable, step });
}
