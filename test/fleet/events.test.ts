import { afterAll, describe, expect, it, vi } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import net from 'node:net';
import { FakeDevice } from '../../src/device/index.js';
import { CircuitBreakers } from '../../src/fleet/breaker.js';
import { type FleetEvent, deviceEvents } from '../../src/fleet/events.js';
import { fanOut } from '../../src/fleet/fan-out.js';
import type { FleetDevice } from '../../src/fleet/run-device.js';

// Counts how often a device's events are set up, to see that nothing is built for no listener.
vi.mock('../../src/fleet/events.js', async (importOriginal) => {
  const events = await importOriginal<typeof import('../../src/fleet/events.js')>();
  return { ...events, deviceEvents: vi.fn(events.deviceEvents) };
});

const devices: FakeDevice[] = [];
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fanOut onEvent: per-device progress as data', () => {
  it('started, retrying (code and delay), breaker open, done; one JSON line each', async () => {
    const d = await FakeDevice.start();
    devices.push(d);
    const fleet: FleetDevice[] = [
      { name: 'up', host: d.host, port: d.port, username: 'netconf', password: 'netconf', hostKey: d.hostKeyFingerprint },
      { name: 'down', host: '127.0.0.1', port: await closedPort(), username: 'netconf', password: 'netconf', hostKey: d.hostKeyFingerprint },
    ];
    const events: FleetEvent<string | null>[] = [];
    const results = await fanOut(fleet, async (session) => (await session.rpc('<get-config><source><running/></source></get-config>')).xml, {
      concurrency: 1,
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      breakers: new CircuitBreakers({ threshold: 2, halfOpenAfterMs: 60_000 }),
      onEvent: (e) => events.push(e),
    });
    expect(results.map((r) => r.error_code)).toEqual([null, 'CIRCUIT_OPEN']);

    const of = (device: string) => events.filter((e) => e.device === device);
    expect(of('up').map((e) => e.type)).toEqual(['started', 'done']);
    expect(of('up')[0]).toMatchObject({ type: 'started', index: 0 });
    expect(of('up')[1]).toMatchObject({ type: 'done', ok: true, code: null, attempts: 1, progress: { done: 1, total: 2, ok: 1, failed: 0 } });

    expect(of('down').map((e) => e.type)).toEqual(['started', 'retrying', 'retrying', 'breaker-open', 'done']);
    const [, r1, r2, open, done] = of('down');
    expect(r1).toMatchObject({ attempt: 1, code: 'CONNECTION_REFUSED' });
    expect(r2).toMatchObject({ attempt: 2, code: 'CONNECTION_REFUSED' });
    for (const r of [r1, r2]) expect((r as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(0);
    expect(open).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(done).toMatchObject({ ok: false, code: 'CIRCUIT_OPEN', attempts: 3, progress: { done: 2, total: 2, ok: 1, failed: 1 } });

    for (const e of events) {
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
      const line = JSON.stringify(e);
      expect(JSON.parse(line)).toMatchObject({ type: e.type, device: e.device });
      expect(line).not.toContain('"password"');
    }
  });

  it('a listener that throws changes nothing; without one no event is built', async () => {
    const d = await FakeDevice.start();
    devices.push(d);
    const fleet: FleetDevice[] = [{ name: 'up', host: d.host, port: d.port, username: 'netconf', password: 'netconf', hostKey: d.hostKeyFingerprint }];
    const seen: string[] = [];
    const reported: string[] = [];
    const onReport = (m: unknown) => reported.push(`${(m as { source: string }).source}: ${((m as { error: Error }).error).message}`);
    vi.mocked(deviceEvents).mockClear();
    subscribe('netconfkit:callbackError', onReport);
    const results = await fanOut(fleet, async () => 'ok', { onEvent: (e) => { seen.push(e.type); throw new Error('dashboard down'); } }).finally(() => unsubscribe('netconfkit:callbackError', onReport));
    expect(results[0]).toMatchObject({ ok: true, value: 'ok' });
    // Every event still came, though the listener threw at each; each throw was reported.
    expect(seen).toEqual(['started', 'done']);
    expect(reported).toEqual(['onEvent: dashboard down', 'onEvent: dashboard down']);
    expect(deviceEvents).toHaveBeenCalledTimes(1);

    vi.mocked(deviceEvents).mockClear();
    const quiet = await fanOut(fleet, async () => 'ok');
    expect(quiet[0]).toMatchObject({ ok: true, value: 'ok' });
    expect(deviceEvents).not.toHaveBeenCalled();
  });
});
