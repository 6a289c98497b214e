import type { Element } from '@oozcitak/dom/lib/dom/interfaces.js';
import { create } from 'xmlbuilder2';
import { escapeXml } from '../xml/entities.js';
import { PARTIAL_LOCK_NS } from '../xml/namespaces.js';
import type { LockTable } from './locks.js';
import { rpcErrorXml } from './replies.js';

/**
 * RFC 5717 partial locks of the running datastore, without a schema or data: a lock holds the
 * subtrees its selects name, read as location paths of `prefix:name[predicate]` steps (an
 * instance-identifier's shape), whether or not the nodes exist. Two selects overlap when one
 * path leads into the other: the same namespaces and names step by step, and the same
 * predicates where both have one. Prefixes are resolved, so two sessions may spell them apart.
 */

/** One step of a select: its name's namespace and local name, and its predicates as written. */
interface Step {
  ns: string;
  name: string;
  predicates: string;
}

interface PartialLock {
  id: number;
  sessionId: number;
  paths: Step[][];
}

export class PartialLocks {
  private readonly held = new Map<number, PartialLock>();
  private nextId = 1;

  constructor(private readonly locks: LockTable) {}

  /** Another session holding a partial lock (a global `<lock>` of running must fail then), or null. */
  otherHolder(sessionId: number): number | null {
    for (const lock of this.held.values()) if (lock.sessionId !== sessionId) return lock.sessionId;
    return null;
  }

  /** The sessions holding partial locks now, one entry per lock. */
  get all(): { lockId: number; sessionId: number }[] {
    return [...this.held.values()].map((l) => ({ lockId: l.id, sessionId: l.sessionId }));
  }

  /** Answers `<partial-lock>` (the whole `<rpc>` text) for `sessionId`. */
  lock(rpcXml: string, sessionId: number): string {
    const selects = selectsOf(rpcXml);
    if (selects.length === 0) return rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: '<partial-lock> needs a <select>', info: '<bad-element>select</bad-element>' });
    const paths: Step[][] = [];
    for (const el of selects) {
      const path = parsePath(el);
      if (typeof path === 'string') return rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message: path, info: '<bad-element>select</bad-element>' });
      paths.push(path);
    }
    const global = this.locks.holder('running');
    if (global !== null && global !== sessionId) return denied(global, 'the running datastore is locked');
    for (const lock of this.held.values()) {
      if (lock.sessionId === sessionId) continue;
      if (lock.paths.some((held) => paths.some((p) => overlap(held, p)))) return denied(lock.sessionId, `partial lock ${lock.id} holds some of these nodes`);
    }
    const id = this.nextId++;
    this.held.set(id, { id, sessionId, paths });
    const nodes = selects.map((el) => `<locked-node xmlns="${PARTIAL_LOCK_NS}"${declarations(el)}>${escapeXml((el.textContent ?? '').trim())}</locked-node>`);
    return `<lock-id xmlns="${PARTIAL_LOCK_NS}">${id}</lock-id>${nodes.join('')}`;
  }

  /** Answers `<partial-unlock>`: only the session that holds the lock may release it. */
  unlock(lockIdText: string | null, sessionId: number): string {
    const id = lockIdText !== null && /^\d{1,10}$/.test(lockIdText) ? Number(lockIdText) : null;
    const lock = id === null ? undefined : this.held.get(id);
    if (!lock || lock.sessionId !== sessionId) {
      return rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message: `This session holds no partial lock ${lockIdText ?? '(missing)'}`, info: '<bad-element>lock-id</bad-element>' });
    }
    this.held.delete(lock.id);
    return '<ok/>';
  }

  /** A session that ends loses its partial locks. */
  releaseAll(sessionId: number): void {
    for (const [id, lock] of this.held) if (lock.sessionId === sessionId) this.held.delete(id);
  }
}

function denied(holder: number, why: string): string {
  return rpcErrorXml({ type: 'protocol', tag: 'lock-denied', message: `Partial lock failed: ${why} (session ${holder})`, info: `<session-id>${holder}</session-id>` });
}

function selectsOf(rpcXml: string): Element[] {
  const rpc = create(rpcXml).root().node;
  const op = [...rpc.childNodes].find((n): n is Element => n.nodeType === 1);
  if (!op) return [];
  return [...op.childNodes].filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === 'select');
}

/** The namespace declarations in scope of `el` that its text uses, as attributes. */
function declarations(el: Element): string {
  const text = el.textContent ?? '';
  const prefixes = new Set([...text.matchAll(/([A-Za-z_][\w.-]*):[A-Za-z_]/g)].map((m) => m[1]!));
  return [...prefixes].map((p) => {
    const ns = el.lookupNamespaceURI(p);
    return ns === null ? '' : ` xmlns:${p}="${escapeXml(ns)}"`;
  }).join('');
}

/** A select as steps, prefixes resolved through `el`'s namespace declarations; a message when it cannot be read. */
function parsePath(el: Element): Step[] | string {
  const text = (el.textContent ?? '').trim();
  if (!text.startsWith('/')) return `The select "${text}" is not an absolute path`;
  const steps: Step[] = [];
  for (const raw of splitSteps(text.slice(1))) {
    const bracket = raw.indexOf('[');
    const qname = (bracket === -1 ? raw : raw.slice(0, bracket)).trim();
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? null : qname.slice(0, colon);
    const name = qname.slice(colon + 1);
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) return `The select "${text}" has a step this device cannot read: "${raw}"`;
    const ns = prefix === null ? '' : el.lookupNamespaceURI(prefix);
    if (ns === null) return `The select "${text}" uses the undeclared prefix "${prefix}"`;
    const predicates = bracket === -1 ? '' : resolvePrefixes(raw.slice(bracket), el);
    if (predicates === null) return `The select "${text}" uses an undeclared prefix in "${raw}"`;
    steps.push({ ns, name, predicates });
  }
  return steps;
}

/** Predicates with each `prefix:` outside quotes written as `{namespace}`, blanks outside quotes dropped; null for an undeclared prefix. */
function resolvePrefixes(predicates: string, el: Element): string | null {
  let out = '';
  let quote = '';
  for (let i = 0; i < predicates.length; i++) {
    const c = predicates[i]!;
    if (quote) {
      // Either quote reads the same: the closing one is written as the opening one was.
      out += c === quote ? "'" : c;
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    const name = /^[A-Za-z_][\w.-]*:(?=[A-Za-z_])/.exec(predicates.slice(i));
    if (name && !/[\w.-]/.test(predicates[i - 1] ?? '')) {
      const ns = el.lookupNamespaceURI(name[0].slice(0, -1));
      if (ns === null) return null;
      out += `{${ns}}`;
      i += name[0].length - 1;
    } else if (!/\s/.test(c)) out += c === '"' ? "'" : c;
  }
  return out;
}

/** Splits a path at the slashes outside predicates and quotes. */
function splitSteps(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '/' && depth === 0) {
      out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  out.push(path.slice(start));
  return out;
}

/** Whether one path leads into the other (so their subtrees share nodes). */
function overlap(a: Step[], b: Step[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.ns !== y.ns || x.name !== y.name) return false;
    if (x.predicates !== '' && y.predicates !== '' && x.predicates !== y.predicates) return false;
  }
  return true;
}
