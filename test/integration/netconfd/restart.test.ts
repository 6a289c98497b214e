/**
 * The real server going away under the session: the OpenSSH + netconfd pair started by the
 * global set-up (scripts/netconfd.sh) is stopped with calls in flight, then started again.
 *
 * Every pending call must reject with CONNECTION_LOST (a write already sent with
 * COMMIT_OUTCOME_UNKNOWN), nothing may hang, and once the pair is back a new session works.
 * The peer is left running at the end: other peer tests share it (the global teardown stops
 * it). Note: this file stops the shared peer, so peer test files must not run in parallel
 * with it (see the report on vitest.config.ts).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connect, type ConnectOptions } from '../../../src/session/connect.js';
import type { RpcReply, Session } from '../../../src/session/session.js';
import { NetconfError } from '../../../src/errors/index.js';
import { type PeerInfo, readPeerInfo } from '../../setup/peer-info.js';
import { alive, runPeerScript } from '../../setup/peer-script.js';

const injected: PeerInfo = inject('netconfPeer');
const open: Session[] = [];

function options(peer: PeerInfo, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: peer.host, port: peer.port, username: peer.username, password: peer.password, knownHosts: peer.knownHosts, ...extra };
}

async function session(peer: PeerInfo): Promise<Session> {
  const s = await connect(options(peer));
  open.push(s);
  return s;
}

type Outcome = { code: string; error?: NetconfError; reply?: RpcReply };

/** A call's outcome, with the rejection handled at once (calls may fail before anyone awaits them). */
function track(p: Promise<RpcReply>): Promise<Outcome> {
  return p.then(
    (reply): Outcome => ({ code: 'ok', reply }),
    (error: unknown): Outcome => {
      expect(error).toBeInstanceOf(NetconfError);
      return { code: (error as NetconfError).code, error: error as NetconfError };
    },
  );
}

/** Every call's outcome; fails if any is still pending after `ms`. */
async function outcomes(calls: Promise<Outcome>[], ms: number): Promise<Outcome[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not every call settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.all(calls), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function startPeer(): Promise<PeerInfo> {
  const t0 = Date.now();
  const started = await runPeerScript('start', { timeoutMs: 120_000 });
  expect(started.code, started.output).toBe(0);
  const peer = readPeerInfo();
  process.stdout.write(`restart: the pair is back (sshd ${peer.sshdPid}, netconfd ${peer.netconfdPid}) after ${Date.now() - t0} ms\n`);
  return peer;
}

afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  // Whatever happened above, leave the shared peer running.
  if ((await runPeerScript('status', { timeoutMs: 30_000 })).code !== 0) await runPeerScript('start', { timeoutMs: 120_000 });
}, 150_000);

describe('the real server stopped with calls in flight, then started again', () => {
  it('killed by its recorded pids while every call is held: all reject with CONNECTION_LOST (the writes COMMIT_OUTCOME_UNKNOWN); a new session works after start', async () => {
    const peer = readPeerInfo(); // the pids as recorded now (an earlier test may have restarted the pair)
    expect(peer.port).toBe(injected.port);
    const a = await session(peer);
    const b = await session(peer);
    expect((await a.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('data');

    // Hold netconfd still, so that every call below is certainly still pending when the pair dies.
    process.kill(peer.netconfdPid, 'SIGSTOP');
    let calls: Promise<Outcome>[];
    try {
      calls = [
        ...Array.from({ length: 5 }, () => a.rpc('<get-config><source><running/></source></get-config>')),
        a.rpc('<edit-config><target><candidate/></target><config/></edit-config>', { write: true }),
        ...Array.from({ length: 5 }, () => b.rpc('<get/>')),
        b.rpc('<commit/>', { write: true }),
      ].map(track);
      await new Promise((r) => setTimeout(r, 200)); // written and forwarded to the stopped netconfd
      expect(a.inFlight + b.inFlight).toBe(12);
      // Stop the pair by the pids the script recorded (SIGKILL: a crash, and it works on a stopped process).
      process.kill(peer.netconfdPid, 'SIGKILL');
      process.kill(peer.sshdPid, 'SIGKILL');
    } catch (err) {
      process.kill(peer.netconfdPid, 'SIGCONT');
      throw err;
    }
    const t0 = Date.now();
    const settled = await outcomes(calls, 20_000);
    process.stdout.write(`restart: ${settled.length} calls in flight settled ${Date.now() - t0} ms after the kill: ${settled.map((s) => s.code).join(', ')}\n`);
    expect(settled.map((s) => s.code)).toEqual([
      ...Array(5).fill('CONNECTION_LOST'), 'COMMIT_OUTCOME_UNKNOWN', ...Array(5).fill('CONNECTION_LOST'), 'COMMIT_OUTCOME_UNKNOWN',
    ]);
    for (const s of settled) {
      expect(s.error!.retryable).toBe(s.code === 'CONNECTION_LOST');
      if (s.code === 'COMMIT_OUTCOME_UNKNOWN') expect((s.error!.cause as NetconfError).code).toBe('CONNECTION_LOST');
    }
    expect(a.closed && b.closed).toBe(true);
    expect(codeOf(await a.rpc('<get/>').catch((e: unknown) => e))).toBe('SESSION_CLOSED');
    await expect.poll(() => !alive(peer.netconfdPid) && !alive(peer.sshdPid), { timeout: 15_000, message: 'the daemons to be gone' }).toBe(true);

    // Nothing listens now.
    const refused = await connect(options(peer, { connectTimeoutMs: 5_000 })).then((s) => (open.push(s), null), (e: unknown) => e);
    expect(codeOf(refused)).toBe('CONNECTION_REFUSED');

    // The script tidies up after the crash (pid files, socket), then starts the pair again.
    expect((await runPeerScript('stop', { timeoutMs: 60_000 })).code).toBe(0);
    const again = await startPeer();
    expect(again.sshdPid).not.toBe(peer.sshdPid);
    const c = await session(again);
    const reply = await c.rpc('<get-config><source><running/></source></get-config>');
    expect(reply.xml).toContain('data');
    expect(c.sessionId).toBeGreaterThan(0);
  }, 120_000);

  it('stopped by the script (SIGTERM, the usual way) under a steady stream of calls: each is answered or rejected CONNECTION_LOST, none hangs; then a new session works', async () => {
    const peer = readPeerInfo();
    const s = await session(peer);
    let closedWith: NetconfError | null | undefined;
    s.on('close', (e) => (closedWith = e));
    const calls: Promise<Outcome>[] = [];
    let k = 0;
    const issue = () => {
      for (let n = 0; n < 10; n++, k++) calls.push(track(s.rpc('<get-config><source><running/></source></get-config>', { write: k % 25 === 0 })));
    };
    issue();
    const stopping = runPeerScript('stop', { timeoutMs: 60_000 });
    // Keep calls in flight until the session goes (netconfd takes about a second to stop).
    const t0 = Date.now();
    while (!s.closed && Date.now() - t0 < 20_000) {
      issue();
      await new Promise((r) => setTimeout(r, 5));
    }
    const settled = await outcomes(calls, 30_000);
    expect((await stopping).code).toBe(0);
    const by: Record<string, number> = {};
    for (const o of settled) by[o.code] = (by[o.code] ?? 0) + 1;
    process.stdout.write(`restart: ${settled.length} calls issued while the script stopped the pair: ${JSON.stringify(by)}\n`);
    for (const [i, o] of settled.entries()) {
      expect(o.code, `call ${i}`).toMatch(i % 25 === 0 ? /^(ok|COMMIT_OUTCOME_UNKNOWN)$/ : /^(ok|CONNECTION_LOST)$/);
    }
    expect(s.closed).toBe(true);
    expect(closedWith?.code).toBe('CONNECTION_LOST');
    const again = await startPeer();
    const c = await session(again);
    expect((await c.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('data');
    expect((await runPeerScript('status', { timeoutMs: 30_000 })).code).toBe(0);
  }, 120_000);
});

function codeOf(err: unknown): string | null {
  return err instanceof NetconfError ? err.code : null;
}
