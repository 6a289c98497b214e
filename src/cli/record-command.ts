import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ConnectContext, WireMessage } from '../observability/diagnostics.js';
import { Recorder } from '../recording/recorder.js';
import { parseServerHello } from '../session/hello.js';
import { usageError } from './args.js';
import type { Command } from './commands.js';

export const RECORD_FLAGS = { output: { type: 'string', short: 'o' } } as const;

/**
 * `netconfkit record --output FILE COMMAND …`: runs any one-device command and records its
 * session, secrets masked, as `connect({ record })` does. The session is found on the
 * diagnostics channels: its hello on `netconfkit:wire`, then its name and session-id when
 * connect() ends, and from there on its messages.
 */
export async function runRecord(args: string[], commands: Readonly<Record<string, Command>>): Promise<number> {
  const { output, rest } = splitArgs(args);
  const [name, ...commandArgs] = rest;
  if (name === undefined) throw usageError('record needs a command, e.g. netconfkit record --output s.jsonl get-config --host r1');
  if (name === 'record' || name === 'serve' || name === 'fleet' || name === 'listen' || name === 'replay' || name === 'demo') throw usageError(`record runs a command that talks to one device, not ${name}`);
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) throw usageError(`unknown command "${name}"`);
  const recorder = Recorder.open(output);
  const hellos = new Map<string, string>();
  let following = false;
  const onWire = (m: unknown) => {
    const w = m as WireMessage;
    if (w.direction === 'received' && w.kind === 'hello') hellos.set(w.device, w.unredactedBody() ?? '');
  };
  const onConnect = (m: unknown) => {
    const c = m as ConnectContext;
    if (following || c.error || c.sessionId === null) return;
    following = true;
    const hello = hellos.get(c.device) ?? '';
    recorder.follow({ sessionId: c.sessionId, framingMode: c.framing ?? 'eom', serverHello: hello, capabilities: { uris: capabilitiesOf(hello, c.device) }, closed: false }, c.device);
  };
  subscribe('netconfkit:wire', onWire);
  subscribe('tracing:netconfkit:connect:asyncEnd', onConnect);
  try {
    return await command.run(commandArgs);
  } finally {
    unsubscribe('netconfkit:wire', onWire);
    unsubscribe('tracing:netconfkit:connect:asyncEnd', onConnect);
    recorder.end();
  }
}

/** `--output FILE` (or `-o FILE`, `--output=FILE`) before the command; the rest is the command's. */
function splitArgs(args: string[]): { output: string; rest: string[] } {
  let output: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--output' || a === '-o') {
      output = args[++i];
      if (output === undefined) throw usageError(`${a} needs a value`);
    } else if (a.startsWith('--output=')) output = a.slice('--output='.length);
    else if (a.startsWith('-')) throw usageError(`unknown option ${a} (record's own options come before the command)`);
    else break;
  }
  if (output === undefined || output === '') throw usageError('record needs --output FILE');
  return { output, rest: args.slice(i) };
}

/** The hello's capabilities, read as the session read them (it has just accepted this hello). */
function capabilitiesOf(hello: string, device: string): string[] {
  try {
    return parseServerHello(hello, device).capabilities;
  } catch {
    return [];
  }
}
