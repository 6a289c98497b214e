import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { NetconfError, RpcError, getConfig } from '../../src/index.js';
import { type DeviceResult, type FanOutProgress, type FleetDevice, fanOut } from '../../src/fleet/index.js';
import { ACCESS_DENIED_REPLY, entry, freePort } from './support.js';

// 200 entries, each its own identity (name) and, but for the refused ones, its own fake
// device: a real SSH server on 127.0.0.1. Some fail, each in its own way.
type Kind = 'ok' | 'flaky' | 'refused' | 'auth' | 'device' | 'timeout';
const MIX: [Kind, number][] = [['ok', 150], ['flaky', 10], ['refused', 10], ['auth', 10], ['device', 10], ['timeout', 10]];

const servers: FakeDevice[] = [];
const fleet: FleetDevice[] = [];
const kindOf = new Map<string, Kind>();
let startMs = 0;

function optionsFor(kind: Kind, name: string): FakeDeviceOptions {
  const data = { match: 'get-config', reply: `<data><name xmlns="urn:test">${name}</name></data>` };
  switch (kind) {
    case 'flaky': // the first get-config is cut off by a dropped connection, then it answers
      return { rules: [{ match: 'get-config', times: 1, reply: { dropAfterBytes: 20 } }, data] };
    case 'device':
      return { rules: [{ match: 'get-config', reply: ACCESS_DENIED_REPLY }] };
    case 'timeout':
      return { rules: [{ match: 'get-config', reply: { stall: true } }] };
    default:
      return { rules: [data] };
  }
}

beforeAll(async () => {
  const t0 = performance.now();
  let n = 0;
  const pending: Promise<void>[] = [];
  for (const [kind, count] of MIX) {
    for (let i = 0; i < count; i++) {
      const name = `r${String(++n).padStart(3, '0')}-${kind}`;
      kindOf.set(name, kind);
      const index = fleet.length;
      fleet.push({ name, host: '127.0.0.1', username: 'netconf' }); // filled in below
      pending.push((async () => {
        if (kind === 'refused') {
          fleet[index] = { name, host: '127.0.0.1', port: await freePort(), username: 'netconf', password: 'netconf', hostKey: 'SHA256:unused' };
          return;
        }
        const device = await FakeDevice.start(optionsFor(kind, name));
        servers.push(device);
        fleet[index] = entry(name, device, kind === 'auth' ? { password: 'wrong' } : {});
      })());
    }
  }
  await Promise.all(pending);
  startMs = performance.now() - t0;
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((d) => d.close()));
});

describe('fanOut over 200 devices', () => {
  it('gives one result per device, in order, with each failure its own code; the rest go on', async () => {
    let active = 0;
    let maxActive = 0;
    const progress: FanOutProgress<string>[] = [];
    const t0 = performance.now();
    const results = await fanOut(
      fleet,
      async (session, device, { signal }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          const reply = await getConfig(session, 'running', { signal });
          expect(reply.data).toContain(device.name);
          return device.name;
        } finally {
          active--;
        }
      },
      { concurrency: 20, timeoutMs: 5_000, retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 200 }, onProgress: (p) => progress.push(p) },
    );
    const runMs = performance.now() - t0;
    process.stderr.write(`[fleet] 200 fake devices: started in ${(startMs / 1000).toFixed(1)} s, fan-out (concurrency 20) took ${(runMs / 1000).toFixed(1)} s\n`);

    expect(results).toHaveLength(200);
    expect(results.map((r) => r.device)).toEqual(fleet.map((d) => d.name));
    expect(maxActive).toBeLessThanOrEqual(20);
    expect(maxActive).toBeGreaterThan(1);

    const expected: Record<Kind, (r: DeviceResult<string>) => void> = {
      ok: (r) => expect(r).toMatchObject({ ok: true, value: r.device, attempts: 1, error: null, error_code: null, error_retryable: null }),
      flaky: (r) => expect(r).toMatchObject({ ok: true, value: r.device, attempts: 2 }),
      refused: (r) => expect(r).toMatchObject({ ok: false, error_code: 'CONNECTION_REFUSED', error_retryable: true, attempts: 2 }),
      auth: (r) => expect(r).toMatchObject({ ok: false, error_code: 'AUTH_FAILED', error_retryable: false, attempts: 1 }),
      device: (r) => expect(r).toMatchObject({ ok: false, error_code: 'ACCESS_DENIED', error_retryable: false, attempts: 1 }),
      timeout: (r) => expect(r).toMatchObject({ ok: false, error_code: 'RPC_TIMEOUT', error_retryable: true, attempts: 1 }),
    };
    for (const r of results) expected[kindOf.get(r.device)!](r);

    // the seed's shape, and errors that survive JSON
    const failures = results.filter((r) => !r.ok);
    expect(failures).toHaveLength(40);
    for (const f of failures) {
      expect(typeof f.error).toBe('string');
      const revived = NetconfError.fromJSON(JSON.parse(JSON.stringify(f.errorJson)));
      expect(revived.code).toBe(f.error_code);
      expect(revived.message).toBe(f.error);
      if (f.error_code === 'ACCESS_DENIED') expect(revived).toBeInstanceOf(RpcError);
    }

    expect(progress).toHaveLength(200);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ total: 200, ok: 160, failed: 40 });

    // every session was closed, on the device side too
    await expect.poll(() => servers.every((d) => d.sessionCount === 0 && d.connectionCount === 0), { timeout: 10_000, message: 'all connections to close' }).toBe(true);
  }, 120_000);
});

describe('fanOut takes a signal', () => {
  const pick = (kind: Kind, n: number) => fleet.filter((d) => kindOf.get(d.name) === kind).slice(0, n);

  it('aborts the device in progress and never connects to the rest: their results say ABORTED', async () => {
    const devices = [...pick('ok', 1), ...pick('timeout', 1), ...pick('ok', 3).slice(1)];
    const abort = new AbortController();
    const results = await fanOut<string>(devices, async (session, _device, { signal }) => {
      const reply = await getConfig(session, 'running', { signal });
      return reply.data;
    }, {
      concurrency: 1,
      signal: abort.signal,
      // The stalled device is in progress: abort once it has had a moment.
      onProgress: (p) => p.done === 1 && setTimeout(() => abort.abort(), 200),
    });
    expect(results.map((r) => [r.device, r.ok, r.error_code])).toEqual([
      [devices[0]!.name, true, null],
      [devices[1]!.name, false, 'ABORTED'],
      [devices[2]!.name, false, 'ABORTED'],
      [devices[3]!.name, false, 'ABORTED'],
    ]);
    expect(results.slice(2).map((r) => r.attempts)).toEqual([0, 0]);
  });
});
