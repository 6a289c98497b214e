import { afterEach, describe, expect, it } from 'vitest';
import { NetconfError, RpcError } from '../../src/errors/index.js';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { connect } from '../../src/session/connect.js';
import { cleanUp, device, options, record, session } from './record.js';

const GET = '<get-config><source><running/></source></get-config>';
const ERROR = '<rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity><error-message>bad value</error-message></rpc-error>';
const WARNING = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>mind this</error-message></rpc-error>';
const TRACE = (name: string) => ['start', 'end', 'asyncStart', 'asyncEnd'].map((p) => `${name}:${p}`);
const FAILED = (name: string) => ['start', 'end', 'error', 'asyncStart', 'asyncEnd'].map((p) => `${name}:${p}`);

let recorder: ReturnType<typeof record> | null = null;
const listen = () => (recorder = record());

afterEach(async () => {
  recorder?.stop();
  recorder = null;
  await cleanUp();
});

async function rejection(p: Promise<unknown>): Promise<NetconfError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NetconfError);
  return err as NetconfError;
}

describe('netconfkit:connect', () => {
  it('traces a connect: start, end, asyncStart, asyncEnd; framing and session-id once known', async () => {
    const d = await device();
    const r = listen();
    const s = await session(d);
    expect(r.names('netconfkit:connect')).toEqual(TRACE('netconfkit:connect'));
    const [start, , asyncStart] = r.of('netconfkit:connect:start').concat(r.of('netconfkit:connect:end'), r.of('netconfkit:connect:asyncStart'));
    expect(start!.data).toEqual({ device: 'r1', host: '127.0.0.1', port: d.port, username: 'automation', framing: null, sessionId: null });
    expect(asyncStart!.data).toEqual({ device: 'r1', host: '127.0.0.1', port: d.port, username: 'automation', framing: 'chunked', sessionId: s.sessionId });
    expect(asyncStart!.raw).toBe(start!.raw);
    expect('result' in asyncStart!.raw).toBe(false);
  });

  it('a failed connect publishes error with the NetconfError, and no password', async () => {
    const d = await device();
    const r = listen();
    const e = await rejection(connect(options(d, { password: 'wrong-password-x' })));
    expect(e.code).toBe('AUTH_FAILED');
    expect(r.names('netconfkit:connect')).toEqual(FAILED('netconfkit:connect'));
    const error = r.of('netconfkit:connect:error')[0]!;
    expect(error.data.error).toBe(e);
    expect(error.data.sessionId).toBeNull();
    expect(JSON.stringify(error.data)).not.toContain('wrong-password-x');
  });
});

describe('netconfkit:rpc', () => {
  it('a successful RPC: the context names the device, operation, message-id and byte counts', async () => {
    const d = await device({ rules: [{ match: 'get-config', reply: `<data><x/></data>${WARNING}` }] });
    const s = await session(d);
    const r = listen();
    const reply = await s.rpc(GET);
    expect(r.names('netconfkit:rpc')).toEqual(TRACE('netconfkit:rpc'));
    const start = r.of('netconfkit:rpc:start')[0]!;
    expect(start.data).toMatchObject({ device: 'r1', sessionId: s.sessionId, operation: 'get-config', messageId: null, write: false, bytesIn: 0 });
    const done = r.of('netconfkit:rpc:asyncEnd')[0]!.data;
    expect(done).toMatchObject({ operation: 'get-config', messageId: reply.messageId, items: 1, errors: 0, warnings: 1 });
    expect(done.bytesOut).toBe(Buffer.byteLength(`<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${reply.messageId}">${GET}</rpc>`));
    expect(done.bytesIn).toBe(Buffer.byteLength(reply.xml!));
    expect(done).not.toHaveProperty('result');
    expect(done).not.toHaveProperty('error');
    // the warning went by on netconfkit:item as it was read, with its message-id
    expect(r.of('netconfkit:item').map((e) => [e.data.messageId, (e.data.item as { level: string }).level])).toEqual([[reply.messageId, 'warning']]);
    // bodies go only to netconfkit:wire
    expect(JSON.stringify(r.events.filter((e) => e.name !== 'netconfkit:wire').map((e) => e.data))).not.toContain('<data>');
    const wire = r.of('netconfkit:wire').map((e) => e.data);
    expect(wire.map((w) => [w.direction, w.kind, w.messageId, w.framing])).toEqual([['sent', 'rpc', reply.messageId, 'chunked'], ['received', 'rpc-reply', reply.messageId, 'chunked']]);
    expect(wire[1]!.body).toBe(reply.xml);
    expect(wire[1]!.bytes).toBe(done.bytesIn);
  });

  it('a device error: error carries the RpcError, the counts its items, and netconfkit:item each one', async () => {
    const d = await device({ rules: [{ match: 'edit-config', reply: `${WARNING}${ERROR}` }] });
    const s = await session(d);
    const r = listen();
    const e = await rejection(s.rpc('<edit-config><target><candidate/></target><config/></edit-config>', { write: true }));
    expect(e).toBeInstanceOf(RpcError);
    expect(r.names('netconfkit:rpc')).toEqual(FAILED('netconfkit:rpc'));
    const error = r.of('netconfkit:rpc:error')[0]!.data;
    expect(error).toMatchObject({ operation: 'edit-config', write: true, messageId: (e as RpcError).messageId, items: 2, errors: 1, warnings: 1 });
    expect(error.error).toBe(e);
    expect(r.of('netconfkit:item').map((x) => (x.data.item as { level: string }).level)).toEqual(['warning', 'error']);
  });

  it('a timeout: RPC_TIMEOUT on the error event, the request counted, nothing read', async () => {
    const d = await device({ rules: [{ match: 'get-config', reply: { stall: true } }] });
    const s = await session(d);
    const r = listen();
    const e = await rejection(s.rpc(GET, { timeoutMs: 100 }));
    expect(e.code).toBe('RPC_TIMEOUT');
    expect(r.names('netconfkit:rpc')).toEqual(FAILED('netconfkit:rpc'));
    const error = r.of('netconfkit:rpc:error')[0]!.data;
    expect(error).toMatchObject({ operation: 'get-config', messageId: '1', bytesIn: 0, items: 0 });
    expect((error.error as NetconfError).code).toBe('RPC_TIMEOUT');
    expect(error.bytesOut).toBeGreaterThan(0);
  });

  it('a dropped connection: CONNECTION_LOST on the RPC, then netconfkit:session:close with it', async () => {
    const d = await device({ rules: [{ match: 'get-config', reply: { dropAfterBytes: 20 } }] });
    const s = await session(d);
    const r = listen();
    const e = await rejection(s.rpc(GET));
    expect(e.code).toBe('CONNECTION_LOST');
    expect((r.of('netconfkit:rpc:error')[0]!.data.error as NetconfError).code).toBe('CONNECTION_LOST');
    const close = r.of('netconfkit:session:close');
    expect(close).toHaveLength(1);
    expect(close[0]!.data).toMatchObject({ device: 'r1', sessionId: s.sessionId });
    expect((close[0]!.data.error as NetconfError).code).toBe('CONNECTION_LOST');
  });

  it('a call refused before it was sent is traced too (SESSION_CLOSED, no message-id)', async () => {
    const d = await device();
    const s = await session(d);
    await s.close();
    const r = listen();
    const e = await rejection(s.rpc(GET));
    expect(e.code).toBe('SESSION_CLOSED');
    expect(r.of('netconfkit:rpc:error')[0]!.data).toMatchObject({ messageId: null, bytesOut: 0 });
  });
});

describe('netconfkit:notification and netconfkit:session:close', () => {
  it('a notification: its size and event time, not its text; a clean close: error null', async () => {
    const d = await device();
    const s = await session(d);
    await s.rpc('<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"/>');
    const r = listen();
    const got = new Promise((resolve) => s.once('notification', resolve));
    d.notify('<link-down xmlns="urn:example"><if>ge-0/0/0</if></link-down>');
    await got;
    const n = r.of('netconfkit:notification');
    expect(n).toHaveLength(1);
    expect(n[0]!.data).toMatchObject({ device: 'r1', sessionId: s.sessionId });
    expect(typeof n[0]!.data.eventTime).toBe('string');
    expect(n[0]!.data.bytes).toBeGreaterThan(50);
    expect(JSON.stringify(n[0]!.data)).not.toContain('ge-0/0/0');
    await s.close();
    expect(r.of('netconfkit:session:close').map((e) => e.data)).toEqual([{ device: 'r1', sessionId: s.sessionId, error: null }]);
  });
});

describe('netconfkit:commitFlow', () => {
  it('a failing flow: one flow trace, a step trace per step, the failing step and its RPC carry the error', async () => {
    const d = await device({ rules: [{ match: 'commit', reply: ERROR }] });
    const s = await session(d);
    const r = listen();
    const e = await rejection(commitFlow(s, { config: '<system xmlns="urn:example"/>' }));
    expect(e.step).toBe('commit');
    const flow = r.of('netconfkit:commitFlow:error')[0]!.data;
    expect(flow).toMatchObject({ device: 'r1', sessionId: s.sessionId, dialect: 'rfc', dryRun: false, committed: false, steps: ['lock', 'load', 'check', 'commit', 'discard', 'unlock'] });
    expect(flow.error).toBe(e);
    const steps = r.of('netconfkit:commitFlow:step:asyncEnd').map((x) => [x.data.step, (x.data.error as NetconfError | undefined)?.code ?? null]);
    expect(steps).toEqual([['lock', null], ['load', null], ['check', null], ['commit', 'INVALID_VALUE'], ['discard', null], ['unlock', null]]);
    // the order a tracer sees: flow start, then each step around its RPC
    const order = r.events.filter((x) => /:(start|asyncEnd)$/.test(x.name) && !x.name.includes('connect')).map((x) => `${x.name.replace('netconfkit:', '')}${x.data.step ? `(${x.data.step})` : x.data.operation ? `(${x.data.operation})` : ''}`);
    expect(order.slice(0, 4)).toEqual(['commitFlow:start', 'commitFlow:step:start(lock)', 'rpc:start(lock)', 'rpc:asyncEnd(lock)']);
    expect(order.at(-1)).toBe('commitFlow:asyncEnd');
    expect(r.of('netconfkit:rpc:error').map((x) => x.data.operation)).toEqual(['commit']);
  });

  it('a successful flow says committed', async () => {
    const d = await device();
    const s = await session(d);
    const r = listen();
    const result = await commitFlow(s, { config: '<system xmlns="urn:example"/>' });
    // With :confirmed-commit:1.1 the commit carries its id as a persist token, confirmed next.
    expect(r.of('netconfkit:commitFlow:asyncEnd')[0]!.data).toMatchObject({
      committed: true, recovered: false, dialect: 'rfc', commitId: result.commitId, steps: ['lock', 'load', 'check', 'commit', 'confirm', 'unlock'],
    });
    expect(r.of('netconfkit:commitFlow:error')).toHaveLength(0);
  });
});

describe('nobody listening', () => {
  it('publishes nothing and builds no context', async () => {
    const d = await device();
    const s = await session(d);
    const r = record(['netconfkit:item']); // one unrelated subscriber only
    await s.rpc(GET);
    await commitFlow(s, { config: '<system xmlns="urn:example"/>' });
    expect(r.events).toHaveLength(0);
    r.stop();
  });
});
