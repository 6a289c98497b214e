import { ClientError, ProtocolError } from '../errors/classes.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';
import { CAPABILITY, PARTIAL_LOCK_NS } from '../xml/namespaces.js';
import { parseXml, textOf, type XmlObject } from '../xml/parse-data.js';
import { request, requireCapability, serialise } from './build.js';

/** Options of `partialLock`: the namespaces the selects' prefixes stand for, and the call options. */
export interface PartialLockOptions extends Omit<RpcOptions, 'write' | 'streamTo' | 'collect'> {
  /** Prefix → namespace for the XPath of the selects (`{ if: 'urn:ietf:params:xml:ns:yang:ietf-interfaces' }`). */
  namespaces?: Record<string, string>;
}

/** The reply of partialLock: the lock's id and the nodes it holds. */
export interface PartialLockReply extends RpcReply {
  /** What `partialUnlock` takes to release this lock. */
  lockId: number;
  /**
   * The instance-identifiers of the locked nodes, as the device wrote them (its own prefixes,
   * declared in the reply): every node the selects matched, which other sessions cannot now change.
   */
  lockedNodes: string[];
}

/**
 * RFC 5717 `<partial-lock>` of the running datastore: locks the nodes the XPath `selects`
 * match. A node another session holds (by a partial or a global lock) fails the whole call
 * with a `lock-denied` RpcError whose `sessionId` names the holder, as `lockDatastore`'s does.
 */
export async function partialLock(session: Session, selects: readonly string[], options: PartialLockOptions = {}): Promise<PartialLockReply> {
  requireCapability(session.capabilities.has(CAPABILITY.partialLock), ':partial-lock', 'partial-lock');
  if (!Array.isArray(selects) || selects.length === 0 || selects.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new ClientError('INVALID_ARGUMENT', 'partial-lock needs at least one select: a non-empty XPath expression');
  }
  const op = request('partial-lock', undefined, PARTIAL_LOCK_NS);
  const declared: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(options.namespaces ?? {})) declared[`xmlns:${prefix}`] = uri;
  for (const select of selects) op.ele('select', declared).txt(select);
  const { namespaces: _n, ...rpcOptions } = options;
  const reply = await session.rpc(serialise(op), rpcOptions);
  const root = rootOf(reply);
  const lockId = lockIdOf(textOf(root['lock-id']));
  if (lockId === null) throw new ProtocolError('PROTOCOL_ERROR', 'The partial-lock reply holds no valid <lock-id>');
  const nodes = root['locked-node'];
  return { ...reply, lockId, lockedNodes: (Array.isArray(nodes) ? nodes : []).map((n) => textOf(n) ?? '') };
}

/** RFC 5717 `<partial-unlock>`: releases the partial lock `lockId` (from `partialLock`). */
export async function partialUnlock(session: Session, lockId: number, options: Omit<RpcOptions, 'write'> = {}): Promise<RpcReply> {
  requireCapability(session.capabilities.has(CAPABILITY.partialLock), ':partial-lock', 'partial-unlock');
  if (!Number.isInteger(lockId) || lockId < 0 || lockId > 0xffffffff) {
    throw new ClientError('INVALID_ARGUMENT', `lockId must be the integer partialLock returned (0 to 4294967295), not ${String(lockId)}`);
  }
  const op = request('partial-unlock', undefined, PARTIAL_LOCK_NS);
  op.ele('lock-id').txt(String(lockId));
  return session.rpc(serialise(op), options);
}

function rootOf(reply: RpcReply): XmlObject {
  const parsed = parseXml(reply.xml ?? '', { arrays: ['locked-node'] })['rpc-reply'];
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
}

function lockIdOf(text: string | null): number | null {
  return text !== null && /^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff ? Number(text) : null;
}
