/**
 * netconfkit/bullmq: NETCONF jobs over a BullMQ queue on Redis. The only module that imports
 * bullmq (an optional peer dependency); the core package never needs it.
 *
 * @module netconfkit/bullmq
 */
import { type ConnectionOptions, Job, type JobsOptions, type Queue, type QueueEvents, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import { ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { ask } from '../observability/callbacks.js';
import type { CommitStep } from '../operations/commit-flow.js';
import { newCommitId } from '../operations/commit-id.js';
import { type CommitOutcome, resolveCommitOutcome } from '../operations/commit-outcome.js';
import type { ConnectOptions } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { type Breaker, type BreakerOptions, CircuitBreakers } from './breaker.js';
import { DeviceLock } from './device-lock.js';
import type { RedisScripts } from './redis.js';
import { type DeviceFailure, type DeviceResult, type DeviceSuccess, failureResult } from './result.js';
import { type DeviceOperation, type FleetDevice, type OperationContext, runOnDevice } from './run-device.js';
import { SharedBreaker } from './shared-breaker.js';
import { runWriteTry } from './write-job.js';

/** A job's data: plain JSON, so it can sit in Redis. */
export interface NetconfJob<P = unknown> {
  /**
   * How to reach the device. Leave secrets out (job data is stored in Redis in the clear):
   * the worker's `credentials` adds them.
   */
  device: FleetDevice;
  /** The name of an operation the worker knows (`operations`). */
  operation: string;
  /** Handed to the operation; plain JSON. */
  params?: P;
  /**
   * A write job's commit id, one for the job's whole life. Set it yourself, or the worker sets
   * it (a random id) before the job's first write.
   */
  commitId?: string;
  /**
   * Set by the worker: true from just before a try of a write job runs until that try ends with
   * an outcome it knows to be "nothing committed". While it is true, the next try asks the
   * device whether `commitId` was committed before doing anything else.
   */
  commitPending?: boolean;
  /** Set by the worker: the last step of the commit flow whose writes a try may have sent (from `onStep`). */
  commitStep?: string;
}

/** What every job result carries besides the DeviceResult: whether it was recovered, and the commit id. */
export interface NetconfJobFields {
  /**
   * True when a try cut off mid-commit (its worker died, or the reply never came) had
   * committed, as the device's own records showed a later try: the job completed without
   * committing again.
   */
  recovered: boolean;
  /** The job's commit id (write jobs), else null. */
  commitId: string | null;
}

/**
 * A job's outcome: the fan-out's DeviceResult and NetconfJobFields. A failed job carries it, as
 * JSON, in `failedReason`.
 */
export type NetconfJobResult<T = unknown> = NetconfJobSuccess<T> | (DeviceFailure & NetconfJobFields);

/**
 * A completed job's result: the operation's value, or, for a write job that recovered a commit
 * an earlier try had made (`recovered: true`), what the device showed (`CommitOutcome`).
 */
export type NetconfJobSuccess<T = unknown> =
  | (DeviceSuccess<T> & { recovered: false; commitId: string | null })
  | (DeviceSuccess<CommitOutcome> & { recovered: true; commitId: string });

/** What an operation gets besides the session and the params. */
export interface QueueOperationContext extends OperationContext {
  /** The BullMQ job being run. */
  job: Job<NetconfJob>;
  /** A write job's commit id: hand it to `commitFlow` (`commitId`) so a later try can find the commit. Null for reads. */
  commitId: string | null;
  /** A write job's fencing token: higher than that of every earlier holder of the device's write lock. Null for reads. */
  fencingToken: number | null;
  /**
   * Hand it to `commitFlow` (`onStep`, calling your own from it if you have one): the steps it
   * reports tell a later try how far this one got (on RFC devices, whether its confirmation may
   * have been sent). Does nothing for reads.
   */
  onStep: (event: { step: CommitStep; status: 'start' | 'done' | 'failed' }) => void;
}

/** An operation a job may name: runs on an open session, gets the job's params, returns plain JSON. */
export type QueueOperation = (session: Session, params: unknown, context: QueueOperationContext) => Promise<unknown>;

/** Defaults of `enqueueNetconfJob`: three tries, exponential backoff from 1 s. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } };

/** Adds a NETCONF job (named after its operation) to the queue. */
export function enqueueNetconfJob<P>(queue: Queue, job: NetconfJob<P>, options: JobsOptions = {}): Promise<Job<NetconfJob<P>>> {
  return queue.add(job.operation, job, { ...DEFAULT_JOB_OPTIONS, ...options }) as Promise<Job<NetconfJob<P>>>;
}

/** The write lock each worker takes on a device for a write job. */
export interface DeviceLockSettings {
  /** The lock's time to live in Redis (default 30 000 ms); the holder renews it every third of that. */
  ttlMs?: number;
  /** How long a write job waits for another worker's lock on its device (default: the job's `timeoutMs`); then DEVICE_BUSY. */
  waitMs?: number;
}

/** What createNetconfWorker needs: the queue, the operations jobs may name, and how to add credentials. */
export interface NetconfWorkerOptions {
  /** Redis, as BullMQ takes it (e.g. `{ host: '127.0.0.1', port: 6379 }`). */
  connection: ConnectionOptions;
  queueName: string;
  /** The operations jobs may name; each returns plain JSON. */
  operations: Record<string, QueueOperation>;
  /** Adds what job data leaves out, e.g. `() => ({ password: process.env.NETCONF_PASSWORD })`. */
  credentials?: (device: FleetDevice) => Partial<ConnectOptions> | Promise<Partial<ConnectOptions>>;
  /** Per try, connecting included (default 60 000 ms); the wait for a device's write lock comes before it. */
  timeoutMs?: number;
  /**
   * Per-device circuit breakers. Settings (the default): each device's breaker lives in Redis,
   * shared by every worker on it. A CircuitBreakers: this process's own breakers.
   */
  breakers?: CircuitBreakers | BreakerOptions;
  /**
   * Operations that change the device (a commit, say). Their jobs hold the device's write lock
   * in Redis, so at most one runs per device across every worker; a try that may have
   * committed before it was cut off is resolved through the device before anything is run
   * again (see `commitPending`).
   */
  writeOperations?: readonly string[];
  /** The device write lock of `writeOperations` jobs. */
  deviceLock?: DeviceLockSettings;
  /** Prefix of the Redis keys of device locks and breakers (default `netconfkit`); workers that share devices share it. */
  keyPrefix?: string;
  /** Jobs run at once by this worker (default 10). */
  concurrency?: number;
  /**
   * Other BullMQ worker options (lockDuration, stalledInterval, autorun…). `maxStalledCount`
   * defaults to 1 000 here: a job's `attempts` already counts the tries of workers that died,
   * and BullMQ's own limit would fail a write job without asking the device.
   */
  worker?: Omit<WorkerOptions, 'connection' | 'concurrency'>;
}

/**
 * A BullMQ worker that runs NETCONF jobs. Each try opens a session, runs the named operation
 * and closes the session; a per-device circuit breaker (shared through Redis) fails calls to
 * an unreachable device fast (CIRCUIT_OPEN, retryable). Success completes the job with a
 * DeviceSuccess. A failure fails the job with the DeviceFailure as JSON in `failedReason`
 * (read it with `netconfJobResult`): retryable errors through the queue's attempts and
 * backoff, the rest at once, as BullMQ's UnrecoverableError. `attempts` counts every try
 * started, those of workers that died included. A write job (`writeOperations`) holds its
 * device's lock, and a try that may have committed is resolved through the device before
 * anything else runs.
 */
export function createNetconfWorker(options: NetconfWorkerOptions): Worker<NetconfJob, NetconfJobSuccess> {
  const prefix = options.keyPrefix ?? 'netconfkit';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const local = options.breakers instanceof CircuitBreakers ? options.breakers : undefined;
  const shared: BreakerOptions = local ? {} : ((options.breakers as BreakerOptions | undefined) ?? {});
  const lockTtlMs = options.deviceLock?.ttlMs ?? 30_000;
  const lockWaitMs = options.deviceLock?.waitMs ?? timeoutMs;
  const writes = new Set(options.writeOperations ?? []);
  // BullMQ's own Redis client: the lock and breaker scripts need no connection of their own
  const redis = async () => (await worker.client) satisfies RedisScripts;
  const breakerOf = async (name: string): Promise<Breaker> => local?.get(name) ?? new SharedBreaker(await redis(), name, { ...shared, prefix });

  const processor = async (job: Job<NetconfJob>, _token?: string, signal?: AbortSignal): Promise<NetconfJobSuccess> => {
    const { device, operation, params } = job.data;
    // every try started, that of a worker that died included (BullMQ's attemptsMade leaves it out)
    const attempt = job.attemptsStarted;
    const budget = Math.max(1, job.opts?.attempts ?? 1);
    const fields: NetconfJobFields = { recovered: false, commitId: null };
    const fail = (error: NetconfError) =>
      jobError(withFields(failureResult(error, { device: device?.name ?? '?', warnings: [], attempts: attempt, durationMs: 0 }), fields), attempt < budget && error.retryable);
    if (typeof device?.name !== 'string' || typeof device.host !== 'string') {
      throw fail(new ClientError('INVALID_ARGUMENT', `Job ${job.id} names no device ({ name, host, … })`));
    }
    const op = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
    if (!op) {
      throw fail(new ClientError('INVALID_ARGUMENT', `This worker knows no operation "${operation}" (it knows ${Object.keys(options.operations).join(', ') || 'none'})`));
    }
    // The caller's lookup fails this job alone, as a typed failure.
    const login = await ask(() => options.credentials?.(device)).catch((err: unknown) => {
      throw fail(toNetconfError(err));
    });
    const target: FleetDevice = { ...device, ...login };
    const breaker = await breakerOf(device.name);
    const run = (operate: DeviceOperation<unknown>, stop?: AbortSignal) => {
      const signals = [signal, stop].filter((s): s is AbortSignal => s !== undefined);
      return runOnDevice(target, operate, {
        timeoutMs,
        breaker,
        retry: { attempts: 1 },
        ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
      });
    };

    if (!writes.has(operation)) {
      if (attempt > budget) throw fail(cutOff(job, attempt - 1));
      const result = await run((session, _d, ctx) => op(session, params, { ...ctx, job, commitId: null, fencingToken: null, onStep: () => undefined }));
      if (!result.ok) throw jobError(withFields({ ...result, attempts: attempt }, fields), attempt < budget && result.error_retryable);
      return { ...result, attempts: attempt, recovered: false, commitId: null };
    }

    const lock = await DeviceLock.acquire(await redis(), device.name, { prefix, ttlMs: lockTtlMs, waitMs: lockWaitMs, ...(signal ? { signal } : {}) }).catch((err: unknown) => {
      throw fail(toNetconfError(err));
    });
    try {
      const name = `job ${job.id} (${operation} on ${device.name})`;
      const { result, commitId, recovered, retry } = await runWriteTry({
        lock, attempt, budget, name,
        load: async () => (await Job.fromId<NetconfJob>(worker, job.id!))?.data ?? job.data,
        save: async (state) => {
          const { commitId: _id, commitPending: _pending, commitStep: _step, ...data } = job.data;
          await job.updateData({ ...data, ...state });
        },
        newCommitId,
        resolve: (session, commitId, { after, signal: stop }) => resolveCommitOutcome(session, commitId, { after, signal: stop }),
        run,
        operate: (session, context) => op(session, params, { ...context, job }),
      }).catch((err: unknown) => {
        throw fail(toNetconfError(err));
      });
      fields.commitId = commitId;
      if (!result.ok) throw jobError(withFields({ ...result, attempts: attempt }, fields), retry);
      if (recovered) return { ...result, value: recovered, attempts: attempt, recovered: true, commitId };
      return { ...result, attempts: attempt, recovered: false, commitId };
    } finally {
      await lock.release();
    }
  };
  const worker: Worker<NetconfJob, NetconfJobSuccess> = new Worker<NetconfJob, NetconfJobSuccess>(options.queueName, processor, {
    maxStalledCount: 1_000,
    ...options.worker,
    connection: options.connection,
    concurrency: options.concurrency ?? 10,
  });
  return worker;
}


function withFields<R extends DeviceResult<unknown>>(result: R, fields: NetconfJobFields): R & NetconfJobFields {
  return { ...result, ...fields };
}

/** The failure of a try that a worker's death cut off when no try is left. */
function cutOff(job: Job<NetconfJob>, tries: number): NetconfError {
  return new ClientError('UNKNOWN', `Try ${tries} of job ${job.id} was cut off when its worker stopped, and the job has no tries left (attempts: ${job.opts?.attempts ?? 1})`);
}

/** A failed try as BullMQ takes it: retried (through attempts and backoff) or not. */
function jobError(result: DeviceFailure & NetconfJobFields, retry: boolean): Error {
  const message = JSON.stringify(result);
  return retry ? new Error(message) : new UnrecoverableError(message);
}

/**
 * The failure a failed job carries in `failedReason`. A reason BullMQ wrote itself (a job that
 * stalled too often, say) becomes UNKNOWN with that text.
 */
export function parseJobFailure(failedReason: string, device = '?', commitId: string | null = null): DeviceFailure & NetconfJobFields {
  try {
    const parsed = JSON.parse(failedReason) as Partial<DeviceFailure & NetconfJobFields>;
    if (parsed && parsed.ok === false && typeof parsed.error_code === 'string' && parsed.errorJson) {
      return { ...(parsed as DeviceFailure), recovered: false, commitId: parsed.commitId ?? commitId };
    }
  } catch {
    // not ours
  }
  const error: NetconfError = toNetconfError(new Error(failedReason || 'The job failed'));
  return withFields(failureResult(error, { device, warnings: [], attempts: 0, durationMs: 0 }), { recovered: false, commitId });
}

/** A finished job's result (completed or failed); null while it is not finished. */
export function netconfJobResult<T = unknown>(job: Job<NetconfJob>): NetconfJobResult<T> | null {
  if (job.finishedOn === undefined) return null;
  // a job that failed a try and then completed keeps that try's failedReason
  if (job.returnvalue !== null && job.returnvalue !== undefined) return job.returnvalue as unknown as NetconfJobSuccess<T>;
  return parseJobFailure(job.failedReason, job.data.device?.name, job.data.commitId ?? null);
}

/** Waits for a job to finish and resolves with its result, failed or not. */
export async function waitForNetconfJob<T = unknown>(job: Job<NetconfJob>, queueEvents: QueueEvents, ttlMs?: number): Promise<NetconfJobResult<T>> {
  try {
    return (await job.waitUntilFinished(queueEvents, ttlMs)) as NetconfJobSuccess<T>;
  } catch (err) {
    return parseJobFailure((err as Error).message, job.data.device?.name, job.data.commitId ?? null);
  }
}

