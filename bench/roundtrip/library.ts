/**
 * This library's client: connect() (host key pinned), then `count` get-configs through
 * Session.rpc, one after another or with a fixed number in flight.
 */
import { connect, type Session } from '../../src/index.js';
import { now } from '../timing.js';
import { observedRates } from './observed.js';
import { GET_CONFIG, rate, type RateResult } from './request.js';
import type { Server } from './servers.js';

async function pump(session: Session, count: number, inFlight: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await session.rpc(GET_CONFIG);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

export async function libraryRates(server: Server, count: number, inFlights: readonly number[]): Promise<RateResult[]> {
  const session = await connect({
    host: server.host, port: server.port, username: server.username, password: server.password, hostKey: server.hostKey,
  });
  try {
    // Warm-up, one at a time and pipelined: the JIT and the SSH windows.
    await pump(session, 100, 1);
    await pump(session, 200, 64);
    const out: RateResult[] = [];
    for (const n of [1, ...inFlights]) {
      const t0 = now();
      await pump(session, count, n);
      const seconds = now() - t0;
      out.push(rate(n === 1 ? 'netconfkit connect(), one at a time' : `netconfkit connect(), ${n} in flight`, `netconfkit-${n}`, count, n, seconds));
    }
    // What observability costs, subscribed or not (bench/roundtrip/observed.ts).
    out.push(...(await observedRates(session, count, pump)));
    return out;
  } finally {
    await session.close();
  }
}
