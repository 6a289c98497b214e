/**
 * A device's circuit breaker whose state lives in Redis, so that every queue worker sees what
 * any of them saw: the same rules as DeviceBreaker (transport failures in a row open it, what
 * the device answered closes the streak), kept in three keys that expire by themselves.
 *
 * - `…:fails` counts transport failures in a row; it expires `halfOpenAfterMs` after the last
 *   one, so failures that far apart never add up.
 * - `…:open` exists while the circuit is open (its TTL is the rest of the pause) and holds the
 *   failure that opened it.
 * - `…:tripped` stays until a probe succeeds: once `…:open` has expired, the circuit is
 *   half-open, and `…:probe` (set NX, with a TTL in case its worker dies) lets exactly one
 *   call through.
 *
 * Time is Redis's own (key TTLs), never compared across workers' clocks.
 */
import { NetconfError, type NetconfErrorJSON } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { type Breaker, type BreakerOptions, circuitOpen, isTransportFailure } from './breaker.js';
import { type LuaScript, type RedisScripts, deviceKey, runScript } from './redis.js';

// KEYS: open, tripped, probe. ARGV: probe TTL, probe id.
// → {'closed'}, {'probe'}, or {'open', the failure that opened it}.
const ADMIT: LuaScript = { name: 'netconfkitBreakerAdmit', keys: 3, lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'open', redis.call('GET', KEYS[1])} end
if redis.call('EXISTS', KEYS[2]) == 0 then return {'closed'} end
if redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[1]) then return {'probe'} end
return {'open', redis.call('GET', KEYS[2])}` };

// KEYS: fails, open, tripped, probe. ARGV: threshold, pause, failure, probe id ('' if none).
const FAILED: LuaScript = { name: 'netconfkitBreakerFailed', keys: 4, lua: `
local function trip()
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
  redis.call('SET', KEYS[3], ARGV[3])
  redis.call('DEL', KEYS[1])
end
if ARGV[4] ~= '' then
  if redis.call('GET', KEYS[4]) == ARGV[4] then redis.call('DEL', KEYS[4]) end
  trip()
  return 1
end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if n >= tonumber(ARGV[1]) then trip() return 1 end
return 0` };

// KEYS: fails, tripped, probe. ARGV: probe id ('' if none).
const SUCCEEDED: LuaScript = { name: 'netconfkitBreakerSucceeded', keys: 3, lua: `
redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then
  if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
  redis.call('DEL', KEYS[2])
end
return 1` };

let probes = 0;

/** The breaker of one device, shared by every worker that uses the same Redis and prefix. */
export class SharedBreaker implements Breaker {
  private readonly threshold: number;
  private readonly halfOpenAfterMs: number;
  private readonly keys: { fails: string; open: string; tripped: string; probe: string };

  constructor(private readonly redis: RedisScripts, readonly device: string, options: BreakerOptions & { prefix: string }) {
    this.threshold = options.threshold ?? 5;
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
    const key = (what: string) => deviceKey(options.prefix, device, `breaker:${what}`);
    this.keys = { fails: key('fails'), open: key('open'), tripped: key('tripped'), probe: key('probe') };
  }

  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const { fails, open, tripped, probe } = this.keys;
    const probeId = `${process.pid}:${++probes}:${Date.now()}`;
    const [state, opener] = (await runScript(this.redis, ADMIT, open, tripped, probe, this.halfOpenAfterMs, probeId)) as [string, string | null];
    if (state === 'open') throw circuitOpen(this.device, this.threshold, this.halfOpenAfterMs, revive(opener));
    const asProbe = state === 'probe' ? probeId : '';
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      // Recording is best effort: a Redis hiccup must not hide the device's own failure.
      const record = isTransportFailure(err)
        ? runScript(this.redis, FAILED, fails, open, tripped, probe, this.threshold, this.halfOpenAfterMs, JSON.stringify(toNetconfError(err).toJSON()), asProbe)
        : runScript(this.redis, SUCCEEDED, fails, tripped, probe, asProbe);
      await record.catch(() => undefined);
      throw err;
    }
    await runScript(this.redis, SUCCEEDED, fails, tripped, probe, asProbe).catch(() => undefined);
    return value;
  }
}

/** The failure that opened the circuit, from its stored JSON. */
function revive(stored: string | null): NetconfError | undefined {
  if (!stored) return undefined;
  try {
    return NetconfError.fromJSON(JSON.parse(stored) as NetconfErrorJSON);
  } catch {
    return undefined;
  }
}
