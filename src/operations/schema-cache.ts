import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError } from '../errors/classes.js';

/**
 * A directory of module sources, one file per module, revision and format
 * (`name@revision.format`, `name.format` without revision): what is there is never fetched
 * again. Files appear whole (written to a temporary name, then renamed), and a lock file per
 * entry lets one fetcher at a time fetch it, across processes: the others wait for its file.
 */

/** What the cache answered: the text, its file, and whether it was fetched now. */
export interface CacheEntry {
  schema: string;
  path: string;
  downloaded: boolean;
}

// Names and revisions come from devices: only YANG identifiers and dates make file names, so
// no name can leave the directory, hide (a leading dot) or collide with a lock or temporary file.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const REVISION = /^\d{4}-\d{2}-\d{2}$/;
const FORMAT = /^[a-z][a-z0-9-]{0,15}$/;

/** How often a waiting fetcher looks whether the other one has finished. */
const POLL_MS = 50;
/** A lock this old is left over from a fetcher that died (on another host, where its pid cannot be checked). */
const STALE_LOCK_MS = 5 * 60_000;

/** The entry's file name; INVALID_ARGUMENT for anything that is not a module name, a date and a format. */
export function entryName(identifier: string, version: string | undefined, format: string): string {
  if (!IDENTIFIER.test(identifier)) throw new ClientError('INVALID_ARGUMENT', `A schema cache keeps YANG modules by name: ${JSON.stringify(identifier.slice(0, 80))} is not a YANG identifier`);
  if (version !== undefined && version !== '' && !REVISION.test(version)) throw new ClientError('INVALID_ARGUMENT', `A schema cache keeps revisions by date (YYYY-MM-DD), not ${JSON.stringify(version.slice(0, 40))}`);
  if (!FORMAT.test(format)) throw new ClientError('INVALID_ARGUMENT', `A schema cache keeps formats by name (yang, yin), not ${JSON.stringify(format.slice(0, 40))}`);
  return version ? `${identifier}@${version}.${format}` : `${identifier}.${format}`;
}

/** Fetches of this process in flight, by file: a second caller waits for the first. */
const inFlight = new Map<string, Promise<CacheEntry>>();

/** The entry `name` of `dir`: read when present, else fetched once and written. */
export async function cachedEntry(dir: string, name: string, fetch: () => Promise<string>, signal?: AbortSignal): Promise<CacheEntry> {
  const path = join(dir, name);
  const present = await readIfPresent(path);
  if (present !== null) return { schema: present, path, downloaded: false };
  let pending = inFlight.get(path);
  if (!pending) {
    pending = fill(dir, path, name, fetch, signal).finally(() => inFlight.delete(path));
    inFlight.set(path, pending);
    return pending;
  }
  const entry = await pending;
  return { ...entry, downloaded: false };
}

async function fill(dir: string, path: string, name: string, fetch: () => Promise<string>, signal: AbortSignal | undefined): Promise<CacheEntry> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, `.${name}.lock`);
  for (;;) {
    if (await takeLock(lock)) break;
    const done = await readIfPresent(path);
    if (done !== null) return { schema: done, path, downloaded: false };
    if (await isStale(lock)) await unlink(lock).catch(ignoreMissing);
    else await sleep(POLL_MS, undefined, { signal });
  }
  try {
    // The holder before us may have written it between our look and our lock.
    const done = await readIfPresent(path);
    if (done !== null) return { schema: done, path, downloaded: false };
    const schema = await fetch();
    const temporary = join(dir, `.${name}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, schema, { flag: 'wx' });
      await rename(temporary, path);
    } catch (err) {
      await unlink(temporary).catch(ignoreMissing);
      throw err;
    }
    return { schema, path, downloaded: true };
  } finally {
    await unlink(lock).catch(ignoreMissing);
  }
}

const HOST = hostname();

async function takeLock(lock: string): Promise<boolean> {
  try {
    const handle = await open(lock, 'wx');
    try {
      await handle.writeFile(`${HOST} ${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** The lock's fetcher has died: its process is gone (same host), or the lock is very old. */
async function isStale(lock: string): Promise<boolean> {
  let owner: string;
  let mtimeMs: number;
  try {
    [owner, { mtimeMs }] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
  } catch (err) {
    ignoreMissing(err);
    return false; // gone already: the next round takes it
  }
  const [host, pid] = owner.trim().split(' ');
  if (host === HOST && pid !== undefined && /^\d+$/.test(pid) && !alive(Number(pid))) return true;
  return Date.now() - mtimeMs > STALE_LOCK_MS;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    ignoreMissing(err);
    return null;
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
