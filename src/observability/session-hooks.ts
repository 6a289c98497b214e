import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { MessageOutcome } from '../reader/message-reader.js';
import { firstStartTag } from '../xml/query.js';
import { type ConnectContext, type RpcContext, diagnostics, traceAsync } from './diagnostics.js';

/**
 * What Session calls, each behind a `hasSubscribers` (or wire-log) check, so that the session
 * holds one line per hook and nothing is built when nobody listens. The hooks sit below the
 * session: they read it through the public fields named here, never import it.
 */

/** Where connect() goes, as its context may show it: names and numbers, never the options. */
export interface ConnectTarget {
  host: string;
  port?: number | undefined;
  username?: string | undefined;
  name?: string | undefined;
}

/** Runs one connect() under `netconfkit:connect`. */
export function traceConnect<S extends { readonly framingMode: 'eom' | 'chunked'; readonly sessionId: number | null }>(
  target: ConnectTarget,
  open: () => Promise<S>,
): Promise<S> {
  const port = target.port ?? 830;
  const context: ConnectContext = {
    device: target.name ?? `${target.host}:${port}`, host: target.host, port, username: target.username ?? null, framing: null, sessionId: null,
  };
  const opened = (session: S) => {
    context.framing = session.framingMode;
    context.sessionId = session.sessionId;
  };
  return traceAsync(diagnostics.connect, context, open, opened, asError);
}

/** Runs one rpc() call under `netconfkit:rpc`; `run` fills the context's message-id and counts. */
export function traceRpc<T>(
  session: { readonly name: string; readonly sessionId: number | null },
  request: string | { toString(): string },
  write: boolean,
  run: (context: RpcContext) => Promise<T>,
): Promise<T> {
  const context: RpcContext = {
    device: session.name, sessionId: session.sessionId, operation: operationOf(request), messageId: null, write,
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
function operationOf(request: string | { toString(): string }): string {
  const text = typeof request === 'string' ? request : safeString(request);
  return firstStartTag(text)?.local ?? 'unknown';
}

function safeString(request: { toString(): string }): string {
  try {
    return request.toString();
  } catch {
    return '';
  }
}
