import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type {
  CommitStepContext, ConnectContext, ItemMessage, RpcContext, SessionCloseMessage, WireMessage,
} from '../observability/diagnostics.js';
import { formatWireMessage } from '../observability/wire-log.js';

/** The flags every command takes, anywhere after its name (they are taken out before it parses). */
export const OBSERVE_FLAGS = ['--verbose', '--trace'] as const;

type Out = { write(text: string): unknown };

/**
 * `--verbose`: one line per event (connect, each RPC with its message-id, size and outcome,
 * each error or warning, each commit step, the session's close) to stderr. `--trace`: the wire
 * log (every message with its body, Junos secrets masked) to stderr. Both come from the
 * diagnostics channels, so they show exactly what a tracer would.
 */
export function observeFromArgs(args: string[], err: Out): string[] {
  const verbose = args.includes('--verbose');
  const traceWire = args.includes('--trace');
  if (verbose) watchEvents(err);
  if (traceWire) subscribe('netconfkit:wire', (m) => err.write(`netconfkit: ${formatWireMessage(m as WireMessage)}\n`));
  return args.filter((a) => !(OBSERVE_FLAGS as readonly string[]).includes(a));
}

function watchEvents(err: Out): () => void {
  const started = new WeakMap<object, number>();
  const line = (text: string) => err.write(`netconfkit: ${text}\n`);
  const took = (c: object) => `${Math.round(performance.now() - (started.get(c) ?? performance.now()))} ms`;
  const start = (c: unknown) => started.set(c as object, performance.now());
  const handlers: [string, (m: unknown) => void][] = [
    ['tracing:netconfkit:connect:start', start],
    ['tracing:netconfkit:connect:asyncEnd', (m) => {
      const c = m as ConnectContext;
      line(`connect ${c.device} (${c.host}:${c.port}) ${c.error ? `failed ${c.error.code}` : `ok: session ${c.sessionId}, ${c.framing} framing`}, ${took(c)}`);
    }],
    ['tracing:netconfkit:rpc:start', start],
    ['tracing:netconfkit:rpc:asyncEnd', (m) => {
      const c = m as RpcContext;
      const counts = `${c.bytesOut} bytes out, ${c.bytesIn} in, ${c.errors} error(s), ${c.warnings} warning(s)`;
      line(`rpc ${c.operation} message-id=${c.messageId ?? '-'} ${c.error ? `failed ${c.error.code}` : 'ok'}, ${took(c)} (${counts})`);
    }],
    ['tracing:netconfkit:commitFlow:step:start', (m) => {
      start(m);
      line(`step ${(m as CommitStepContext).step}`);
    }],
    ['tracing:netconfkit:commitFlow:step:asyncEnd', (m) => {
      const c = m as CommitStepContext;
      line(`step ${c.step} ${c.error ? `failed ${c.error.code}` : 'done'}, ${took(c)}`);
    }],
    ['netconfkit:item', (m) => {
      const { item, messageId } = m as ItemMessage;
      line(`${item.level} message-id=${messageId ?? '-'}: ${item.deviceMessage ?? item.tag ?? ''}`.trimEnd());
    }],
    ['netconfkit:session:close', (m) => {
      const c = m as SessionCloseMessage;
      line(`session ${c.device}${c.sessionId === null ? '' : ` #${c.sessionId}`} closed${c.error ? `: ${c.error.code}` : ''}`);
    }],
  ];
  for (const [name, fn] of handlers) subscribe(name, fn);
  return () => {
    for (const [name, fn] of handlers) unsubscribe(name, fn);
  };
}
