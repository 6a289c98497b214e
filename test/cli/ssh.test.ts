/**
 * The CLI's --jump, --ssh-config and --no-ssh-config, against the fake device behind a real
 * OpenSSH bastion (test/support/sshd.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDevice } from '../../src/device/index.js';
import { type CliResult, runCli } from '../support/cli.js';
import { type Sshd, startSshd } from '../support/sshd.js';

const PASSWORD = 'cli-ssh-secret-3f0a';
const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-cli-ssh-'));
const GET = '<get-config><source><running/></source></get-config>';

let device: FakeDevice;
let bastion: Sshd;
let knownHosts: string;
let key: string;

beforeAll(async () => {
  key = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
  device = await FakeDevice.start({
    users: [{ username: 'ops', password: PASSWORD }],
    rules: [{ match: 'get-config', reply: '<data><system xmlns="urn:example"><host-name>r1</host-name></system></data>' }],
  });
  bastion = await startSshd({ authorizedKeys: [readFileSync(`${key}.pub`, 'utf8')], config: ['AllowTcpForwarding yes', `PermitOpen 127.0.0.1:${device.port}`] });
  knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${bastion.knownHostsLine}\n${device.knownHostsLine}\n`);
}, 600_000);
afterAll(async () => {
  await device?.close();
  await bastion?.stop();
});

// The device lives in this process, so the CLI runs asynchronously. HOME is a fresh directory
// unless given: no one's real ~/.ssh/config takes part.
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { HOME: path.join(dir, 'empty-home'), NETCONF_PASSWORD: PASSWORD, ...env });
}

const device_ = () => ['--host', '127.0.0.1', '--port', String(device.port), '--username', 'ops', '--known-hosts', knownHosts];

describe('netconfkit --jump', () => {
  it('reaches the device through the bastion, its password from NETCONF_JUMP_PASSWORD', async () => {
    const r = await cli(['rpc', ...device_(), '--jump', `${bastion.username}@127.0.0.1:${bastion.port}`, GET], { NETCONF_JUMP_PASSWORD: bastion.password });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<host-name>r1</host-name>');
  });

  it('a wrong jump password: one line naming the jump host, exit 3, no password', async () => {
    const r = await cli(['rpc', ...device_(), '--jump', `${bastion.username}@127.0.0.1:${bastion.port}`, GET], { NETCONF_JUMP_PASSWORD: 'wrong-jump-secret' });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^netconfkit: AUTH_FAILED: Authentication to jump host 127\\.0\\.0\\.1:${bastion.port} `));
    for (const secret of ['wrong-jump-secret', PASSWORD, bastion.password]) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a password in --jump is a usage error that does not show it', async () => {
    const r = await cli(['rpc', ...device_(), '--jump', 'admin:hunter2@127.0.0.1', GET]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--jump: a jump host is [user@]host[:port]; a password does not go in it (got "***@127.0.0.1")');
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('netconfkit and ssh_config', () => {
  const config = () => {
    const file = path.join(dir, 'ssh_config');
    writeFileSync(file, [
      'Host r1', '  HostName 127.0.0.1', `  Port ${device.port}`, '  User ops', '  ProxyJump bastion',
      'Host bastion', '  HostName 127.0.0.1', `  Port ${bastion.port}`, `  User ${bastion.username}`, `  IdentityFile ${key}`,
      'Host *', `  UserKnownHostsFile ${knownHosts}`, '',
    ].join('\n'));
    return file;
  };

  it('--ssh-config FILE: a Host alias, its ProxyJump, the bastion\'s IdentityFile', async () => {
    const r = await cli(['get-config', '--host', 'r1', '--ssh-config', config()]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<host-name>r1</host-name>');
  });

  it('~/.ssh/config is read by default', async () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'config'), readFileSync(config()));
    const r = await cli(['get-config', '--host', 'r1'], { HOME: home });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<host-name>r1</host-name>');
    const off = await cli(['get-config', '--host', 'r1', '--no-ssh-config', '--known-hosts', knownHosts], { HOME: home });
    expect(off.status).toBe(3);
    expect(off.stderr).toMatch(/^netconfkit: HOST_NOT_FOUND: /);
  });

  it('--ssh-config and --no-ssh-config together are a usage error', async () => {
    const r = await cli(['rpc', '--host', 'r1', '--ssh-config', config(), '--no-ssh-config', GET]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give --ssh-config FILE or --no-ssh-config, not both');
  });

  it('a ProxyCommand host is refused (exit 2) saying to use ProxyJump or --jump', async () => {
    const file = path.join(dir, 'ssh_config.proxycommand');
    writeFileSync(file, 'Host r1\n  ProxyCommand ssh -W %h:%p bastion\n');
    const r = await cli(['rpc', '--host', 'r1', '--ssh-config', file, GET]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ProxyCommand, which netconfkit does not run: use ProxyJump in ssh_config, or the jump option (--jump in the CLI)');
  });
});
