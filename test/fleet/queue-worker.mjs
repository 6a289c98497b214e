// A NETCONF queue worker in its own process, as users run one: plain JavaScript on the
// built package (`npm test` builds dist/ first), through its public entry points.
// Settings: REDIS_PORT, QUEUE, WORKER_ID, BREAKER_THRESHOLD (default 5). Prints one JSON line per event on stdout.
import { createNetconfWorker } from 'netconfkit/bullmq';
import { commitFlow, getConfig } from 'netconfkit';

const { REDIS_PORT, QUEUE, WORKER_ID, BREAKER_THRESHOLD } = process.env;
const say = (event) => process.stdout.write(`${JSON.stringify({ worker: WORKER_ID, pid: process.pid, ...event })}\n`);

const worker = createNetconfWorker({
  connection: { host: '127.0.0.1', port: Number(REDIS_PORT) },
  queueName: QUEUE,
  // job data carries no password unless a test wants a wrong one
  credentials: (device) => (device.password ? {} : { password: 'netconf' }),
  operations: {
    'get-config': async (session, _params, { signal }) => ({ data: (await getConfig(session, 'running', { signal })).data, worker: WORKER_ID }),
    commit: async (session, params, { commitId, fencingToken, onStep }) => {
      const r = await commitFlow(session, { config: params.config, format: params.format, commitId, onStep });
      return { committed: r.committed, worker: WORKER_ID, commitId: r.commitId, fencingToken };
    },
  },
  writeOperations: ['commit'],
  concurrency: 4,
  timeoutMs: 20_000,
  breakers: { threshold: Number(BREAKER_THRESHOLD || 5), halfOpenAfterMs: 60_000 },
  // a short device lock, so that a killed worker's device is free again soon
  deviceLock: { ttlMs: 3_000 },
  // short locks so that a killed worker's job is found stalled and taken over quickly
  worker: { lockDuration: 2_000, stalledInterval: 1_000 },
});

worker.on('active', (job) => say({ event: 'active', id: job.id }));
worker.on('completed', (job) => say({ event: 'completed', id: job.id }));
worker.on('failed', (job, err) => say({ event: 'failed', id: job?.id, message: err.message.slice(0, 200) }));
worker.on('error', (err) => say({ event: 'error', message: String(err?.message ?? err) }));

await worker.waitUntilReady();
say({ event: 'ready' });

process.on('SIGTERM', () => {
  worker.close().then(() => process.exit(0), () => process.exit(1));
});
