import type { SshAlgorithmList } from './ssh-transport.js';

type ServerHostKeySetting = SshAlgorithmList | undefined;

/**
 * ssh2 1.17's default and supported host key algorithms (`lib/protocol/constants.js`, not
 * exported; test/transport/algorithms.test.ts checks these copies against it).
 */
export const DEFAULT_SERVER_HOST_KEY: readonly string[] = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];
const SUPPORTED_SERVER_HOST_KEY: readonly string[] = [...DEFAULT_SERVER_HOST_KEY, 'ssh-dss'];

/** The ssh2 host key algorithms that can carry a key of a known_hosts key type. */
function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [keyType];
}

/**
 * Reorders a host key algorithm list so that those able to carry a key type known for the
 * host come first (in known_hosts order), the rest after them in their own order. Nothing is
 * added or removed: the list decides what may be used, known_hosts only what is preferred.
 */
export function preferKnownTypes(algorithms: readonly string[], knownTypes: readonly string[]): string[] {
  const first = [...new Set(knownTypes.flatMap(algorithmsForKeyType).filter((a) => algorithms.includes(a)))];
  return [...first, ...algorithms.filter((a) => !first.includes(a))];
}

/**
 * The exact host key algorithm list to offer: the caller's setting (an exact list, or
 * ssh2's `{ append, prepend, remove }` over the default list), with the types known_hosts
 * lists for this host moved to the front, as OpenSSH orders them. Undefined when nothing is
 * known, so ssh2 keeps its own setting.
 */
export function serverHostKeyOrder(setting: ServerHostKeySetting, knownTypes: readonly string[]): string[] | undefined {
  if (knownTypes.length === 0) return undefined;
  return preferKnownTypes(resolveList(setting), knownTypes);
}

type Item = string | RegExp;

/** ssh2's `generateAlgorithmList`, for host key algorithms: the same operations, in key order. */
function resolveList(setting: ServerHostKeySetting): string[] {
  if (Array.isArray(setting) && setting.length > 0) return [...setting];
  let list = [...DEFAULT_SERVER_HOST_KEY];
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) return list;
  for (const [op, value] of Object.entries(setting)) {
    if (value === undefined) continue;
    const items: Item[] = Array.isArray(value) ? value : [value];
    const matching = (item: Item) => (typeof item === 'string' ? (item ? [item] : []) : SUPPORTED_SERVER_HOST_KEY.filter((a) => item.test(a)));
    if (op === 'append') {
      for (const a of items.flatMap(matching)) if (!list.includes(a)) list.push(a);
    } else if (op === 'prepend') {
      const added = items.flatMap(matching).filter((a) => !list.includes(a));
      list = [...new Set(added), ...list];
    } else if (op === 'remove') {
      const gone = new Set(items.flatMap(matching));
      list = list.filter((a) => !gone.has(a));
    }
  }
  // An unsupported name is left in: ssh2 refuses it with its own "Unsupported algorithm" error.
  return list;
}
