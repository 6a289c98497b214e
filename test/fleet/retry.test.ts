import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice, type JunosDevice, startJunosDevice } from '../../src/device/index.js';
import {
  AuthenticationError, ClientError, CommitOutcomeUnknownError, ConnectionError, ERROR_CODES, NetconfError, RpcError, commitFlow, getConfig,
} from '../../src/index.js';
import { isRetryable, runOnDevice, withRetry } from '../../src/fleet/index.js';
import { entry, forward, freePort } from './support.js';

const fast = { initialDelayMs: 10, maxDelayMs: 40 };

describe('withRetry', () => {
  it('retries what is retryable until it works, counting tries', async () => {
    let calls = 0;
    const value = await withRetry(async ({ attempt }) => {
      calls++;
      expect(attempt).toBe(calls);
      if (calls < 3) throw new ConnectionError('CONNECTION_LOST', 'dropped');
      return 'done';
    }, { attempts: 5, ...fast });
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after `attempts` tries with the last error', async () => {
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new ConnectionError('CONNECTION_REFUSED', `refused ${calls}`);
    }, { attempts: 3, ...fast }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as NetconfError).message).toBe('refused 3');
  });

  it('never retries what is not retryable, or anything that is not a NetconfError', async () => {
    for (const make of [
      () => new AuthenticationError('AUTH_FAILED', 'no'),
      () => new ClientError('INVALID_ARGUMENT', 'bad'),
      () => new TypeError('a bug'),
    ]) {
      let calls = 0;
      const err = await withRetry(async () => {
        calls++;
        throw make();
      }, { attempts: 5, ...fast }).catch((e: unknown) => e);
      expect(calls).toBe(1);
      expect(err).toBeInstanceOf(NetconfError);
    }
  });

  it('never retries COMMIT_OUTCOME_UNKNOWN, even flagged retryable and asked to', async () => {
    expect(ERROR_CODES.COMMIT_OUTCOME_UNKNOWN.retryable).toBe(false);
    const forced = new CommitOutcomeUnknownError('cut off after sending', { retryable: true });
    expect(forced.retryable).toBe(true);
    expect(isRetryable(forced)).toBe(false);
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw forced;
    }, { attempts: 5, shouldRetry: () => true, ...fast }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBe(forced);
  });

  it('backs off exponentially with jitter, never past the cap', async () => {
    const delays: number[] = [];
    await withRetry(async () => {
      throw new ConnectionError('CONNECTION_LOST', 'dropped');
    }, { attempts: 8, initialDelayMs: 5, maxDelayMs: 30, onRetry: (e) => delays.push(e.delayMs) }).catch(() => undefined);
    expect(delays).toHaveLength(7);
    for (const d of delays) expect(d).toBeLessThanOrEqual(30);
    expect(delays.at(-1)).toBeGreaterThan(delays[0]!);
  });

  it('an abort during a backoff ends it at once', async () => {
    const controller = new AbortController();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 50);
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new ConnectionError('CONNECTION_LOST', 'dropped');
    }, { attempts: 5, initialDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(calls).toBe(1);
    expect((err as NetconfError).code).toBe('ABORTED');
  });
});

describe('retries against real devices', () => {
  let device: FakeDevice;
  let junos: JunosDevice;
  beforeAll(async () => {
    device = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><ok xmlns="urn:test"/></data>' }] });
    junos = await startJunosDevice({ commit: { errors: [{ message: 'Missing mandatory statement', path: 'system', statement: 'root-authentication' }] } });
  });
  afterAll(async () => {
    await device.close();
    await junos.close();
  });

  it('CONNECTION_REFUSED, then the port becomes the device: the retry succeeds', async () => {
    const port = await freePort();
    let forwarder: { close(): Promise<void> } | undefined;
    // Seen after the run: an expect inside onRetry would be reported, not fail the test.
    const retried: string[] = [];
    const result = await runOnDevice(
      entry('late', device, { port }),
      async (session) => (await getConfig(session, 'running')).data,
      {
        retry: {
          attempts: 4, initialDelayMs: 50, maxDelayMs: 100,
          onRetry: async ({ error }) => {
            retried.push(error.code);
            forwarder ??= await forward(port, device.port);
          },
        },
      },
    );
    await forwarder?.close();
    expect(retried).toEqual(['CONNECTION_REFUSED']);
    expect(result).toMatchObject({ ok: true, attempts: 2, error: null });
    expect(result.ok && result.value).toContain('<ok xmlns="urn:test"/>');
  });

  it('AUTH_FAILED is tried once', async () => {
    const before = device.requests.length;
    const result = await runOnDevice(entry('locked-out', device, { password: 'wrong' }), async () => 'never', { retry: { attempts: 5, ...fast } });
    expect(result).toMatchObject({ ok: false, error_code: 'AUTH_FAILED', error_retryable: false, attempts: 1 });
    expect(result.ok || NetconfError.fromJSON(result.errorJson)).toBeInstanceOf(AuthenticationError);
    expect(device.requests.length).toBe(before);
  });

  it('CONFIG_REJECTED is tried once: one commit on the device', async () => {
    const commitsBefore = junos.requests.filter((r) => r.operation === 'commit-configuration').length;
    const result = await runOnDevice(
      entry('junos', junos.device),
      (session) => commitFlow(session, { config: 'set system host-name r1', format: 'set' }),
      { retry: { attempts: 5, ...fast } },
    );
    expect(result).toMatchObject({ ok: false, error_code: 'CONFIG_REJECTED', error_retryable: false, attempts: 1 });
    const commits = junos.requests.filter((r) => r.operation === 'commit-configuration').length - commitsBefore;
    expect(commits).toBe(2); // the check and the commit, once each
    const revived = result.ok ? null : NetconfError.fromJSON(result.errorJson);
    expect(revived).toBeInstanceOf(RpcError);
    expect((revived as RpcError).items[0]).toMatchObject({ code: 'CONFIG_REJECTED', statement: 'root-authentication' });
  });
});
