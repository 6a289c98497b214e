import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { getSchema } from '../operations/get-schema.js';
import { yangLibrary } from '../operations/yang-library.js';
import { connect } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { expectPositionals, parse, usageError } from './args.js';
import { EXIT } from './exit.js';
import { CONNECTION_FLAGS, connectOptions } from './rpc-command.js';

export const SCHEMAS_FLAGS = { ...CONNECTION_FLAGS, output: { type: 'string', short: 'o' } } as const;

/** Requests in flight at once on the session: enough to hide the round trips. */
const IN_FLIGHT = 8;

/** A module or submodule to fetch. */
interface Wanted {
  name: string;
  revision: string | null;
}

interface Failed extends Wanted {
  code: string;
  message: string;
}

/**
 * `netconfkit schemas --output DIR`: the device's modules and submodules (from its YANG
 * library) into DIR, through the schema cache: what DIR already holds is not fetched again.
 */
export async function runSchemas(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(args, SCHEMAS_FLAGS);
  expectPositionals('schemas', positionals, 0, '');
  const dir = values.output;
  if (dir === undefined || dir === '') throw usageError('schemas needs --output DIR');
  // Made first: a directory that cannot be made fails before anything is sent.
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw usageError(`cannot make ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const session = await connect(await connectOptions(values));
  try {
    const library = await yangLibrary(session);
    const wanted = modulesOf(library.modules);
    const downloaded: string[] = [];
    const present: string[] = [];
    const failed: Failed[] = [];
    await pool(wanted, async (w) => {
      try {
        const entry = await getSchema(session, { identifier: w.name, ...(w.revision === null ? {} : { version: w.revision }), schemaCache: dir });
        (entry.downloaded ? downloaded : present).push(basename(entry.path));
      } catch (err) {
        if (isFatal(session)) throw err;
        const e = toNetconfError(err);
        failed.push({ ...w, code: e.code, message: e.message });
      }
    });
    downloaded.sort();
    present.sort();
    failed.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const summary = `${wanted.length} schemas from ${library.source}: ${downloaded.length} downloaded, ${present.length} already in ${dir}, ${failed.length} failed`;
    if (values.json) {
      out.write(`${JSON.stringify({ ok: failed.length === 0, source: library.source, output: dir, downloaded, present, failed }, null, 2)}\n`);
    } else {
      for (const f of downloaded) out.write(`downloaded ${f}\n`);
      for (const f of failed) out.write(`FAILED ${f.name}${f.revision ? `@${f.revision}` : ''}: ${f.code}: ${f.message}\n`);
      out.write(`${summary}\n`);
    }
    return failed.length === 0 ? EXIT.ok : EXIT.deviceError;
  } finally {
    await session.close();
  }
}

/** Each module and submodule once, by name and revision, in the library's order. */
function modulesOf(modules: Awaited<ReturnType<typeof yangLibrary>>['modules']): Wanted[] {
  const seen = new Set<string>();
  const out: Wanted[] = [];
  for (const m of modules) {
    for (const w of [m, ...m.submodules]) {
      const key = `${w.name}@${w.revision ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: w.name, revision: w.revision });
    }
  }
  return out;
}

/** A failure that ends the whole command (the session is gone), not one module. */
function isFatal(session: Session): boolean {
  return session.state !== 'open';
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
}
