/**
 * What the queue worker's shared pieces (device locks, breakers) need of Redis: Lua scripts,
 * each run atomically on the server, through the client BullMQ already has (its ioredis,
 * node-redis or Bun adapter all define and run scripts this way), and the keys of a device.
 */

/** The two methods of BullMQ's Redis client used here. */
export interface RedisScripts {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  runCommand(name: string, args: (string | number)[]): Promise<unknown>;
}

/** A Lua script: its command name, how many of its arguments are keys, its source. */
export interface LuaScript {
  name: string;
  keys: number;
  lua: string;
}

const defined = new WeakMap<RedisScripts, Set<string>>();

/** Runs a script (defined on the client the first time), keys first, then the other arguments. */
export function runScript(redis: RedisScripts, script: LuaScript, ...args: (string | number)[]): Promise<unknown> {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Set()));
  if (!names.has(script.name)) {
    redis.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
    names.add(script.name);
  }
  return redis.runCommand(script.name, args);
}

/** A Redis key of one device, hash-tagged so that all of a device's keys share a Redis Cluster slot. */
export function deviceKey(prefix: string, device: string, what: string): string {
  return `${prefix}:device:{${device}}:${what}`;
}
