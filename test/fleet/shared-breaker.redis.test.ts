import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue, type RedisClient } from 'bullmq';
import { ClientError, ConnectionError, NetconfError } from '../../src/index.js';
import { deviceKey } from '../../src/fleet/redis.js';
import { SharedBreaker } from '../../src/fleet/shared-breaker.js';
import './setup-redis.js';

const connection = { host: '127.0.0.1', port: inject('redisPort') };
const prefix = `nk-breaker-test-${process.pid}-${Date.now()}`;
const refused = () => new ConnectionError('CONNECTION_REFUSED', 'nothing listens');
const denied = () => new NetconfError('ACCESS_DENIED', 'read access denied');
// two workers: each its own Redis connection and its own breaker object for the device
let queues: Queue[];
let a: RedisClient;
let b: RedisClient;

beforeAll(async () => {
  queues = [new Queue(`${prefix}-a`, { connection }), new Queue(`${prefix}-b`, { connection })];
  a = await queues[0]!.client;
  b = await queues[1]!.client;
});

afterAll(async () => {
  const keys = await a.scan('0', { MATCH: `${prefix}:*`, COUNT: 1000 });
  if (keys[1].length) await a.del(...keys[1]);
  await Promise.all(queues.map((q) => q.close()));
});

const breakers = (device: string, threshold = 3) => [
  new SharedBreaker(a, device, { prefix, threshold, halfOpenAfterMs: 60_000 }),
  new SharedBreaker(b, device, { prefix, threshold, halfOpenAfterMs: 60_000 }),
] as const;
/** The pause is over: what 60 s of waiting would do to the open key. */
const pauseOver = (device: string) => a.del(deviceKey(prefix, device, 'breaker:open'));

describe('SharedBreaker', () => {
  it("failures seen by two workers add up; once open, it fails fast on both, with the failure that opened it", async () => {
    const [one, two] = breakers('r1');
    let calls = 0;
    const failing = async () => {
      calls++;
      throw refused();
    };
    await expect(one.execute(failing)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(two.execute(failing)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(one.execute(failing)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(calls).toBe(3);
    for (const breaker of [one, two]) {
      const err = (await breaker.execute(failing).catch((e: unknown) => e)) as ClientError;
      expect(err).toBeInstanceOf(ClientError);
      expect(err).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
      expect(err.message).toContain('r1');
      expect(err.toJSON().cause).toMatchObject({ code: 'CONNECTION_REFUSED', message: 'nothing listens' });
    }
    expect(calls).toBe(3);
    // another device is not affected
    await expect(breakers('r2')[1].execute(async () => 'ok')).resolves.toBe('ok');
  });

  it('half-open: one probe at a time across workers; a failed probe opens it again, a good one closes it', async () => {
    const [one, two] = breakers('r3', 1);
    await expect(one.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(two.execute(async () => 'no')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await pauseOver('r3');

    // worker one probes; while its probe runs, worker two is turned away
    let finish!: (v: string) => void;
    const probe = one.execute(() => new Promise<string>((r) => (finish = r)));
    await expect.poll(() => finish !== undefined).toBe(true);
    await expect(two.execute(async () => 'no')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    finish('back');
    await expect(probe).resolves.toBe('back');
    await expect(two.execute(async () => 'closed')).resolves.toBe('closed');

    // open it again; a failed probe keeps it open for another pause
    await expect(two.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await pauseOver('r3');
    await expect(two.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(one.execute(async () => 'no')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('what the device answers, errors included, breaks a run of transport failures and never opens it', async () => {
    const [one, two] = breakers('r4', 2);
    await expect(one.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(two.execute(async () => Promise.reject(denied()))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(one.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    for (let i = 0; i < 5; i++) await expect(two.execute(async () => Promise.reject(denied()))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(one.execute(async () => 'ok')).resolves.toBe('ok');
    expect(await a.get(deviceKey(prefix, 'r4', 'breaker:open'))).toBeNull();
  });
});
