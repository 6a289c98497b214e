import type { Writable } from 'node:stream';
import { startJunosDevice } from '../device/junos.js';
import type { DeviceError } from '../errors/device-error.js';
import { RpcError } from '../errors/device-error.js';
import { commitFlow } from '../operations/commit-flow.js';
import { connect } from '../session/connect.js';
import { JUNOS_CAPABILITY } from '../xml/namespaces.js';

const CHANGE = `set system host-name edge-r1
set interfaces ge-0/0/3 description "uplink to core"
delete interfaces ge-0/0/3 disable
set protocols bgp group peers neighbor 192.0.2.1`;

/**
 * The demo: a fake Junos device on 127.0.0.1 (real SSH, real NETCONF framing), and the safe
 * commit flow run twice against it — once where the device only warns (the flow goes on and
 * commits) and once where it rejects a statement (the flow stops, rolls back and unlocks).
 */
export async function runDemo(out: Writable): Promise<number> {
  const say = (line = '') => out.write(`${line}\n`);
  await using device = await startJunosDevice({
    routingEngines: ['re0', 're1'],
    load: { warnings: [{ message: 'statement not found', path: 'interfaces ge-0/0/3', element: 'disable' }] },
  });
  say(`A fake Junos device listens on ${device.host}:${device.port} (host key ${device.hostKeyFingerprint}).`);
  await using session = await connect({
    host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint,
  });
  say(`Connected: NETCONF session ${session.sessionId}, ${session.framingMode === 'eom' ? ']]>]]>' : 'chunked'} framing, Junos capability ${session.capabilities.has(JUNOS_CAPABILITY) ? 'present' : 'absent'}.`);

  say('');
  say('1. Commit a change the device only warns about');
  const step = (e: { step: string; status: string }) => {
    if (e.status !== 'start') say(`   ${e.step.padEnd(13)} ${e.status}`);
  };
  const first = await commitFlow(session, { config: CHANGE, format: 'set', comment: 'netconfkit demo', onStep: step });
  say(`   => ${first.committed ? 'committed' : 'not committed'}, with ${first.warnings.length} warning(s); a warning does not stop the flow:`);
  for (const w of first.warnings) describe(say, w);
  if (first.diff) say(`   the diff that was committed:\n${first.diff.split('\n').map((l) => `      ${l}`).join('\n')}`);

  say('');
  say('2. Commit a change the device rejects');
  device.script.load = {};
  device.script.check = { errors: [{ message: 'Peer AS must be configured', path: 'protocols bgp group peers', statement: 'neighbor 192.0.2.1' }] };
  try {
    await commitFlow(session, { config: CHANGE, format: 'set', onStep: step });
    say('   => committed (unexpected)');
    return 1;
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    say(`   => stopped at "${err.step}" with ${err.code} (retryable: ${err.retryable}); the candidate was rolled back and the lock released.`);
    for (const item of err.items) describe(say, item);
    say(`   as JSON for a job queue: ${JSON.stringify({ code: err.code, retryable: err.retryable, step: err.step, errors: err.errors.length })}`);
  }
  say('');
  say(`Afterwards the device has ${device.commits} commit(s), a ${device.candidate ? 'dirty' : 'clean'} candidate and a ${device.lockHolder('candidate') === null ? 'free' : 'held'} lock.`);
  return 0;
}

function describe(say: (line: string) => void, item: DeviceError): void {
  const parts = [`${item.level.toUpperCase()} ${item.code}`, `severity=${item.severity ?? '(none: counts as error)'}`];
  if (item.location) parts.push(`path=${item.location}`);
  if (item.badElement) parts.push(`bad element=${item.badElement}`);
  if (item.routingEngine) parts.push(`re=${item.routingEngine}`);
  say(`     - ${parts.join(', ')}: ${item.deviceMessage ?? '(no message)'}`);
}

