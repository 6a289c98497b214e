/**
 * Jump hosts against real OpenSSH: the fake device is reached through one and through two
 * private sshd bastions (test/support/sshd.ts), each permitted to forward only to the next hop
 * (PermitOpen), directly with `jump` and through ProxyJump in an ssh_config file.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { FakeDevice } from '../../src/device/index.js';
import { ClientError, ConnectionError, HostKeyError, NetconfError, TimeoutError } from '../../src/errors/index.js';
import { type ConnectOptions, connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import type { JumpHost } from '../../src/transport/ssh-transport.js';
import { type Sshd, startSshd } from '../support/sshd.js';
import { silentServer, testKey } from './raw-server.js';

const DEVICE_PASSWORD = 'dev-secret-5e21';
const PASSPHRASE = 'pp-secret-0b9c';
const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-jump-'));
const file = (name: string, text: string, mode = 0o600) => {
  const p = path.join(dir, name);
  writeFileSync(p, text, { mode });
  return p;
};

/** Client keys, made by ssh-keygen as users have them; ed25519 also encrypted. */
function keygen(type: string, name: string, passphrase = ''): { file: string; pub: string } {
  const p = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', passphrase, '-C', name, '-f', p], { stdio: 'ignore' });
  return { file: p, pub: execFileSync('cat', [`${p}.pub`], { encoding: 'utf8' }).trim() };
}

let device: FakeDevice;
let near: Sshd; // forwards only to the device
let far: Sshd; // forwards only to `near`
let knownHosts: string;
const keys = {} as Record<'ed25519' | 'ecdsa' | 'rsa' | 'encrypted' | 'agentOnly', { file: string; pub: string }>;
const rawKey = (k: { file: string }) => execFileSync('cat', [k.file], { encoding: 'utf8' });

beforeAll(async () => {
  keys.ed25519 = keygen('ed25519', 'id_ed25519');
  keys.ecdsa = keygen('ecdsa', 'id_ecdsa');
  keys.rsa = keygen('rsa', 'id_rsa');
  keys.encrypted = keygen('ed25519', 'id_encrypted', PASSPHRASE);
  keys.agentOnly = keygen('ed25519', 'id_agent');
  device = await FakeDevice.start({ users: [{ username: 'ops', password: DEVICE_PASSWORD }] });
  const authorizedKeys = Object.values(keys).map((k) => k.pub);
  near = await startSshd({ authorizedKeys, config: ['AllowTcpForwarding yes', `PermitOpen 127.0.0.1:${device.port}`] });
  far = await startSshd({ authorizedKeys, config: ['AllowTcpForwarding yes', `PermitOpen 127.0.0.1:${near.port}`] });
  knownHosts = file('known_hosts', [near.knownHostsLine, far.knownHostsLine, device.knownHostsLine].join('\n'));
}, 600_000);

afterAll(async () => {
  await device?.close();
  await near?.stop();
  await far?.stop();
});

const hop = (s: Sshd, extra: Partial<JumpHost> = {}): JumpHost => ({ host: s.host, port: s.port, username: s.username, password: s.password, agent: false, ...extra });
const target = (extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
  host: device.host, port: device.port, username: 'ops', password: DEVICE_PASSWORD, knownHosts, agent: false, connectTimeoutMs: 15_000, ...extra,
});

/** The forwards sshd logged (LogLevel DEBUG1): "server_request_direct_tcpip: … target 127.0.0.1 port N". */
const forwardsTo = (s: Sshd, port: number) => s.log().split(/\r?\n/).filter((l) => new RegExp(`server_request_direct_tcpip: .* target 127\\.0\\.0\\.1 port ${port}$`).test(l)).length;

async function works(session: Session): Promise<void> {
  try {
    const reply = await session.rpc('<get-config><source><running/></source></get-config>');
    expect(reply.xml).toContain('<data');
  } finally {
    await session.close();
  }
}

async function failure(options: ConnectOptions): Promise<NetconfError> {
  const err = await connect(options).then((s) => (s.destroy(), null), (e: unknown) => e);
  expect(err).toBeInstanceOf(NetconfError);
  const e = err as NetconfError;
  const secrets = [DEVICE_PASSWORD, near.password, far.password, PASSPHRASE, 'wrong-hop-secret'];
  for (const text of [e.message, String(e.stack), JSON.stringify(e.toJSON()), inspect(e, { depth: 8 })]) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
  return e;
}

describe('jump hosts through real OpenSSH', () => {
  it('reaches the device through one bastion (password), which forwards to it', async () => {
    const before = forwardsTo(near, device.port);
    const session = await connect(target({ jump: [hop(near)] }));
    expect(device.connectionCount).toBe(1);
    await expect.poll(() => forwardsTo(near, device.port) === before + 1, { timeout: 2_000 }).toBe(true);
    await works(session);
  });

  it('reaches the device through two bastions (keys), each forwarding to the next hop only', async () => {
    const beforeFar = forwardsTo(far, near.port);
    const beforeNear = forwardsTo(near, device.port);
    const session = await connect(target({
      jump: [hop(far, { password: undefined, privateKey: rawKey(keys.ed25519) }), hop(near, { password: undefined, privateKey: rawKey(keys.ecdsa) })],
    }));
    await expect.poll(() => forwardsTo(far, near.port) === beforeFar + 1 && forwardsTo(near, device.port) === beforeNear + 1, { timeout: 2_000 }).toBe(true);
    await works(session);
  });

  it('closing the session closes every hop, inside out', async () => {
    const session = await connect(target({ jump: [hop(far), hop(near)] }));
    await expect.poll(() => device.connectionCount, { timeout: 2_000 }).toBe(1);
    // sshd logs "Received disconnect" for a client's goodbye, "Connection closed by" for a bare close.
    const goodbyes = (s: Sshd) => (s.log().match(/Received disconnect from 127\.0\.0\.1/g) ?? []).length;
    const [f, n] = [goodbyes(far), goodbyes(near)];
    await session.close();
    await expect.poll(() => goodbyes(far) === f + 1 && goodbyes(near) === n + 1 && device.connectionCount === 0, { timeout: 5_000 }).toBe(true);
  });

  it('the far bastion alone cannot reach the device (PermitOpen): the refusal names the jump host', async () => {
    const err = await failure(target({ jump: [hop(far)] }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('CONNECTION_REFUSED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`Jump host 127.0.0.1:${far.port} refused to forward to 127.0.0.1:${device.port}`);
  });

  it('a wrong hop password is AUTH_FAILED naming the hop', async () => {
    const err = await failure(target({ jump: [hop(far), hop(near, { password: 'wrong-hop-secret' })] }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`jump host 127.0.0.1:${near.port}`);
    expect(err.message).toContain('(tried: password)');
  });

  it('a wrong hop host key is HOST_KEY_MISMATCH naming the hop', async () => {
    const other = testKey('ed25519');
    const wrong = file('known_hosts.wrong', [`[127.0.0.1]:${near.port} ${other.known}`, device.knownHostsLine].join('\n'));
    const err = await failure(target({ knownHosts: wrong, jump: [hop(near)] }));
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.message).toContain(`Host key check failed for jump host 127.0.0.1:${near.port}`);
  });

  it('an unlisted hop is HOST_KEY_UNKNOWN even when the device is pinned', async () => {
    const onlyDevice = file('known_hosts.device', device.knownHostsLine);
    const err = await failure(target({ knownHosts: onlyDevice, jump: [hop(near)] }));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.message).toContain(`jump host 127.0.0.1:${near.port}`);
    const pinned = await connect(target({ knownHosts: onlyDevice, jump: [hop(near, { hostKey: near.hostKeyFingerprint })] }));
    await works(pinned);
  });

  it('a wrong hop port is CONNECTION_REFUSED naming the hop', async () => {
    const closed = await silentServer();
    const port = closed.port;
    await closed.close();
    const err = await failure(target({ jump: [hop(near, { port })] }));
    expect(err.code).toBe('CONNECTION_REFUSED');
    expect(err.message).toBe(`Connection to jump host 127.0.0.1:${port} refused`);
  });

  it('one deadline covers every hop: a silent bastion is CONNECT_TIMEOUT naming its stage', async () => {
    const silent = await silentServer();
    try {
      const err = await failure(target({ connectTimeoutMs: 400, jump: [hop(silent as unknown as Sshd, { host: '127.0.0.1', port: silent.port })] }));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.message).toBe(`Connecting to 127.0.0.1:${device.port} timed out after 400 ms: SSH handshake with jump host 127.0.0.1:${silent.port} did not finish`);
    } finally {
      await silent.close();
    }
  });
});

describe('keys and agents, on a real OpenSSH bastion', () => {
  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('a %s key logs in (RSA with SHA-2 signatures: OpenSSH refuses ssh-rsa)', async (type) => {
    await works(await connect(target({ jump: [hop(near, { password: undefined, privateKey: rawKey(keys[type]) })] })));
  });

  it('an encrypted key with its passphrase logs in; a wrong passphrase is INVALID_ARGUMENT saying so', async () => {
    await works(await connect(target({ jump: [hop(near, { password: undefined, privateKey: rawKey(keys.encrypted), passphrase: PASSPHRASE })] })));
    const wrong = await failure(target({ jump: [hop(near, { password: undefined, privateKey: rawKey(keys.encrypted), passphrase: 'nope' })] }));
    expect(wrong).toBeInstanceOf(ClientError);
    expect(wrong.code).toBe('INVALID_ARGUMENT');
    expect(wrong.message).toBe(`The passphrase does not decrypt the private key for jump host 127.0.0.1:${near.port}: wrong passphrase`);
    const none = await failure(target({ jump: [hop(near, { password: undefined, privateKey: rawKey(keys.encrypted) })] }));
    expect(none.message).toContain('is encrypted: give its passphrase');
  });

  it('identityFiles: a missing file is skipped, the next one logs in', async () => {
    await works(await connect(target({ jump: [hop(near, { password: undefined, identityFiles: [path.join(dir, 'no-such-key'), keys.rsa.file] })] })));
  });

  describe('with an ssh-agent', () => {
    let agent: ChildProcess;
    const socket = path.join(dir, 'agent.sock');
    const saved = process.env.SSH_AUTH_SOCK;
    beforeAll(async () => {
      agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      // vi.waitFor, not expect.poll: a hook is not a test, and expect.poll refuses to run there.
      await vi.waitFor(() => {
        try {
          execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
        } catch (err) {
          // 1: the agent runs and holds no key; anything else: not up yet.
          if ((err as { status?: number }).status !== 1) throw new Error('ssh-agent is not answering yet');
        }
      }, { timeout: 5_000, interval: 50 });
      execFileSync('ssh-add', [keys.agentOnly.file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (agent.pid) process.kill(agent.pid, 'SIGTERM');
    });

    it('uses SSH_AUTH_SOCK when no password or key is given', async () => {
      process.env.SSH_AUTH_SOCK = socket;
      await works(await connect(target({ jump: [{ host: near.host, port: near.port, username: near.username }] })));
    });

    it('agent: false keeps the agent out (AUTH_FAILED, tried: none)', async () => {
      process.env.SSH_AUTH_SOCK = socket;
      const err = await failure(target({ jump: [{ host: near.host, port: near.port, username: near.username, agent: false }] }));
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toContain('tried: none');
    });

    it('a stale SSH_AUTH_SOCK does not stop the other methods', async () => {
      process.env.SSH_AUTH_SOCK = path.join(dir, 'no-agent-here.sock');
      await works(await connect(target({ jump: [{ host: near.host, port: near.port, username: near.username, identityFiles: [keys.ecdsa.file] }] })));
    });
  });
});

describe('ProxyJump in ssh_config', () => {
  const config = () => file('ssh_config', `
# test ssh_config: aliases for the bastions and the device
Host near
  HostName 127.0.0.1
  Port ${near.port}
  User ${near.username}
  IdentityFile ${keys.ed25519.file}

Host far
  HostName 127.0.0.1
  Port ${far.port}
  User ${far.username}
  IdentityFile ${keys.rsa.file}

Host near-via-far
  HostName 127.0.0.1
  Port ${near.port}
  User ${near.username}
  IdentityFile ${keys.ecdsa.file}
  ProxyJump far

Host dev1
  ProxyJump near
Host dev2
  ProxyJump far,near
Host dev-nested
  ProxyJump near-via-far
Host dev-proxycommand
  ProxyCommand ssh -W %h:%p near
Host dev-unchecked
  ProxyJump near
  StrictHostKeyChecking no

Host dev*
  HostName 127.0.0.1
  Port ${device.port}
  User ops
  IdentitiesOnly yes

Host *
  UserKnownHostsFile ${knownHosts}
`);
  const viaConfig = (alias: string, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
    host: alias, sshConfig: config(), password: DEVICE_PASSWORD, connectTimeoutMs: 15_000, ...extra,
  });

  it.each([
    ['dev1', 'one hop', [['near', 'device']]],
    ['dev2', 'two hops', [['far', 'near'], ['near', 'device']]],
    ['dev-nested', 'a jump host with its own ProxyJump', [['far', 'near'], ['near', 'device']]],
  ] as const)('%s: %s', async (alias, _what, forwards) => {
    const servers = { near, far } as const;
    const port = (name: 'near' | 'device') => (name === 'device' ? device.port : servers[name].port);
    const before = forwards.map(([from, to]) => forwardsTo(servers[from], port(to)));
    const session = await connect(viaConfig(alias));
    await expect.poll(() => forwards.every(([from, to], i) => forwardsTo(servers[from], port(to)) === before[i]! + 1), { timeout: 2_000 }).toBe(true);
    await works(session);
  });

  it('an explicit jump wins over ProxyJump; jump: [] connects directly', async () => {
    const before = forwardsTo(near, device.port);
    const farBefore = forwardsTo(far, near.port);
    await works(await connect(viaConfig('dev2', { jump: [{ host: 'near' }] })));
    await expect.poll(() => forwardsTo(near, device.port) === before + 1, { timeout: 2_000 }).toBe(true);
    await works(await connect(viaConfig('dev2', { jump: [] })));
    await new Promise((r) => setTimeout(r, 200));
    expect(forwardsTo(near, device.port)).toBe(before + 1);
    expect(forwardsTo(far, near.port)).toBe(farBefore);
  });

  it('ProxyCommand is refused with INVALID_ARGUMENT pointing at ProxyJump', async () => {
    const err = await failure(viaConfig('dev-proxycommand'));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('ProxyCommand, which netconfkit does not run: use ProxyJump');
  });

  it('StrictHostKeyChecking no does not turn the check off, and the error says what does', async () => {
    const empty = file('known_hosts.empty', '');
    // The jump host is checked against its own UserKnownHostsFile (Host *), the device against the empty file.
    const err = await failure(viaConfig('dev-unchecked', { knownHosts: empty }));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.message).toContain(`Host key check failed for 127.0.0.1:${device.port}`);
    expect(err.message).toContain('ssh_config sets StrictHostKeyChecking no for dev-unchecked, but netconfkit still checks host keys: only insecureAcceptAnyHostKey: true');
  });
});
