import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/commands.js';

// The built CLI, as users run it (`npm test` builds before testing).
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const dir = mkdtempSync(path.join(tmpdir(), 'nk-help-'));
const names = Object.keys(COMMANDS);
const mentions = (text: string, flag: string) => new RegExp(`--${flag}(?![\\w-])`).test(text);

describe('netconfkit --version and the overview', () => {
  it.each([['--version'], ['-V']])('%s prints the package version on stdout, exit 0', (flag) => {
    const r = run([flag]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  it('--help, -h and help print the overview on stdout, exit 0, with every command once', () => {
    const outputs = [run(['--help']), run(['-h']), run(['help'])];
    for (const r of outputs) {
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(outputs[0]!.stdout);
    }
    const text = outputs[0]!.stdout;
    for (const name of names) expect(text).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(text).toMatch(/^ {2}demo +run the safe commit flow against a built-in fake Junos device$/m);
    expect(text.split('\n').length).toBeLessThan(25);
  });

  it('no arguments: the overview on stderr, exit 2', () => {
    const r = run([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('usage: netconfkit <command>');
  });
});

describe('netconfkit COMMAND --help', () => {
  it.each(names)('%s --help and -h print only its own usage, exit 0, and run nothing', (name) => {
    const own = Object.keys(COMMANDS[name]!.flags);
    const others = new Set(names.flatMap((n) => Object.keys(COMMANDS[n]!.flags)).filter((f) => !own.includes(f)));
    // No --host, no NETCONF_PASSWORD, no inventory: running anything would fail with exit 2.
    for (const r of [run([name, '--help']), run([name, '-h']), run(['help', name])]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: netconfkit ${name}\\b`));
      for (const flag of own) expect(mentions(r.stdout, flag), `--${flag} in ${name} --help`).toBe(true);
      for (const flag of others) expect(mentions(r.stdout, flag), `--${flag} in ${name} --help`).toBe(false);
      expect(r.stdout).not.toContain('A fake Junos device listens');
    }
  });

  it('--help wins over a usage error and over the arguments of a real run', () => {
    const r = run(['commit', '--bogus', '--confirmed', '5', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: netconfkit commit /);
  });

  it('commit --help says --confirmed takes a unit and how to confirm', () => {
    const r = run(['commit', '--help']);
    expect(r.stdout).toMatch(/--confirmed TIME[^]*?5m, 300s, 1h/);
    expect(r.stdout).toContain('`netconfkit commit` again');
  });
});

describe('usage errors: at most two lines on stderr, exit 2', () => {
  it.each([
    [['replay', 'x', '--bogus'], /^netconfkit: unknown option --bogus\nsee `netconfkit replay --help`\n$/],
    [['commit', '--confirmd', '5m'], /^netconfkit: unknown option --confirmd \(did you mean --confirmed\?\)\nsee `netconfkit commit --help`\n$/],
    [['get-config', '--host'], /^netconfkit: --host needs a value\nsee `netconfkit get-config --help`\n$/],
    [['rpc', '--json=yes'], /^netconfkit: --json takes no value\n/],
    [['rpc', '--password', 'secret-1', '<get/>'], /^netconfkit: there is no --password option: set NETCONF_PASSWORD/],
    [['get-config', '--username', 'ops'], /^netconfkit: --host is required\nsee `netconfkit get-config --help`\n$/],
    [['demo', '--json'], /^netconfkit: unknown option --json\nsee `netconfkit demo --help`\n$/],
    [['demo', 'now'], /^netconfkit: unexpected argument "now": demo takes none\n/],
    [['fleet', 'get-config'], /^netconfkit: fleet needs --inventory FILE\nsee `netconfkit fleet --help`\n$/],
    [['frobnicate'], /^netconfkit: unknown command "frobnicate"\nsee `netconfkit --help`\n$/],
    [['--frobnicate'], /^netconfkit: unknown option --frobnicate\n/],
    [['help', 'frobnicate'], /^netconfkit: unknown command "frobnicate"\n/],
  ])('%j', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toContain('secret-1');
  });
});

describe('a file that cannot be read: one line naming it, exit 2', () => {
  const missing = path.join(dir, 'missing.set');
  const env = { PATH: process.env.PATH ?? '', NETCONF_PASSWORD: 'x' };
  const target = ['--host', '127.0.0.1', '--username', 'ops'];
  const inventory = path.join(dir, 'inventory.json');
  writeFileSync(inventory, '[]');
  it.each([
    ['load', ['load', missing, ...target], `cannot read ${missing}: no such file`],
    ['edit-config', ['edit-config', missing, ...target], `cannot read ${missing}: no such file`],
    ['get-config --filter', ['get-config', '--filter', missing, ...target], `cannot read the filter ${missing}: no such file`],
    ['rpc --file', ['rpc', '--file', missing, ...target], `cannot read ${missing}: no such file`],
    ['rpc --key', ['rpc', '<get/>', '--key', missing, ...target], `cannot read the key ${missing}: no such file`],
    ['replay', ['replay', missing], `cannot read ${missing}: no such file`],
    ['replay a directory', ['replay', dir], `cannot read ${dir}: it is a directory`],
    ['fleet --inventory', ['fleet', 'get-config', '--inventory', missing], `cannot read the inventory ${missing}: no such file`],
    ['fleet commit CHANGE', ['fleet', 'commit', missing, '--inventory', inventory], `cannot read the change ${missing}: no such file`],
    ['fleet --key', ['fleet', 'get-config', '--inventory', inventory, '--key', missing], `cannot read the key ${missing}: no such file`],
  ])('%s', (_what, args, line) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`netconfkit: ${line}\n`);
    expect(r.stderr).not.toMatch(/UNKNOWN|ENOENT/);
  });
});
