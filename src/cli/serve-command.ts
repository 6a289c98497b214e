import type { Server } from 'node:net';
import { PlaybackDevice } from '../device/playback.js';
import { expectPositionals, parse } from './args.js';
import { EXIT } from './exit.js';
import { hostKeyFile } from './host-key-file.js';
import { forward, portFlag, signalled } from './listening.js';

export const SERVE_FLAGS = {
  port: { type: 'string' },
  user: { type: 'string', short: 'u' },
  timing: { type: 'boolean', default: false },
  'host-key': { type: 'string' },
} as const;

type Out = { write(text: string): unknown };

/**
 * `netconfkit serve RECORDING`: the playback device as an SSH NETCONF server on 127.0.0.1
 * until SIGINT or SIGTERM, for clients in any language. The password is NETCONF_PASSWORD
 * (default `netconf`); `--host-key FILE` keeps the host key across runs. On the way out it lists what did not match: exit 1 when a request had
 * no recorded reply or a recording went unused, else 0.
 */
export async function runServe(args: string[], out: Out, err: Out, stop: Promise<unknown> = signalled()): Promise<number> {
  const { values, positionals } = parse(args, SERVE_FLAGS);
  expectPositionals('serve', positionals, 1, 'the recording: netconfkit serve RECORDING');
  const port = portFlag(values.port);
  const username = values.user ?? 'netconf';
  const password = process.env.NETCONF_PASSWORD || 'netconf';
  const hostKey = values['host-key'] === undefined ? undefined : hostKeyFile(values['host-key']);
  const device = await PlaybackDevice.start(positionals[0]!, { users: [{ username, password }], timing: values.timing, hostKey });
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
