import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { ACCESS_DENIED_REPLY } from '../fleet/support.js';
import { type TestPki, makeTestPki } from '../support/certificates.js';
import { type RunningCli, runCli, startCli } from '../support/cli.js';

// `netconfkit listen`, the built CLI: fake devices dial in (FakeDevice.callHome over SSH, over
// TLS, and in Junos outbound-ssh mode) and each gets the operation, printed as fleet prints.

let pki: TestPki;
let dir: string;
const devices: FakeDevice[] = [];
const running: RunningCli[] = [];

beforeAll(() => {
  pki = makeTestPki();
  dir = mkdtempSync(path.join(tmpdir(), 'nk-listen-'));
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.kill('SIGKILL');
    await cli.done;
  }
  await Promise.all(devices.splice(0).map((d) => d.close()));
});
afterAll(() => {
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function device(options: Parameters<typeof FakeDevice.start>[0] = {}): Promise<FakeDevice> {
  const d = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><host xmlns="urn:test">r1</host></data>' }], ...options });
  devices.push(d);
  return d;
}

/** Starts `netconfkit listen ARGS` on a free 127.0.0.1 port; resolves once it listens, with that port. */
async function listen(args: string[], env?: Record<string, string>): Promise<{ cli: RunningCli; port: number }> {
  const login = args.includes('--tls-cert') ? [] : ['-u', 'netconf'];
  const cli = startCli(['listen', '--host', '127.0.0.1', '--port', '0', ...login, ...args], env);
  running.push(cli);
  const stderr = await cli.stderrHas('\n');
  const port = Number(/^listening on 127\.0\.0\.1:(\d+) for Call Home over (SSH|TLS)$/m.exec(stderr)?.[1]);
  expect(port).toBeGreaterThan(0);
  return { cli, port };
}

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const json = (stdout: string) => JSON.parse(stdout) as Array<Record<string, unknown> & { device: string; ok: boolean; callHome: Record<string, unknown> | null }>;

describe('netconfkit listen over SSH', () => {
  it('two devices dial in: each gets get-config, one table like fleet, exit 0 after --count 2', async () => {
    const [a, b] = [await device(), await device()];
    const { cli, port } = await listen(['--count', '2', '--host-key', a.hostKeyFingerprint, '--host-key', b.hostKeyFingerprint, 'get-config']);
    await Promise.all([a.callHome({ port }), b.callHome({ port })]);
    const r = await cli.done;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^DEVICE\s+RESULT\s+CODE\s+TRIES\s+TIME\s+MESSAGE$/m);
    for (const d of [a, b]) expect(r.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1 ${d.hostKeyFingerprint.replace(/[+/]/g, '\\$&')}\\s+ok\\s+1\\s`, 'm'));
    expect(r.stdout).toContain('2 devices: 2 ok, 0 failed');
    expect(r.stderr.trim().split('\n').slice(1).map((l) => l.replace(/SHA256:\S+/, 'KEY'))).toEqual(['[1/2] 127.0.0.1 KEY ok', '[2/2] 127.0.0.1 KEY ok']);
    expect([a, b].map((d) => d.requests.map((q) => q.operation))).toEqual([['get-config', 'close-session'], ['get-config', 'close-session']]);
  });

  it('a device with a wrong host key is a typed failure and the listener goes on to the next; every failure a transport one: exit 3', async () => {
    const [trusted, stranger] = [await device(), await device()];
    const { cli, port } = await listen(['--count', '2', '--host-key', trusted.hostKeyFingerprint, 'get-config']);
    await stranger.callHome({ port });
    await cli.stderrHas('[1/2]');
    await trusted.callHome({ port });
    const r = await cli.done;
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^\[1\/2\] 127\.0\.0\.1:\d+ HOST_KEY_MISMATCH: /m);
    expect(r.stdout).toMatch(/^127\.0\.0\.1:\d+\s+failed\s+HOST_KEY_MISMATCH\s+1\s/m);
    expect(r.stdout).toContain('2 devices: 1 ok, 1 failed (1 HOST_KEY_MISMATCH)');
    expect(trusted.requests.map((q) => q.operation)).toEqual(['get-config', 'close-session']);
  });

  it('rpc --json: fleet\'s result objects, each with who dialled in; a device error is exit 1', async () => {
    const good = await device({ rules: [{ match: 'get-software-information', reply: '<software-information><host-name>r1</host-name></software-information>' }] });
    const { cli, port } = await listen(['--count', '1', '--json', '--insecure-accept-any-host-key', 'rpc', '<get-software-information/>']);
    await good.callHome({ port });
    const r = await cli.done;
    expect(r.status, r.stderr).toBe(0);
    const [result, ...more] = json(r.stdout);
    expect(more).toEqual([]);
    expect(result).toMatchObject({
      device: `127.0.0.1 ${good.hostKeyFingerprint}`,
      ok: true,
      error: null,
      error_code: null,
      attempts: 1,
      warnings: [],
      callHome: { transport: 'ssh', address: '127.0.0.1', deviceId: null, hmacVerified: false, hostKeyFingerprint: good.hostKeyFingerprint, certificate: null },
    });
    expect(result!.value).toContain('<host-name>r1</host-name>');

    const denying = await device({ rules: [{ match: 'get-config', reply: ACCESS_DENIED_REPLY }] });
    const second = await listen(['--count', '1', '--json', '--insecure-accept-any-host-key', 'get-config']);
    await denying.callHome({ port: second.port });
    const d = await second.cli.done;
    expect(d.status).toBe(1);
    expect(json(d.stdout)[0]).toMatchObject({ ok: false, error_code: 'ACCESS_DENIED', error_retryable: false, callHome: { transport: 'ssh' } });
  });

  it('--ndjson: one JSON line per device on stdout as soon as it is done, no table', async () => {
    const d = await device();
    const { cli, port } = await listen(['--count', '1', '--ndjson', '--host-key', d.hostKeyFingerprint, 'get-config']);
    await d.callHome({ port });
    const r = await cli.done;
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; value: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.ok).toBe(true);
    expect(lines[0]!.value).toContain('<host xmlns="urn:test">r1</host>');
  });
});

describe('netconfkit listen: when it stops', () => {
  it('SIGTERM without --count: the listener closes, the results so far print, exit by them', async () => {
    const d = await device();
    const { cli, port } = await listen(['--host-key', d.hostKeyFingerprint, 'get-config']);
    await d.callHome({ port });
    await cli.stderrHas('[1] 127.0.0.1 ');
    cli.kill('SIGTERM');
    const r = await cli.done;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 devices: 1 ok, 0 failed');
  });

  it('--timeout bounds each device: one that never answers is torn down as RPC_TIMEOUT (exit 3) and the run ends', async () => {
    const stalled = await device({ rules: [{ match: 'get-config', reply: { stall: true } }] });
    const { cli, port } = await listen(['--count', '1', '--timeout', '0.5', '--host-key', stalled.hostKeyFingerprint, 'get-config']);
    await stalled.callHome({ port });
    const r = await cli.done;
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/\s+failed\s+RPC_TIMEOUT\s+1\s/);
    expect(r.stdout).toContain('1 devices: 0 ok, 1 failed (1 RPC_TIMEOUT)');
  });

  it('--duration with no device dialling in: an empty summary and exit 3, the port freed', async () => {
    const { cli, port } = await listen(['--duration', '0.3', '--insecure-accept-any-host-key', 'get-config']);
    const r = await cli.done;
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('netconfkit: no device dialled in');
    expect(r.stdout).toContain('0 devices: 0 ok, 0 failed');
    const again = await listen(['--port', String(port), '--duration', '0.1', '--insecure-accept-any-host-key', 'get-config']);
    expect(again.port).toBe(port);
    await again.cli.done;
  });
});

describe('netconfkit listen over TLS', () => {
  it('mutual authentication on the connection the device opened; a device whose certificate does not chain is refused and the next one served', async () => {
    const stranger = await device({ tls: { cert: pki.strangerDevice.cert, key: pki.strangerDevice.key, ca: pki.ca } });
    const trusted = await device({ tls: { cert: pki.device.cert, key: pki.device.key, ca: pki.ca } });
    const { cli, port } = await listen(['--count', '2', '--json', '--tls-cert', pki.client.certFile, '--tls-key', pki.client.keyFile, '--tls-ca', pki.caFile, 'get-config'], { NETCONF_PASSWORD: 'secret-pw' });
    await stranger.callHome({ port });
    await cli.stderrHas('[1/2]');
    await trusted.callHome({ port });
    const r = await cli.done;
    expect(r.status).toBe(3);
    const [refused, served] = json(r.stdout);
    expect(refused).toMatchObject({ ok: false, error_code: 'CERTIFICATE_REJECTED', callHome: null });
    expect(refused!.device).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(served).toMatchObject({ device: 'CN=router1', ok: true, callHome: { transport: 'tls', certificate: { subject: 'router1' } } });
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
  });
});

describe('netconfkit listen: Junos outbound-ssh', () => {
  it('named by DEVICE-ID, its HMAC checked with --outbound-ssh-secret-file; a wrong secret is CALL_HOME_REJECTED; the secret is never printed', async () => {
    const secret = 'outbound-secret-7';
    const good = await device();
    const forger = await device();
    const pins = ['--host-key', good.hostKeyFingerprint, '--host-key', forger.hostKeyFingerprint];
    const { cli, port } = await listen(['--count', '2', '--json', '--outbound-ssh-secret-file', file('secret', `${secret}\n`), ...pins, 'get-config']);
    await forger.callHome({ port, junos: { deviceId: 'mx-forged', secret: 'not-the-secret' } });
    await cli.stderrHas('[1/2]');
    await good.callHome({ port, junos: { deviceId: 'mx-lab-1', secret } });
    const r = await cli.done;
    expect(r.status).toBe(3);
    const [refused, served] = json(r.stdout);
    expect(refused).toMatchObject({ ok: false, error_code: 'CALL_HOME_REJECTED' });
    expect(refused!.error).toContain('mx-forged');
    expect(served).toMatchObject({ device: 'mx-lab-1', ok: true, callHome: { transport: 'ssh', deviceId: 'mx-lab-1', hmacVerified: true, hostKeyFingerprint: good.hostKeyFingerprint } });
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('without a secret, a Junos device is still named by its DEVICE-ID and its host key checked', async () => {
    const d = await device();
    const { cli, port } = await listen(['--count', '1', '--host-key', d.hostKeyFingerprint, 'get-config']);
    await d.callHome({ port, junos: { deviceId: 'srx-branch-9' } });
    const r = await cli.done;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^srx-branch-9\s+ok\s+1\s/m);
  });
});

describe('netconfkit listen: usage errors, exit 2, before listening', () => {
  it.each([
    [['listen', '--count', '1'], 'listen needs an operation'],
    [['listen', 'get', '--count', '1'], 'unknown listen operation "get"'],
    [['listen', 'get-config', '--count', '0'], '--count must be a whole number'],
    [['listen', 'get-config', '--duration', 'soon'], '--duration must be a number of seconds'],
    [['listen', 'get-config', '--port', '70000'], '--port must be 0-65535'],
    [['listen', 'rpc', 'not xml'], 'listen rpc needs the request as XML'],
    [['listen', 'get-config', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--outbound-ssh-secret-file', 's'], '--outbound-ssh-secret-file is for Junos outbound-ssh'],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('listening on');
  });

  it('no password, key or agent for SSH devices', async () => {
    const r = await runCli(['listen', 'get-config', '--count', '1'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('set NETCONF_PASSWORD');
  });
});
