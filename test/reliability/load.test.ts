/**
 * Load: 200 sessions at once against one fake device over real SSH, 100 calls in flight on
 * each (20,000 at once). Nothing is lost (every reply matched to its call by message-id and
 * content), and the memory comes back once the sessions and the device are closed.
 *
 * Memory is measured after full garbage collections: `global.gc` when node runs with
 * --expose-gc, else the same function obtained at run time (v8.setFlagsFromString, then a
 * fresh context), so the test needs no change to the vitest configuration.
 */
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeDevice } from '../../src/device/fake-device.js';
import { connect } from '../../src/session/connect.js';
import type { RpcReply, Session } from '../../src/session/session.js';
import { expectResourcesBack, options, resources } from './support.js';

const SESSIONS = 200;
const CALLS = 100;
/** Sessions being set up at once (each is an SSH handshake, both ends in this process). */
const CONNECTING = 25;

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = gcFunction();

async function settledHeap(): Promise<{ heapUsed: number; rss: number; external: number }> {
  // Let closing handles finish, then collect (twice: weak references and finalizers).
  for (let k = 0; k < 3; k++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

async function round(sessions: number, calls: number): Promise<{ connectMs: number; callMs: number; replies: number; peakHeap: number }> {
  const device = await FakeDevice.start({
    // Each reply echoes the call's token, so a reply matched to the wrong call would show.
    rules: [{ match: 'echo', reply: (r) => ({ reply: `<data><echo>${/<t>([^<]+)<\/t>/.exec(r.xml)![1]}</echo></data>` }) }],
  });
  const open: Session[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < sessions; i += CONNECTING) {
      open.push(...(await Promise.all(Array.from({ length: Math.min(CONNECTING, sessions - i) }, () => connect(options(device, { rpcTimeoutMs: 120_000 }))))));
    }
    const connectMs = performance.now() - t0;
    expect(device.sessionCount).toBe(sessions);

    const t1 = performance.now();
    const all: Promise<[string, string, RpcReply]>[] = [];
    for (const [i, s] of open.entries()) {
      for (let j = 0; j < calls; j++) {
        const token = `s${i}-c${j}`;
        const expectedId = String(j + 1); // each session numbers its calls from 1
        all.push(s.rpc(`<echo xmlns="urn:nk:test"><t>${token}</t></echo>`).then((r) => [token, expectedId, r]));
      }
    }
    expect(open.reduce((n, s) => n + s.inFlight, 0)).toBe(sessions * calls);
    const results = await Promise.all(all);
    const callMs = performance.now() - t1;
    const peakHeap = process.memoryUsage().heapUsed;

    let matched = 0;
    for (const [token, id, reply] of results) {
      if (reply.messageId === id && reply.xml?.includes(`<echo>${token}</echo>`)) matched++;
    }
    expect(matched).toBe(sessions * calls);
    expect(device.requests.filter((r) => r.operation === 'echo')).toHaveLength(sessions * calls);
    expect(open.every((s) => s.inFlight === 0)).toBe(true);
    return { connectMs, callMs, replies: matched, peakHeap };
  } finally {
    await Promise.all(open.map((s) => s.close()));
    await device.close();
  }
}

describe(`load: ${SESSIONS} sessions × ${CALLS} calls in flight against one fake device`, () => {
  it('every one of the 20,000 replies reaches its own call, and the memory and handles come back (twice over)', async () => {
    const handles = resources();
    // Warm up (JIT, ssh2's and the crypto module's lazy state), then take the baseline.
    await round(5, 20);
    const base = await settledHeap();

    const rounds: { r: Awaited<ReturnType<typeof round>>; after: Awaited<ReturnType<typeof settledHeap>> }[] = [];
    for (let k = 0; k < 2; k++) {
      const r = await round(SESSIONS, CALLS);
      const after = await settledHeap();
      await expectResourcesBack(handles);
      rounds.push({ r, after });
      process.stdout.write(
        `load round ${k + 1}: ${SESSIONS} sessions connected in ${(r.connectMs / 1000).toFixed(1)} s; ${r.replies.toLocaleString('en-US')} calls (${CALLS} in flight per session) `
          + `answered in ${(r.callMs / 1000).toFixed(1)} s = ${Math.round(r.replies / (r.callMs / 1000)).toLocaleString('en-US')} RPC/s; `
          + `heap ${mb(base.heapUsed)} before, ${mb(r.peakHeap)} at peak, ${mb(after.heapUsed)} after all closed (${signed(after.heapUsed - base.heapUsed)}); `
          + `rss ${mb(base.rss)} -> ${mb(after.rss)}; external+array buffers ${mb(base.external)} -> ${mb(after.external)}\n`,
      );
      expect(r.replies).toBe(SESSIONS * CALLS);
    }
    const [first, second] = rounds;
    // The first round may keep one-time state (lazily built tables, grown pools); it must be small.
    expect(first!.after.heapUsed - base.heapUsed).toBeLessThan(8 * 1024 * 1024);
    expect(first!.after.external - base.external).toBeLessThan(8 * 1024 * 1024);
    // The second round keeps nothing more: no per-session or per-call residue (20,000 calls
    // leaking even 100 bytes each would show as 2 MB).
    expect(second!.after.heapUsed - first!.after.heapUsed).toBeLessThan(2 * 1024 * 1024);
    expect(second!.after.external - first!.after.external).toBeLessThan(2 * 1024 * 1024);
  }, 180_000);
});

function signed(n: number): string {
  return `${n >= 0 ? '+' : '-'}${mb(Math.abs(n))}`;
}
