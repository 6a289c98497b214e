import { parseArgs } from 'node:util';
import { createReadStream } from 'node:fs';
import { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { runReplay } from './replay-command.js';
import { runDemo } from './demo-command.js';
import { runRpc } from './rpc-command.js';
import { runCommit, runEditConfig, runGetConfig, runLoad } from './config-commands.js';
import { FLEET_USAGE, runFleet } from '../fleet/cli.js';

/** Exit statuses shared by every command. */
export const EXIT = { ok: 0, deviceError: 1, usage: 2, badInput: 2, transport: 3 } as const;

const USAGE = `usage: netconfkit <command> [options]

commands:
  replay FILE|-   read a captured reply or session (bare, ]]>]]> or chunked) and print its errors
                  --json      one JSON document: {"messages":[{"messageId","hasOk","errors"}]}
                  --ndjson    one JSON line per error or warning, the moment it is read
                  --framing auto|none|eom|chunked   (default auto)
  rpc [XML|-|--file F]   send one RPC to a device and print the reply
                  --host H --port P --username U (password from NETCONF_PASSWORD, never a flag)
                  --key FILE (passphrase from NETCONF_PASSPHRASE)
                  --known-hosts FILE | --host-key SHA256:... | --insecure-accept-any-host-key
                  --timeout SECONDS  --json
                  exit: 0 ok, 1 device error, 2 bad usage, 3 transport error
  get-config      [--source running|candidate|startup] [--filter XML|FILE]
  edit-config FILE|-   [--target candidate|running] [--default-operation merge|replace|none]
  commit          [--check] [--confirmed MINUTES] [--comment TEXT]   (Junos or RFC, by capability)
  load FILE       Junos load-configuration [--format xml|text|set|json] [--action merge|replace|override|update|set] [--diff]
                  each with the connection flags of rpc, and --json
${FLEET_USAGE}  demo            replay the bundled Junos capture and explain what it holds
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await replayCommand(rest);
      case 'rpc':
        return await runRpc(rest, process.stdout);
      case 'get-config':
        return await runGetConfig(rest, process.stdout);
      case 'edit-config':
        return await runEditConfig(rest, process.stdout);
      case 'commit':
        return await runCommit(rest, process.stdout);
      case 'load':
        return await runLoad(rest, process.stdout);
      case 'fleet':
        return await runFleet(rest, process.stdout, process.stderr);
      case 'demo':
        return await runDemo(process.stdout);
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        return usage(`unknown command "${command}"`);
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: unknown }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      return usage((err as Error).message);
    }
    const e = toNetconfError(err);
    process.stderr.write(`netconfkit: ${e.code}: ${e.message}\n`);
    if (e.code === 'INVALID_ARGUMENT') return EXIT.usage;
    // Replay reads input: whatever fails there is bad input. Elsewhere a device is at the far end.
    if (command === 'replay') return EXIT.badInput;
    return e.category === 'transport' || e.category === 'protocol' || e.code === 'SESSION_CLOSED' ? EXIT.transport : EXIT.badInput;
  }
}

async function replayCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        ndjson: { type: 'boolean', default: false },
        framing: { type: 'string', default: 'auto' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usage('replay takes one FILE, or - for standard input');
  if (values.json && values.ndjson) return usage('--json and --ndjson exclude each other');
  const framing = values.framing;
  if (framing !== 'auto' && framing !== 'none' && framing !== 'eom' && framing !== 'chunked') {
    return usage(`--framing must be auto, none, eom or chunked, not "${framing}"`);
  }
  const file = positionals[0]!;
  const input = file === '-' ? process.stdin : createReadStream(file);
  try {
    return await runReplay(input, process.stdout, { format: values.json ? 'json' : values.ndjson ? 'ndjson' : 'text', framing });
  } catch (err) {
    if (err instanceof NetconfError) throw err;
    const code = (err as { code?: unknown }).code;
    // A file that cannot be read is bad input, said in one line.
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      process.stderr.write(`netconfkit: cannot read ${file}: ${code}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}

function usage(problem: string): number {
  process.stderr.write(`netconfkit: ${problem}\n${USAGE}`);
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`netconfkit: ${toNetconfError(err).message}\n`);
    process.exitCode = EXIT.badInput;
  },
);
