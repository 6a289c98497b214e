import { type Server, type Socket, connect as tcpConnect, createServer } from 'node:net';
import { PlaybackDevice } from '../device/playback.js';
import { expectPositionals, parse, usageError, CliError } from './args.js';
import { EXIT } from './exit.js';

export const SERVE_FLAGS = {
  port: { type: 'string' },
  user: { type: 'string', short: 'u' },
  timing: { type: 'boolean', default: false },
} as const;

type Out = { write(text: string): unknown };

/**
 * `netconfkit serve RECORDING`: the playback device as an SSH NETCONF server on 127.0.0.1
 * until SIGINT or SIGTERM, for clients in any language. The password is NETCONF_PASSWORD
 * (default `netconf`). On the way out it lists what did not match: exit 1 when a request had
 * no recorded reply or a recording went unused, else 0.
 */
export async function runServe(args: string[], out: Out, err: Out, stop: Promise<unknown> = signalled()): Promise<number> {
  const { values, positionals } = parse(args, SERVE_FLAGS);
  expectPositionals('serve', positionals, 1, 'the recording: netconfkit serve RECORDING');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw usageError(`--port must be 1-65535, not "${values.port}"`);
  const username = values.user ?? 'netconf';
  const password = process.env.NETCONF_PASSWORD || 'netconf';
  const device = await PlaybackDevice.start(positionals[0]!, { users: [{ username, password }], timing: values.timing });
  let front: Server | null = null;
  try {
    front = port === undefined ? null : await forward(port, device.port);
    out.write(`listening on 127.0.0.1:${port ?? device.port}\n`);
    out.write(`user ${username}, host key ${device.hostKeyFingerprint}; ${device.recording.exchanges.length} recorded exchange(s) from ${device.recording.header.device}\n`);
    await stop;
  } finally {
    front?.close();
    await device.close();
  }
  const unmatched = device.unmatchedRequests();
  const unused = device.unusedRecordings();
  for (const r of unmatched) err.write(`netconfkit: no recorded reply to <${r.operation}> (session ${r.sessionId}, ${r.reason})\n`);
  for (const e of unused) err.write(`netconfkit: recording #${e.seq} <${e.operation}> was never asked for\n`);
  return unmatched.length + unused.length > 0 ? EXIT.deviceError : EXIT.ok;
}

/** Resolves on the first SIGINT or SIGTERM. */
function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** 127.0.0.1:`port` relayed to the device (FakeDevice picks its own port). */
function forward(port: number, to: number): Promise<Server> {
  const server = createServer((client: Socket) => {
    const device = tcpConnect(to, '127.0.0.1');
    client.pipe(device).pipe(client);
    client.on('error', () => device.destroy());
    device.on('error', () => client.destroy());
    client.on('close', () => device.destroy());
    device.on('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`, false)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
