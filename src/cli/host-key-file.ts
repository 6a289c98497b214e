import { readFileSync, writeFileSync } from 'node:fs';
import { generateEd25519KeyPair, loadHostKey } from '../device/host-key.js';
import { CliError } from './args.js';
import { cannotRead, reason } from './files.js';

/**
 * `--host-key FILE` of `serve` and `fake`: the device's private key, kept across runs so a
 * client's known_hosts entry still holds after a restart. A missing file is created with a
 * fresh ed25519 key, readable by its owner only (0600); a file that cannot be read, or holds no
 * private key ssh2 can use, is a clear error (exit 2), never a new key in its place.
 */
export function hostKeyFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotRead(file, err, 'the host key');
    return create(file);
  }
  try {
    loadHostKey(text);
  } catch (err) {
    throw new CliError(`the host key ${file} is not a private key this server can use: ${(err as Error).message}`, false);
  }
  return text;
}

function create(file: string): string {
  const key = generateEd25519KeyPair().private;
  try {
    // 'wx': never over a file that appeared meanwhile.
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return hostKeyFile(file);
    throw new CliError(`cannot create the host key ${file}: ${reason(err)}`, false);
  }
  return key;
}
