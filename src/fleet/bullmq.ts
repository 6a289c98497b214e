/**
 * netconfkit/bullmq: NETCONF jobs over a BullMQ queue on Redis. The only module that imports
 * bullmq (an optional peer dependency); the core package never needs it.
 *
 * @module netconfkit/bullmq
 */
import { type ConnectionOptions, type Job, type JobsOptions, type Queue, type QueueEvents, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import { ClientError, CommitOutcomeUnknownError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { ask } from '../observability/callbacks.js';
import type { ConnectOptions } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { type BreakerOptions, CircuitBreakers } from './breaker.js';
import { type DeviceFailure, type DeviceResult, type DeviceSuccess, failureResult } from './result.js';
import { type FleetDevice, type OperationContext, runOnDevice } from './run-device.js';

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
}

/** A job's outcome: the fan-out's DeviceResult. A failed job carries it, as JSON, in `failedReason`. */
export type NetconfJobResult<T = unknown> = DeviceResult<T>;

/** An operation a job may name: runs on an open session, gets the job's params, returns plain JSON. */
export type QueueOperation = (session: Session, params: unknown, context: OperationContext & { job: Job<NetconfJob> }) => Promise<unknown>;

/** Defaults of `enqueueNetconfJob`: three tries, exponential backoff from 1 s. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } };

/** Adds a NETCONF job (named after its operation) to the queue. */
export function enqueueNetconfJob<P>(queue: Queue, job: NetconfJob<P>, options: JobsOptions = {}): Promise<Job<NetconfJob<P>>> {
  return queue.add(job.operation, job, { ...DEFAULT_JOB_OPTIONS, ...options }) as Promise<Job<NetconfJob<P>>>;
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
  /** Per job, connecting included (default 60 000 ms). */
  timeoutMs?: number;
  /** Per-device circuit breakers, kept across the worker's jobs. */
  breakers?: CircuitBreakers | BreakerOptions;
  /**
   * Operations that change the device (a commit, say). BullMQ runs a job again when its
   * worker died mid-try; for these that would be a blind retry of a write that may have
   * been applied, so the job fails with COMMIT_OUTCOME_UNKNOWN instead.
   */
  writeOperations?: readonly string[];
  /** Jobs run at once by this worker (default 10). */
  concurrency?: number;
  /** Other BullMQ worker options (lockDuration, stalledInterval, autorun…). */
  worker?: Omit<WorkerOptions, 'connection' | 'concurrency'>;
}

/**
 * A BullMQ worker that runs NETCONF jobs. Each try opens a session, runs the named operation
 * and closes the session; a per-device circuit breaker fails calls to an unreachable device
 * fast (CIRCUIT_OPEN, retryable). Success completes the job with a DeviceSuccess. A failure
 * fails the job with the DeviceFailure as JSON in `failedReason` (read it with
 * `netconfJobResult`): retryable errors through the queue's attempts and backoff, the rest
 * (and COMMIT_OUTCOME_UNKNOWN) at once, as BullMQ's UnrecoverableError. A job whose worker
 * died mid-try is run again by another worker, unless it is one of `writeOperations`.
 */
export function createNetconfWorker(options: NetconfWorkerOptions): Worker<NetconfJob, DeviceSuccess<unknown>> {
  const breakers = options.breakers instanceof CircuitBreakers ? options.breakers : new CircuitBreakers(options.breakers);
  const processor = async (job: Job<NetconfJob>, _token?: string, signal?: AbortSignal): Promise<DeviceSuccess<unknown>> => {
    const { device, operation, params } = job.data;
    const attempt = job.attemptsMade + 1;
    const fail = (error: NetconfError) => jobError(failureResult(error, { device: device?.name ?? '?', warnings: [], attempts: attempt, durationMs: 0 }));
    if (typeof device?.name !== 'string' || typeof device.host !== 'string') {
      throw fail(new ClientError('INVALID_ARGUMENT', `Job ${job.id} names no device ({ name, host, … })`));
    }
    const op = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
    if (!op) {
      throw fail(new ClientError('INVALID_ARGUMENT', `This worker knows no operation "${operation}" (it knows ${Object.keys(options.operations).join(', ') || 'none'})`));
    }
    // a start that neither completed nor failed: its worker died (the job was found stalled)
    const cutOff = job.attemptsStarted > job.attemptsMade + 1;
    if (cutOff && options.writeOperations?.includes(operation)) {
      throw fail(new CommitOutcomeUnknownError(
        `An earlier try of job ${job.id} (${operation} on ${device.name}) was cut off when its worker stopped; the device may have applied it. Check the device before running it again.`,
      ));
    }
    // The caller's lookup fails this job alone, as a typed failure.
    const login = await ask(() => options.credentials?.(device)).catch((err: unknown) => {
      throw fail(toNetconfError(err));
    });
    const target: FleetDevice = { ...device, ...login };
    const result = await runOnDevice(target, (session, _d, ctx) => op(session, params, { ...ctx, job }), {
      timeoutMs: options.timeoutMs,
      breaker: breakers.get(device.name),
      retry: { attempts: 1 },
      ...(signal ? { signal } : {}),
    });
    if (!result.ok) throw jobError({ ...result, attempts: attempt });
    return { ...result, attempts: attempt };
  };
  return new Worker<NetconfJob, DeviceSuccess<unknown>>(options.queueName, processor, {
    ...options.worker,
    connection: options.connection,
    concurrency: options.concurrency ?? 10,
  });
}

function jobError(result: DeviceFailure): Error {
  const message = JSON.stringify(result);
  return result.error_retryable && result.error_code !== 'COMMIT_OUTCOME_UNKNOWN' ? new Error(message) : new UnrecoverableError(message);
}

/**
 * The failure a failed job carries in `failedReason`. A reason BullMQ wrote itself (a job that
 * stalled too often, say) becomes UNKNOWN with that text.
 */
export function parseJobFailure(failedReason: string, device = '?'): DeviceFailure {
  try {
    const parsed = JSON.parse(failedReason) as Partial<DeviceFailure>;
    if (parsed && parsed.ok === false && typeof parsed.error_code === 'string' && parsed.errorJson) return parsed as DeviceFailure;
  } catch {
    // not ours
  }
  const error: NetconfError = toNetconfError(new Error(failedReason || 'The job failed'));
  return failureResult(error, { device, warnings: [], attempts: 0, durationMs: 0 });
}

/** A finished job's result (completed or failed); null while it is not finished. */
export function netconfJobResult<T = unknown>(job: Job<NetconfJob>): NetconfJobResult<T> | null {
  if (job.finishedOn === undefined) return null;
  // a job that failed a try and then completed keeps that try's failedReason
  if (job.returnvalue !== null && job.returnvalue !== undefined) return job.returnvalue as unknown as DeviceSuccess<T>;
  return parseJobFailure(job.failedReason, job.data.device?.name);
}

/** Waits for a job to finish and resolves with its result, failed or not. */
export async function waitForNetconfJob<T = unknown>(job: Job<NetconfJob>, queueEvents: QueueEvents, ttlMs?: number): Promise<NetconfJobResult<T>> {
  try {
    return (await job.waitUntilFinished(queueEvents, ttlMs)) as DeviceSuccess<T>;
  } catch (err) {
    return parseJobFailure((err as Error).message, job.data.device?.name);
  }
}
