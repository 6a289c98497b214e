import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { FakeDevice, type FakeRequest, type JunosDevice, startJunosDevice } from '../../src/device/index.js';
import { AuthenticationError, ClientError, CommitOutcomeUnknownError, ConnectionError, NetconfError, RpcError } from '../../src/index.js';
import { type NetconfJob, enqueueNetconfJob, netconfJobResult, waitForNetconfJob } from '../../src/fleet/bullmq.js';
import type { DeviceResult } from '../../src/fleet/index.js';
import { entry, freePort } from './support.js';
import './setup-redis.js';

const WORKER = fileURLToPath(new URL('./queue-worker.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const connection = { host: '127.0.0.1', port: inject('redisPort') };
const QUEUE = `nk-test-${process.pid}-${Date.now()}`;

interface WorkerEvent { worker: string; pid: number; event: string; id?: string; message?: string }

class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly child: ChildProcess;
  exited = false;
  readonly queue: string;
  constructor(readonly id: string, env: Record<string, string> = {}) {
    this.queue = env.QUEUE ?? QUEUE;
    this.child = spawn(process.execPath, [WORKER], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', REDIS_PORT: String(connection.port), QUEUE, WORKER_ID: id, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child.on('exit', () => (this.exited = true));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as WorkerEvent);
      } catch {
        process.stderr.write(`[${id}] ${line}\n`);
      }
    });
  }
  saw(event: string, id?: string): boolean {
    return this.events.some((e) => e.event === event && (id === undefined || e.id === id));
  }
  count(event: string): number {
    return this.events.filter((e) => e.event === event).length;
  }
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

const good: FakeDevice[] = [];
let flaky: FakeDevice;
let slow: FakeDevice;
const junos: JunosDevice[] = []; // one per commit job: two on one device would race for its lock (LOCK_DENIED, retried)
let refusedPort: number;
let queue: Queue;
let queueEvents: QueueEvents;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  for (let i = 0; i < 4; i++) good.push(await FakeDevice.start({ rules: [{ match: 'get-config', reply: `<data><host xmlns="urn:test">g${i}</host></data>` }] }));
  flaky = await FakeDevice.start({ rules: [{ match: 'get-config', times: 1, reply: { dropAfterBytes: 20 } }, { match: 'get-config', reply: '<data><host xmlns="urn:test">flaky</host></data>' }] });
  slow = await FakeDevice.start({ rules: [{ match: 'get-config', times: 1, reply: { delayMs: 60_000 } }, { match: 'get-config', reply: '<data><host xmlns="urn:test">slow</host></data>' }] });
  for (let i = 0; i < 2; i++) junos.push(await startJunosDevice({ commit: { errors: [{ message: 'Missing mandatory statement', path: 'system', statement: 'root-authentication' }] } }));
  refusedPort = await freePort();
  queue = new Queue(QUEUE, { connection });
  queueEvents = new QueueEvents(QUEUE, { connection });
  await queueEvents.waitUntilReady();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await queueEvents?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await Promise.all([...good, flaky, slow, ...junos].filter(Boolean).map((d) => d.close()));
});

const isCommit = (r: { operation: string; xml: string }) => r.operation === 'commit-configuration' && !r.xml.includes('<check');

/** Job data without the password: the worker's `credentials` adds it. */
const target = (name: string, d: { host: string; port: number; hostKeyFingerprint: string }, extra: Partial<NetconfJob['device']> = {}) => {
  const { password: _drop, ...device } = entry(name, d as FakeDevice, extra);
  return extra.password ? { ...device, password: extra.password } : device;
};

describe('NETCONF jobs over BullMQ, two worker processes', () => {
  it('every job finishes exactly once, results and errors arrive intact, a worker killed mid-job loses nothing', async () => {
    const completed = new Map<string, number>();
    const failed = new Map<string, number>();
    queueEvents.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
    queueEvents.on('failed', ({ jobId }) => failed.set(jobId, (failed.get(jobId) ?? 0) + 1));

    workers.push(new WorkerProcess('A'), new WorkerProcess('B'));
    await expect.poll(() => workers.every((w) => w.saw('ready')), { timeout: 20_000, message: 'both workers to be ready' }).toBe(true);

    const quick = { backoff: { type: 'fixed', delay: 100 } };
    const slowJob = await enqueueNetconfJob(queue, { device: target('slow', slow), operation: 'get-config' }, quick);
    const jobs: { job: Job<NetconfJob>; kind: string; device: string }[] = [{ job: slowJob, kind: 'slow', device: 'slow' }];
    const add = async (kind: string, job: NetconfJob, options: object = quick) => jobs.push({ job: await enqueueNetconfJob(queue, job, options), kind, device: job.device.name });
    for (let i = 0; i < 24; i++) await add('ok', { device: target(`g${i % 4}`, good[i % 4]!), operation: 'get-config' });

    // kill the worker running the slow job, once it has finished some others
    await expect.poll(() => workers.some((w) => w.saw('active', slowJob.id)), { timeout: 20_000, message: 'the slow job to start' }).toBe(true);
    const victim = workers.find((w) => w.saw('active', slowJob.id))!;
    const survivor = workers.find((w) => w !== victim)!;
    await expect.poll(() => victim.count('completed'), { timeout: 20_000, message: 'the victim to complete jobs' }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => slow.requests.some((r) => r.operation === 'get-config'), { timeout: 20_000, message: 'the slow request to reach the device' }).toBe(true);
    const t0 = performance.now();
    victim.child.kill('SIGKILL');
    await expect.poll(() => victim.exited, { timeout: 5_000, message: 'the victim to die' }).toBe(true);

    // the failures, after the kill: their tries are counted exactly (none cut off by it)
    await add('flaky', { device: target('flaky', flaky), operation: 'get-config' });
    for (let i = 0; i < 2; i++) await add('auth', { device: target(`locked-${i}`, good[0]!, { password: 'wrong' }), operation: 'get-config' });
    for (let i = 0; i < 2; i++) await add('rejected', { device: target(`junos-${i}`, junos[i]!), operation: 'commit', params: { config: 'set system host-name q1', format: 'set' } });
    for (let i = 0; i < 2; i++) await add('refused', { device: { name: `gone-${i}`, host: '127.0.0.1', port: refusedPort, username: 'netconf', hostKey: 'SHA256:x' }, operation: 'get-config' }, { attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    await add('unknown-op', { device: target('g0', good[0]!), operation: 'reboot' });
    const total = jobs.length;

    await expect.poll(async () => (await slowJob.isCompleted()), { timeout: 30_000, message: 'the slow job to be taken over' }).toBe(true);
    const takeoverMs = performance.now() - t0;
    await expect.poll(async () => {
      const counts = await queue.getJobCounts('completed', 'failed');
      return (counts.completed ?? 0) + (counts.failed ?? 0) === total;
    }, { timeout: 60_000, message: 'every job to finish' }).toBe(true);
    await expect.poll(() => completed.size + failed.size === total, { timeout: 5_000, message: 'every event' }).toBe(true);
    process.stderr.write(`[queue] ${total} jobs; A completed ${workers[0]!.count('completed')}, B ${workers[1]!.count('completed')}; the killed worker's job completed ${(takeoverMs / 1000).toFixed(1)} s after the kill\n`);

    // exactly once: one terminal event per job (Redis says so atomically with the state change),
    // and no job reported completed by both workers. (The victim may have completed a job in
    // Redis and died before printing it, so a line may be missing, never doubled.)
    for (const { job } of jobs) {
      expect((completed.get(job.id!) ?? 0) + (failed.get(job.id!) ?? 0)).toBe(1);
      const lines = workers.flatMap((w) => w.events).filter((e) => e.event === 'completed' && e.id === job.id);
      expect(lines.length).toBeLessThanOrEqual(completed.has(job.id!) ? 1 : 0);
    }
    expect(workers[0]!.count('completed')).toBeGreaterThan(0);
    expect(workers[1]!.count('completed')).toBeGreaterThan(0);

    const final = async (job: Job<NetconfJob>) => (await queue.getJob(job.id!))!;
    let cutOffOk = 0;
    for (const { job, kind, device } of jobs) {
      const stored = await final(job);
      const result = netconfJobResult<{ data: string; worker: string }>(stored)!;
      expect(result.device).toBe(device);
      switch (kind) {
        case 'ok':
        case 'flaky':
        case 'slow':
          expect(await stored.getState()).toBe('completed');
          expect(result).toMatchObject({ ok: true, error: null, error_code: null, error_retryable: null, errorJson: null });
          // a try the kill cut off counts: the slow job's, and those of the jobs the victim had
          // taken besides (at most its concurrency, 4, less the slow one)
          if (kind === 'ok') {
            expect(result.attempts).toBeLessThanOrEqual(2);
            if (result.attempts === 2) cutOffOk++;
          } else {
            expect(result.attempts).toBe(2);
          }
          expect(result.ok && !result.recovered && result.value.data).toContain(`>${kind === 'ok' ? device : kind}</host>`);
          break;
        case 'auth':
          expect(stored.attemptsMade).toBe(1);
          expect(result).toMatchObject({ ok: false, error_code: 'AUTH_FAILED', error_retryable: false });
          expect(NetconfError.fromJSON(result.errorJson)).toBeInstanceOf(AuthenticationError);
          break;
        case 'rejected': {
          expect(stored.attemptsMade).toBe(1);
          expect(result).toMatchObject({ ok: false, error_code: 'CONFIG_REJECTED', error_retryable: false, error: expect.stringContaining('Missing mandatory statement') });
          const revived = NetconfError.fromJSON(result.errorJson);
          expect(revived).toBeInstanceOf(RpcError);
          expect((revived as RpcError).items[0]).toMatchObject({ code: 'CONFIG_REJECTED', statement: 'root-authentication', deviceMessage: 'Missing mandatory statement' });
          break;
        }
        case 'refused':
          expect(stored.attemptsMade).toBe(2);
          expect(result).toMatchObject({ ok: false, error_code: 'CONNECTION_REFUSED', error_retryable: true, attempts: 2 });
          expect(NetconfError.fromJSON(result.errorJson)).toBeInstanceOf(ConnectionError);
          break;
        case 'unknown-op':
          expect(stored.attemptsMade).toBe(1);
          expect(result).toMatchObject({ ok: false, error_code: 'INVALID_ARGUMENT' });
          expect(NetconfError.fromJSON(result.errorJson)).toBeInstanceOf(ClientError);
          break;
        default:
          throw new Error(kind);
      }
    }
    expect(cutOffOk).toBeLessThanOrEqual(3);

    // the killed worker's job: run again by the survivor, completed once, its cut-off try counted
    const slowResult = netconfJobResult<{ worker: string }>(await final(slowJob)) as DeviceResult<{ worker: string }>;
    expect(slowResult.ok && slowResult.value.worker).toBe(survivor.id);
    expect(slow.requests.filter((r) => r.operation === 'get-config')).toHaveLength(2);

    // a producer waiting on one job gets the same shape, failed or not
    const waited = await waitForNetconfJob(
      await enqueueNetconfJob(queue, { device: target('locked-w', good[1]!, { password: 'wrong' }), operation: 'get-config' }),
      queueEvents,
      20_000,
    );
    expect(waited).toMatchObject({ ok: false, device: 'locked-w', error_code: 'AUTH_FAILED', error_retryable: false });
  }, 120_000);

  it('five write jobs for one device enqueued at once run one after another, across the workers', async () => {
    const live = workers.filter((w) => !w.exited && w.queue === QUEUE);
    for (const id of ['P', 'Q'].slice(0, Math.max(0, 2 - live.length))) workers.push(new WorkerProcess(id));
    await expect.poll(() => workers.every((w) => w.exited || w.saw('ready')), { timeout: 20_000, message: 'two workers to be ready' }).toBe(true);
    // on the device side: when each request of each session arrived
    const seen: { session: number; operation: string; at: number }[] = [];
    const record = (r: FakeRequest) => {
      seen.push({ session: r.sessionId, operation: r.operation, at: performance.now() });
      return false;
    };
    const device = await startJunosDevice({}, { rules: [{ match: record, reply: '' }] });
    try {
      const jobs = await queue.addBulk(
        Array.from({ length: 5 }, (_, i) => ({ name: 'commit', data: { device: target('serial', device), operation: 'commit', params: { config: `set system host-name s${i}`, format: 'set' } }, opts: { attempts: 3 } })),
      );
      await expect.poll(async () => (await Promise.all(jobs.map((j) => j.isCompleted()))).every(Boolean), { timeout: 60_000, message: 'the five jobs to complete' }).toBe(true);
      const sessions = new Map<number, { start: number; end: number }>();
      for (const { session, at } of seen) {
        const span = sessions.get(session);
        if (span) span.end = at;
        else sessions.set(session, { start: at, end: at });
      }
      const spans = [...sessions.values()].sort((x, y) => x.start - y.start);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThan(spans[i - 1]!.end);
      expect(spans).toHaveLength(5);
      const results = await Promise.all(jobs.map(async (j) => netconfJobResult<{ worker: string; fencingToken: number }>((await queue.getJob(j.id!))!)!));
      for (const r of results) expect(r).toMatchObject({ ok: true, attempts: 1, recovered: false, commitId: expect.any(String) });
      const tokens = results.map((r) => (r.ok && !r.recovered ? r.value.fencingToken : 0));
      expect(new Set(tokens).size).toBe(5);
      expect(device.requests.filter(isCommit)).toHaveLength(5);
      const ran = new Set(results.map((r) => (r.ok && !r.recovered ? r.value.worker : '')));
      process.stderr.write(`[queue] five commits on one device by workers ${[...ran].join(', ')}, tokens ${tokens.join(', ')}\n`);
    } finally {
      await device.close();
    }
  }, 90_000);

  it("a breaker opened by one worker's failures is open on another worker", async () => {
    // a device that takes each connection and drops it at once: a transport failure, counted
    let connections = 0;
    const dropping = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const port = (dropping.address() as AddressInfo).port;
    // two workers, each on a queue of its own, so the test says which one runs a job
    const queues = [`${QUEUE}-d`, `${QUEUE}-e`];
    const [d, e] = [new WorkerProcess('D', { QUEUE: queues[0]!, BREAKER_THRESHOLD: '2' }), new WorkerProcess('E', { QUEUE: queues[1]!, BREAKER_THRESHOLD: '2' })];
    workers.push(d, e);
    const [qd, qe] = queues.map((name) => new Queue(name, { connection }));
    try {
      await expect.poll(() => d.saw('ready') && e.saw('ready'), { timeout: 20_000, message: 'workers D and E to be ready' }).toBe(true);
      const down = { name: `down-${process.pid}`, host: '127.0.0.1', port, username: 'netconf', hostKey: 'SHA256:x' };
      const finished = async (q: Queue, job: Job<NetconfJob>) => {
        await expect.poll(async () => (await job.isFailed()) || (await job.isCompleted()), { timeout: 20_000, message: `job ${job.id}` }).toBe(true);
        return netconfJobResult((await q.getJob(job.id!))!)!;
      };
      for (let i = 0; i < 2; i++) {
        const r = await finished(qd!, await enqueueNetconfJob(qd!, { device: down, operation: 'get-config' }, { attempts: 1 }));
        expect(r).toMatchObject({ ok: false, error_code: expect.not.stringMatching(/^CIRCUIT_OPEN$/) });
        expect(r.ok || r.errorJson.category).toBe('transport');
      }
      expect(connections).toBe(2);
      const onE = await finished(qe!, await enqueueNetconfJob(qe!, { device: down, operation: 'get-config' }, { attempts: 1 }));
      expect(onE).toMatchObject({ ok: false, error_code: 'CIRCUIT_OPEN', error_retryable: true });
      await expect.poll(() => e.saw('failed'), { timeout: 5_000, message: 'worker E to report the failure' }).toBe(true);
      expect(connections).toBe(2);
    } finally {
      await Promise.all([d.stop(), e.stop()]);
      await Promise.all([qd, qe].map(async (q) => {
        await q!.obliterate({ force: true }).catch(() => undefined);
        await q!.close();
      }));
      await new Promise((r) => dropping.close(r));
    }
  }, 60_000);
});

describe('a commit cut off in flight, resolved through the device before any retry', () => {
  const quick = { attempts: 3, backoff: { type: 'fixed', delay: 100 } };
  const devices: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
  });
  let spawned = 0;
  /** Two live workers at least, so that one can be killed and another takes over. */
  const twoWorkers = async () => {
    while (workers.filter((w) => !w.exited && w.queue === QUEUE).length < 2) workers.push(new WorkerProcess(`K${++spawned}`));
    await expect.poll(() => workers.every((w) => w.exited || w.saw('ready')), { timeout: 20_000, message: 'two workers to be ready' }).toBe(true);
  };
  /** The commits a client made on the device (not confirmations, not the device's own rollbacks). */
  const made = (d: FakeDevice | JunosDevice) => d.commitLog.filter((c) => c.confirms === null && c.sessionId !== null);
  const isRfcCommit = (r: FakeRequest) => r.operation === 'commit' && !r.xml.includes('persist-id');
  const junosChange = { config: 'set system host-name cut', format: 'set' };
  const rfcChange = { config: '<top xmlns="urn:test"><name>cut</name></top>' };

  /** Runs one commit job on `device`; with `held`, kills the worker once the device holds the commit. */
  async function commitJob(name: string, device: FakeDevice | JunosDevice, params: object, held?: (r: FakeRequest) => boolean) {
    devices.push(device);
    await twoWorkers();
    const job = await enqueueNetconfJob(queue, { device: target(name, device), operation: 'commit', params }, quick);
    if (held) {
      await expect.poll(() => device.requests.some(held), { timeout: 20_000, message: 'the commit to reach the device' }).toBe(true);
      const runner = workers.find((w) => !w.exited && w.saw('active', job.id))!;
      runner.child.kill('SIGKILL');
      await expect.poll(() => runner.exited, { timeout: 5_000, message: 'the worker to die' }).toBe(true);
    }
    await expect.poll(async () => (await job.isCompleted()) || (await job.isFailed()), { timeout: 40_000, message: `job ${name} to finish` }).toBe(true);
    const stored = (await queue.getJob(job.id!))!;
    return { stored, result: netconfJobResult<{ committed: boolean; commitId: string }>(stored)! };
  }

  it('Junos, worker killed while the applied commit awaits its reply: the job completes recovered, one commit on the device', async () => {
    const device = await startJunosDevice({}, { rules: [{ match: isCommit, times: 1, reply: { delayMs: 60_000 } }] });
    const { stored, result } = await commitJob('junos-applied', device, junosChange, isCommit);
    expect(result).toMatchObject({ ok: true, recovered: true, attempts: 2, commitId: stored.data.commitId, value: { outcome: 'committed', commitId: stored.data.commitId } });
    expect(made(device)).toHaveLength(1);
    expect(made(device)[0]!.comment).toContain(stored.data.commitId);
    expect(device.requests.filter(isCommit)).toHaveLength(1);
  }, 60_000);

  it('Junos, worker killed while the commit is held before it applies: not committed, so it runs again, once', async () => {
    const device = await startJunosDevice({}, { rules: [{ match: isCommit, times: 1, reply: { reply: '<ok/>', delayMs: 60_000 } }] });
    const { stored, result } = await commitJob('junos-held', device, junosChange, isCommit);
    expect(result).toMatchObject({ ok: true, recovered: false, attempts: 2, commitId: stored.data.commitId, value: { committed: true, commitId: stored.data.commitId } });
    expect(made(device)).toHaveLength(1);
    expect(device.requests.filter(isCommit)).toHaveLength(2);
  }, 60_000);

  it('RFC (:confirmed-commit:1.1), worker killed while the applied commit awaits its reply: confirmed by its id, recovered', async () => {
    const device = await FakeDevice.start({ rules: [{ match: isRfcCommit, times: 1, reply: { delayMs: 60_000 } }] });
    const { stored, result } = await commitJob('rfc-applied', device, rfcChange, isRfcCommit);
    expect(result).toMatchObject({ ok: true, recovered: true, attempts: 2, value: { outcome: 'committed', commitId: stored.data.commitId } });
    expect(made(device)).toEqual([expect.objectContaining({ status: 'committed', confirmed: expect.objectContaining({ persist: stored.data.commitId }) })]);
  }, 60_000);

  it('connection dropped by the device after applying the commit (the worker lives): the next try finds it, recovered', async () => {
    const device = await startJunosDevice({}, { commitFault: 'drop-after-apply' });
    const { stored, result } = await commitJob('junos-drop-after', device, junosChange);
    expect(result).toMatchObject({ ok: true, recovered: true, attempts: 2, value: { outcome: 'committed', commitId: stored.data.commitId } });
    expect(made(device)).toHaveLength(1);
  }, 60_000);

  it('connection dropped as the commit arrives, before it applies: the next try finds nothing and commits, once', async () => {
    const device = await startJunosDevice({}, { commitFault: 'drop-before-apply' });
    const { result } = await commitJob('junos-drop-before', device, junosChange);
    expect(result).toMatchObject({ ok: true, recovered: false, attempts: 2, value: { committed: true } });
    expect(made(device)).toHaveLength(1);
  }, 60_000);

  it('a device that cannot tell (no :confirmed-commit:1.1): the job fails COMMIT_OUTCOME_UNKNOWN, never committing again', async () => {
    const device = await FakeDevice.start({
      capabilities: ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:base:1.1', 'urn:ietf:params:netconf:capability:candidate:1.0'],
      rules: [{ match: isRfcCommit, times: 1, reply: { delayMs: 60_000 } }],
    });
    const { stored, result } = await commitJob('rfc-cannot-tell', device, rfcChange, isRfcCommit);
    expect(result).toMatchObject({ ok: false, error_code: 'COMMIT_OUTCOME_UNKNOWN', error_retryable: false, attempts: 2, recovered: false, commitId: stored.data.commitId });
    expect(!result.ok && NetconfError.fromJSON(result.errorJson)).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(device.requests.filter(isRfcCommit)).toHaveLength(1);
  }, 60_000);
});
