import { fragment } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { ClientError } from '../errors/classes.js';
import type { Session } from '../session/session.js';
import { CAPABILITY } from '../xml/namespaces.js';
import { checkXmlFragment } from '../xml/well-formed.js';

export type { XMLBuilder };

/**
 * Content a caller puts into a request (a config, a subtree filter): XML text (checked by
 * `checkXmlFragment`: a bad one is INVALID_ARGUMENT), an xmlbuilder2 node, or a plain object in xmlbuilder2's
 * object form (`{ interfaces: { '@xmlns': '…', interface: [{ name: 'ge-0/0/0' }] } }`).
 */
export type XmlContent = string | XMLBuilder | Record<string, unknown>;

/** A datastore by name, or a URL (`:url` capability). */
export type Datastore = 'running' | 'candidate' | 'startup' | { url: string };

/**
 * A confirmed commit, spelled the same by `commitCandidate`, Junos `commitConfiguration` and
 * `commitFlow`: the device rolls the commit back unless it is confirmed within `timeoutSeconds`
 * (always seconds; Junos counts whole minutes, so it is rounded up and the result says so).
 */
export interface ConfirmedCommit {
  timeoutSeconds: number;
  /**
   * RFC 6241 `:confirmed-commit:1.1`: the pending commit outlives this session; confirm it with
   * `commitCandidate(session, { persistId })` or revert it with `cancelCommit`. Not on Junos.
   */
  persist?: string;
}

/** Starts a request: the operation element, to which the builder adds children. */
export function request(name: string, attributes?: Record<string, string>, namespace?: string): XMLBuilder {
  const attrs = { ...(namespace ? { xmlns: namespace } : {}), ...(attributes ?? {}) };
  return fragment().ele(name, attrs);
}

/** Serialises a request built with `request()`; invalid XML characters throw. */
export function serialise(node: XMLBuilder): string {
  return node.toString({ wellFormed: true });
}

/**
 * Adds caller content under `parent`. Strings are checked before xmlbuilder2 parses them;
 * `what` names the content in the error ("The filter" under `<filter>`, else "The config").
 */
export function addContent(parent: XMLBuilder, content: XmlContent, what = parent.node.nodeName === 'filter' ? 'The filter' : 'The config'): void {
  if (typeof content === 'string') {
    checkXmlFragment(content, what);
    if (content.trim() !== '') parent.import(fragment(content));
  } else if (isBuilder(content)) {
    parent.import(content);
  } else {
    parent.import(fragment(content));
  }
}

function isBuilder(value: unknown): value is XMLBuilder {
  return typeof value === 'object' && value !== null && typeof (value as XMLBuilder).ele === 'function' && typeof (value as XMLBuilder).end === 'function';
}

/** Adds `<name><datastore/></name>` (or `<name><url>…</url></name>`). */
export function addDatastore(parent: XMLBuilder, name: string, datastore: Datastore): void {
  const el = parent.ele(name);
  if (typeof datastore === 'string') el.ele(datastore);
  else el.ele('url').txt(datastore.url);
}

/** Fails with CAPABILITY_MISSING when the device does not advertise what `operation` needs. */
export function requireCapability(present: boolean, capability: string, operation: string): void {
  if (!present) {
    throw new ClientError('CAPABILITY_MISSING', `${operation} needs the ${capability} capability, which the device does not advertise`);
  }
}

/** A datastore is required wherever an operation takes one: anything else is INVALID_ARGUMENT. */
export function checkDatastore(datastore: unknown, operation: string): asserts datastore is Datastore {
  if (datastore === 'running' || datastore === 'candidate' || datastore === 'startup') return;
  if (typeof datastore === 'object' && datastore !== null && typeof (datastore as { url?: unknown }).url === 'string') return;
  // Name the type only: a config passed in the wrong place may be large or secret.
  const got = datastore === undefined ? 'nothing' : datastore === null ? 'null' : `a ${typeof datastore}`;
  throw new ClientError('INVALID_ARGUMENT', `${operation} needs a datastore ('running', 'candidate', 'startup' or { url }), not ${got}`);
}

/** The capability a datastore needs, checked for `operation` (after checking it is one). */
export function requireDatastore(session: Session, datastore: Datastore, operation: string, writing: boolean): void {
  checkDatastore(datastore, operation);
  const caps = session.capabilities;
  if (typeof datastore === 'object') return requireCapability(caps.has(CAPABILITY.url), ':url', operation);
  if (datastore === 'candidate') return requireCapability(caps.candidate, ':candidate', operation);
  if (datastore === 'startup') return requireCapability(caps.startup, ':startup', operation);
  if (writing) requireCapability(caps.writableRunning, ':writable-running', operation);
}
