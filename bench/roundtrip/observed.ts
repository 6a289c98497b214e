/**
 * The cost of observability: round trips one at a time on one session with nobody subscribed,
 * with no-op subscribers on every netconfkit tracing and event channel, and with the wire
 * channel too (it carries bodies). Rounds alternate so that drift hits every case alike; the
 * ratio to the unobserved rate is in the note.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Session } from '../../src/index.js';
import { now } from '../timing.js';
import { rate, type RateResult } from './request.js';

const TRACED = ['netconfkit:connect', 'netconfkit:rpc', 'netconfkit:commitFlow', 'netconfkit:commitFlow:step'];
const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];
const EVENTS = ['netconfkit:item', 'netconfkit:notification', 'netconfkit:session:close'];
const noop = () => undefined;

function listen(names: string[]): () => void {
  for (const n of names) subscribe(n, noop);
  return () => names.forEach((n) => unsubscribe(n, noop));
}

const CHANNELS = [...TRACED.flatMap((t) => PHASES.map((p) => `tracing:${t}:${p}`)), ...EVENTS];

export async function observedRates(session: Session, count: number, pump: (session: Session, count: number, inFlight: number) => Promise<void>): Promise<RateResult[]> {
  const cases = [
    { id: 'netconfkit-1-unobserved', client: 'netconfkit, one at a time, nobody subscribed', names: [] as string[] },
    { id: 'netconfkit-1-observed', client: 'netconfkit, one at a time, every channel subscribed (no-op)', names: CHANNELS },
    { id: 'netconfkit-1-wire', client: 'netconfkit, one at a time, every channel and netconfkit:wire subscribed', names: [...CHANNELS, 'netconfkit:wire'] },
  ];
  const seconds = cases.map(() => 0);
  const rounds = 6;
  // Round 0 warms every case up and is not counted; each round starts with a different case.
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (round + k) % cases.length;
      const stop = listen(cases[i]!.names);
      try {
        const t0 = now();
        await pump(session, count, 1);
        if (round > 0) seconds[i]! += now() - t0;
      } finally {
        stop();
      }
    }
  }
  const base = (count * rounds) / seconds[0]!;
  return cases.map((c, i) => {
    const r = rate(c.client, c.id, count * rounds, 1, seconds[i]!);
    return i === 0 ? r : { ...r, note: `${((r.rpcsPerSecond / base) * 100).toFixed(1)}% of the unobserved rate, same run` };
  });
}
