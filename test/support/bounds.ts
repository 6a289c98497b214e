import { NetconfError } from '../../src/errors/index.js';

/** How a call ended: `ok`, or the code of the NetconfError it rejected with, and after how long. */
export interface Settled {
  outcome: string;
  ms: number;
  error: NetconfError | null;
}

/**
 * Times a call from now until it settles. A rejection that is not a NetconfError is recorded
 * as `NOT_A_NETCONF_ERROR` (the test then fails on its outcome).
 */
export async function timed(call: Promise<unknown>): Promise<Settled> {
  const started = performance.now();
  try {
    await call;
    return { outcome: 'ok', ms: performance.now() - started, error: null };
  } catch (err) {
    const ms = performance.now() - started;
    if (err instanceof NetconfError) return { outcome: err.code, ms, error: err };
    return { outcome: 'NOT_A_NETCONF_ERROR', ms, error: null };
  }
}

/** The largest settle time seen per label, to print once the file has run. */
export class SettleTimes {
  private readonly max = new Map<string, number>();

  record(label: string, ms: number): void {
    this.max.set(label, Math.max(this.max.get(label) ?? 0, ms));
  }

  /** One line per label: `label  123 ms`. */
  report(title: string): string {
    const width = Math.max(0, ...[...this.max.keys()].map((k) => k.length));
    const lines = [...this.max].map(([label, ms]) => `  ${label.padEnd(width)}  ${Math.round(ms)} ms`);
    return `${title}\n${lines.join('\n')}`;
  }
}

