import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadHostKey } from '../../../src/device/host-key.js';
import { type RunningCli, startCli } from '../../support/cli.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// `netconfkit listen` (the built CLI) with libnetconf2's server side calling home over SSH
// (RFC 8071): an independent implementation of the device's half of Call Home.
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function listen(args: string[]): RunningCli {
  const cli = startCli(['listen', '--host', '127.0.0.1', '--port', '0', '-u', 'netconf', ...args], { NETCONF_PASSWORD: 'netconf' });
  cleanup.push(async () => {
    cli.kill('SIGKILL');
    await cli.done;
  });
  return cli;
}

async function device(port: number, hostKey: string): Promise<Libnetconf2Server> {
  const d = await startLibnetconf2('base-server', { callHome: { ssh: port }, hostKey });
  cleanup.push(() => d.stop());
  return d;
}

describe('netconfkit listen against libnetconf2 calling home over SSH', () => {
  it('a device with another host key is refused, the listener goes on, and the pinned device answers the RPC', async () => {
    const pinned = generateEd25519KeyPair().private;
    const fingerprint = loadHostKey(pinned).fingerprint;
    const cli = listen(['--count', '2', '--json', '--timeout', '20', '--host-key', fingerprint, 'rpc', '<get-config><source><running/></source></get-config>']);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(await cli.stderrHas('\n'))?.[1]);

    // libnetconf2 dials again after a refusal: stopped once refused, it cannot take the second turn.
    const stranger = await device(port, generateEd25519KeyPair().private);
    await cli.stderrHas('[1/2]');
    await stranger.stop();
    await device(port, pinned);
    const r = await cli.done;

    expect(r.status, r.stderr).toBe(3);
    const [refused, served] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(refused).toMatchObject({ ok: false, error_code: 'HOST_KEY_MISMATCH', callHome: null });
    expect(served).toMatchObject({
      device: `127.0.0.1 ${fingerprint}`,
      ok: true,
      attempts: 1,
      callHome: { transport: 'ssh', address: '127.0.0.1', deviceId: null, hostKeyFingerprint: fingerprint },
    });
    expect(served!.value).toEqual(expect.stringContaining('<data'));
    expect(r.stderr).toMatch(/^\[2\/2\] 127\.0\.0\.1 SHA256:\S+ ok$/m);
  });
});
