import { readFile } from 'node:fs/promises';
import { ClientError } from '../errors/classes.js';
import type { FleetDevice } from './run-device.js';

/** Credentials shared by every device of an inventory: never written in the file. */
export interface InventoryCredentials {
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
}

const FIELDS = new Set(['name', 'host', 'port', 'username', 'hostKey', 'knownHosts']);

/**
 * An inventory is a JSON array of `{ name, host, port?, username, hostKey? | knownHosts? }`
 * (`hostKey`: a `SHA256:…` fingerprint or a list; `knownHosts`: a file or a list; neither:
 * ~/.ssh/known_hosts). Names must be unique. Passwords are refused in the file.
 */
export function parseInventory(text: string, credentials: InventoryCredentials = {}, source = 'inventory'): FleetDevice[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `${source} is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new ClientError('INVALID_ARGUMENT', `${source} must be a JSON array of devices`);
  const names = new Set<string>();
  return raw.map((entry: unknown, i) => {
    const where = `${source}, entry ${i + 1}`;
    const bad = (problem: string) => new ClientError('INVALID_ARGUMENT', `${where}: ${problem}`);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw bad('must be an object');
    const e = entry as Record<string, unknown>;
    if ('password' in e || 'passphrase' in e) throw bad('passwords do not belong in the inventory: set NETCONF_PASSWORD');
    const unknown = Object.keys(e).filter((k) => !FIELDS.has(k));
    if (unknown.length > 0) throw bad(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
    for (const k of ['name', 'host', 'username'] as const) {
      if (typeof e[k] !== 'string' || e[k] === '') throw bad(`"${k}" must be a non-empty string`);
    }
    const name = e.name as string;
    if (names.has(name)) throw bad(`the name "${name}" is used twice`);
    names.add(name);
    const port = e.port ?? 830;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw bad('"port" must be 1-65535');
    const device: FleetDevice = { name, host: e.host as string, port: port as number, username: e.username as string, ...credentials };
    for (const k of ['hostKey', 'knownHosts'] as const) {
      const v = e[k];
      if (v === undefined) continue;
      if (typeof v === 'string' && v !== '') device[k] = v;
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) device[k] = v as string[];
      else throw bad(`"${k}" must be a string or a list of strings`);
    }
    return device;
  });
}

/** Reads and parses an inventory file (see parseInventory); a file that cannot be read is INVALID_ARGUMENT naming it. */
export async function readInventory(file: string, credentials: InventoryCredentials = {}): Promise<FleetDevice[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `cannot read the inventory ${file}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  return parseInventory(text, credentials, file);
}
