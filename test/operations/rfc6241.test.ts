import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { deviceHarness, lastBody } from '../support/devices.js';
import { rejection } from '../support/assertions.js';
import {
  cancelCommit, commitCandidate, copyConfig, deleteConfig, discardChanges, editConfig, get, getConfig, killSession, lockDatastore,
  parseData, unlockDatastore, validateConfig,
} from '../../src/operations/index.js';

const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start(options));


describe('RFC 6241 operations send exactly the request XML', () => {
  it('get-config with a subtree filter (string, object and xmlbuilder2 node) and with-defaults', async () => {
    const { device, session } = await pair({ rules: [{ match: 'get-config', reply: '<data><interfaces xmlns="urn:x"><interface><name>e0</name></interface></interfaces></data>' }] });
    const reply = await getConfig(session, 'running', { filter: '<interfaces xmlns="urn:x"/>' });
    expect(lastBody(device)).toBe('<get-config><source><running/></source><filter type="subtree"><interfaces xmlns="urn:x"/></filter></get-config>');
    expect(reply.data).toBe('<interfaces xmlns="urn:x"><interface><name>e0</name></interface></interfaces>');
    expect(parseData(reply)).toEqual({ interfaces: { interface: { name: 'e0' } } });

    await getConfig(session, 'candidate', { filter: { interfaces: { '@xmlns': 'urn:x', interface: { name: 'a&b' } } }, withDefaults: 'explicit' });
    expect(lastBody(device)).toBe('<get-config><source><candidate/></source><filter type="subtree"><interfaces xmlns="urn:x"><interface><name>a&amp;b</name></interface></interfaces></filter>'
      + '<with-defaults xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults">explicit</with-defaults></get-config>');

    const node = create().ele('urn:y', 'system').ele('host-name').up();
    await get(session, { filter: node });
    expect(lastBody(device)).toBe('<get><filter type="subtree"><system xmlns="urn:y"><host-name/></system></filter></get>');

    // The fake evaluates no XPath: it refuses the filter rather than answer everything.
    const refused = await rejection(get(session, { filter: { xpath: '/if:interfaces/if:interface[if:name="e0"]', namespaces: { if: 'urn:ietf:params:xml:ns:yang:ietf-interfaces' } } }));
    expect(refused.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(lastBody(device)).toBe('<get><filter type="xpath" select="/if:interfaces/if:interface[if:name=&quot;e0&quot;]" xmlns:if="urn:ietf:params:xml:ns:yang:ietf-interfaces"/></get>');
  });

  it('edit-config with every option, copy-config, delete-config, validate', async () => {
    const { device, session } = await pair();
    // With default-operation none the host-name must exist already (RFC 6241: else data-missing).
    await editConfig(session, 'candidate', '<system xmlns="urn:y"><host-name>r1</host-name></system>');
    await editConfig(session, 'candidate', '<system xmlns="urn:y"><host-name>r1</host-name></system>', { defaultOperation: 'none', testOption: 'test-then-set', errorOption: 'stop-on-error' });
    expect(lastBody(device)).toBe('<edit-config><target><candidate/></target><default-operation>none</default-operation><test-option>test-then-set</test-option>'
      + '<error-option>stop-on-error</error-option><config><system xmlns="urn:y"><host-name>r1</host-name></system></config></edit-config>');
    await copyConfig(session, 'candidate', 'running');
    expect(lastBody(device)).toBe('<copy-config><target><candidate/></target><source><running/></source></copy-config>');
    await copyConfig(session, 'candidate', { config: '<a xmlns="urn:a"/>' }).catch(() => undefined);
    expect(lastBody(device)).toBe('<copy-config><target><candidate/></target><source><config><a xmlns="urn:a"/></config></source></copy-config>');
    await validateConfig(session, 'candidate');
    expect(lastBody(device)).toBe('<validate><source><candidate/></source></validate>');
    await validateConfig(session, { config: '<a xmlns="urn:a"/>' });
    expect(lastBody(device)).toBe('<validate><source><config><a xmlns="urn:a"/></config></source></validate>');
    await deleteConfig(session, 'candidate').catch(() => undefined);
  });

  it('lock, unlock, commit (confirmed, persist), cancel-commit, discard-changes, kill-session', async () => {
    const { device, session } = await pair();
    await lockDatastore(session, 'candidate');
    expect(lastBody(device)).toBe('<lock><target><candidate/></target></lock>');
    await unlockDatastore(session, 'candidate');
    expect(lastBody(device)).toBe('<unlock><target><candidate/></target></unlock>');
    await commitCandidate(session, { confirmed: { timeoutSeconds: 120, persist: 'tok-1' } });
    expect(lastBody(device)).toBe('<commit><confirmed/><confirm-timeout>120</confirm-timeout><persist>tok-1</persist></commit>');
    await commitCandidate(session, { persistId: 'tok-1' });
    expect(lastBody(device)).toBe('<commit><persist-id>tok-1</persist-id></commit>');
    await cancelCommit(session, { persistId: 'tok-2' }).catch(() => undefined); // no commit has that persist-id: invalid-value
    expect(lastBody(device)).toBe('<cancel-commit><persist-id>tok-2</persist-id></cancel-commit>');
    await discardChanges(session);
    expect(lastBody(device)).toBe('<discard-changes/>');
    await killSession(session, 99).catch(() => undefined);
    expect(lastBody(device)).toBe('<kill-session><session-id>99</session-id></kill-session>');
  });

  it('escapes caller values: text and attributes can never break out of the request', async () => {
    const { device, session } = await pair();
    await commitCandidate(session, { confirmed: { timeoutSeconds: 60, persist: '</persist><evil/>]]>]]>' } });
    expect(lastBody(device)).toBe('<commit><confirmed/><confirm-timeout>60</confirm-timeout><persist>&lt;/persist&gt;&lt;evil/&gt;]]&gt;]]&gt;</persist></commit>');
  });
});

describe('operations check capabilities first and say which one is missing', () => {
  it('refuses with CAPABILITY_MISSING before sending anything', async () => {
    const { device, session } = await pair({ capabilities: ['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:netconf:base:1.1'] });
    const cases: [Promise<unknown>, RegExp][] = [
      [getConfig(session, 'candidate'), /:candidate/],
      [get(session, { filter: { xpath: '/x' } }), /:xpath/],
      [editConfig(session, 'running', '<a xmlns="urn:a"/>'), /:writable-running/],
      [validateConfig(session, 'candidate'), /:validate/],
      [commitCandidate(session), /:candidate/],
      [copyConfig(session, { url: 'file:///backup.xml' }, 'running'), /:url/],
      [getConfig(session, 'running', { withDefaults: 'trim' }), /:with-defaults/],
      [getConfig(session, 'startup'), /:startup/],
    ];
    for (const [call, capability] of cases) {
      const err = await rejection(call);
      expect(err.code).toBe('CAPABILITY_MISSING');
      expect(err.category).toBe('client');
      expect(err.message).toMatch(capability);
    }
    expect(device.requests).toHaveLength(0);
  });

  it('refuses bad caller input with INVALID_ARGUMENT (bad XML included), and sends nothing', async () => {
    const { device, session } = await pair();
    expect((await rejection(commitCandidate(session, { confirmed: { timeoutSeconds: -1 } }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(commitCandidate(session, { confirmed: { timeoutSeconds: 1.5 } }))).message).toMatch(/confirmed\.timeoutSeconds/);
    const bad: [Promise<unknown>, RegExp][] = [
      [editConfig(session, 'candidate', '<a><b></a>'), /^The config is not well-formed XML: the end tag <\/a> does not match the start tag <b> .*\(line 1, column 7\)$/],
      [editConfig(session, 'candidate', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), /^The config is not well-formed XML: a DOCTYPE/],
      [editConfig(session, 'candidate', '<a>&nbsp;</a>'), /^The config .*the entity &nbsp; is not defined/],
      [validateConfig(session, { config: '<a x="1" x="2"/>' }), /^The config .*appears twice/],
      [getConfig(session, 'running', { filter: '<interfaces>\n  <interface></interfaces>' }), /^The filter .*\(line 2, column 14\)$/],
      [get(session, { filter: '<a>AT&T</a>' }), /^The filter .*a bare "&"/],
      [killSession(session, Number.NaN), /^sessionId must be a positive integer, not NaN$/],
      [killSession(session, 0), /^sessionId must be a positive integer, not 0$/],
    ];
    for (const [call, message] of bad) {
      const err = await rejection(call);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client' });
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/netconfkit-check/);
    }
    expect((await rejection(getConfig(session, 'running', { withDefaults: 'report-all-tagged' }))).code).toBe('CAPABILITY_MISSING');
    expect(device.requests).toHaveLength(0);
  });
});

describe('API rules: a write names its datastore, success is the promise resolving', () => {
  it('a getConfig reply resolved with data, and hasOk is false (there is no <ok/> in it)', async () => {
    const { session } = await pair({ rules: [{ match: 'get-config', reply: '<data><a xmlns="urn:a"/></data>' }] });
    const reply = await getConfig(session, 'running');
    expect(reply.hasOk).toBe(false);
    expect(reply.data).toBe('<a xmlns="urn:a"/>');
    expect(reply).not.toHaveProperty('ok');
    // An <ok/> reply says so, and resolves the same way.
    expect((await lockDatastore(session, 'candidate')).hasOk).toBe(true);
  });

  it('operations resolve to the reply plus plain fields: no methods, and the reply is not changed', async () => {
    const { session } = await pair({ rules: [{ match: 'get-config', reply: '<data><a xmlns="urn:a">1</a></data>' }] });
    const reply = await getConfig(session, 'running');
    for (const [key, value] of Object.entries(reply)) expect(typeof value, key).not.toBe('function');
    expect(Object.keys(reply).sort()).toEqual(['data', 'hasOk', 'items', 'messageId', 'warnings', 'xml']);
    expect(parseData(reply)).toEqual({ a: '1' });
  });

  it('editConfig, lockDatastore and unlockDatastore need the target: a type error, and INVALID_ARGUMENT at run time', async () => {
    const { device, session } = await pair();
    const untyped = [
      // @ts-expect-error the target is required: the 0.1 signature editConfig(session, config) no longer compiles
      editConfig(session, '<a xmlns="urn:a"/>'),
      // @ts-expect-error a config string is not a datastore
      editConfig(session, '<a xmlns="urn:a"/>', '<b xmlns="urn:b"/>'),
      // @ts-expect-error no default datastore
      lockDatastore(session),
      // @ts-expect-error no default datastore
      unlockDatastore(session),
      // @ts-expect-error validateConfig names what it validates
      validateConfig(session),
    ];
    for (const call of untyped) {
      const err = await rejection(call);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client' });
      expect(err.message).toMatch(/needs a datastore \('running', 'candidate', 'startup' or \{ url \}\)/);
      // The config is never echoed back.
      expect(err.message).not.toContain('urn:a');
    }
    expect(device.requests).toHaveLength(0);
  });
});
