import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallbackQueue, type CallbackSource, ask, notify, reportCallbackError } from '../../src/observability/callbacks.js';
import type { CallbackErrorMessage } from '../../src/observability/diagnostics.js';

/** Collects `netconfkit:callbackError` messages while subscribed. */
function channelReports() {
  const seen: CallbackErrorMessage[] = [];
  const onMessage = (m: unknown) => seen.push(m as CallbackErrorMessage);
  subscribe('netconfkit:callbackError', onMessage);
  return { seen, stop: () => unsubscribe('netconfkit:callbackError', onMessage) };
}

/** Collects process warnings while listening. */
function processWarnings() {
  const seen: (Error & { code?: string })[] = [];
  const onWarning = (w: Error) => seen.push(w);
  process.on('warning', onWarning);
  return { seen, stop: () => process.off('warning', onWarning) };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('the callback rule: a telling callback\'s exception is reported, never thrown or returned', () => {
  it('notify swallows a throw and publishes it on netconfkit:callbackError with its source and device', () => {
    const channel = channelReports();
    stops.push(channel.stop);
    const boom = new Error('progress broke');
    expect(() => notify('onProgress', () => {
      throw boom;
    }, [], { device: 'r1' })).not.toThrow();
    expect(channel.seen).toEqual([{ device: 'r1', source: 'onProgress', error: boom }]);
  });

  it('a rejected promise from an async callback is reported the same way', async () => {
    const channel = channelReports();
    stops.push(channel.stop);
    notify('onStep', async () => {
      throw new Error('async step broke');
    }, []);
    await vi.waitFor(() => expect(channel.seen.map((m) => [m.source, (m.error as Error).message])).toEqual([['onStep', 'async step broke']]));
  });

  it('the owner\'s reporter hears it; with nobody listening at all it becomes a process warning NETCONFKIT_CALLBACK_ERROR', async () => {
    const heard: [unknown, CallbackSource][] = [];
    reportCallbackError(new Error('heard'), 'item', { report: (e, s) => (heard.push([e, s]), true) });
    expect(heard.map(([e, s]) => [(e as Error).message, s])).toEqual([['heard', 'item']]);

    const warnings = processWarnings();
    stops.push(warnings.stop);
    // An owner with no listener (report returns false) and no channel subscriber: a warning.
    reportCallbackError(new Error('nobody listened'), 'onMessage', { report: () => false });
    await vi.waitFor(() => expect(warnings.seen.map((w) => [w.code, w.message])).toEqual([
      ['NETCONFKIT_CALLBACK_ERROR', "A netconfkit 'onMessage' callback threw: nobody listened"],
    ]));
  });

  it('a reporter that throws is itself swallowed', () => {
    const channel = channelReports();
    stops.push(channel.stop);
    expect(() => reportCallbackError('x', 'close', { report: () => {
      throw new Error('the listener broke too');
    } })).not.toThrow();
    expect(channel.seen).toHaveLength(1);
  });
});

describe('ask: a callback whose answer the call needs', () => {
  it('gives its answer, and turns a synchronous throw into a rejection for that call to fail with', async () => {
    await expect(ask(() => 42)).resolves.toBe(42);
    await expect(ask(async () => 'later')).resolves.toBe('later');
    const thrown = new Error('check broke');
    let returned: Promise<unknown> | null = null;
    expect(() => (returned = ask(() => {
      throw thrown;
    }))).not.toThrow();
    await expect(returned).rejects.toBe(thrown);
  });
});

describe('CallbackQueue', () => {
  it('holds callbacks while the reader works, then runs each on its own, in order, a throw reported and the next still run', () => {
    const channel = channelReports();
    stops.push(channel.stop);
    const queue = new CallbackQueue({ device: 'r2' });
    const order: string[] = [];
    queue.hold(() => {
      queue.deliver(() => order.push('a'), 'item');
      queue.deliver(() => {
        throw new Error('b broke');
      }, 'onItem');
      queue.deliver(() => order.push('c'), 'close');
      order.push('reader done');
    });
    expect(order).toEqual(['reader done', 'a', 'c']);
    expect(channel.seen.map((m) => [m.device, m.source, (m.error as Error).message])).toEqual([['r2', 'onItem', 'b broke']]);
  });

  it('a callback that delivers more runs it after itself, not inside itself', () => {
    const queue = new CallbackQueue();
    const order: string[] = [];
    queue.deliver(() => {
      queue.deliver(() => order.push('inner'), 'item');
      order.push('outer');
    }, 'item');
    expect(order).toEqual(['outer', 'inner']);
  });
});
