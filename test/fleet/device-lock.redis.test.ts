import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue, type RedisClient } from 'bullmq';
import { FakeDevice } from '../../src/device/index.js';
import { ClientError, connect, editConfig, getConfig } from '../../src/index.js';
import { DeviceLock, fenceWrites } from '../../src/fleet/device-lock.js';
import { deviceKey } from '../../src/fleet/redis.js';
import { entry } from './support.js';
import './setup-redis.js';

const connection = { host: '127.0.0.1', port: inject('redisPort') };
const prefix = `nk-lock-test-${process.pid}-${Date.now()}`;
let queue: Queue;
let redis: RedisClient;

beforeAll(async () => {
  // BullMQ's own client, as the worker uses it
  queue = new Queue(`${prefix}-q`, { connection });
  redis = await queue.client;
});

afterAll(async () => {
  const keys = await redis.scan('0', { MATCH: `${prefix}:*`, COUNT: 1000 });
  if (keys[1].length) await redis.del(...keys[1]);
  await queue.close();
});

const options = (extra: Partial<Parameters<typeof DeviceLock.acquire>[2]> = {}) => ({ prefix, ttlMs: 10_000, waitMs: 5_000, ...extra });

describe('DeviceLock', () => {
  it('one holder at a time: the next one waits for the release and gets a higher fencing token', async () => {
    const first = await DeviceLock.acquire(redis, 'r1', options());
    let secondHeld = false;
    const second = DeviceLock.acquire(redis, 'r1', options()).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(secondHeld).toBe(false);
    await first.check();
    await first.release();
    const next = await second;
    expect(next.token).toBeGreaterThan(first.token);
    await expect(first.check()).rejects.toMatchObject({ code: 'DEVICE_LOCK_LOST' });
    await next.check();
    // another device's lock is its own
    const other = await DeviceLock.acquire(redis, 'r2', options({ waitMs: 0 }));
    await other.release();
    await next.release();
  });

  it('DEVICE_BUSY (retryable) when the holder keeps it longer than the wait', async () => {
    const holder = await DeviceLock.acquire(redis, 'busy', options());
    const err = (await DeviceLock.acquire(redis, 'busy', options({ waitMs: 200 })).catch((e: unknown) => e)) as ClientError;
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'DEVICE_BUSY', retryable: true });
    expect(err.message).toContain('busy');
    await holder.release();
  });

  it('an abort ends the wait with the signal', async () => {
    const holder = await DeviceLock.acquire(redis, 'aborted', options());
    const controller = new AbortController();
    const waiting = DeviceLock.acquire(redis, 'aborted', options({ signal: controller.signal }));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    await holder.release();
  });

  it('a holder whose lock expired and was taken over is fenced off, and its release leaves the new lock alone', async () => {
    const stale = await DeviceLock.acquire(redis, 'r3', options());
    // its TTL ran out while it was paused: the key is gone
    await redis.del(deviceKey(prefix, 'r3', 'lock'));
    const fresh = await DeviceLock.acquire(redis, 'r3', options({ waitMs: 0 }));
    expect(fresh.token).toBe(stale.token + 1);
    const err = (await stale.check().catch((e: unknown) => e)) as ClientError;
    expect(err).toMatchObject({ code: 'DEVICE_LOCK_LOST', retryable: true });
    expect(err.message).toContain(`fencing token ${stale.token}`);
    expect(stale.signal.aborted).toBe(true);
    expect(stale.signal.reason).toBe(err);
    await stale.release();
    expect(await redis.get(deviceKey(prefix, 'r3', 'lock'))).toMatch(new RegExp(`:${fresh.token}$`));
    await fresh.check();
    await fresh.release();
    expect(await redis.get(deviceKey(prefix, 'r3', 'lock'))).toBeNull();
  });

  it('a renewal that finds the lock gone fires the signal', async () => {
    const lock = await DeviceLock.acquire(redis, 'r4', options({ ttlMs: 300 }));
    await redis.del(deviceKey(prefix, 'r4', 'lock'));
    await new Promise<void>((resolve) => lock.signal.addEventListener('abort', () => resolve(), { once: true }));
    expect(lock.signal.reason).toMatchObject({ code: 'DEVICE_LOCK_LOST' });
    await lock.release();
  });

  it('renewals keep a lock alive past its TTL while it is held', async () => {
    const lock = await DeviceLock.acquire(redis, 'r5', options({ ttlMs: 300 }));
    await new Promise((r) => setTimeout(r, 900));
    expect(lock.signal.aborted).toBe(false);
    await lock.check();
    await lock.release();
  });
});

describe('fenceWrites', () => {
  let device: FakeDevice;
  beforeAll(async () => {
    device = await FakeDevice.start();
  });
  afterAll(async () => {
    await device.close();
  });

  it('sends writes while the lock holds, none once it is lost; reads still go', async () => {
    const lock = await DeviceLock.acquire(redis, 'fenced', options());
    const session = await connect(entry('fenced', device));
    try {
      const fenced = fenceWrites(session, () => lock.check());
      expect(fenced.capabilities).toBe(session.capabilities);
      await editConfig(fenced, 'candidate', '<top xmlns="urn:test"/>');
      await redis.del(deviceKey(prefix, 'fenced', 'lock'));
      const before = device.requests.length;
      await expect(editConfig(fenced, 'candidate', '<top xmlns="urn:test"/>')).rejects.toMatchObject({ code: 'DEVICE_LOCK_LOST' });
      expect(device.requests.length).toBe(before);
      await getConfig(fenced, 'running');
      expect(device.requests.map((r) => r.operation).slice(before)).toEqual(['get-config']);
    } finally {
      await session.close();
      await lock.release();
    }
  });
});
