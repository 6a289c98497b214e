import { describe, expect, it } from 'vitest';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { Capabilities } from '../../src/session/capabilities.js';
import { deviceHarness, lastBody } from '../support/devices.js';
import { rejection } from '../support/assertions.js';
import { editData, getConfig, getData, lockDatastore, lockNmdaDatastore, parseData, unlockNmdaDatastore } from '../../src/operations/index.js';
import { ClientError, RpcError } from '../../src/errors/index.js';
import { NMDA_MODULE_CAPABILITY } from '../../src/device/replies.js';

const BASE = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const NMDA = 'urn:ietf:params:xml:ns:yang:ietf-netconf-nmda';
const DS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';
const OR = 'urn:ietf:params:xml:ns:yang:ietf-origin';
const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start({ datastores: {}, ...options }));

const OPEN = `xmlns="${NMDA}" xmlns:ds="${DS}"`;
const iface = (name: string, mtu: number) => `<interface><name>${name}</name><mtu>${mtu}</mtu></interface>`;

describe('getData and editData send exactly the RFC 8526 request', () => {
  it('get-data: each datastore by its ds: identity, filters, config-filter, max-depth, with-origin, origin filters, with-defaults', async () => {
    const { device, session } = await pair();
    await getData(session, 'running');
    expect(lastBody(device)).toBe(`<get-data ${OPEN}><datastore>ds:running</datastore></get-data>`);
    await getData(session, 'intended', { filter: `<interfaces xmlns="${IF}"/>`, configFilter: true, maxDepth: 3 });
    expect(lastBody(device)).toBe(`<get-data ${OPEN}><datastore>ds:intended</datastore><subtree-filter><interfaces xmlns="${IF}"/></subtree-filter>`
      + '<config-filter>true</config-filter><max-depth>3</max-depth></get-data>');
    // The fake evaluates no XPath: it refuses the filter rather than answer everything.
    const refused = await rejection(getData(session, 'operational', { filter: { xpath: '/if:interfaces', namespaces: { if: IF } }, withOrigin: true, originFilter: ['intended', 'learned'], withDefaults: 'explicit', maxDepth: 'unbounded' }));
    expect(refused.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(lastBody(device)).toBe(`<get-data ${OPEN} xmlns:or="${OR}"><datastore>ds:operational</datastore><xpath-filter xmlns:if="${IF}">/if:interfaces</xpath-filter>`
      + '<origin-filter>or:intended</origin-filter><origin-filter>or:learned</origin-filter><max-depth>unbounded</max-depth><with-origin/>'
      + '<with-defaults>explicit</with-defaults></get-data>');
    await getData(session, 'operational', { originFilter: { not: ['system', { identity: 'ex:vendor', namespace: 'urn:ex' }] } });
    expect(lastBody(device)).toBe(`<get-data ${OPEN} xmlns:or="${OR}"><datastore>ds:operational</datastore>`
      + '<negated-origin-filter>or:system</negated-origin-filter><negated-origin-filter xmlns:ex="urn:ex">ex:vendor</negated-origin-filter></get-data>');
    await getData(session, { identity: 'ephemeral', namespace: 'urn:example:eph' }).catch(() => {});
    expect(lastBody(device)).toBe(`<get-data ${OPEN}><datastore xmlns:x="urn:example:eph">x:ephemeral</datastore></get-data>`);
  });

  it('edit-data: datastore, default-operation, config; a URL', async () => {
    const { device, session } = await pair({ capabilities: ['urn:ietf:params:netconf:base:1.1', NMDA_MODULE_CAPABILITY, 'urn:ietf:params:netconf:capability:url:1.0?scheme=file'] });
    await editData(session, 'candidate', `<interfaces xmlns="${IF}"/>`, { defaultOperation: 'replace' });
    expect(lastBody(device)).toBe(`<edit-data ${OPEN}><datastore>ds:candidate</datastore><default-operation>replace</default-operation><config><interfaces xmlns="${IF}"/></config></edit-data>`);
    await editData(session, 'running', { url: 'file:///tmp/x.xml' }).catch(() => {});
    expect(lastBody(device)).toBe(`<edit-data ${OPEN}><datastore>ds:running</datastore><url>file:///tmp/x.xml</url></edit-data>`);
  });

  it('refuses bad arguments before sending anything, each with a clear INVALID_ARGUMENT (the old getData(session, options) says where <get> went)', async () => {
    const { device, session } = await pair();
    const sent = device.requests.length;
    const cases: [Promise<unknown>, RegExp][] = [
      [getData(session, { filter: '<a/>' } as never), /needs a datastore .*not a object \(RFC 6241 <get> is get\(session, options\)\)/],
      [getData(session, 'nowhere' as never), /"nowhere" is not a datastore of RFC 8342/],
      [getData(session, { identity: 'bad name', namespace: 'urn:x' }), /must be a YANG identity name/],
      [getData(session, 'running', { withOrigin: true }), /withOrigin applies to the operational datastore only/],
      [getData(session, 'intended', { originFilter: ['intended'] }), /originFilter applies to the operational datastore only/],
      [getData(session, 'operational', { originFilter: [] }), /originFilter needs at least one origin/],
      [getData(session, 'operational', { originFilter: ['bogus' as never] }), /"bogus" is not an origin of RFC 8342/],
      [getData(session, 'running', { maxDepth: 0 }), /maxDepth must be an integer from 1 to 65535/],
      [getData(session, 'running', { filter: '<a>&nbsp;</a>' }), /^The filter /],
      [editData(session, 'operational' as never, '<a xmlns="urn:a"/>'), /cannot write the operational datastore: it is read-only/],
      [editData(session, 'running', '<a xmlns="urn:a"/>', { defaultOperation: 'remove' as never }), /defaultOperation must be merge, replace or none/],
    ];
    for (const [call, message] of cases) {
      const err = await rejection(call);
      expect(err.code, String(message)).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(message);
    }
    expect(device.requests.length).toBe(sent);
  });

  it('a device whose hello lists its modules without ietf-netconf-nmda is refused (CAPABILITY_MISSING); one with a YANG library is asked', async () => {
    expect(new Capabilities(['urn:ietf:params:netconf:base:1.1', NMDA_MODULE_CAPABILITY]).nmda).toBe(true);
    expect(new Capabilities(['urn:ietf:params:netconf:base:1.1', 'urn:ietf:params:netconf:capability:yang-library:1.1?content-id=1']).nmda).toBeNull();
    expect(new Capabilities(['urn:ietf:params:netconf:base:1.1']).nmda).toBe(false);
    const { session } = await pair({ capabilities: ['urn:ietf:params:netconf:base:1.1'] });
    const err = await rejection(getData(session, 'operational'));
    expect(err.code).toBe('CAPABILITY_MISSING');
    expect(err.message).toMatch(/ietf-netconf-nmda/);
    expect((await rejection(editData(session, 'running', '<a xmlns="urn:a"/>'))).code).toBe('CAPABILITY_MISSING');
    const xpath = await pair({ capabilities: ['urn:ietf:params:netconf:base:1.1', NMDA_MODULE_CAPABILITY] });
    expect((await rejection(getData(xpath.session, 'running', { filter: { xpath: '/x' } }))).message).toMatch(/:xpath/);
  });
});

describe('the fake device serves NMDA datastores over SSH', () => {
  const running = `<interfaces xmlns="${IF}">${iface('e0', 1500)}</interfaces>`;
  const state = `<interfaces-state xmlns="${IF}"><interface><name>e0</name><oper-status>up</oper-status></interface></interfaces-state>`;

  it('advertises ietf-netconf-nmda, reads each datastore; operational is intended then state, with or:origin when asked', async () => {
    const { session } = await pair({ datastores: { running, operational: state } });
    expect(session.capabilities.nmda).toBe(true);
    expect((await getData(session, 'running')).data).toBe(running);
    expect((await getData(session, 'intended')).data).toBe(running);
    // An unedited candidate is running's copy.
    expect((await getData(session, 'candidate')).data).toBe(running);
    const plain = await getData(session, 'operational');
    expect(plain.data).toBe(running + state);
    expect(plain.xml).toContain(`<data xmlns="${NMDA}">`);
    const withOrigin = await getData(session, 'operational', { withOrigin: true });
    const parsed = parseData(withOrigin);
    expect(parsed.interfaces).toMatchObject({ '@_origin': 'or:intended', interface: { name: 'e0', mtu: '1500' } });
    expect(parsed['interfaces-state']).toMatchObject({ '@_origin': 'or:learned', interface: { 'oper-status': 'up' } });
    expect(withOrigin.data).toContain(`xmlns:or="${OR}"`);
    // A subtree filter selects top-level nodes.
    expect((await getData(session, 'operational', { filter: `<interfaces-state xmlns="${IF}"/>` })).data).toBe(state);
  });

  it('origins the state names itself are kept with with-origin, and dropped without', async () => {
    const system = `<clock xmlns="urn:sys" xmlns:or="${OR}" or:origin="or:system"><tz>UTC</tz></clock>`;
    const { session } = await pair({ datastores: { operational: system } });
    expect(parseData(await getData(session, 'operational', { withOrigin: true })).clock).toMatchObject({ '@_origin': 'or:system' });
    expect((await getData(session, 'operational')).data).not.toContain('origin=');
  });

  it('edit-data merges into running (list entries by key), replaces, creates, deletes; intended and operational follow; get-config reads the same', async () => {
    const { device, session, another } = await pair({ datastores: { running } });
    await editData(session, 'running', `<interfaces xmlns="${IF}">${iface('e0', 9000)}${iface('e1', 1400)}</interfaces>`);
    expect(device.datastore('running')).toBe(`<interfaces xmlns="${IF}">${iface('e0', 9000)}${iface('e1', 1400)}</interfaces>`);
    const other = await another();
    expect((await getData(other, 'intended')).data).toBe(device.datastore('running'));
    expect((await getData(other, 'operational')).data).toBe(device.datastore('running'));
    expect((await getConfig(other, 'running')).data).toBe(device.datastore('running'));

    await editData(session, 'running', `<interfaces xmlns="${IF}" xmlns:nc="${BASE}"><interface nc:operation="delete"><name>e0</name></interface></interfaces>`, { defaultOperation: 'none' });
    expect(device.datastore('running')).toBe(`<interfaces xmlns="${IF}">${iface('e1', 1400)}</interfaces>`);

    const exists = await rejection(editData(session, 'running', `<interfaces xmlns="${IF}" xmlns:nc="${BASE}"><interface nc:operation="create"><name>e1</name></interface></interfaces>`));
    expect(exists).toBeInstanceOf(RpcError);
    expect(exists.code).toBe('DATA_EXISTS');
    const missing = await rejection(editData(session, 'running', `<interfaces xmlns="${IF}" xmlns:nc="${BASE}"><interface nc:operation="delete"><name>e9</name></interface></interfaces>`));
    expect(missing.code).toBe('DATA_MISSING');

    await editData(session, 'candidate', `<system xmlns="urn:sys"><host-name>r1</host-name></system>`, { defaultOperation: 'replace' });
    expect(device.datastore('candidate')).toBe('<system xmlns="urn:sys"><host-name>r1</host-name></system>');
    expect(device.datastore('running')).toBe(`<interfaces xmlns="${IF}">${iface('e1', 1400)}</interfaces>`);
  });

  it('the device refuses what RFC 8526 refuses: a read-only or unknown datastore (invalid-value), get-data on a device without datastores', async () => {
    const { session } = await pair({ datastores: {} });
    const unknown = await rejection(getData(session, { identity: 'ephemeral', namespace: 'urn:example:eph' }));
    expect(unknown).toBeInstanceOf(RpcError);
    expect(unknown.code).toBe('INVALID_VALUE');
    const plain = await attach(await FakeDevice.start({ capabilities: ['urn:ietf:params:netconf:base:1.1', NMDA_MODULE_CAPABILITY] }));
    expect((await rejection(getData(plain.session, 'running'))).code).toBe('OPERATION_NOT_SUPPORTED');
  });

  it('lock and unlock by NMDA datastore (RFC 8526 augments <lock>): the same lock as RFC 6241\'s; read-only datastores refused', async () => {
    const { device, session, another } = await pair();
    await lockNmdaDatastore(session, 'running');
    expect(lastBody(device)).toBe(`<lock><target><datastore ${OPEN}>ds:running</datastore></target></lock>`);
    expect(device.lockHolder('running')).toBe(session.sessionId);
    const other = await another();
    const denied = await rejection(lockDatastore(other, 'running'));
    expect(denied.code).toBe('LOCK_DENIED');
    await unlockNmdaDatastore(session, 'running');
    expect(lastBody(device)).toBe(`<unlock><target><datastore ${OPEN}>ds:running</datastore></target></unlock>`);
    expect(device.lockHolder('running')).toBeNull();
    await lockNmdaDatastore(other, { identity: 'ephemeral', namespace: 'urn:example:eph' });
    expect(lastBody(device)).toBe(`<lock><target><datastore ${OPEN} xmlns:x="urn:example:eph">x:ephemeral</datastore></target></lock>`);

    const readOnly = await rejection(lockNmdaDatastore(session, 'operational' as 'running'));
    expect(readOnly).toBeInstanceOf(ClientError);
    expect(readOnly.code).toBe('INVALID_ARGUMENT');
    const sent = await rejection(session.rpc(`<lock><target><datastore ${OPEN}>ds:intended</datastore></target></lock>`));
    expect(sent.code).toBe('INVALID_VALUE');
  });

  it('path streams the items of a get-data reply', async () => {
    const { session } = await pair({ datastores: { running: `<interfaces xmlns="${IF}">${iface('e0', 1500)}${iface('e1', 1400)}</interfaces>` } });
    const names: unknown[] = [];
    for await (const item of getData(session, 'running', { path: 'data/interfaces/interface' })) names.push(item.name);
    expect(names).toEqual(['e0', 'e1']);
  });
});
