import { expectPositionals, parse } from './args.js';
import { COMMIT_FLAGS, EDIT_CONFIG_FLAGS, GET_CONFIG_FLAGS, LOAD_FLAGS, runCommit, runEditConfig, runGetConfig, runLoad } from './config-commands.js';
import { runDemo } from './demo-command.js';
import { FAKE_FLAGS, runFake } from './fake-command.js';
import { FLEET_FLAGS, FLEET_HELP, runFleet } from './fleet-command.js';
import { COMMIT_HELP, DEMO_HELP, EDIT_CONFIG_HELP, GET_CONFIG_HELP, LISTEN_HELP, LOAD_HELP, FAKE_HELP, RECORD_HELP, REPLAY_HELP, RPC_HELP, SCHEMAS_HELP, SERVE_HELP } from './help.js';
import { LISTEN_FLAGS, runListen } from './listen-command.js';
import { RECORD_FLAGS, runRecord } from './record-command.js';
import { REPLAY_FLAGS, runReplayCommand } from './replay-command.js';
import { RPC_FLAGS, runRpc } from './rpc-command.js';
import { SCHEMAS_FLAGS, runSchemas } from './schemas-command.js';
import { SERVE_FLAGS, runServe } from './serve-command.js';

export interface Command {
  /** What `netconfkit COMMAND --help` prints. */
  help: string;
  /** The flags it accepts: its help names each of them (test/cli/help.test.ts checks). */
  flags: Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>;
  /** Replay only reads input: a protocol error there is bad input (exit 2), not a far end's failure. */
  readsInput?: boolean;
  run(args: string[]): Promise<number>;
}

/** Every command, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  replay: { help: REPLAY_HELP, flags: REPLAY_FLAGS, readsInput: true, run: (args) => runReplayCommand(args, process.stdout, process.stderr) },
  rpc: { help: RPC_HELP, flags: RPC_FLAGS, run: (args) => runRpc(args, process.stdout) },
  'get-config': { help: GET_CONFIG_HELP, flags: GET_CONFIG_FLAGS, run: (args) => runGetConfig(args, process.stdout) },
  'edit-config': { help: EDIT_CONFIG_HELP, flags: EDIT_CONFIG_FLAGS, run: (args) => runEditConfig(args, process.stdout) },
  load: { help: LOAD_HELP, flags: LOAD_FLAGS, run: (args) => runLoad(args, process.stdout) },
  commit: { help: COMMIT_HELP, flags: COMMIT_FLAGS, run: (args) => runCommit(args, process.stdout) },
  schemas: { help: SCHEMAS_HELP, flags: SCHEMAS_FLAGS, run: (args) => runSchemas(args, process.stdout) },
  serve: { help: SERVE_HELP, flags: SERVE_FLAGS, readsInput: true, run: (args) => runServe(args, process.stdout, process.stderr) },
  fake: { help: FAKE_HELP, flags: FAKE_FLAGS, run: (args) => runFake(args, process.stdout) },
  record: { help: RECORD_HELP, flags: RECORD_FLAGS, run: (args) => runRecord(args, COMMANDS) },
  fleet: { help: FLEET_HELP, flags: FLEET_FLAGS, run: (args) => runFleet(args, process.stdout, process.stderr) },
  listen: { help: LISTEN_HELP, flags: LISTEN_FLAGS, run: (args) => runListen(args, process.stdout, process.stderr) },
  demo: {
    help: DEMO_HELP,
    flags: {},
    run: async (args) => {
      expectPositionals('demo', parse(args, {}).positionals, 0, '');
      return runDemo(process.stdout);
    },
  },
};
