import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { ClientError, ConnectionError, NetconfError, getConfig } from '../../src/index.js';
import { CircuitBreakers, DeviceBreaker, runOnDevice } from '../../src/fleet/index.js';
import { ACCESS_DENIED_REPLY, entry, forward, freePort } from './support.js';

const refused = () => new ConnectionError('CONNECTION_REFUSED', 'nothing listens');
const denied = () => new NetconfError('ACCESS_DENIED', 'read access denied');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DeviceBreaker', () => {
  it('opens after N transport failures in a row, fails fast with CIRCUIT_OPEN, half-opens after the pause', async () => {
    const breaker = new DeviceBreaker('r1', { threshold: 3, halfOpenAfterMs: 150 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw refused();
    };
    for (let i = 0; i < 3; i++) await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(breaker.state).toBe('open');

    const err = (await breaker.execute(failing).catch((e: unknown) => e)) as ClientError;
    expect(calls).toBe(3); // failed fast: not called
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true, category: 'client' });
    expect(err.message).toContain('r1');
    expect(err.toJSON().cause).toMatchObject({ code: 'CONNECTION_REFUSED' });

    await sleep(200);
    // a failed probe opens it again
    await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(calls).toBe(4);
    await expect(breaker.execute(failing)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    await sleep(200);
    // a probe that succeeds closes it
    await expect(breaker.execute(async () => 'back')).resolves.toBe('back');
    expect(breaker.state).toBe('closed');
  });

  it('device errors never open it, and break a run of transport failures', async () => {
    const breaker = new DeviceBreaker('r2', { threshold: 3, halfOpenAfterMs: 10_000 });
    for (let i = 0; i < 10; i++) await expect(breaker.execute(async () => Promise.reject(denied()))).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(breaker.state).toBe('closed');
    for (const fail of [refused, refused, denied, refused, refused]) {
      await expect(breaker.execute(async () => Promise.reject(fail()))).rejects.toBeInstanceOf(NetconfError);
    }
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(async () => Promise.reject(refused()))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(breaker.state).toBe('open');
  });

  it('CircuitBreakers keeps one breaker per device', () => {
    const breakers = new CircuitBreakers({ threshold: 2 });
    expect(breakers.get('a')).toBe(breakers.get('a'));
    expect(breakers.get('a')).not.toBe(breakers.get('b'));
  });
});

describe('the breaker in front of real devices', () => {
  let device: FakeDevice;
  let denying: FakeDevice;
  beforeAll(async () => {
    device = await FakeDevice.start();
    denying = await FakeDevice.start({ rules: [{ match: 'get-config', reply: ACCESS_DENIED_REPLY }] });
  });
  afterAll(async () => {
    await device.close();
    await denying.close();
  });

  it('a refused port opens it; once the device is back a half-open probe closes it', async () => {
    const port = await freePort();
    const breakers = new CircuitBreakers({ threshold: 2, halfOpenAfterMs: 300 });
    const r1 = entry('r1', device, { port });
    const op = async (session: Parameters<Parameters<typeof runOnDevice>[1]>[0]) => (await getConfig(session, 'running')).data;
    const once = () => runOnDevice(r1, op, { breaker: breakers.get('r1'), retry: { attempts: 1 } });

    expect(await once()).toMatchObject({ ok: false, error_code: 'CONNECTION_REFUSED' });
    expect(await once()).toMatchObject({ ok: false, error_code: 'CONNECTION_REFUSED' });
    const t0 = performance.now();
    expect(await once()).toMatchObject({ ok: false, error_code: 'CIRCUIT_OPEN', error_retryable: true });
    expect(performance.now() - t0).toBeLessThan(100);

    const forwarder = await forward(port, device.port);
    try {
      expect(await once()).toMatchObject({ ok: false, error_code: 'CIRCUIT_OPEN' }); // still open
      await sleep(350);
      expect(await once()).toMatchObject({ ok: true });
      expect(breakers.get('r1').state).toBe('closed');
    } finally {
      await forwarder.close();
    }
  });

  it('a device that answers with errors keeps its breaker closed', async () => {
    const breaker = new DeviceBreaker('denying', { threshold: 2, halfOpenAfterMs: 10_000 });
    for (let i = 0; i < 4; i++) {
      const r = await runOnDevice(entry('denying', denying), (s) => getConfig(s, 'running'), { breaker, retry: { attempts: 1 } });
      expect(r).toMatchObject({ ok: false, error_code: 'ACCESS_DENIED' });
    }
    expect(breaker.state).toBe('closed');
  });
});
