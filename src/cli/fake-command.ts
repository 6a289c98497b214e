import { FakeDevice } from '../device/fake-device.js';
import { startJunosDevice } from '../device/junos.js';
import { FAKE_PERSONALITY_NAMES, isPersonalityName } from '../device/personalities.js';
import type { FakeDeviceOptions } from '../device/types.js';
import { expectPositionals, parse, usageError } from './args.js';
import { EXIT } from './exit.js';
import { hostKeyFile } from './host-key-file.js';
import { forward, portFlag, signalled } from './listening.js';

export const FAKE_FLAGS = {
  personality: { type: 'string', default: 'rfc' },
  port: { type: 'string' },
  user: { type: 'string', short: 'u' },
  'host-key': { type: 'string' },
} as const;

/** What `--personality` takes: FakeDevice's own defaults, its named servers, and the Junos profile. */
export const FAKE_COMMAND_PERSONALITIES: readonly string[] = ['rfc', ...FAKE_PERSONALITY_NAMES, 'junos', 'junos-rfc'];

type Out = { write(text: string): unknown };

/** What a running fake device tells the command. */
type Running = Pick<FakeDevice, 'port' | 'hostKeyFingerprint' | 'knownHostsLine' | 'requests' | 'close'>;

/**
 * `netconfkit fake`: a fake NETCONF device as an SSH server on 127.0.0.1 until SIGINT or
 * SIGTERM, for clients in any language (ncclient, Ansible, a harness). The password is
 * NETCONF_PASSWORD (default `netconf`).
 */
export async function runFake(args: string[], out: Out, stop: Promise<unknown> = signalled()): Promise<number> {
  const { values, positionals } = parse(args, FAKE_FLAGS);
  expectPositionals('fake', positionals, 0, '');
  const personality = values.personality;
  if (!FAKE_COMMAND_PERSONALITIES.includes(personality)) throw usageError(`--personality must be one of ${FAKE_COMMAND_PERSONALITIES.join(', ')}, not "${personality}"`);
  const port = portFlag(values.port);
  const username = values.user ?? 'netconf';
  const options: FakeDeviceOptions = { users: [{ username, password: process.env.NETCONF_PASSWORD || 'netconf' }] };
  if (values['host-key'] !== undefined) options.hostKey = hostKeyFile(values['host-key']);
  const device = await start(personality, options);
  try {
    const front = port === undefined ? null : await forward(port, device.port);
    try {
      const at = port ?? device.port;
      out.write(`listening on 127.0.0.1:${at}\n`);
      out.write(`user ${username}, host key ${device.hostKeyFingerprint}; personality ${personality}\n`);
      out.write(`log in: ssh -p ${at} ${username}@127.0.0.1 -s netconf (password: NETCONF_PASSWORD, default netconf)\n`);
      out.write(`known_hosts: [127.0.0.1]:${at} ${device.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
      await stop;
    } finally {
      front?.close();
    }
  } finally {
    await device.close();
  }
  out.write(`${device.requests.length} request(s) received\n`);
  return EXIT.ok;
}

function start(personality: string, options: FakeDeviceOptions): Promise<Running> {
  if (personality === 'junos' || personality === 'junos-rfc') return startJunosDevice({ rfcCompliant: personality === 'junos-rfc' }, options);
  return FakeDevice.start(isPersonalityName(personality) ? { ...options, personality } : options);
}
