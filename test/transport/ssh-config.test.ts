import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientError } from '../../src/errors/index.js';
import { applySshConfig, hostKeyNote, parseJumpSpec } from '../../src/transport/route.js';
import { type SshConfigValues, localUser, parseSshConfig, readSshConfig } from '../../src/transport/ssh-config.js';
import type { SshOptions } from '../../src/transport/ssh-transport.js';

const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-ssh-config-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

const CONFIG = `
# every keyword netconfkit reads, and first-value-wins across blocks
Host r1
  HostName r1.lab.example.net
  User ops
  Port 2830
  IdentityFile ~/.ssh/r1_key
  IdentityFile /keys/%r@%h-%p
  IdentitiesOnly yes
  ProxyJump admin@bastion:2222
  UserKnownHostsFile /kh/one /kh/two
  StrictHostKeyChecking accept-new
  ConnectTimeout 7
  ServerAliveInterval 15
  ServerAliveCountMax 4

Host r1 r2
  User second        # r1 has its User already: the first value wins
  Port 22
  IdentityFile /keys/shared   # IdentityFile lines add up

Host *.lab !bad.lab
  User lab
  StrictHostKeyChecking no

Host alias-%h
  HostName %h.example.net

Host bastion
  HostName 10.0.0.1
  User jumper

Host *
  User fallback
  ProxyCommand ssh -W %h:%p somewhere
`;

describe('ssh_config: the keywords netconfkit reads', () => {
  const config = parseSshConfig(CONFIG);
  it.each<[string, SshConfigValues]>([
    ['r1', {
      hostName: 'r1.lab.example.net', user: 'ops', port: 2830, identityFile: ['~/.ssh/r1_key', '/keys/%r@%h-%p', '/keys/shared'],
      identitiesOnly: true, proxyJump: 'admin@bastion:2222', userKnownHostsFile: ['/kh/one', '/kh/two'],
      strictHostKeyChecking: 'accept-new', connectTimeout: 7, serverAliveInterval: 15, serverAliveCountMax: 4,
    }],
    ['r2', { user: 'second', port: 22, identityFile: ['/keys/shared'], proxyCommand: 'ssh -W %h:%p somewhere' }],
    ['sw1.lab', { user: 'lab', strictHostKeyChecking: 'no', proxyCommand: 'ssh -W %h:%p somewhere' }],
    ['bad.lab', { user: 'fallback', proxyCommand: 'ssh -W %h:%p somewhere' }],
    ['SW1.LAB', { user: 'lab', strictHostKeyChecking: 'no', proxyCommand: 'ssh -W %h:%p somewhere' }],
    ['bastion', { hostName: '10.0.0.1', user: 'jumper', proxyCommand: 'ssh -W %h:%p somewhere' }],
    ['elsewhere', { user: 'fallback', proxyCommand: 'ssh -W %h:%p somewhere' }],
  ])('%s', (alias, expected) => {
    expect(config.lookup(alias)).toEqual(expected);
  });

  it.each([
    ['Keyword=value and Keyword = value', 'Host a\nUser=eq\nPort = 2200\n', { user: 'eq', port: 2200 }],
    ['keywords in any case, tabs', 'HOST a\n\tuSeR\tmixed\n', { user: 'mixed' }],
    ['a quoted value with spaces', 'Host a\nIdentityFile "/keys/my key"\n', { identityFile: ['/keys/my key'] }],
    ['settings before any Host apply to every host', 'User early\nHost a\nUser late\n', { user: 'early' }],
    ['Match blocks are skipped', 'Match host a\n  User matched\nHost a\n  User plain\n', { user: 'plain' }],
    ['ProxyJump and ProxyCommand: the first one wins', 'Host a\nProxyCommand nc %h %p\nProxyJump b\n', { proxyCommand: 'nc %h %p' }],
    ['ProxyJump none is kept (it means none)', 'Host a\nProxyJump none\nHost *\nProxyJump b\n', { proxyJump: 'none' }],
    ['negation wins over a match', 'Host * !a\nUser other\nHost a\nUser mine\n', { user: 'mine' }],
    ['comma-separated patterns, ? wildcard', 'Host x,?\nUser one-char\n', { user: 'one-char' }],
    ['unknown keywords are OpenSSH\'s business', 'Host a\nForwardAgent yes\nCiphers aes128-ctr\n', {}],
  ])('%s', (_what, text, expected) => {
    expect(parseSshConfig(text).lookup('a')).toEqual(expected);
  });

  it.each([
    ['Port 0', 'Port must be a whole number from 1 to 65535, not "0"'],
    ['ConnectTimeout soon', 'ConnectTimeout must be a whole number'],
    ['IdentitiesOnly maybe', 'IdentitiesOnly must be yes or no'],
    ['StrictHostKeyChecking sometimes', 'StrictHostKeyChecking must be yes, no, ask, accept-new or off'],
    ['User "unterminated', 'unterminated quote'],
  ])('a bad line (%s) is INVALID_ARGUMENT naming file and line', (line, why) => {
    const file = write('bad_config', `Host a\n${line}\n`);
    const err = (() => {
      try {
        readSshConfig(file).lookup('a');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe('INVALID_ARGUMENT');
    expect((err as ClientError).message).toContain(`${file} line 2`);
    expect((err as ClientError).message).toContain(why);
  });

  it('Include: relative to ~/.ssh, with wildcards, inside a Host block', () => {
    const base = path.join(dir, 'dot-ssh');
    write('dot-ssh/conf.d/10-a.conf', 'User from-include\n');
    write('dot-ssh/conf.d/20-b.conf', 'Host b\n  User b-user\n');
    write('dot-ssh/conf.d/skip.txt', 'User nope\n');
    const config = parseSshConfig('Host a\n  Include conf.d/*.conf\nHost *\n  User last\n', 'main', base);
    expect(config.lookup('a').user).toBe('from-include');
    expect(config.lookup('b').user).toBe('b-user');
    expect(config.lookup('c').user).toBe('last');
  });
});

describe('applySshConfig: explicit options always win over the file', () => {
  const file = write('config', CONFIG);
  const apply = (options: Partial<SshOptions> & { host: string }) => applySshConfig<SshOptions>({ sshConfig: file, ...options });
  const home = process.env.HOME!;

  it('fills every setting from the file, tokens expanded', () => {
    const out = apply({ host: 'r1' });
    expect(out).toMatchObject({
      host: 'r1.lab.example.net', port: 2830, username: 'ops', agent: false,
      identityFiles: [path.join(home, '.ssh/r1_key'), '/keys/ops@r1.lab.example.net-2830', '/keys/shared'],
      knownHosts: ['/kh/one', '/kh/two'], connectTimeoutMs: 7_000, keepaliveIntervalMs: 15_000, keepaliveCountMax: 4,
      jump: [{ host: '10.0.0.1', port: 2222, username: 'admin' }],
    });
    expect(out.sshConfig).toBeUndefined();
    expect(applySshConfig(out)).toBe(out);
  });

  it.each<[string, Partial<SshOptions>, Partial<SshOptions>]>([
    ['port', { port: 830 }, { port: 830 }],
    ['username', { username: 'me' }, { username: 'me' }],
    ['knownHosts', { knownHosts: '/mine' }, { knownHosts: '/mine' }],
    ['connectTimeoutMs', { connectTimeoutMs: 1_000 }, { connectTimeoutMs: 1_000 }],
    ['keepaliveIntervalMs 0', { keepaliveIntervalMs: 0 }, { keepaliveIntervalMs: 0 }],
    ['agent', { agent: '/run/agent.sock' }, { agent: '/run/agent.sock' }],
    ['identityFiles', { identityFiles: ['/k'] }, { identityFiles: ['/k'] }],
    ['jump: [] (direct)', { jump: [] }, { jump: [] }],
  ])('%s', (_what, given, expected) => {
    expect(apply({ host: 'r1', ...given })).toMatchObject(expected);
  });

  it('privateKey: the file\'s identity files are not used', () => {
    const out = apply({ host: 'r1', privateKey: 'KEY' });
    expect(out.privateKey).toBe('KEY');
    expect(out.identityFiles).toBeUndefined();
  });

  it('explicit jump hosts get their own Host settings, their own fields winning', () => {
    expect(apply({ host: 'r1', jump: [{ host: 'bastion' }, { host: 'bastion', username: 'me', port: 2022 }] }).jump).toEqual([
      { host: '10.0.0.1', port: 22, username: 'jumper' },
      { host: '10.0.0.1', port: 2022, username: 'me' },
    ]);
  });

  it('HostName %h, and the defaults: port 830 for the device, the local user', () => {
    const f = write('config-h', 'Host alias-*\n  HostName %h.example.net\n');
    expect(applySshConfig<SshOptions>({ host: 'alias-r9', sshConfig: f })).toMatchObject({ host: 'alias-r9.example.net', port: 830, username: localUser() });
  });

  it('a ProxyCommand (with no explicit jump) is INVALID_ARGUMENT pointing at ProxyJump', () => {
    expect(() => apply({ host: 'elsewhere' })).toThrow(/ProxyCommand, which netconfkit does not run: use ProxyJump/);
    expect(apply({ host: 'elsewhere', jump: [] }).jump).toEqual([]);
  });

  it('ProxyJump chains: a jump host\'s own ProxyJump comes first; loops are refused', () => {
    const f = write('config-chain', 'Host d\n ProxyJump b2\nHost b2\n ProxyJump b1\nHost loop1\n ProxyJump loop2\nHost loop2\n ProxyJump loop1\n');
    expect(applySshConfig<SshOptions>({ host: 'd', sshConfig: f, username: 'u' }).jump?.map((j) => j.host)).toEqual(['b1', 'b2']);
    expect(() => applySshConfig<SshOptions>({ host: 'loop1', sshConfig: f })).toThrow(/ProxyJump loops: loop1 → loop2 → loop1/);
  });

  it('StrictHostKeyChecking no/off leaves the check on, with a note for the error; yes and accept-new add none', () => {
    const out = apply({ host: 'sw1.lab', jump: [] });
    expect(hostKeyNote(out)).toBe('ssh_config sets StrictHostKeyChecking no for sw1.lab, but netconfkit still checks host keys: only insecureAcceptAnyHostKey: true (--insecure-accept-any-host-key) turns the check off');
    expect(out.insecureAcceptAnyHostKey).toBeUndefined();
    expect(hostKeyNote(apply({ host: 'r1' }))).toBeUndefined();
  });

  describe('sshConfig: true reads ~/.ssh/config', () => {
    afterEach(() => {
      process.env.HOME = home;
    });
    it('and a missing one is no settings, while a named file must exist', () => {
      process.env.HOME = path.join(dir, 'no-home');
      expect(applySshConfig<SshOptions>({ host: 'r1', sshConfig: true, username: 'u' })).toMatchObject({ host: 'r1', port: 830 });
      expect(() => applySshConfig<SshOptions>({ host: 'r1', sshConfig: path.join(dir, 'nope') })).toThrow(/Cannot read the ssh_config file/);
      process.env.HOME = path.join(dir, 'home');
      write('home/.ssh/config', 'Host r1\n  User from-home\n');
      expect(applySshConfig<SshOptions>({ host: 'r1', sshConfig: true }).username).toBe('from-home');
    });
  });
});

describe('jump host specs ([user@]host[:port], as ProxyJump and --jump write them)', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['admin@bastion', { host: 'bastion', username: 'admin' }],
    ['admin@bastion:2222', { host: 'bastion', username: 'admin', port: 2222 }],
    ['ssh://admin@bastion:2222', { host: 'bastion', username: 'admin', port: 2222 }],
    ['[2001:db8::1]:22', { host: '2001:db8::1', port: 22 }],
    ['ops@[::1]', { host: '::1', username: 'ops' }],
    ['first.last@corp@bastion', { host: 'bastion', username: 'first.last@corp' }],
  ])('%s', (spec, expected) => {
    expect(parseJumpSpec(spec)).toEqual(expected);
  });

  it.each([
    ['admin:hunter2@bastion', 'a password does not go in it', '***@bastion'],
    ['bastion:99999', 'the port must be 1-65535', 'bastion:99999'],
    ['2001:db8::1', 'put an IPv6 address in brackets', '2001:db8::1'],
    ['', 'it is empty', ''],
    ['bastion/x', 'no spaces or paths', 'bastion/x'],
  ])('%s is INVALID_ARGUMENT (%s), with no password in the message', (spec, why, shown) => {
    let err: unknown;
    try {
      parseJumpSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).message).toContain(why);
    expect((err as ClientError).message).toContain(`"${shown}"`);
    expect((err as ClientError).message).not.toContain('hunter2');
  });
});
