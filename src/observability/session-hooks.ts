import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { MessageOutcome } from '../reader/message-reader.js';
import type { ConnectOptions } from '../session/connect.js';
import type { RpcReply, RpcRequest, Session } from '../session/session.js';
import { type ConnectContext, type RpcContext, diagnostics, traceAsync } from './diagnostics.js';

/**
 * What Session calls, each behind a `hasSubscribers` (or wire-log) check, so that the session
 * holds one line per hook and nothing is built when nobody listens.
 */

/** Runs one connect() under `netconfkit:connect`: only names and numbers go in its context, never the options. */
export function traceConnect(given: ConnectOptions, open: (given: ConnectOptions) => Promise<Session>): Promise<Session> {
  const port = given.port ?? 830;
  const context: ConnectContext = {
    device: given.name ?? `${given.host}:${port}`, host: given.host, port, username: given.username ?? null, framing: null, sessionId: null,
  };
  const opened = (session: Session) => {
    context.framing = session.framingMode;
    context.sessionId = session.sessionId;
  };
  return traceAsync(diagnostics.connect, context, () => open(given), opened, asError);
}

/** Runs one rpc() call under `netconfkit:rpc`; `run` fills the context's message-id and counts. */
export function traceRpc(
  session: { readonly sessionId: number | null },
  device: string,
  request: RpcRequest,
  write: boolean,
  run: (context: RpcContext) => Promise<RpcReply>,
): Promise<RpcReply> {
  const context: RpcContext = {
    device, sessionId: session.sessionId, operation: operationOf(request), messageId: null, write,
    bytesOut: 0, bytesIn: 0, items: 0, errors: 0, warnings: 0,
  };
  return traceAsync(diagnostics.rpc, context, () => run(context), () => undefined, asError);
}

/** The reply arrived (read or not): its size and items go into the call's context. */
export function countReply(context: RpcContext, outcome: MessageOutcome, bytes: number): void {
  context.bytesIn = bytes;
  context.items = outcome.items.length;
  let errors = 0;
  for (const item of outcome.items) if (item.level === 'error') errors++;
  context.errors = errors;
  context.warnings = outcome.items.length - errors;
}

function asError(err: unknown): NetconfError {
  return toNetconfError(err);
}

/** The local name of the request's first element, without building anything else. */
function operationOf(request: RpcRequest): string {
  const text = typeof request === 'string' ? request : safeString(request);
  const m = /<(?:[\w.-]+:)?([\w.-]+)/.exec(text.slice(0, 4096).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  return m ? m[1]! : 'unknown';
}

function safeString(request: Exclude<RpcRequest, string>): string {
  try {
    return request.toString();
  } catch {
    return '';
  }
}
