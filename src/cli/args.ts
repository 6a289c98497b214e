import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ClientError } from '../errors/classes.js';

/**
 * A mistake on the command line, or a file named there that cannot be read. Printed as one
 * line without a code; `seeHelp` adds a second line pointing at the command's --help.
 */
export class CliError extends ClientError {
  static override brand = 'CliError';
  readonly seeHelp: boolean;
  constructor(message: string, seeHelp: boolean) {
    super('INVALID_ARGUMENT', message);
    this.seeHelp = seeHelp;
  }
}

/** A usage error: the problem, then "see `netconfkit CMD --help`". */
export const usageError = (message: string): CliError => new CliError(message, true);

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * util.parseArgs, strict, positionals allowed (each command counts its own), with its errors
 * turned into one short usage line.
 */
export function parse<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(parseArgsProblem(err, options));
  }
}

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export function expectPositionals(command: string, positionals: string[], count: number, what: string): void {
  if (positionals.length > count) throw usageError(`unexpected argument "${positionals[count]}"${count === 0 ? `: ${command} takes none` : ''}`);
  if (positionals.length < count) throw usageError(`${command} needs ${what}`);
}

function parseArgsProblem(err: unknown, options: Options): string {
  const { code, message } = err as { code?: string; message?: string };
  const first = (message ?? String(err)).split('\n')[0]!.replace(/\. .*$/, '').replace(/\.$/, '');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(first)?.[1] ?? first;
    if (/^--?(password|passphrase)$/.test(flag)) return `there is no ${flag} option: set NETCONF_PASSWORD (and NETCONF_PASSPHRASE for a key); a flag would show in ps`;
    const near = closest(flag.replace(/^-+/, ''), Object.keys(options));
    return `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(-[^' ]+)/.exec(first)?.[1] ?? '';
    if (/argument missing/.test(first)) return `${flag} needs a value`;
    if (/does not take an argument/.test(first)) return `${flag} takes no value`;
    if (/ambiguous/.test(first)) return `${flag} needs a value (one that starts with - goes as ${flag}=-VALUE)`;
  }
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** The one known option within a typo or two of NAME, if exactly one is. */
function closest(name: string, known: string[]): string | undefined {
  const near = known.filter((k) => distance(name, k) <= (k.length > 4 ? 2 : 1));
  return near.length === 1 ? near[0] : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
