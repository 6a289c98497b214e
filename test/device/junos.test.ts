import { afterEach, describe, expect, it } from 'vitest';
import { type JunosDevice, type JunosScript, startJunosDevice } from '../../src/device/index.js';
import type { FakeDeviceOptions } from '../../src/device/types.js';
import { CommitOutcomeUnknownError } from '../../src/errors/classes.js';
import { RpcError } from '../../src/errors/device-error.js';
import { NetconfError } from '../../src/errors/netconf-error.js';
import {
  closeConfiguration, commitConfiguration, diffConfiguration, getConfiguration, loadConfiguration, openConfiguration, rollback, runCommand,
} from '../../src/operations/junos.js';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { killSession, lockDatastore, unlockDatastore } from '../../src/operations/rfc6241.js';
import { type ConnectOptions, connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import { failure } from '../support/failure.js';

const JUNOS_CAP = 'http://xml.juniper.net/netconf/junos/1.0';
const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
const BASE_11 = 'urn:ietf:params:netconf:base:1.1';

const devices: JunosDevice[] = [];
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function start(script?: JunosScript, options?: FakeDeviceOptions): Promise<JunosDevice> {
  const device = await startJunosDevice(script, options);
  devices.push(device);
  return device;
}

function connectTo(device: JunosDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  return connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint, ...extra });
}

async function open(device: JunosDevice, extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const session = await connectTo(device, extra);
  sessions.push(session);
  return session;
}


const SET_CONFIG = 'set system services netconf ssh\nset system host-name lab1';
/** `show | compare` of SET_CONFIG loaded onto the default configuration. */
const SET_DIFF = '[edit system]\n-   host-name fake-junos;\n+   host-name lab1;\n+   services {\n+       netconf ssh;\n+   }';

describe('hello', () => {
  it('says hello like Junos: comments first, base:1.0 only, the Junos capabilities, eom framing', async () => {
    const device = await start();
    const session = await open(device);
    expect(session.framingMode).toBe('eom');
    const hello = session.serverHello ?? '';
    expect(hello.startsWith('<!-- No zombies were killed during the creation of this user interface -->\n<!-- user netconf, class j-super-user -->\n<hello')).toBe(true);
    const caps = session.capabilities;
    expect(caps.has(BASE_10)).toBe(true);
    expect(caps.has(BASE_11)).toBe(false);
    for (const c of [JUNOS_CAP, 'http://xml.juniper.net/dmi/system/1.0', 'urn:ietf:params:netconf:capability:candidate:1.0',
      'urn:ietf:params:netconf:capability:confirmed-commit:1.0', 'urn:ietf:params:netconf:capability:validate:1.0']) {
      expect(caps.has(c)).toBe(true);
    }
    expect(caps.uris.some((u) => u.startsWith('urn:ietf:params:netconf:capability:url:1.0'))).toBe(true);
    expect(caps.candidate).toBe(true);
  });

  it('advertises the session-id the device knows the session by', async () => {
    const device = await start();
    const first = await open(device);
    const second = await open(device);
    await runCommand(second, 'show version');
    await runCommand(first, 'show version');
    expect(first.sessionId).not.toBe(second.sessionId);
    expect(device.requests.map((r) => r.sessionId)).toEqual([second.sessionId, first.sessionId]);
  });

  it('carries xmlns:junos and the message-id on every reply', async () => {
    const device = await start();
    const session = await open(device);
    const replies = [
      await session.rpc('<get-configuration/>'),
      await session.rpc('<lock-configuration/>'),
      await session.rpc('<unlock-configuration/>'),
      await session.rpc('<discard-changes/>'),
      await session.rpc('<get-config><source><running/></source></get-config>'),
    ];
    for (const reply of replies) {
      expect(reply.xml).toMatch(new RegExp(`^<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos" message-id="${reply.messageId}">`));
    }
  });

  it('text lines before the hello (a restricted user) leave the session working', async () => {
    const text = 'warning: user "netconf" does not have access privileges.\n\n';
    const device = await start({ preHelloText: text });
    const session = await open(device);
    expect(session.capabilities.has(JUNOS_CAP)).toBe(true);
    expect((await runCommand(session, 'show version')).output).toContain('Hostname: fake-junos');
  });

  it('the whole restricted-user transcript (text and rpc-replies before the hello) fails connect, showing the text', async () => {
    const transcript =
      'warning: user "un1" does not have access privileges.\n\nerror: Restricted user session.\n\n' +
      '<rpc-reply>\n<rpc-error>\n<error-severity>warning</error-severity>\n<error-message>\nuser "un1" does not have access privileges.\n</error-message>\n</rpc-error>\n</rpc-reply>\n' +
      '<rpc-reply>\n<rpc-error>\n<error-type>protocol</error-type>\n<error-tag>operation-failed</error-tag>\n<error-severity>error</error-severity>\n<error-message>\nRestricted user session.\n</error-message>\n</rpc-error>\n</rpc-reply>\n\n';
    const device = await start({ preHelloText: transcript });
    const err = await failure(connectTo(device, { helloTimeoutMs: 3000 }));
    expect(err).toBeInstanceOf(NetconfError);
    expect(err.code).toBe('PROTOCOL_ERROR');
    expect(err.message).toContain('before its <hello>');
    expect(err.message).toContain('Restricted user session.');
  });

  it('text and no hello at all: HELLO_TIMEOUT, and the message shows the text', async () => {
    const device = await start({ preHelloText: 'error: Restricted user session.\n' }, { sendHello: false });
    const err = await failure(connectTo(device, { helloTimeoutMs: 300 }));
    expect(err.code).toBe('HELLO_TIMEOUT');
    expect(err.message).toContain('error: Restricted user session.');
    expect(err.message).not.toContain('<!--'); // the banner comments come with the hello
  });
});

describe('locks and private databases', () => {
  it('lock / unlock and lock-configuration share one candidate lock; the holder is named', async () => {
    const device = await start();
    const a = await open(device);
    const b = await open(device);
    await lockDatastore(a, 'candidate');
    expect(device.lockHolder('candidate')).toBe(a.sessionId);
    const denied = await failure<RpcError>(b.rpc('<lock-configuration/>'));
    expect(denied).toBeInstanceOf(RpcError);
    expect(denied.code).toBe('LOCK_DENIED');
    expect(denied.retryable).toBe(true);
    expect(denied.items[0]!.sessionId).toBe(a.sessionId);
    expect(denied.items[0]!.message).toMatch(/^configuration database locked by:/);
    expect((await failure(unlockDatastore(b, 'candidate'))).code).toBe('OPERATION_FAILED');
    await unlockDatastore(a, 'candidate');
    await b.rpc('<lock-configuration/>');
    await b.rpc('<unlock-configuration/>');
    expect(device.lockHolder()).toBeNull();
  });

  it('a session that ends loses its locks', async () => {
    const device = await start();
    const a = await open(device);
    const b = await open(device);
    await lockDatastore(a, 'candidate');
    a.destroy();
    await expect.poll(() => device.lockHolder(), { timeout: 3000 }).toBeNull();
    await lockDatastore(b, 'candidate');
  });

  it('kill-session ends the holder, whose lock goes with it (the hello session-ids are the device\'s own)', async () => {
    const device = await start();
    const a = await open(device);
    const b = await open(device);
    await a.rpc('<lock-configuration/>');
    const denied = await failure<RpcError>(lockDatastore(b, 'candidate'));
    await killSession(b, denied.items[0]!.sessionId!);
    await expect.poll(() => a.closed && device.lockHolder() === null, { timeout: 3000 }).toBe(true);
    await lockDatastore(b, 'candidate');
    expect(device.lockHolder()).toBe(b.sessionId);
  });

  it('open-configuration exclusive holds the lock until close-configuration; private warns and discards on close', async () => {
    const device = await start();
    const a = await open(device);
    const b = await open(device);
    const exclusive = await openConfiguration(a, 'exclusive');
    expect(exclusive.hasOk).toBe(true);
    expect((await failure(lockDatastore(b, 'candidate'))).code).toBe('LOCK_DENIED');
    await closeConfiguration(a);
    expect(device.lockHolder()).toBeNull();

    const priv = await openConfiguration(b, 'private');
    expect(priv.hasOk).toBe(true);
    expect(priv.warnings.map((w) => w.deviceMessage)).toEqual(['uncommitted changes will be discarded on exit']);
    await loadConfiguration(b, SET_CONFIG, { format: 'set' });
    expect(device.candidate).toBe(SET_CONFIG);
    await closeConfiguration(b);
    expect(device.candidate).toBe('');
  });
});

describe('load-configuration', () => {
  const warnings = [
    { message: 'statement not found', path: 'system syslog', element: 'file messages' },
    { message: 'statement has no contents; ignored', path: '[edit protocols]', element: 'ospf' },
  ];

  it('returns the load warnings inside the results, with path, bad element and trimmed message', async () => {
    const device = await start({ load: { warnings } });
    const session = await open(device);
    const result = await loadConfiguration(session, 'system { host-name lab1; }');
    expect(result.success).toBe(true);
    expect(result.errorCount).toBeNull();
    expect(result.warnings.map((w) => [w.code, w.level, w.path, w.badElement, w.deviceMessage])).toEqual([
      ['CONFIG_WARNING', 'warning', '[edit system syslog]', 'file messages', 'statement not found'],
      ['CONFIG_WARNING', 'warning', '[edit protocols]', 'ospf', 'statement has no contents; ignored'],
    ]);
    expect(result.xml).toContain('<error-message>\nstatement not found\n</error-message>');
    expect(result.xml).toMatch(/<ok\/>\n<\/load-configuration-results>/);
    expect(device.candidate).toBe('system { host-name lab1; }');
    expect(device.loads.at(-1)).toMatchObject({ action: 'merge', format: 'text', rollback: null, ok: true });
  });

  it('rejects load errors with every error and warning, as CONFIG_REJECTED, and keeps the candidate', async () => {
    const device = await start({
      load: {
        warnings: [warnings[0]!],
        errors: [{ message: 'syntax error', path: 'interfaces ge-0/0/0', element: 'mtuu' }, { message: 'missing mandatory statement', path: 'system' }],
      },
    });
    const session = await open(device);
    const err = await failure<RpcError>(loadConfiguration(session, '<system><host-name>x</host-name></system>'));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.retryable).toBe(false);
    expect(err.items.map((i) => [i.level, i.code, i.path, i.badElement, i.deviceMessage])).toEqual([
      ['warning', 'CONFIG_WARNING', '[edit system syslog]', 'file messages', 'statement not found'],
      ['error', 'CONFIG_REJECTED', '[edit interfaces ge-0/0/0]', 'mtuu', 'syntax error'],
      ['error', 'CONFIG_REJECTED', '[edit system]', null, 'missing mandatory statement'],
    ]);
    expect(device.candidate).toBe('');
    expect(device.loads.at(-1)).toMatchObject({ format: 'xml', text: '<system><host-name>x</host-name></system>', ok: false });
  });

  it('remembers each payload as the candidate change, diffs the candidate against the committed configuration, and rollback 0 clears it', async () => {
    const device = await start();
    const session = await open(device);
    expect((await diffConfiguration(session)).diff).toBe('');
    await loadConfiguration(session, SET_CONFIG, { format: 'set' });
    await loadConfiguration(session, '{"configuration": {}}', { format: 'json', action: 'merge' });
    expect(device.loads.map((l) => [l.action, l.format])).toEqual([['set', 'set'], ['merge', 'json']]);
    expect(device.candidate).toBe(`${SET_CONFIG}\n{"configuration": {}}`);
    expect((await diffConfiguration(session)).diff).toBe(SET_DIFF);
    const rolledBack = await rollback(session, 0);
    expect(rolledBack.success).toBe(true);
    expect(device.candidate).toBe('');
    expect(device.loads.at(-1)).toMatchObject({ action: 'rollback', rollback: 0 });
    expect((await diffConfiguration(session)).diff).toBe('');
  });

  it('answers the script diff when there is one', async () => {
    const device = await start({ diff: '[edit system]\n-  host-name old;\n+  host-name lab1;' });
    const session = await open(device);
    expect((await diffConfiguration(session, 1)).diff).toBe('[edit system]\n-  host-name old;\n+  host-name lab1;');
    const reply = await getConfiguration(session, { compareRollback: 0 });
    expect(reply.xml).toContain('<configuration-information>\n<configuration-output>\n[edit system]');
  });
});

describe('commit-configuration', () => {
  it('commit check: one routing engine with commit-check-success, the check warnings as xnm:warning', async () => {
    const device = await start({ check: { warnings: [{ message: 'requires license', path: 'protocols', statement: 'bgp' }] } });
    const session = await open(device);
    const result = await commitConfiguration(session, { check: true });
    expect(result.success).toBe(true);
    expect(result.check).toBe(true);
    expect(result.routingEngines.map((r) => [r.name, r.success])).toEqual([['re0', true]]);
    expect(result.warnings.map((w) => [w.kind, w.code, w.editPath, w.statement, w.routingEngine, w.deviceMessage])).toEqual([
      ['xnm:warning', 'CONFIG_WARNING', '[edit protocols]', 'bgp', 're0', 'requires license'],
    ]);
    expect(result.xml).toContain('<routing-engine junos:style="normal">\n<name>re0</name>');
    expect(result.xml).toContain('<commit-check-success/>');
    expect(device.checks).toBe(1);
    expect(device.commits).toBe(0);
  });

  it('commit check errors reject as xnm:error items with edit path, statement and routing engine', async () => {
    const device = await start({
      check: {
        warnings: [{ message: 'deprecated', path: 'system', statement: 'ntp' }],
        errors: [{ message: 'Missing mandatory statement', path: 'system', statement: 'root-authentication' }],
      },
    });
    const session = await open(device);
    const err = await failure<RpcError>(commitConfiguration(session, { check: true }));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.items.map((i) => [i.kind, i.level, i.editPath, i.statement, i.routingEngine, i.deviceMessage])).toEqual([
      ['xnm:warning', 'warning', '[edit system]', 'ntp', 're0', 'deprecated'],
      ['xnm:error', 'error', '[edit system]', 'root-authentication', 're0', 'Missing mandatory statement'],
    ]);
    expect(device.checks).toBe(0);
  });

  it('reports a commit per routing engine, and an error on one of two fails the commit', async () => {
    const device = await start({ routingEngines: ['re0', 're1'] });
    const session = await open(device);
    const ok = await commitConfiguration(session, { comment: 'first', commitId: 'c-1' });
    expect(ok.success).toBe(true);
    expect(ok.routingEngines.map((r) => [r.name, r.success])).toEqual([['re0', true], ['re1', true]]);
    expect(ok.xml).toContain('<routing-engine junos:style="show-name">');

    const check = await commitConfiguration(session, { check: true });
    expect(check.routingEngines.map((r) => [r.name, r.success])).toEqual([['re0', true], ['re1', true]]);

    device.script.commit = { errors: [{ message: 'commit synchronize failed', path: 'system', routingEngine: 're1' }] };
    const err = await failure<RpcError>(commitConfiguration(session));
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.items.map((i) => [i.kind, i.routingEngine, i.deviceMessage])).toEqual([['xnm:error', 're1', 'commit synchronize failed']]);
    expect(device.commits).toBe(1);
    expect(device.comments).toEqual(['first [c-1]']);
  });

  for (const okStyle of ['commit-results', 'bare-ok', 'output'] as const) {
    it(`counts okStyle "${okStyle}" as success`, async () => {
      const device = await start({ okStyle, commit: { warnings: [{ message: 'a warning', path: 'system' }] } });
      const session = await open(device);
      const result = await commitConfiguration(session);
      expect(result.success).toBe(true);
      expect(result.hasOk).toBe(true);
      expect(device.commits).toBe(1);
      const check = await commitConfiguration(session, { check: true });
      expect(check.success).toBe(true);
      if (okStyle === 'commit-results') expect(result.routingEngines.map((r) => r.name)).toEqual(['re0']);
      if (okStyle === 'bare-ok') {
        expect(result.routingEngines).toEqual([]);
        expect(result.warnings).toEqual([]); // dropped beside <ok/>
      }
      if (okStyle === 'output') {
        expect(result.xml).toMatch(/<output>\ncommit complete\n<\/output>\n<ok\/>/);
        expect(check.xml).toContain('configuration check succeeds');
        expect(result.warnings.map((w) => w.deviceMessage)).toEqual(['a warning']);
      }
    });
  }

  it('commit errors from the script: no commit-success, no ok, nothing committed, candidate kept', async () => {
    const device = await start();
    const session = await open(device);
    await loadConfiguration(session, SET_CONFIG, { format: 'set' });
    device.script.commit = { errors: [{ message: 'mtu out of range', path: 'interfaces ge-0/0/0', statement: 'mtu 99999' }] };
    const err = await failure<RpcError>(commitConfiguration(session, { comment: 'nope' }));
    expect(err.items.map((i) => [i.editPath, i.statement, i.routingEngine])).toEqual([['[edit interfaces ge-0/0/0]', 'mtu 99999', 're0']]);
    expect(device.commits).toBe(0);
    expect(device.comments).toEqual([]);
    expect(device.candidate).toBe(SET_CONFIG);
    delete device.script.commit;
    await commitConfiguration(session);
    expect(device.commits).toBe(1);
    expect(device.candidate).toBe('');
  });

  it('records a confirmed commit in minutes, and a plain commit confirms it', async () => {
    const device = await start();
    const session = await open(device);
    const pending = await commitConfiguration(session, { confirmed: { timeoutSeconds: 90 } });
    expect(device.requests.at(-1)!.xml).toContain('<confirm-timeout>2</confirm-timeout>');
    expect(pending.confirmTimeoutSeconds).toBe(120);
    expect(device.pendingConfirm).toEqual({ minutes: 2 });
    expect(device.confirmedCommits).toBe(1);
    await commitConfiguration(session, { comment: 'confirm it', commitId: 'c-2' });
    expect(device.pendingConfirm).toBeNull();
    expect(device.confirmations).toBe(1);
    expect(device.commits).toBe(2);
    // Every commit carries a commit id in its log.
    expect(device.comments).toEqual([`[${pending.commitId} confirmed]`, 'confirm it [c-2]']);
  });

  it('a commit check confirms a pending confirmed commit too, as on Junos; confirmed without timeout is 10 minutes', async () => {
    const device = await start();
    const session = await open(device);
    await session.rpc('<commit-configuration><confirmed/></commit-configuration>');
    expect(device.pendingConfirm).toEqual({ minutes: 10 });
    await commitConfiguration(session, { check: true });
    expect(device.pendingConfirm).toBeNull();
    expect(device.confirmations).toBe(1);
  });

  it('runs one device through several scenarios by changing the script between calls', async () => {
    const device = await start();
    const session = await open(device);
    expect((await commitConfiguration(session)).success).toBe(true);
    device.script.okStyle = 'bare-ok';
    expect((await commitConfiguration(session)).routingEngines).toEqual([]);
    device.script.load = { errors: [{ message: 'syntax error' }] };
    expect((await failure(loadConfiguration(session, 'x;'))).code).toBe('CONFIG_REJECTED');
    device.script = {};
    expect((await loadConfiguration(session, 'x;')).success).toBe(true);
    expect(device.commits).toBe(2);
  });
});

describe('rfc-compliant', () => {
  it('prefixes every NETCONF element with nc:, speaks base:1.1 (chunked), and still parses', async () => {
    const device = await start({
      rfcCompliant: true,
      routingEngines: ['re0', 're1'],
      load: { warnings: [{ message: 'statement not found', path: 'system', element: 'foo' }] },
    });
    const session = await open(device);
    expect(session.serverHello).toContain('<nc:hello xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">');
    expect(session.capabilities.has(BASE_11)).toBe(true);
    expect(session.capabilities.has(JUNOS_CAP)).toBe(true);
    expect(session.framingMode).toBe('chunked');

    const load = await loadConfiguration(session, SET_CONFIG, { format: 'set' });
    expect(load.xml).toMatch(/^<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="[^"]+" message-id="\d+">/);
    expect(load.xml).toContain('<nc:rpc-error>\n<nc:error-severity>warning</nc:error-severity>');
    expect(load.xml).toContain('<nc:ok/>');
    expect(load.success).toBe(true);
    expect(load.warnings.map((w) => [w.code, w.path, w.badElement, w.deviceMessage])).toEqual([['CONFIG_WARNING', '[edit system]', 'foo', 'statement not found']]);

    const commit = await commitConfiguration(session);
    expect(commit.success).toBe(true);
    expect(commit.routingEngines.map((r) => [r.name, r.success])).toEqual([['re0', true], ['re1', true]]);
    await lockDatastore(session, 'candidate');
    const config = await getConfiguration(session);
    expect(config.configuration).toContain('<host-name>lab1</host-name>');

    device.script.load = { errors: [{ message: 'syntax error', element: 'bogus' }] };
    const err = await failure<RpcError>(loadConfiguration(session, 'bogus;'));
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.errors.map((e) => e.badElement)).toEqual(['bogus']);
  });

  it('applies to sessions that start after the script changed, prefixes only (no base:1.1 without restart)', async () => {
    const device = await start();
    const before = await open(device);
    device.script.rfcCompliant = true;
    const after = await open(device);
    expect(after.serverHello).toContain('<nc:hello');
    expect(after.framingMode).toBe('eom');
    expect((await after.rpc('<get-configuration/>')).xml).toMatch(/^<nc:rpc-reply /);
    expect((await before.rpc('<get-configuration/>')).xml).toMatch(/^<rpc-reply /);
  });
});

describe('configuration, commands and operational RPCs', () => {
  it('get and get-config: the configuration, no state (Junos serves that through its RPCs); an XPath filter is refused, as Junos lacks :xpath', async () => {
    const device = await start();
    const session = await open(device);
    for (const body of ['<get/>', '<get-config><source><running/></source></get-config>']) {
      const reply = await session.rpc(body);
      expect(reply.xml).toContain('<data>\n<configuration');
      expect(reply.xml).toContain('<host-name>fake-junos</host-name>');
    }
    expect(session.capabilities.has('urn:ietf:params:netconf:capability:xpath:1.0')).toBe(false);
    for (const body of ['<get><filter type="xpath" select="/configuration/system"/></get>', '<get-config><source><running/></source><filter type="xpath" select="/configuration/system"/></get-config>']) {
      const err = await failure<RpcError>(session.rpc(body));
      expect(err.code).toBe('OPERATION_NOT_SUPPORTED');
      expect(err.message).toContain('cannot apply "/configuration/system"');
    }
  });

  it('get-configuration: the configuration with the junos commit attributes, and the text and set formats', async () => {
    const device = await start();
    const session = await open(device);
    const xml = await getConfiguration(session);
    expect(xml.configuration.trim()).toBe('<system>\n<host-name>fake-junos</host-name>\n</system>');
    // The factory configuration was committed by root; from the first commit on, by its user.
    expect(xml.xml).toMatch(/<configuration junos:commit-seconds="\d+" junos:commit-localtime="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC" junos:commit-user="root">/);
    expect((await getConfiguration(session, { format: 'text' })).configuration).toContain('system {\n    host-name fake-junos;\n}');
    expect((await getConfiguration(session, { format: 'set' })).configuration).toContain('set system host-name fake-junos');
  });

  it('get-configuration answers the script configuration, in every format', async () => {
    const configuration = '<system><host-name>r1</host-name><services><ssh/><netconf><ssh/></netconf></services></system>' +
      '<interfaces><interface><name>ge-0/0/0</name><mtu>9000</mtu></interface><interface><name>ge-0/0/1</name><disable/></interface></interfaces>';
    const device = await start({ configuration });
    const session = await open(device);
    expect((await getConfiguration(session)).configuration.trim()).toBe(configuration);
    expect((await getConfiguration(session, { format: 'set' })).configuration.trim().split('\n').slice(1)).toEqual([
      'set system host-name r1', 'set system services ssh', 'set system services netconf ssh',
      'set interfaces interface ge-0/0/0 mtu 9000', 'set interfaces interface ge-0/0/1 disable',
    ]);
    const text = (await getConfiguration(session, { format: 'text' })).configuration;
    expect(text).toContain('interfaces {\n    interface ge-0/0/0 {\n        mtu 9000;\n    }\n    interface ge-0/0/1 {\n        disable;\n    }\n}');
    // Read from the reply: getConfiguration does not look into <configuration-json> (see the report).
    const json = (await getConfiguration(session, { format: 'json' })).xml ?? '';
    expect(JSON.parse(/<configuration-json>([\s\S]*)<\/configuration-json>/.exec(json)![1]!.replaceAll('&quot;', '"'))).toEqual({
      configuration: {
        system: { 'host-name': 'r1', services: { ssh: [null], netconf: { ssh: [null] } } },
        interfaces: { interface: [{ name: 'ge-0/0/0', mtu: '9000' }, { name: 'ge-0/0/1', disable: [null] }] },
      },
    });
    expect((await runCommand(session, 'show version')).output).toContain('Hostname: r1');
  });

  it('command: show version as text and as XML; an unknown command is a syntax error', async () => {
    const device = await start({ commands: { 'show system uptime': 'Current time: 2024-01-01 00:00:00 UTC' } });
    const session = await open(device);
    const text = await runCommand(session, 'show version');
    expect(text.output.trim().split('\n').slice(0, 3)).toEqual(['Hostname: fake-junos', 'Model: vmx', 'Junos: 23.4R1.10']);
    const xml = await runCommand(session, 'show  version', { format: 'xml' });
    expect(xml.output).toContain('<software-information>');
    expect(xml.output).toContain('<junos-version>23.4R1.10</junos-version>');
    expect((await runCommand(session, 'show system uptime')).output.trim()).toBe('Current time: 2024-01-01 00:00:00 UTC');
    const err = await failure<RpcError>(runCommand(session, 'show bogus'));
    expect(err.code).toBe('OPERATION_FAILED');
    expect(err.items[0]!.badElement).toBe('bogus');
  });

  it('multi-RE quirk: the second RE item carries an unprefixed xnm <error>, the rest of the reply is fine', async () => {
    const device = await start({ multiReError: true });
    const session = await open(device);
    const seen: string[] = [];
    const err = await failure<RpcError>(session.rpc('<get-software-information/>', { onItem: (i) => seen.push(i.routingEngine ?? '') }));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.items).toHaveLength(1); // node0's software-information brings no item
    const item = err.items[0]!;
    expect([item.kind, item.code, item.routingEngine, item.sourceDaemon, item.message]).toEqual(
      ['xnm:error', 'CONFIG_REJECTED', 'node1', 'chassisd', 'could not read from peer'],
    );
    expect(seen).toEqual(['node1']);
    // The session goes on; without the quirk the same RPC answers one software-information.
    device.script.multiReError = false;
    const reply = await session.rpc('<get-software-information/>');
    expect(reply.xml).toContain('<software-information>');
    expect(reply.xml).not.toContain('multi-routing-engine');
  });

  it('an unknown RPC is a Junos syntax error naming it', async () => {
    const device = await start();
    const session = await open(device);
    const err = await failure<RpcError>(session.rpc('<get-bogus-information/>'));
    expect(err.code).toBe('OPERATION_FAILED');
    expect(err.items[0]!.badElement).toBe('get-bogus-information');
    expect(err.items[0]!.message).toBe('syntax error');
  });
});

describe('with the commit flow', () => {
  it('lock, load, check, diff, confirmed commit, confirm, unlock: the device sees each step', async () => {
    const device = await start({ load: { warnings: [{ message: 'statement not found', path: 'system' }] } });
    const session = await open(device);
    let pendingDuringHealthCheck: unknown = null;
    const result = await commitFlow(session, {
      config: SET_CONFIG,
      format: 'set',
      comment: 'via the flow',
      confirmed: { timeoutSeconds: 120, healthCheck: () => void (pendingDuringHealthCheck = device.pendingConfirm) },
    });
    expect(result).toMatchObject({ committed: true, confirmed: true, diff: SET_DIFF });
    expect(result.steps).toEqual(['lock', 'load', 'check', 'diff', 'commit', 'health-check', 'confirm', 'unlock']);
    expect(result.warnings.map((w) => w.deviceMessage)).toEqual(['statement not found']);
    expect(pendingDuringHealthCheck).toEqual({ minutes: 2 });
    expect(device.pendingConfirm).toBeNull();
    expect([device.commits, device.confirmedCommits, device.confirmations, device.checks]).toEqual([2, 1, 1, 1]);
    expect(device.comments).toEqual([`via the flow [${result.commitId} confirmed]`, `[${result.commitId} confirm]`]);
    expect(device.lockHolder()).toBeNull();
    expect(device.requests.map((r) => r.operation)).toEqual([
      'lock', 'get-commit-information', 'load-configuration', 'commit-configuration', 'get-configuration', 'commit-configuration', 'commit-configuration', 'unlock',
    ]);
  });

  it('a check error stops the flow: the candidate is rolled back and the private database closed', async () => {
    const device = await start({ check: { errors: [{ message: 'Missing mandatory statement', path: 'system', statement: 'root-authentication' }] } });
    const session = await open(device);
    const err = await failure<RpcError>(commitFlow(session, { config: SET_CONFIG, format: 'set', isolation: 'private' }));
    expect(err.step).toBe('check');
    expect(err.errors.map((e) => [e.kind, e.statement, e.routingEngine])).toEqual([['xnm:error', 'root-authentication', 're0']]);
    expect(err.warnings.map((w) => w.deviceMessage)).toEqual(['uncommitted changes will be discarded on exit']);
    expect(device.commits).toBe(0);
    expect(device.candidate).toBe('');
    expect(device.requests.map((r) => r.operation).slice(-2)).toEqual(['load-configuration', 'close-configuration']);
  });

  it('closes politely: close-session is answered and the session ends', async () => {
    const device = await start();
    const session = await connectTo(device);
    await session.close();
    expect(device.requests.at(-1)!.operation).toBe('close-session');
    await expect.poll(() => device.sessionCount, { timeout: 3000 }).toBe(0);
  });
});

describe('faults', () => {
  it('stallOn: that operation is never answered (RPC_TIMEOUT), the session goes on', async () => {
    const device = await start({ stallOn: 'get-configuration' });
    const session = await open(device);
    const err = await failure(getConfiguration(session, { timeoutMs: 200 }));
    expect(err.code).toBe('RPC_TIMEOUT');
    expect((await runCommand(session, 'show version')).output).toContain('Hostname');
    delete device.script.stallOn;
    expect((await getConfiguration(session)).configuration).toContain('host-name');
  });

  it('stallOn a commit: the outcome is unknown, never a plain timeout', async () => {
    const device = await start({ stallOn: 'commit-configuration' });
    const session = await open(device);
    const err = await failure(commitConfiguration(session, { timeoutMs: 200 }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect((err.cause as NetconfError).code).toBe('RPC_TIMEOUT');
    expect(device.commits).toBe(0);
  });

  it('dropOn a commit: the connection drops mid-reply, COMMIT_OUTCOME_UNKNOWN, and the device did commit', async () => {
    const device = await start({ dropOn: 'commit-configuration' });
    const session = await open(device);
    await loadConfiguration(session, SET_CONFIG, { format: 'set' });
    const err = await failure(commitConfiguration(session, { comment: 'cut off', commitId: 'c-3' }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect((err as CommitOutcomeUnknownError).commitId).toBe('c-3');
    expect(err.retryable).toBe(false);
    expect(session.closed).toBe(true);
    expect(device.commits).toBe(1);
    expect(device.comments).toEqual(['cut off [c-3]']);
    // A new session sees the committed state: nothing left in the candidate.
    delete device.script.dropOn;
    const again = await open(device);
    expect((await diffConfiguration(again)).diff).toBe('');
  });

  it('a rule that only adds a fault delays the Junos answer: a slow commit the client gave up on still happened', async () => {
    const device = await start({}, { rules: [{ match: 'commit-configuration', times: 1, reply: { delayMs: 400 } }] });
    const session = await open(device);
    const err = await failure(commitConfiguration(session, { timeoutMs: 100 }));
    expect(err.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(device.commits).toBe(1);
    const second = await commitConfiguration(session);
    expect(second.routingEngines.map((r) => r.name)).toEqual(['re0']);
    expect(device.commits).toBe(2);
  });

  it('user rules still come first', async () => {
    const device = await start({}, { rules: [{ match: 'command', reply: '<output>scripted</output>' }] });
    const session = await open(device);
    expect((await runCommand(session, 'show version')).output).toBe('scripted');
  });
});
