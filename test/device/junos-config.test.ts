import { afterEach, describe, expect, it } from 'vitest';
import { type JunosDevice, type JunosScript, startJunosDevice } from '../../src/device/index.js';
import type { RpcError } from '../../src/errors/device-error.js';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { facts } from '../../src/operations/junos-facts.js';
import { commitConfiguration, diffConfiguration, getConfiguration, loadConfiguration, rollback, runCommand } from '../../src/operations/junos.js';
import { editConfig } from '../../src/operations/rfc6241.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { failure } from '../support/failure.js';

const devices: JunosDevice[] = [];
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function start(script: JunosScript = {}): Promise<{ device: JunosDevice; session: Session }> {
  const device = await startJunosDevice(script);
  devices.push(device);
  return { device, session: await open(device) };
}

async function open(device: JunosDevice): Promise<Session> {
  const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
  sessions.push(session);
  return session;
}


const hostName = async (session: Session) => (await facts(session)).hostname;
const committedText = async (session: Session) => (await getConfiguration(session, { format: 'text', database: 'committed' })).configuration.trim().split('\n').slice(1).join('\n');

describe('JunosDevice: a candidate and a committed configuration', () => {
  it('a commit applies the candidate: facts, show version and get-configuration show the new host name', async () => {
    const { device, session } = await start();
    await loadConfiguration(session, 'set system host-name lab1', { format: 'set' });
    // Loaded, not committed: the candidate has it, the committed configuration and the facts do not.
    expect(await hostName(session)).toBe('fake-junos');
    expect((await getConfiguration(session)).configuration).toContain('<host-name>lab1</host-name>');
    expect((await getConfiguration(session, { database: 'committed' })).configuration).toContain('<host-name>fake-junos</host-name>');
    await commitConfiguration(session);
    expect(await hostName(session)).toBe('lab1');
    expect((await runCommand(session, 'show version')).output).toContain('Hostname: lab1');
    expect(device.configuration).toBe('<system>\n<host-name>lab1</host-name>\n</system>');
    expect((await diffConfiguration(session)).diff).toBe('');
    expect((await diffConfiguration(session, 1)).diff).toBe('[edit system]\n-   host-name fake-junos;\n+   host-name lab1;');
  });

  it('reads XML, text, set and JSON changes alike, with merge, replace, delete and override', async () => {
    const { device, session } = await start({ configuration: '<system><host-name>r1</host-name><services><ssh/></services></system>' });
    await loadConfiguration(session, '<interfaces><interface><name>ge-0/0/0</name><mtu>9000</mtu></interface></interfaces>');
    await loadConfiguration(session, 'interfaces { ge-0/0/1 { disable; } }', { format: 'text' });
    await loadConfiguration(session, 'set system services netconf ssh\nset interfaces ge-0/0/0 description "to core"', { format: 'set' });
    await loadConfiguration(session, '{"configuration": {"system": {"location": {"building": "2"}}}}', { format: 'json' });
    expect(device.candidateConfiguration.split('\n').join('')).toBe(
      '<system><host-name>r1</host-name><services><ssh/><netconf>ssh</netconf></services><location><building>2</building></location></system>' +
      '<interfaces><interface><name>ge-0/0/0</name><mtu>9000</mtu><description>to core</description></interface>' +
      '<interface><name>ge-0/0/1</name><disable/></interface></interfaces>',
    );
    await loadConfiguration(session, '<system><services replace="replace"><telnet/></services><location delete="delete"/></system>', { action: 'replace' });
    await loadConfiguration(session, 'delete interfaces interface ge-0/0/1', { format: 'set' });
    await commitConfiguration(session);
    expect(await committedText(session)).toBe(
      'system {\n    host-name r1;\n    services {\n        telnet;\n    }\n}\ninterfaces {\n    interface ge-0/0/0 {\n        mtu 9000;\n        description "to core";\n    }\n}',
    );
    await loadConfiguration(session, 'system { host-name r2; }', { format: 'text', action: 'override' });
    await commitConfiguration(session);
    expect(device.configuration).toBe('<system>\n<host-name>r2</host-name>\n</system>');
  });

  it('show | compare: what the candidate changes against rollback N, in Junos blocks; a patch of it applies it', async () => {
    const { device, session } = await start();
    await loadConfiguration(session, 'set system host-name lab1\nset interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24', { format: 'set' });
    const diff = (await diffConfiguration(session)).diff;
    expect(diff).toBe([
      '[edit system]', '-   host-name fake-junos;', '+   host-name lab1;',
      '[edit]', '+   interfaces {', '+       interface ge-0/0/0 {', '+           unit 0 {', '+               family {', '+                   inet {',
      '+                       address 192.0.2.1/24;', '+                   }', '+               }', '+           }', '+       }', '+   }',
    ].join('\n'));
    const wanted = device.candidateConfiguration;
    await rollback(session, 0);
    expect((await diffConfiguration(session)).diff).toBe('');
    await loadConfiguration(session, diff, { format: 'text', action: 'patch' });
    expect(device.candidateConfiguration).toBe(wanted);
  });

  it('rollback N loads an earlier commit into the candidate; a commit makes it current; a missing one is a load error', async () => {
    const { device, session } = await start();
    for (const name of ['one', 'two', 'three']) {
      await loadConfiguration(session, `set system host-name ${name}`, { format: 'set' });
      await commitConfiguration(session, { comment: name, commitId: name });
    }
    await rollback(session, 2);
    expect((await diffConfiguration(session)).diff).toBe('[edit system]\n-   host-name three;\n+   host-name one;');
    await commitConfiguration(session, { comment: 'back to one', commitId: 'back' });
    expect(await hostName(session)).toBe('one');
    const missing = await failure<RpcError>(rollback(session, 9));
    expect(missing.code).toBe('CONFIG_REJECTED');
    expect(device.loads.at(-1)).toMatchObject({ action: 'rollback', rollback: 9, ok: false });
    // Each log: the comment, then the commit id.
    expect(device.commitLog.map((c) => c.comment)).toEqual(['one [one]', 'two [two]', 'three [three]', 'back to one [back]']);
  });

  it('a load it cannot read is a load error, and the candidate is unchanged', async () => {
    const { device, session } = await start();
    const err = await failure<RpcError>(loadConfiguration(session, 'system { host-name lab1;', { format: 'text' }));
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.errors[0]!.deviceMessage).toContain('syntax error');
    expect((await failure<RpcError>(loadConfiguration(session, 'sett system host-name x', { format: 'set' }))).code).toBe('CONFIG_REJECTED');
    expect(device.candidateConfiguration).toBe(device.configuration);
    expect(device.loads.map((l) => l.ok)).toEqual([false, false]);
  });

  it('RFC edit-config goes into the same candidate; get-config reads either datastore', async () => {
    const { session } = await start();
    await editConfig(session, 'candidate', '<configuration><system><host-name>via-rfc</host-name></system></configuration>');
    const running = await session.rpc('<get-config><source><running/></source></get-config>');
    const candidate = await session.rpc('<get-config><source><candidate/></source></get-config>');
    expect(running.xml).toContain('<host-name>fake-junos</host-name>');
    expect(candidate.xml).toContain('<host-name>via-rfc</host-name>');
    await session.rpc('<commit/>');
    expect(await hostName(session)).toBe('via-rfc');
  });
});

describe('JunosDevice: confirmed commits roll back', () => {
  it('when the timer runs out, the configuration before the confirmed commit is back, and the history says so', async () => {
    const { device, session } = await start();
    await loadConfiguration(session, 'set system host-name risky', { format: 'set' });
    await commitConfiguration(session, { comment: 'try', commitId: 'try', confirmed: { timeoutSeconds: 60 } });
    expect(await hostName(session)).toBe('risky');
    device.expireConfirmedCommit();
    expect(await hostName(session)).toBe('fake-junos');
    expect((await diffConfiguration(session)).diff).toBe('');
    const history = (await session.rpc('<get-commit-information/>')).xml ?? '';
    const entries = history.split('<commit-history>').slice(1);
    expect(entries.map((e) => /<user>(.*)<\/user>/.exec(e)![1])).toEqual(['root', 'netconf', 'root']);
    expect(entries[1]).toContain('<log>try [try confirmed]</log>');
    expect(entries[1]).not.toContain('rollback pending');
  });

  it('cancel-commit rolls back at once; the next commit commits only its own change', async () => {
    const { device, session } = await start();
    await loadConfiguration(session, 'set system host-name bad', { format: 'set' });
    await commitConfiguration(session, { confirmed: { timeoutSeconds: 600 } });
    await session.rpc('<cancel-commit/>');
    expect(device.pendingConfirm).toBeNull();
    expect(await hostName(session)).toBe('fake-junos');
    expect((await failure<RpcError>(session.rpc('<cancel-commit/>'))).code).toBe('OPERATION_FAILED');
    await loadConfiguration(session, 'set system location building 3', { format: 'set' });
    await commitConfiguration(session);
    expect(await committedText(session)).toBe('system {\n    host-name fake-junos;\n    location {\n        building 3;\n    }\n}');
    expect(device.commitLog.map((c) => [c.status, c.sessionId === null])).toEqual([['reverted', false], ['committed', false], ['committed', false]]);
  });

  it('the commit flow against it: the diff is the change, the commit applies it, confirmed', async () => {
    const { device, session } = await start();
    const result = await commitFlow(session, { config: 'set system host-name flow1', format: 'set', comment: 'c-1', confirmed: { timeoutSeconds: 120 } });
    expect(result.diff).toBe('[edit system]\n-   host-name fake-junos;\n+   host-name flow1;');
    expect(await hostName(session)).toBe('flow1');
    expect(device.pendingConfirm).toBeNull();
    expect(device.commitLog.map((c) => [c.comment, c.status, c.confirms])).toEqual([
      [`c-1 [${result.commitId} confirmed]`, 'committed', null], [`[${result.commitId} confirm]`, 'committed', 1],
    ]);
  });
});
