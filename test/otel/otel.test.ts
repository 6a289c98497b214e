import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NetconfError } from '../../src/errors/index.js';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { connect } from '../../src/session/connect.js';
import { instrumentNetconf, METRICS, type NetconfInstrumentation } from '../../src/otel/index.js';
import { cleanUp, device, options, session } from '../observability/record.js';

const ERROR = '<rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity><error-message>commit refused</error-message></rpc-error>';
const CONFIG = '<system xmlns="urn:example"/>';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new Reader();
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();
let otel: NetconfInstrumentation;

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  otel = instrumentNetconf({ tracerProvider, meterProvider });
});
afterAll(async () => {
  otel.disable();
  context.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
afterEach(async () => {
  await cleanUp();
  exporter.reset();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => spans().find((p) => p.spanContext().spanId === s.parentSpanContext?.spanId);

async function metric(name: string) {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}

describe('netconfkit/otel with the OpenTelemetry SDK (in-memory exporters) against the fake device', () => {
  it('a failing commit flow is one trace: the flow, a span per step, each step\'s RPC inside it, the error code on the failing ones', async () => {
    const d = await device({ rules: [{ match: 'commit', reply: ERROR }] });
    const tracer = tracerProvider.getTracer('app');
    const failure = await tracer.startActiveSpan('deploy r1', async (job) => {
      try {
        const s = await session(d);
        return await commitFlow(s, { config: CONFIG }).then(() => null, (e: unknown) => e as NetconfError);
      } finally {
        job.end();
      }
    });
    expect(failure?.code).toBe('INVALID_VALUE');

    const job = named('deploy r1')[0]!;
    const traceId = job.spanContext().traceId;
    expect(spans().every((s) => s.spanContext().traceId === traceId)).toBe(true);

    const connectSpan = named('netconf connect')[0]!;
    expect(parentOf(connectSpan)).toBe(job);
    expect(connectSpan.attributes).toMatchObject({ 'rpc.system': 'netconf', 'server.address': '127.0.0.1', 'server.port': d.port, 'netconf.device': 'r1', 'netconf.session_id': 1, 'netconf.framing': 'chunked' });

    const flow = named('netconf commit-flow')[0]!;
    expect(parentOf(flow)).toBe(job);
    expect(flow.status.code).toBe(SpanStatusCode.ERROR);
    expect(flow.attributes).toMatchObject({ 'netconf.error.code': 'INVALID_VALUE', 'error.type': 'INVALID_VALUE', 'netconf.error.step': 'commit', 'netconf.committed': false });

    const steps = spans().filter((s) => s.name.startsWith('netconf commit-flow ')).sort((a, b) => (a.startTime[0] - b.startTime[0]) || (a.startTime[1] - b.startTime[1]));
    expect(steps.map((s) => s.attributes['netconf.commit.step'])).toEqual(['lock', 'load', 'check', 'commit', 'discard', 'unlock']);
    for (const step of steps) expect(parentOf(step)).toBe(flow);
    const failed = steps.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => s.name)).toEqual(['netconf commit-flow commit']);
    expect(failed[0]!.attributes).toMatchObject({ 'netconf.error.code': 'INVALID_VALUE', 'netconf.error.retryable': false, 'netconf.error.tag': 'invalid-value' });
    expect(failed[0]!.events.map((e) => e.name)).toEqual(['exception']);

    // one RPC span inside each step
    const rpcs = spans().filter((s) => s.name.startsWith('netconf/'));
    expect(rpcs.map((s) => [s.name, parentOf(s)?.name])).toEqual(expect.arrayContaining([
      ['netconf/lock', 'netconf commit-flow lock'],
      ['netconf/edit-config', 'netconf commit-flow load'],
      ['netconf/validate', 'netconf commit-flow check'],
      ['netconf/commit', 'netconf commit-flow commit'],
      ['netconf/discard-changes', 'netconf commit-flow discard'],
      ['netconf/unlock', 'netconf commit-flow unlock'],
    ]));
    const commit = named('netconf/commit')[0]!;
    expect(commit.status.code).toBe(SpanStatusCode.ERROR);
    expect(commit.attributes).toMatchObject({ 'rpc.method': 'commit', 'netconf.device': 'r1', 'netconf.error.code': 'INVALID_VALUE', 'netconf.errors': 1, 'netconf.items': 1 });
    expect(commit.attributes['netconf.message_id']).toBe(String(d.requests.find((r) => r.operation === 'commit')!.messageId));
    expect(commit.attributes['netconf.request.size']).toBeGreaterThan(0);
    expect(commit.attributes['netconf.response.size']).toBeGreaterThan(0);
    expect(named('netconf/lock')[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('metrics: RPC durations by method and code, errors by code, sessions open', async () => {
    const d = await device({ rules: [{ match: 'get', reply: { stall: true } }] });
    const s = await session(d);
    const before = await metric(METRICS.sessionsOpen);
    expect(sum(before?.dataPoints)).toBe(1);
    await s.rpc('<get-config><source><running/></source></get-config>');
    await s.rpc('<get/>', { timeoutMs: 50 }).catch(() => undefined);
    await connect(options(d, { password: 'wrong-x' })).catch(() => undefined);

    const durations = (await metric(METRICS.rpcDuration))!.dataPoints as DataPoint<Histogram>[];
    const byMethod = Object.fromEntries(durations.map((p) => [`${p.attributes['rpc.method']}/${p.attributes['error.type'] ?? 'ok'}`, p.value.count]));
    expect(byMethod).toMatchObject({ 'get-config/ok': 1, 'get/RPC_TIMEOUT': 1 });
    const errors = (await metric(METRICS.errors))!.dataPoints;
    const byCode = Object.fromEntries(errors.map((p) => [`${p.attributes['rpc.method']}/${p.attributes['error.type']}`, p.value]));
    expect(byCode).toMatchObject({ 'get/RPC_TIMEOUT': 1, 'connect/AUTH_FAILED': 1 });
    expect((await metric(METRICS.connectDuration))!.dataPoints.length).toBeGreaterThan(0);

    const failedConnect = named('netconf connect').find((x) => x.status.code === SpanStatusCode.ERROR)!;
    expect(failedConnect.attributes['netconf.error.code']).toBe('AUTH_FAILED');

    await s.close();
    expect(sum((await metric(METRICS.sessionsOpen))?.dataPoints)).toBe(0);
  });

  it('disable() stops every span and metric', async () => {
    const d = await device();
    const s = await session(d);
    otel.disable();
    try {
      exporter.reset();
      await s.rpc('<get-config><source><running/></source></get-config>');
      await commitFlow(s, { config: CONFIG });
      expect(spans()).toHaveLength(0);
      expect(trace.getActiveSpan()).toBeUndefined();
    } finally {
      otel = instrumentNetconf({ tracerProvider, meterProvider });
    }
  });
});

function sum(points: readonly { value: unknown }[] | undefined): number {
  return (points ?? []).reduce((n, p) => n + (p.value as number), 0);
}
