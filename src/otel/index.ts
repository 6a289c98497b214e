/**
 * `netconfkit/otel`: OpenTelemetry spans and metrics from netconfkit's diagnostics channels.
 * Only `@opentelemetry/api` is needed (an optional peer dependency); the application brings
 * the SDK and its exporters. Nothing here touches a message body or a credential: spans and
 * metrics are built from the channels' contexts (names, ids, sizes, counts, error codes).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes, type Context, type Counter, type Histogram, type MeterProvider, type Span, SpanKind, SpanStatusCode,
  type Tracer, type TracerProvider, type UpDownCounter, context as otelContext, metrics, trace,
} from '@opentelemetry/api';
import type { TracingChannel } from 'node:diagnostics_channel';
import type { NetconfError } from '../errors/netconf-error.js';
import {
  type CommitFlowContext, type CommitStepContext, type ConnectContext, type RpcContext, type SessionCloseMessage, diagnostics,
} from '../observability/diagnostics.js';
import { redactSecrets } from '../observability/redact.js';

/** Where the instrumentation sends spans and metrics. */
export interface NetconfInstrumentationOptions {
  /** Where spans go (default: the global tracer provider). */
  tracerProvider?: TracerProvider;
  /** Where metrics go (default: the global meter provider). */
  meterProvider?: MeterProvider;
}

/** The running instrumentation; `disable()` stops it. */
export interface NetconfInstrumentation {
  /** Unsubscribes from every channel: no more spans or metrics, and nothing left listening. */
  disable(): void;
}

/** The instrumentation scope name of netconfkit's spans and metrics. */
export const INSTRUMENTATION_NAME = 'netconfkit';

/** The metric names, after OpenTelemetry's RPC conventions (rpc.client.duration), under `netconf.client`. */
export const METRICS = {
  rpcDuration: 'netconf.client.rpc.duration',
  connectDuration: 'netconf.client.connect.duration',
  errors: 'netconf.client.errors',
  sessionsOpen: 'netconf.client.sessions.open',
} as const;

interface Open {
  span: Span;
  started: number;
}

/**
 * Subscribes to netconfkit's channels and turns them into spans and metrics:
 *
 * - a span per connect() (`netconf connect`), per RPC (`netconf/<operation>`, e.g.
 *   `netconf/get-config`), per commitFlow() (`netconf commit-flow`) and per flow step
 *   (`netconf commit-flow <step>`), the RPCs of a step inside it. A span's parent is the span
 *   active where the call was made (a flow step for the flow's RPCs).
 * - `netconf.client.rpc.duration` and `netconf.client.connect.duration` (histograms, seconds),
 *   `netconf.client.errors` (by `error.type`: the NetconfError code), and
 *   `netconf.client.sessions.open` (sessions opened by connect() and not yet closed).
 */
export function instrumentNetconf(options: NetconfInstrumentationOptions = {}): NetconfInstrumentation {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
  const instruments: Instruments = {
    rpcDuration: meter.createHistogram(METRICS.rpcDuration, { unit: 's', description: 'Duration of NETCONF RPCs, from the call to its settling' }),
    connectDuration: meter.createHistogram(METRICS.connectDuration, { unit: 's', description: 'Duration of connect(): SSH and the hello exchange' }),
    errors: meter.createCounter(METRICS.errors, { unit: '{error}', description: 'Failed connects and RPCs, by NetconfError code' }),
    sessionsOpen: meter.createUpDownCounter(METRICS.sessionsOpen, { unit: '{session}', description: 'NETCONF sessions open' }),
  };
  // The span of the flow or step being run: its RPCs (run inside it) find their parent here,
  // whether or not the application registered a context manager.
  const scope = new AsyncLocalStorage<Context>();
  const open = new WeakMap<object, Open>();
  const sessions = new Set<string>();
  const undo: (() => void)[] = [];

  const parent = (): Context => scope.getStore() ?? otelContext.active();
  const begin = (ctx: object, name: string, kind: SpanKind, attributes: Attributes, from = parent()): Context => {
    const span = tracer.startSpan(name, { kind, attributes }, from);
    open.set(ctx, { span, started: performance.now() });
    return trace.setSpan(from, span);
  };

  // Flows and steps are bound to `scope` so that what runs inside them sees their span.
  const bound = <C extends object>(tc: TracingChannel<object, C>, name: (c: C) => string, attributes: (c: C) => Attributes, finish: (c: C, o: Open) => void) => {
    const store = scope as unknown as AsyncLocalStorage<object>;
    tc.start.bindStore(store, (c) => begin(c, name(c), SpanKind.INTERNAL, attributes(c)));
    undo.push(() => tc.start.unbindStore(store));
    subscribe(tc, undefined, finish);
  };
  const subscribe = <C extends object>(tc: TracingChannel<object, C>, start: ((c: C) => void) | undefined, finish: (c: C, o: Open) => void) => {
    const end = (c: C) => {
      const o = open.get(c);
      if (!o) return;
      open.delete(c);
      finish(c, o);
      const error = (c as { error?: NetconfError }).error;
      if (error) failed(o.span, error);
      o.span.end();
    };
    const none = () => undefined;
    const handlers = {
      start: start ?? none,
      asyncStart: none,
      error: none,
      // A synchronous throw has no asyncEnd: its span ends here.
      end: (c: C) => {
        if ((c as { error?: unknown }).error) end(c);
      },
      asyncEnd: end,
    };
    tc.subscribe(handlers);
    undo.push(() => tc.unsubscribe(handlers));
  };

  subscribe<ConnectContext>(diagnostics.connect, (c) => {
    begin(c, 'netconf connect', SpanKind.CLIENT, {
      'rpc.system': 'netconf', 'server.address': c.host, 'server.port': c.port, 'netconf.device': c.device,
    });
  }, (c, o) => {
    const seconds = (performance.now() - o.started) / 1000;
    instruments.connectDuration.record(seconds, { 'server.address': c.host, ...(c.error ? { 'error.type': c.error.code } : {}) });
    if (c.error) {
      instruments.errors.add(1, errorAttributes(c.error, 'connect'));
      return;
    }
    o.span.setAttributes({ 'netconf.session_id': c.sessionId ?? -1, 'netconf.framing': c.framing ?? 'eom' });
    sessions.add(`${c.device}#${c.sessionId}`);
    instruments.sessionsOpen.add(1, { 'netconf.device': c.device });
  });

  subscribe<RpcContext>(diagnostics.rpc, (c) => {
    begin(c, `netconf/${c.operation}`, SpanKind.CLIENT, {
      'rpc.system': 'netconf', 'rpc.method': c.operation, 'netconf.device': c.device, 'netconf.write': c.write,
      ...(c.sessionId === null ? {} : { 'netconf.session_id': c.sessionId }),
    });
  }, (c, o) => {
    o.span.setAttributes({
      ...(c.messageId === null ? {} : { 'netconf.message_id': c.messageId }),
      'netconf.request.size': c.bytesOut, 'netconf.response.size': c.bytesIn,
      'netconf.items': c.items, 'netconf.errors': c.errors, 'netconf.warnings': c.warnings,
    });
    const seconds = (performance.now() - o.started) / 1000;
    instruments.rpcDuration.record(seconds, { 'rpc.system': 'netconf', 'rpc.method': c.operation, 'netconf.device': c.device, ...(c.error ? { 'error.type': c.error.code } : {}) });
    if (c.error) instruments.errors.add(1, errorAttributes(c.error, c.operation));
  });

  bound<CommitFlowContext>(diagnostics.commitFlow, () => 'netconf commit-flow', (c) => ({
    'netconf.device': c.device, 'netconf.dialect': c.dialect ?? 'rfc', 'netconf.dry_run': c.dryRun, 'netconf.confirmed': c.confirmed,
    ...(c.sessionId === null ? {} : { 'netconf.session_id': c.sessionId }),
    ...(c.commitId === null ? {} : { 'netconf.commit_id': c.commitId }),
  }), (c, o) => {
    o.span.setAttributes({ 'netconf.committed': c.committed, 'netconf.recovered': c.recovered, 'netconf.steps': c.steps });
  });

  bound<CommitStepContext>(diagnostics.commitStep, (c) => `netconf commit-flow ${c.step}`, (c) => ({
    'netconf.device': c.device, 'netconf.commit.step': c.step,
  }), () => undefined);

  const onClose = (message: unknown) => {
    const m = message as SessionCloseMessage;
    if (sessions.delete(`${m.device}#${m.sessionId}`)) instruments.sessionsOpen.add(-1, { 'netconf.device': m.device });
  };
  diagnostics.sessionClose.subscribe(onClose);
  undo.push(() => diagnostics.sessionClose.unsubscribe(onClose));

  return {
    disable() {
      for (const u of undo.splice(0)) u();
    },
  };
}

interface Instruments {
  rpcDuration: Histogram;
  connectDuration: Histogram;
  errors: Counter;
  sessionsOpen: UpDownCounter;
}

/** The error on its span: status, `error.type` and the netconf.error.* attributes, and an exception event. */
function failed(span: Span, error: NetconfError): void {
  // A device's error message may quote the configuration: masked as the wire log is.
  const message = redactSecrets(error.message);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.code}: ${message}` });
  const tag = firstErrorTag(error);
  span.setAttributes({
    'error.type': error.code,
    'netconf.error.code': error.code,
    'netconf.error.category': error.category,
    'netconf.error.retryable': error.retryable,
    ...(error.step ? { 'netconf.error.step': error.step } : {}),
    ...(tag ? { 'netconf.error.tag': tag } : {}),
  });
  span.recordException({ name: error.name, message, code: error.code });
}

function errorAttributes(error: NetconfError, operation: string): Attributes {
  return { 'error.type': error.code, 'netconf.error.retryable': error.retryable, 'rpc.system': 'netconf', 'rpc.method': operation };
}

function firstErrorTag(error: NetconfError): string | null {
  const items = (error as { items?: readonly { level: string; tag: string | null }[] }).items;
  return items?.find((i) => i.level === 'error')?.tag ?? null;
}
