import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ClientError } from '../errors/classes.js';
import { commitFlow } from '../operations/commit-flow.js';
import type { JunosFormat } from '../operations/junos.js';
import { getConfig } from '../operations/rfc6241.js';
import { fanOut } from './fan-out.js';
import { type InventoryCredentials, readInventory } from './inventory.js';
import { progressReporter, summaryTable } from './report.js';
import { isTransportLike } from './result.js';
import type { DeviceOperation } from './run-device.js';

export const FLEET_USAGE = `  fleet get-config|rpc|commit --inventory FILE   the same operation on every device of FILE
                  FILE: JSON [{ "name", "host", "port", "username", "hostKey" | "knownHosts" }]
                  (password from NETCONF_PASSWORD, or --key FILE; never in the inventory)
                  get-config [--source S] [--filter XML|FILE]   rpc XML|--file F
                  commit CHANGE [--format xml|text|set|json] [--dry-run] [--comment TEXT]   (the safe commit flow)
                  --concurrency N (10)  --timeout SECONDS per device (60)  --attempts N (3)  --json
                  exit: 0 all ok, 1 a device failed, 2 bad usage, 3 every failure was a transport one
`;

const FLAGS = {
  inventory: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  attempts: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  source: { type: 'string' },
  filter: { type: 'string' },
  file: { type: 'string', short: 'f' },
  format: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  comment: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>['values'];

/** `netconfkit fleet …`: results on stdout (a table, or JSON), progress on stderr. */
export async function runFleet(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
  const [command, ...rest] = positionals;
  if (!values.inventory) throw new ClientError('INVALID_ARGUMENT', 'fleet needs --inventory FILE');
  const operation = await operationFor(command, rest, values);
  const concurrency = wholeNumber(values.concurrency, '--concurrency', 10);
  const attempts = wholeNumber(values.attempts, '--attempts', 3);
  const timeoutMs = seconds(values.timeout, 60) * 1000;
  const devices = await readInventory(values.inventory, await credentials(values.key));
  if (devices.length === 0) throw new ClientError('INVALID_ARGUMENT', `${values.inventory} lists no device`);

  const progress = progressReporter(err, `fleet ${command}`);
  const results = await fanOut(devices, operation, { concurrency, timeoutMs, retry: { attempts }, onProgress: (p) => progress.update(p) });
  progress.end();

  out.write(values.json ? `${JSON.stringify(results, null, 2)}\n` : summaryTable(results));
  const failures = results.filter((r) => !r.ok);
  if (failures.length === 0) return 0;
  return failures.every((r) => !r.ok && isTransportLike(r)) ? 3 : 1;
}

async function operationFor(command: string | undefined, rest: string[], values: Values): Promise<DeviceOperation<unknown>> {
  switch (command) {
    case 'get-config': {
      noPositionals(command, rest);
      const source = values.source ?? 'running';
      if (source !== 'running' && source !== 'candidate' && source !== 'startup') throw new ClientError('INVALID_ARGUMENT', `--source must be running, candidate or startup, not "${source}"`);
      const filter = values.filter === undefined ? undefined : values.filter.trimStart().startsWith('<') ? values.filter : await readFile(values.filter, 'utf8');
      return async (session, _device, { signal }) => (await getConfig(session, source, { signal, ...(filter === undefined ? {} : { filter }) })).data;
    }
    case 'rpc': {
      if (values.file !== undefined && rest.length > 0) throw new ClientError('INVALID_ARGUMENT', 'give the RPC either with --file or as an argument, not both');
      const request = (values.file !== undefined ? await readFile(values.file, 'utf8') : rest.length === 1 ? rest[0]! : '').trim();
      if (!request.startsWith('<')) throw new ClientError('INVALID_ARGUMENT', 'fleet rpc needs the request as XML: an argument or --file FILE');
      return async (session, _device, { signal }) => (await session.rpc(request, { signal })).xml;
    }
    case 'commit': {
      if (rest.length !== 1) throw new ClientError('INVALID_ARGUMENT', 'fleet commit takes one CHANGE file');
      const file = rest[0]!;
      const config = await readFile(file, 'utf8');
      const format = junosFormat(values.format ?? formatOf(file));
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
      throw new ClientError('INVALID_ARGUMENT', command === undefined ? 'fleet needs an operation: get-config, rpc or commit' : `unknown fleet operation "${command}"`);
  }
}

async function credentials(keyFile: string | undefined): Promise<InventoryCredentials> {
  const creds: InventoryCredentials = {};
  const password = process.env.NETCONF_PASSWORD;
  if (password) creds.password = password;
  if (keyFile) {
    creds.privateKey = await readFile(keyFile);
    const passphrase = process.env.NETCONF_PASSPHRASE;
    if (passphrase) creds.passphrase = passphrase;
  }
  if (!creds.password && !creds.privateKey) throw new ClientError('INVALID_ARGUMENT', 'set NETCONF_PASSWORD or pass --key');
  return creds;
}

function noPositionals(command: string, rest: string[]): void {
  if (rest.length > 0) throw new ClientError('INVALID_ARGUMENT', `fleet ${command} takes no argument "${rest[0]}"`);
}

function wholeNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ClientError('INVALID_ARGUMENT', `${flag} must be a whole number of at least 1, not "${value}"`);
  return n;
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new ClientError('INVALID_ARGUMENT', `--timeout must be a number of seconds, not "${value}"`);
  return n;
}

function formatOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ext === '.set' ? 'set' : ext === '.json' ? 'json' : ext === '.conf' || ext === '.txt' || ext === '.text' ? 'text' : 'xml';
}

function junosFormat(format: string): JunosFormat {
  if (format === 'xml' || format === 'text' || format === 'set' || format === 'json') return format;
  throw new ClientError('INVALID_ARGUMENT', `--format must be xml, text, set or json, not "${format}"`);
}
