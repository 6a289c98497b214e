import path from 'node:path';
import type { parseArgs } from 'node:util';
import { fanOut } from '../fleet/fan-out.js';
import { type InventoryCredentials, parseInventory } from '../fleet/inventory.js';
import { type DeviceResult, isTransportLike } from '../fleet/result.js';
import type { DeviceOperation } from '../fleet/run-device.js';
import { commitFlow } from '../operations/commit-flow.js';
import type { JunosFormat } from '../operations/junos.js';
import { getConfig } from '../operations/rfc6241.js';
import { checkXmlFragment } from '../xml/well-formed.js';
import { parse, usageError } from './args.js';
import { inlineOrFile, readFileArg, readTextFile } from './files.js';
import { progressReporter, summaryTable } from './fleet-report.js';

export const FLEET_HELP = `usage: netconfkit fleet OPERATION --inventory FILE [options]

Runs one operation on every device of an inventory, several at a time, and prints one result
per device (a table, or --json). Progress goes to stderr.

Operations:
  get-config [--source DATASTORE] [--filter XML|FILE]
                         print a datastore: running (default), candidate or startup
  rpc XML | --file FILE  send the same RPC to every device
  commit CHANGE [--format xml|text|set|json] [--dry-run] [--comment TEXT]
                         the safe commit flow (lock, load, check, commit, unlock) with CHANGE;
                         the format comes from the extension of CHANGE unless --format

Options:
  --inventory FILE       JSON: [{ "name", "host", "port", "username", "hostKey" | "knownHosts" }]
                         (no passwords there: they come from NETCONF_PASSWORD)
  --key FILE             a private key for every device; its passphrase from NETCONF_PASSPHRASE
  --concurrency N        devices at a time (10)
  --timeout SECONDS      each device's whole budget, retries included (60)
  --attempts N           tries per device for a retryable failure (3)
  --json                 every result as JSON
  --ndjson               progress as data on stdout: one JSON line per event (started, retrying,
                         breaker-open, done with the device's result), no table
  -f, --file FILE        rpc: read the request from FILE
  --source, --filter     get-config, as above
  --format, --dry-run, --comment   commit, as above

Exit status: 0 all ok, 1 a device failed, 2 usage or caller error, 3 every failure was a transport one.
`;

export const FLEET_FLAGS = {
  inventory: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  attempts: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  ndjson: { type: 'boolean', default: false },
  source: { type: 'string' },
  filter: { type: 'string' },
  file: { type: 'string', short: 'f' },
  format: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  comment: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLEET_FLAGS; allowPositionals: true }>>['values'];

/** `netconfkit fleet …`: results on stdout (a table, or JSON), progress on stderr. */
export async function runFleet(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const { values, positionals } = parse(args, FLEET_FLAGS);
  const [command, ...rest] = positionals;
  if (command === undefined) throw usageError('fleet needs an operation: get-config, rpc or commit');
  if (!values.inventory) throw usageError('fleet needs --inventory FILE');
  const operation = await fleetOperation('fleet', command, rest, values);
  const concurrency = wholeNumber(values.concurrency, '--concurrency', 10);
  const attempts = wholeNumber(values.attempts, '--attempts', 3);
  const timeoutMs = seconds(values.timeout, 60) * 1000;
  const creds = await credentials(values.key);
  const devices = parseInventory(await readTextFile(values.inventory, 'the inventory'), creds, values.inventory);
  if (devices.length === 0) throw usageError(`${values.inventory} lists no device`);

  if (values.json && values.ndjson) throw usageError('give --json or --ndjson, not both');
  const progress = values.ndjson ? null : progressReporter(err, `fleet ${command}`);
  const results = await fanOut(devices, operation, {
    concurrency, timeoutMs, retry: { attempts },
    ...(progress ? { onProgress: (p) => progress.update(p) } : { onEvent: (e) => out.write(`${JSON.stringify(e)}\n`) }),
  });
  progress?.end();

  if (!values.ndjson) out.write(values.json ? `${JSON.stringify(results, null, 2)}\n` : summaryTable(results));
  return fleetStatus(results);
}

/** 0 all ok, 1 a device failed, 3 every failure was a transport one. */
export function fleetStatus(results: readonly DeviceResult<unknown>[]): number {
  const failures = results.filter((r) => !r.ok);
  if (failures.length === 0) return 0;
  return failures.every((r) => !r.ok && isTransportLike(r)) ? 3 : 1;
}

/** The options the operations read (`fleet` and `listen` both take them). */
export type OperationFlags = Pick<Values, 'source' | 'filter' | 'file' | 'format' | 'dry-run' | 'comment'>;

/**
 * The operation COMMAND (get-config, rpc or commit) with its arguments, checked before any
 * device is reached. `what` names the command in usage errors (`fleet`, `listen`).
 */
export async function fleetOperation(what: string, command: string, rest: string[], values: OperationFlags): Promise<DeviceOperation<unknown>> {
  switch (command) {
    case 'get-config': {
      if (rest.length > 0) throw usageError(`${what} ${command} takes no argument "${rest[0]}"`);
      const source = values.source ?? 'running';
      if (source !== 'running' && source !== 'candidate' && source !== 'startup') throw usageError(`--source must be running, candidate or startup, not "${source}"`);
      const filter = values.filter === undefined ? undefined : await inlineOrFile(values.filter, 'the filter');
      // XML is checked here, before any device is reached: a typo costs no login.
      if (filter !== undefined) checkXmlFragment(filter, 'The filter');
      return async (session, _device, { signal }) => (await getConfig(session, source, { signal, ...(filter === undefined ? {} : { filter }) })).data;
    }
    case 'rpc': {
      if (values.file !== undefined && rest.length > 0) throw usageError('give the RPC either with --file or as an argument, not both');
      const request = (values.file !== undefined ? await readTextFile(values.file) : rest.length === 1 ? rest[0]! : '').trim();
      if (!request.startsWith('<')) throw usageError(`${what} rpc needs the request as XML: an argument or --file FILE`);
      checkXmlFragment(request, 'The request');
      return async (session, _device, { signal }) => (await session.rpc(request, { signal })).xml;
    }
    case 'commit': {
      if (rest.length !== 1) throw usageError(`${what} commit takes one CHANGE file`);
      const file = rest[0]!;
      const config = await readTextFile(file, 'the change');
      const format = junosFormat(values.format ?? formatOf(file));
      if (format === 'xml') checkXmlFragment(config, 'The config');
      return async (session) => {
        const r = await commitFlow(session, {
          config,
          format,
          dryRun: values['dry-run'],
          ...(values.comment === undefined ? {} : { comment: values.comment }),
        });
        return { committed: r.committed, dryRun: r.dryRun, diff: r.diff, steps: r.steps };
      };
    }
    default:
      throw usageError(`unknown ${what} operation "${command}": get-config, rpc or commit`);
  }
}

async function credentials(keyFile: string | undefined): Promise<InventoryCredentials> {
  const creds: InventoryCredentials = {};
  const password = process.env.NETCONF_PASSWORD;
  if (password) creds.password = password;
  if (keyFile) {
    creds.privateKey = await readFileArg(keyFile, 'the key');
    const passphrase = process.env.NETCONF_PASSPHRASE;
    if (passphrase) creds.passphrase = passphrase;
  }
  if (!creds.password && !creds.privateKey) throw usageError('set NETCONF_PASSWORD or pass --key');
  return creds;
}

export function wholeNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  return n;
}

export function seconds(value: string | undefined, fallback: number, flag = '--timeout'): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw usageError(`${flag} must be a number of seconds, not "${value}"`);
  return n;
}

function formatOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ext === '.set' ? 'set' : ext === '.json' ? 'json' : ext === '.conf' || ext === '.txt' || ext === '.text' ? 'text' : 'xml';
}

function junosFormat(format: string): JunosFormat {
  if (format === 'xml' || format === 'text' || format === 'set' || format === 'json') return format;
  throw usageError(`--format must be xml, text, set or json, not "${format}"`);
}
