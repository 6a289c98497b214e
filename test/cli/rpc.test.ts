import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { type CliResult, runCli } from '../support/cli.js';

const PASSWORD = 'cli-secret-91d3';
let device: FakeDevice;

beforeAll(async () => {
  device = await FakeDevice.start({
    users: [{ username: 'ops', password: PASSWORD }],
    rules: [
      { match: 'get-config', reply: '<data><system xmlns="urn:example"><host-name>r1</host-name></system></data>' },
      { match: 'commit', reply: '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>commit failed</error-message></rpc-error>' },
      { match: 'validate', reply: '<rpc-error><error-severity>warning</error-severity><error-message>deprecated leaf</error-message></rpc-error><ok/>' },
    ],
  });
});
afterAll(() => device.close());

const cli = (args: string[], env: Record<string, string> = { NETCONF_PASSWORD: PASSWORD }): Promise<CliResult> => runCli(args, env);

const target = () => ['--host', device.host, '--port', String(device.port), '--username', 'ops', '--host-key', device.hostKeyFingerprint];

describe('netconfkit rpc', () => {
  it('prints the reply and exits 0', async () => {
    const r = await cli(['rpc', ...target(), '<get-config><source><running/></source></get-config>']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<host-name>r1</host-name>');
  });

  it('--json gives data, warnings and errors; a device error exits 1', async () => {
    const ok = await cli(['rpc', ...target(), '--json', '<validate><source><candidate/></source></validate>']);
    expect(ok.status).toBe(0);
    const doc = JSON.parse(ok.stdout) as { ok: boolean; warnings: { message: string; level: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.warnings.map((w) => [w.level, w.message])).toEqual([['warning', 'deprecated leaf']]);
    const failed = await cli(['rpc', ...target(), '--json', '<commit/>']);
    expect(failed.status).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, code: 'OPERATION_FAILED', errors: [{ tag: 'operation-failed', message: 'commit failed' }] });
  });

  it('a transport failure prints one line with its code, exits 3, and never shows the password', async () => {
    const other = await FakeDevice.start();
    try {
      const r = await cli(['rpc', '--host', device.host, '--port', String(device.port), '--username', 'ops', '--host-key', other.hostKeyFingerprint, '<get/>']);
      expect(r.status).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^netconfkit: HOST_KEY_MISMATCH: /);
      const auth = await cli(['rpc', ...target(), '<get/>'], { NETCONF_PASSWORD: `${PASSWORD}x` });
      expect(auth.status).toBe(3);
      expect(auth.stderr).toMatch(/AUTH_FAILED/);
      for (const out of [r, auth]) expect(out.stdout + out.stderr).not.toContain(PASSWORD);
    } finally {
      await other.close();
    }
  });

  it('malformed XML is refused before it is sent: one line, INVALID_ARGUMENT, exit 2', async () => {
    const sent = device.requests.length;
    const r = await cli(['rpc', ...target(), '<get-config><source><running/></source>']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^netconfkit: INVALID_ARGUMENT: .+\n$/);
    expect(device.requests.slice(sent).map((q) => q.operation)).not.toContain('get-config');
  });

  it('bad usage exits 2: no password, no request, a password flag', async () => {
    expect((await cli(['rpc', ...target(), '<get/>'], {})).status).toBe(2);
    expect((await cli(['rpc', ...target()])).status).toBe(2);
    expect((await cli(['rpc', ...target(), '--password', PASSWORD, '<get/>'])).status).toBe(2);
  });
});
