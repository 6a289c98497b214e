import { elementText } from '../xml/query.js';
import { type Datastores, type TopLevelSelector, filterRefusal, requestFilter } from './datastores.js';
import type { LockTable } from './locks.js';
import type { PartialLocks } from './partial-locks.js';
import type { FakePush } from './push.js';
import type { RfcCommits } from './rfc-commits.js';
import { firstChildOf } from './requests.js';
import { rpcErrorXml } from './replies.js';
import type { FakeRequest } from './types.js';
import type { FakeYangLibrary } from './yang-library.js';

/**
 * What the device answers when no rule or handler did: a believable minimal server, with
 * real lock state because lock contention is what clients most need to be tested against.
 */

export interface DefaultContext {
  locks: LockTable;
  /** Ends another session of the device; false when there is none with that id. */
  killSession(sessionId: number): boolean;
  /** Subscribes a session to a stream, its events cut by a subtree filter's selection; false when it already has a subscription. */
  subscribe(sessionId: number, stream: string, selects: TopLevelSelector | null): boolean;
  /** The device's commits: `<commit>` and `<cancel-commit>` change them. */
  commits: RfcCommits;
  /** The SSH user of a session. */
  user(sessionId: number): string;
  /** RFC 5717 partial locks of running, shared by every session. */
  partialLocks: PartialLocks;
  /** The device answers NMDA `<get-data>` and `<edit-data>`. */
  nmda: boolean;
  /** The device's YANG modules: its YANG library and `<get-schema>`. */
  yang: FakeYangLibrary;
  /** The device's configuration, every datastore: `<edit-config>`, `<edit-data>`, `<commit>` and `<discard-changes>` change it. */
  datastores: Datastores;
  /** RFC 8639 / 8641 subscriptions. */
  push: FakePush;
}

export interface DefaultReply {
  /** Reply content, wrapped with the request's message-id. */
  reply: string;
  /** Close this session's channel after replying. */
  closeChannel?: boolean;
}

const OK = '<ok/>';

/** Operations that succeed without doing anything. */
const ACCEPTED = new Set(['validate', 'copy-config', 'delete-config']);

export function defaultReply(request: FakeRequest, ctx: DefaultContext): DefaultReply {
  const op = request.operation;
  if (ACCEPTED.has(op)) return { reply: OK };
  switch (op) {
    case 'get':
      return { reply: ctx.yang.getReply(request.xml) ?? ctx.datastores.get(request.xml) };
    case 'get-config':
      return { reply: ctx.datastores.getConfig(request.xml) };
    case 'get-data':
      if (ctx.nmda) return { reply: ctx.datastores.getData(request.xml) };
      break;
    case 'edit-data':
      if (ctx.nmda) return { reply: ctx.datastores.editData(request.xml) };
      break;
    case 'get-schema':
      return { reply: ctx.yang.getSchema(request.xml) };
    case 'close-session':
      return { reply: OK, closeChannel: true };
    case 'edit-config':
      return { reply: ctx.datastores.editConfig(request.xml) };
    case 'discard-changes':
      ctx.datastores.discard();
      return { reply: OK };
    case 'commit': {
      const reply = ctx.commits.commit(request.xml, request.sessionId, ctx.user(request.sessionId));
      if (reply === OK) ctx.datastores.commit();
      return { reply };
    }
    case 'establish-subscription':
      return { reply: ctx.push.establish(request) };
    case 'modify-subscription':
      return { reply: ctx.push.modify(request) };
    case 'delete-subscription':
      return { reply: ctx.push.delete(request) };
    case 'kill-subscription':
      return { reply: ctx.push.kill(request) };
    case 'cancel-commit':
      return { reply: ctx.commits.cancel(request.xml, request.sessionId) };
    case 'lock':
      return lock(request, ctx);
    case 'unlock':
      return unlock(request, ctx);
    case 'kill-session':
      return killSession(request, ctx);
    case 'partial-lock':
      return { reply: ctx.partialLocks.lock(request.xml, request.sessionId) };
    case 'partial-unlock':
      return { reply: ctx.partialLocks.unlock(elementText(request.xml, 'lock-id'), request.sessionId) };
    case 'create-subscription':
      return createSubscription(request, ctx);
    case '':
      return { reply: rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: 'The <rpc> element holds no operation' }) };
  }
  return {
    reply: rpcErrorXml({ type: 'protocol', tag: 'operation-not-supported', message: `The operation <${op}> is not supported by this device` }),
  };
}

/**
 * The datastore a lock or unlock names: RFC 6241's element (`<running/>`), or RFC 8526's
 * `<datastore>ds:running</datastore>` (the same lock); an rpc-error for none or a read-only one.
 */
function lockTarget(request: FakeRequest, op: string): string | DefaultReply {
  const named = firstChildOf(request.xml, 'target');
  if (named === null) return missingTarget(op);
  if (named !== 'datastore') return named;
  const text = elementText(request.xml, 'datastore') ?? '';
  const datastore = text.slice(text.indexOf(':') + 1);
  if (datastore === 'intended' || datastore === 'operational') {
    return { reply: rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message: `The ${datastore} datastore is read-only: it cannot be locked`, info: '<bad-element>datastore</bad-element>' }) };
  }
  return datastore;
}

function lock(request: FakeRequest, ctx: DefaultContext): DefaultReply {
  const datastore = lockTarget(request, 'lock');
  if (typeof datastore !== 'string') return datastore;
  // RFC 5717: a global lock of running fails while another session holds a partial lock there.
  const partial = datastore === 'running' ? ctx.partialLocks.otherHolder(request.sessionId) : null;
  const result = partial === null ? ctx.locks.lock(datastore, request.sessionId) : { ok: false as const, holder: partial };
  if (result.ok) return { reply: OK };
  return {
    reply: rpcErrorXml({
      type: 'protocol',
      tag: 'lock-denied',
      message: `Lock failed, the ${datastore} datastore is already locked by session ${result.holder}`,
      info: `<session-id>${result.holder}</session-id>`,
    }),
  };
}

function unlock(request: FakeRequest, ctx: DefaultContext): DefaultReply {
  const datastore = lockTarget(request, 'unlock');
  if (typeof datastore !== 'string') return datastore;
  if (ctx.locks.unlock(datastore, request.sessionId)) return { reply: OK };
  const holder = ctx.locks.holder(datastore);
  const why = holder === null ? 'is not locked' : `is locked by session ${holder}`;
  return { reply: rpcErrorXml({ type: 'protocol', tag: 'operation-failed', message: `Unlock failed, the ${datastore} datastore ${why}` }) };
}

function killSession(request: FakeRequest, ctx: DefaultContext): DefaultReply {
  const text = elementText(request.xml, 'session-id');
  const id = text !== null && /^[1-9][0-9]*$/.test(text) ? Number(text) : null;
  // RFC 6241 section 7.9: killing one's own session is an invalid-value error.
  if (id === null || id === request.sessionId || !ctx.killSession(id)) {
    return {
      reply: rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message: `No other session with session-id ${text ?? '(missing)'}` }),
    };
  }
  return { reply: OK };
}

/** The only stream the device has (RFC 5277's default). */
const STREAM = 'NETCONF';

/**
 * RFC 5277 section 2.1.1. One subscription per session, for the session's life. There is no
 * replay, so a startTime fails as RFC 5277 says for a stream without replay support. A subtree
 * filter picks events by their element; an XPath one is refused, since nothing evaluates it.
 */
function createSubscription(request: FakeRequest, ctx: DefaultContext): DefaultReply {
  const stream = elementText(request.xml, 'stream') ?? STREAM;
  const startTime = elementText(request.xml, 'startTime');
  if (elementText(request.xml, 'stopTime') !== null && startTime === null) {
    return { reply: rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: 'stopTime needs startTime', info: '<bad-element>startTime</bad-element>' }) };
  }
  if (startTime !== null) {
    return { reply: rpcErrorXml({ type: 'protocol', tag: 'operation-failed', message: `The ${stream} stream does not support replay` }) };
  }
  if (stream !== STREAM) {
    return { reply: rpcErrorXml({ type: 'protocol', tag: 'invalid-value', message: `No stream named ${stream}`, info: '<bad-element>stream</bad-element>' }) };
  }
  const filter = requestFilter(request.xml);
  if (filter !== null && !('selects' in filter)) return { reply: filterRefusal(filter) };
  // RFC 5277 allows one subscription per session and names no error-tag for a second: in-use.
  if (!ctx.subscribe(request.sessionId, stream, filter?.selects ?? null)) {
    return { reply: rpcErrorXml({ type: 'protocol', tag: 'in-use', message: 'This session already has a subscription' }) };
  }
  return { reply: OK };
}

function missingTarget(op: string): DefaultReply {
  return {
    reply: rpcErrorXml({
      type: 'protocol',
      tag: 'missing-element',
      message: `<${op}> needs a <target> datastore`,
      info: '<bad-element>target</bad-element>',
    }),
  };
}
