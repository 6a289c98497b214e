import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FAKE_COMMAND_PERSONALITIES } from '../../src/cli/fake-command.js';
import { FAKE_HELP } from '../../src/cli/help.js';
import type { QuirkKind } from '../../src/reader/quirks.js';
import { connect } from '../../src/session/connect.js';
import { DEBIAN_PYTHON } from '../setup/ncclient.js';
import { CLI, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const NCCLIENT_REPLIES = fileURLToPath(new URL('../../scripts/ncclient-replies.py', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'nk-cli-fake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { PATH: process.env.PATH ?? '', NETCONF_PASSWORD: 'secret-pw' };
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

type Result = { status: number | null; stdout: string; stderr: string };
type Listening = { port: number; fingerprint: string; stdout: string };

/** Runs the CLI until it says where it listens (or exits); `stop()` sends SIGTERM and waits. */
async function start(args: string[]): Promise<{ at: Listening; stop: () => Promise<Result> }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const at = await new Promise<Listening>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on 127\.0\.0\.1:(\d+)\nuser \S+, host key (SHA256:\S+)[;\n]/.exec(stdout);
      if (m && (args[0] !== 'fake' || stdout.includes('known_hosts:'))) resolve({ port: Number(m[1]), fingerprint: m[2]!, stdout });
    });
    void closed.then((status) => reject(new Error(`exited ${status}: ${stderr}`)));
  });
  return { at, stop: async () => (child.kill('SIGTERM'), { status: await closed, stdout, stderr }) };
}

const run = (args: string[]): Promise<Result> => runCli(args, ENV);

/** ncclient (scripts/ncclient-replies.py) against a port: its session id and each reply's text, or its exception. */
function ncclient(port: number, requests: string[], close = true): Promise<{ sessionId: string | null; replies: string[] }> {
  const job = JSON.stringify({ host: '127.0.0.1', port, username: 'netconf', password: 'secret-pw', requests, close });
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [NCCLIENT_REPLIES], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as { sessionId: string | null; replies: string[] }) : reject(new Error(`ncclient-replies exited ${code}: ${stderr}`))));
    child.stdin.end(job);
  });
}

/** What a netconfkit session sees of a device: one `<get/>`, then close. */
async function visit(at: Listening): Promise<{ quirks: QuirkKind[]; reply: string }> {
  const session = await connect({ host: '127.0.0.1', port: at.port, username: 'netconf', password: 'secret-pw', hostKey: at.fingerprint });
  try {
    const reply = await session.rpc('<get/>');
    await session.close();
    return { quirks: session.quirks.map((q) => q.kind), reply: reply.xml ?? '' };
  } finally {
    session.destroy();
  }
}

const EXPECTED: Record<string, QuirkKind[]> = {
  rfc: [],
  iosxe: ['reply-without-message-id'],
  nxos: ['close-without-ok'],
  huawei: ['nul-padding'],
  ios: ['capability-spelling'],
  junos: [],
  'junos-rfc': [],
};

describe('netconfkit fake', () => {
  it('the help lists every personality it takes', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FAKE_COMMAND_PERSONALITIES].sort());
    for (const name of FAKE_COMMAND_PERSONALITIES) expect(FAKE_HELP).toMatch(new RegExp(`^ {2}${name} `, 'm'));
  });

  for (const personality of FAKE_COMMAND_PERSONALITIES) {
    it(`--personality ${personality}: serves a session that reports the personality's quirks; SIGTERM ends it, exit 0`, async () => {
      const { at, stop } = await start(['fake', '--personality', personality]);
      expect(at.stdout).toContain(`personality ${personality}`);
      expect(at.stdout).toContain(`log in: ssh -p ${at.port} netconf@127.0.0.1 -s netconf`);
      expect(at.stdout).toMatch(new RegExp(`known_hosts: \\[127\\.0\\.0\\.1\\]:${at.port} ssh-ed25519 AAAA`));
      expect(at.stdout).not.toContain('secret-pw');
      const seen = await visit(at);
      expect(seen.quirks).toEqual(EXPECTED[personality]);
      expect(seen.reply).toMatch(personality.startsWith('junos') ? /<configuration/ : /<data\/>/);
      const end = await stop();
      expect(end.status).toBe(0);
      expect(end.stdout).toMatch(/\b2 request\(s\) received\n$/);
    });
  }

  it('--personality iosxe to ncclient: the hello works, and ncclient fails on the reply without message-id as it does on IOS-XE 17.15', async () => {
    const { at, stop } = await start(['fake', '--personality', 'iosxe', '--port', String(await freePort())]);
    // Not closed: ncclient would wait its whole timeout for a close-session reply it cannot match either.
    const seen = await ncclient(at.port, ['<get-config><source><running/></source></get-config>'], false);
    expect(seen.sessionId).toMatch(/^\d+$/);
    expect(seen.replies).toEqual(["exception: OperationError: Could not find 'message-id' attribute in <rpc-reply>"]);
    expect((await stop()).status).toBe(0);
  });

  it('--personality rfc to ncclient: the reply ncclient reads is the device\'s', async () => {
    const { at, stop } = await start(['fake']);
    const seen = await ncclient(at.port, ['<get-config><source><running/></source></get-config>']);
    expect(seen.replies[0]).toMatch(/^<rpc-reply [^>]*message-id="[^"]+"[^>]*><data\/><\/rpc-reply>$/);
    expect((await stop()).status).toBe(0);
  });

  it('a bad --personality or --port is a usage error, exit 2', async () => {
    const bad = await run(['fake', '--personality', 'ios-xr']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--personality must be one of rfc, iosxe, nxos, huawei, ios, junos, junos-rfc, not "ios-xr"');
    expect((await run(['fake', '--port', '0'])).status).toBe(2);
  });
});

describe('--host-key FILE (fake and serve)', () => {
  it('creates a missing key file 0600, and the same file gives the same fingerprint after a restart, to fake and serve alike', async () => {
    const file = path.join(dir, 'host.key');
    const first = await start(['fake', '--host-key', file]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await first.stop()).status).toBe(0);
    const again = await start(['fake', '--personality', 'junos', '--host-key', file]);
    expect(again.at.fingerprint).toBe(first.at.fingerprint);
    // A client that trusted the first run trusts the second.
    expect((await visit(again.at)).reply).toContain('<configuration');
    await again.stop();
    const served = await start(['serve', recording(), '--host-key', file]);
    expect(served.at.fingerprint).toBe(first.at.fingerprint);
    expect((await served.stop()).status).toBe(0);
  });

  it('a file that holds no private key, or cannot be read, is an error naming it (exit 2), and is left as it was', async () => {
    const junk = path.join(dir, 'junk.key');
    writeFileSync(junk, 'not a key\n');
    for (const command of [['fake'], ['serve', recording()]]) {
      const r = await run([...command, '--host-key', junk]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^netconfkit: the host key ${junk} is not a private key this server can use: `));
    }
    expect(readFileSync(junk, 'utf8')).toBe('not a key\n');
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const unreadable = await run(['fake', '--host-key', folder]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toBe(`netconfkit: cannot read the host key ${folder}: it is a directory\n`);
    const nowhere = await run(['fake', '--host-key', path.join(dir, 'no', 'such', 'dir', 'k')]);
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toContain('cannot create the host key');
  });
});

/** A recording of a device that answers nothing: its hello only. */
function recording(): string {
  const file = path.join(dir, 'hello-only.jsonl');
  const hello = '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>1</session-id></hello>';
  writeFileSync(
    file,
    [
      { type: 'netconfkit-recording', version: 1, device: 'r1:830', recordedAt: '2026-01-01T00:00:00.000Z', redacted: true },
      { type: 'hello', t: 0, sessionId: 1, framing: 'eom', capabilities: ['urn:ietf:params:netconf:base:1.0'], xml: hello },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n',
  );
  return file;
}

