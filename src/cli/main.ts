import { readFileSync } from 'node:fs';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { CliError, wantsHelp } from './args.js';
import { COMMANDS } from './commands.js';
import { EXIT, exitStatusFor } from './exit.js';
import { OVERVIEW } from './help.js';
import { observeFromArgs } from './observe.js';

/**
 * `netconfkit COMMAND [options]`. Help and the version go to stdout with exit 0 and run nothing;
 * a usage error is at most two lines on stderr (the problem, then where the help is), exit 2.
 * No command at all is a usage error too (exit 2, the overview on stderr): a script whose
 * command came out empty must not look like it succeeded. Exit statuses: see exit.ts.
 */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(OVERVIEW);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') return print(OVERVIEW);
  if (first === '--version' || first === '-V') return print(`${version()}\n`);
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return print(OVERVIEW);
    const command = COMMANDS[topic];
    return command ? print(command.help) : usage(`unknown command "${topic}"`, undefined);
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!command) return usage(first.startsWith('-') ? `unknown option ${first}` : `unknown command "${first}"`, undefined);
  if (wantsHelp(rest)) return print(command.help);
  try {
    return await command.run(observeFromArgs(rest, process.stderr));
  } catch (err) {
    if (err instanceof CliError) return err.seeHelp ? usage(err.message, first) : fail(err.message, EXIT.usage);
    const e = toNetconfError(err);
    return fail(`${e.code}: ${e.message}`, exitStatusFor(e, command.readsInput));
  }
}

function print(text: string): number {
  process.stdout.write(text);
  return EXIT.ok;
}

function usage(problem: string, command: string | undefined): number {
  return fail(`${problem}\nsee \`netconfkit ${command === undefined ? '' : `${command} `}--help\``, EXIT.usage);
}

function fail(line: string, status: number): number {
  process.stderr.write(`netconfkit: ${line}\n`);
  return status;
}

/** package.json sits two levels above this file, both in dist/cli/ and in an installed package. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`netconfkit: ${toNetconfError(err).message}\n`);
    process.exitCode = EXIT.usage;
  },
);
