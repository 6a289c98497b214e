/**
 * A device's write lock in Redis, shared by every queue worker: at most one holder at a time.
 *
 * The lock is a key set with NX and a TTL, renewed while it is held. Each acquisition also takes
 * the next fencing token (INCR on a counter that never goes back), and the holder checks both,
 * atomically, before each write it sends: the lock still carries its value and no later token
 * was handed out. A holder that stalled past the TTL (a long pause, a lost Redis link) finds the
 * lock gone or another worker's token and stops before writing. Release deletes the key only
 * if it is still this holder's (compare and delete).
 */
import { randomUUID } from 'node:crypto';
import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import type { Session } from '../session/session.js';
import { type LuaScript, type RedisScripts, deviceKey, runScript } from './redis.js';
import { abortReason } from './retry.js';

/** How a worker takes a device's write lock. */
export interface DeviceLockOptions {
  /** Key prefix; the device's keys are `<prefix>:device:{<name>}:lock` and `…:fence`. */
  prefix: string;
  /** The lock's time to live; renewed every third of it while held. */
  ttlMs: number;
  /** How long to wait for the lock before DEVICE_BUSY. */
  waitMs: number;
  /** Stops the wait (with the signal's reason). */
  signal?: AbortSignal;
}

// KEYS: lock, fence. ARGV: owner, ttl. → {token, 0} when taken, {0, pttl} when held by another.
const ACQUIRE: LuaScript = { name: 'netconfkitLockAcquire', keys: 2, lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('PTTL', KEYS[1])} end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return {token, 0}` };

// KEYS: lock, fence. ARGV: value, token, ttl. Still ours and no later token: extend it.
const HOLD: LuaScript = { name: 'netconfkitLockHold', keys: 2, lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0` };

// KEYS: lock. ARGV: value. Deletes the lock only if it is still ours.
const RELEASE: LuaScript = { name: 'netconfkitLockRelease', keys: 1, lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0` };

/** A held device lock. `signal` fires (DEVICE_LOCK_LOST) when a renewal finds it gone. */
export class DeviceLock {
  private readonly lost = new AbortController();
  private readonly renewal: NodeJS.Timeout;
  private lastHeld = Date.now();
  private released = false;

  private constructor(
    private readonly redis: RedisScripts,
    readonly device: string,
    /** The fencing token: higher than that of every earlier holder of this device's lock. */
    readonly token: number,
    private readonly value: string,
    private readonly keys: readonly [lock: string, fence: string],
    private readonly ttlMs: number,
  ) {
    this.renewal = setInterval(() => void this.renew(), Math.max(1, Math.floor(ttlMs / 3)));
  }

  /** Takes the device's lock, waiting while another worker holds it (DEVICE_BUSY after `waitMs`). */
  static async acquire(redis: RedisScripts, device: string, options: DeviceLockOptions): Promise<DeviceLock> {
    const keys = [deviceKey(options.prefix, device, 'lock'), deviceKey(options.prefix, device, 'fence')] as const;
    const owner = randomUUID();
    const end = Date.now() + options.waitMs;
    for (;;) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const asking = runScript(redis, ACQUIRE, ...keys, owner, options.ttlMs);
      const [token, heldForMs] = (await within(asking, Math.max(options.ttlMs, end - Date.now()))) as [number, number];
      if (token > 0) return new DeviceLock(redis, device, token, `${owner}:${token}`, keys, options.ttlMs);
      const left = end - Date.now();
      if (left <= 0) {
        throw new ClientError('DEVICE_BUSY', `Another worker has held the write lock of ${device} for longer than this job waits (${options.waitMs} ms)`);
      }
      // polled with jitter, so that waiting workers do not all ask at once
      await sleep(Math.min(left, Math.max(1, heldForMs), 50 + Math.random() * 100), options.signal);
    }
  }

  /** Fires when the lock was found lost; its reason is the DEVICE_LOCK_LOST error. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /**
   * Resolves if the lock is still held with this token (and extends it); else rejects with
   * DEVICE_LOCK_LOST. Bounded by the TTL: a Redis that does not answer in time fails it.
   */
  async check(): Promise<void> {
    if (this.lost.signal.aborted) throw this.lost.signal.reason;
    const started = Date.now();
    let held: boolean;
    try {
      held = (await within(runScript(this.redis, HOLD, ...this.keys, this.value, this.token, this.ttlMs), this.ttlMs)) === 1;
    } catch (err) {
      throw this.lose(`Redis did not confirm it (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!held) throw this.lose('it expired, or another worker took it');
    this.lastHeld = started;
  }

  /** Lets go of the lock if it is still this holder's; never throws. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.renewal);
    await within(runScript(this.redis, RELEASE, this.keys[0], this.value), this.ttlMs).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.released || this.lost.signal.aborted) return;
    await this.check().catch(() => {
      // A renewal that could not reach Redis is not a loss yet: the lock lives until its TTL.
      if (!this.lost.signal.aborted && Date.now() - this.lastHeld >= this.ttlMs) this.lose('it could not be renewed within its TTL');
    });
  }

  private lose(why: string): NetconfError {
    if (!this.lost.signal.aborted) {
      clearInterval(this.renewal);
      this.lost.abort(new ClientError('DEVICE_LOCK_LOST', `This worker no longer holds the write lock of ${this.device} (fencing token ${this.token}): ${why}`));
    }
    return this.lost.signal.reason as NetconfError;
  }
}

/**
 * The session an operation gets while a device lock is held: every write (`rpc` with
 * `write: true`: edit-config, load, commit, confirm…) first checks the lock and its fencing
 * token, and is not sent if it was lost. Everything else is the session itself.
 */
export function fenceWrites(session: Session, check: () => Promise<void>): Session {
  const rpc: Session['rpc'] = (request, options = {}) => (options.write ? check().then(() => session.rpc(request, options)) : session.rpc(request, options));
  return new Proxy(session, {
    get(target, key) {
      if (key === 'rpc') return rpc;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    const stop = () => {
      done();
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Rejects when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
