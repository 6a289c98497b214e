/**
 * Measurement 5: round trips. Against each server, RPCs per second for the same small
 * <get-config>: this library one at a time and with 8 and 64 in flight, the bare ssh2 client,
 * ncclient (as shipped and with its poll patched low) and bare paramiko. Targets: one at a
 * time ≥ 1/2 of the bare client's rate; 64 in flight ≥ the bare client's one-at-a-time rate.
 */
import { RPC } from '../config.js';
import { bareRate } from './bare-ssh2.js';
import { libraryRates } from './library.js';
import { ncclientRate, paramikoRate } from './python.js';
import type { RateResult } from './request.js';
import { type Server, startFakeDevice, startNetconfd } from './servers.js';

export interface ServerRates {
  server: string;
  error?: string;
  rates: RateResult[];
  /** Failures of single clients (the others still ran). */
  failures: { client: string; error: string }[];
}

async function against(server: Server, log: (s: string) => void): Promise<ServerRates> {
  const out: ServerRates = { server: server.name, rates: [], failures: [] };
  const step = async (client: string, fn: () => Promise<RateResult | RateResult[]>) => {
    log(`  ${server.name}: ${client}`);
    try {
      const r = await fn();
      for (const x of Array.isArray(r) ? r : [r]) {
        out.rates.push(x);
        log(`    ${x.client}: ${x.rpcsPerSecond.toFixed(0)} RPC/s`);
      }
    } catch (err) {
      out.failures.push({ client, error: (err as Error).message });
      log(`    failed: ${(err as Error).message}`);
    }
  };
  await step('bare ssh2', () => bareRate(server, RPC.count));
  await step('netconfkit', () => libraryRates(server, RPC.count, RPC.inFlight));
  await step('bare paramiko', () => paramikoRate(server, RPC.count));
  await step('ncclient (TICK patched)', () => ncclientRate(server, RPC.count, 0.001));
  await step('ncclient (as shipped)', () => ncclientRate(server, RPC.ncclientShippedCount, null));
  return out;
}

export async function measureRoundTrips(log: (s: string) => void): Promise<ServerRates[]> {
  const results: ServerRates[] = [];
  for (const start of [() => startFakeDevice(), () => startNetconfd(log)]) {
    let server: Server | null = null;
    try {
      server = await start();
      log(`round trips: ${server.name} on ${server.host}:${server.port}`);
      results.push(await against(server, log));
    } catch (err) {
      results.push({ server: server?.name ?? 'a server', error: (err as Error).message, rates: [], failures: [] });
      log(`round trips: ${(err as Error).message}`);
    } finally {
      await server?.stop();
    }
  }
  return results;
}
