/**
 * A private OpenSSH server (Debian's /usr/sbin/sshd) for tests: its own config, host key, login
 * user, pid and log, on a free 127.0.0.1 port, in the foreground (`-D -e`) as a child of the
 * test process, stopped by its pid. Installs openssh-server with apt-get when it is missing,
 * the way scripts/netconfd.sh does. Needs root (apt-get, useradd, sshd), as CI has.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';

const SSHD = '/usr/sbin/sshd';
const HOST = '127.0.0.1';

export interface SshdOptions {
  /** sshd_config lines added to the defaults (e.g. `PermitOpen 127.0.0.1:830`). */
  config?: string[];
  /** Public key lines the login user may log in with. */
  authorizedKeys?: string[];
}

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** The login user (created for this server, removed by stop()) and its password. */
  readonly username: string;
  readonly password: string;
  /** `SHA256:…` of the host key. */
  readonly hostKeyFingerprint: string;
  /** The known_hosts line for this server (`[127.0.0.1]:port ssh-ed25519 …`). */
  readonly knownHostsLine: string;
  /** What sshd wrote to stderr so far (LogLevel DEBUG1). */
  log(): string;
  stop(): Promise<void>;
}

/** Installs openssh-server when /usr/sbin/sshd is missing (root only; package scripts may not start a system sshd). */
export function ensureOpenSshServer(): void {
  if (existsSync(SSHD)) return;
  if (process.getuid?.() !== 0) throw new Error('openssh-server is missing and the tests do not run as root: install it (apt-get install openssh-server)');
  const policy = '/usr/sbin/policy-rc.d';
  const added = !existsSync(policy);
  if (added) writeFileSync(policy, '#!/bin/sh\n# added by netconfkit test/support/sshd.ts during apt-get install\nexit 101\n', { mode: 0o755 });
  const apt = ['-o', 'DPkg::Lock::Timeout=300', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' };
  try {
    execFileSync('apt-get', [...apt, 'update'], { env, stdio: 'ignore' });
    execFileSync('apt-get', [...apt, 'install', '-y', '--no-install-recommends', 'openssh-server'], { env, stdio: 'ignore' });
  } finally {
    if (added) rmSync(policy, { force: true });
  }
  if (!existsSync(SSHD)) throw new Error('apt-get install openssh-server did not provide /usr/sbin/sshd');
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Starts one sshd; every call gets its own directory, key, user and port. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  ensureOpenSshServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-sshd-'));
  // sshd reads authorized_keys as the login user.
  chmodSync(dir, 0o755);
  const username = `nck${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', username], { stdio: 'ignore' });
  execFileSync('chpasswd', { input: `${username}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  const cleanUser = () => {
    try {
      execFileSync('userdel', ['-f', '-r', username], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'netconfkit-test-sshd', '-f', path.join(dir, 'host_ed25519')], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'authorized_keys'), (options.authorizedKeys ?? []).map((k) => `${k.trim()}\n`).join(''), { mode: 0o644 });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const pub = readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(/\s+/)[1]!;
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const configFile = path.join(dir, 'sshd_config');
      const lines = [
        `Port ${port}`, `ListenAddress ${HOST}`, 'AddressFamily inet',
        `HostKey ${path.join(dir, 'host_ed25519')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
        'UsePAM no', 'PasswordAuthentication yes', 'PermitEmptyPasswords no', 'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes', `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, 'StrictModes no',
        `AllowUsers ${username}`, 'PermitRootLogin no', 'AllowAgentForwarding no', 'X11Forwarding no', 'PermitTunnel no',
        'PrintMotd no', 'LoginGraceTime 30', 'MaxAuthTries 10', 'MaxStartups 100:30:200', 'LogLevel DEBUG1',
        ...(options.config ?? []),
      ];
      writeFileSync(configFile, `${lines.join('\n')}\n`);
      const log: string[] = [];
      const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let up = false;
      for (let i = 0; i < 100 && child.exitCode === null; i++) {
        if (await accepts(port)) {
          up = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!up) {
        child.kill('SIGTERM');
        await exited;
        if (attempt < 3 && /Address already in use/.test(log.join(''))) continue;
        throw new Error(`sshd did not start on ${HOST}:${port}:\n${log.join('')}`);
      }
      return {
        host: HOST,
        port,
        pid: child.pid!,
        username,
        password,
        hostKeyFingerprint,
        knownHostsLine: `[${HOST}]:${port} ${pub}`,
        log: () => log.join(''),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            process.kill(child.pid!, 'SIGTERM');
            await exited;
          }
          cleanUser();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    cleanUser();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
