import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { commitCandidate, getConfig } from '../../src/index.js';
import { runOnDevice } from '../../src/fleet/index.js';
import { entry } from './support.js';

describe('runOnDevice', () => {
  let device: FakeDevice;
  let slowHello: FakeDevice;
  beforeAll(async () => {
    device = await FakeDevice.start({
      rules: [
        { match: 'commit', reply: { stall: true } },
        { match: 'get-config', reply: { delayMs: 5_000 } },
        { match: 'get', reply: '<data/>' },
      ],
    });
    slowHello = await FakeDevice.start({ helloDelayMs: 5_000 });
  });
  afterAll(async () => {
    await device.close();
    await slowHello.close();
  });

  it('an operation that throws anything gives a result, and the session is closed', async () => {
    const r = await runOnDevice(entry('r1', device), async () => {
      throw new TypeError('a bug in the operation');
    });
    expect(r).toMatchObject({ ok: false, error_code: 'UNKNOWN', error_retryable: false, error: 'a bug in the operation', attempts: 1 });
    await expect.poll(() => device.sessionCount, { timeout: 5_000, message: 'the session to close' }).toBe(0);
  });

  it('out of time while connecting: CONNECT_TIMEOUT, and the late connection does not linger', async () => {
    const t0 = performance.now();
    const r = await runOnDevice(entry('slow-hello', slowHello), async () => 'never', { timeoutMs: 300, retry: { attempts: 3 } });
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(r).toMatchObject({ ok: false, error_code: 'CONNECT_TIMEOUT', error_retryable: true, attempts: 1 });
    await expect.poll(() => slowHello.connectionCount, { timeout: 5_000, message: 'the connection to close' }).toBe(0);
  });

  it('out of time during a read: RPC_TIMEOUT', async () => {
    const r = await runOnDevice(entry('r1', device), (s) => getConfig(s, 'running'), { timeoutMs: 400 });
    expect(r).toMatchObject({ ok: false, error_code: 'RPC_TIMEOUT', error_retryable: true, attempts: 1 });
  });

  it('out of time during a write: COMMIT_OUTCOME_UNKNOWN, never retried', async () => {
    const commitsBefore = device.requests.filter((q) => q.operation === 'commit').length;
    const r = await runOnDevice(entry('r1', device), (s) => commitCandidate(s), { timeoutMs: 400, retry: { attempts: 3 } });
    expect(r).toMatchObject({ ok: false, error_code: 'COMMIT_OUTCOME_UNKNOWN', error_retryable: false, attempts: 1 });
    expect(device.requests.filter((q) => q.operation === 'commit').length - commitsBefore).toBe(1);
  });

  it("the caller's abort: ABORTED", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await runOnDevice(entry('r1', device), (s, _d, { signal }) => getConfig(s, 'running', { signal }), { signal: controller.signal });
    expect(r).toMatchObject({ ok: false, error_code: 'ABORTED', error_retryable: false });
    await expect.poll(() => device.sessionCount, { timeout: 5_000, message: 'the session to close' }).toBe(0);
  });

  it('collects the warnings of the last try', async () => {
    const warner = await FakeDevice.start({
      rules: [{ match: 'get-config', reply: '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>deprecated leaf</error-message></rpc-error><data/>' }],
    });
    try {
      const r = await runOnDevice(entry('warner', warner), async (s) => (await getConfig(s, 'running')).data);
      expect(r).toMatchObject({ ok: true, warnings: [{ level: 'warning', message: 'deprecated leaf' }] });
    } finally {
      await warner.close();
    }
  });
});
