import { describe, expect, it } from 'vitest';
import { FakeDevice, FAKE_DEVICE_CAPABILITIES, type FakeDeviceOptions } from '../../src/device/index.js';
import { NetconfError } from '../../src/errors/index.js';
import { yangLibrary } from '../../src/operations/index.js';
import { deviceHarness } from '../support/devices.js';
import { failure } from '../support/failure.js';

const YL = 'urn:ietf:params:xml:ns:yang:ietf-yang-library';
const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start(options));
const gets = (device: FakeDevice) => device.requests.filter((r) => r.operation === 'get').map((r) => (r.xml.includes('<yang-library') ? 'yang-library' : 'modules-state'));

const fake = {
  name: 'netconfkit-fake', revision: '2026-01-15', namespace: 'urn:netconfkit:fake', features: ['counters'], deviations: ['netconfkit-fake-deviations'],
  submodules: [{ name: 'netconfkit-fake-ports', revision: '2026-01-15', locations: [] }], conformance: 'implement', locations: [],
};
const types = { name: 'netconfkit-fake-types', revision: '2025-11-02', namespace: 'urn:netconfkit:fake-types', features: [], deviations: [], submodules: [], conformance: 'import', locations: [] };
const deviations = { name: 'netconfkit-fake-deviations', revision: '2026-02-01', namespace: 'urn:netconfkit:fake-deviations', conformance: 'implement' };

describe('yangLibrary', () => {
  it('reads RFC 8525 /yang-library: modules, module sets and datastores, in one request', async () => {
    const { device, session } = await pair();
    const lib = await yangLibrary(session);
    expect(lib.source).toBe('yang-library');
    expect(lib.contentId).toMatch(/^[0-9a-f]{16}$/);
    expect(lib.modules).toEqual([fake, expect.objectContaining(deviations), types]);
    expect(lib.moduleSets).toEqual([{ name: 'complete', modules: [fake, expect.objectContaining(deviations)], importOnly: [types] }]);
    expect(lib.datastores).toEqual([
      { name: 'running', schema: 'complete', moduleSets: ['complete'] },
      { name: 'candidate', schema: 'complete', moduleSets: ['complete'] },
    ]);
    expect(gets(device)).toEqual(['yang-library']);
    expect(device.requests[0]!.xml).toContain(`<yang-library xmlns="${YL}"/>`);
  });

  it('falls back to RFC 7895 /modules-state when the device has no /yang-library, with the same modules', async () => {
    const { device, session } = await pair({ yangLibrary: 'rfc7895' });
    const lib = await yangLibrary(session);
    expect(lib.source).toBe('modules-state');
    expect(lib.modules).toEqual([fake, types, expect.objectContaining(deviations)]);
    expect(lib.moduleSets).toEqual([]);
    expect(lib.datastores).toEqual([]);
    expect(lib.contentId).toMatch(/^[0-9a-f]{16}$/);
    expect(gets(device)).toEqual(['yang-library', 'modules-state']);
  });

  it('falls back past an rpc-error too, and to the hello when neither is there', async () => {
    const caps = [...FAKE_DEVICE_CAPABILITIES, 'urn:example:a?module=ex-a&revision=2020-01-01&features=f1,f2&deviations=ex-dev', 'urn:example:dev?module=ex-dev'];
    const { device, session } = await pair({
      capabilities: caps,
      yangLibrary: 'none',
      rules: [{ match: /<yang-library/, reply: '<rpc-error><error-type>application</error-type><error-tag>unknown-element</error-tag><error-severity>error</error-severity></rpc-error>' }],
    });
    const lib = await yangLibrary(session);
    expect(lib).toEqual({
      source: 'hello', contentId: null, moduleSets: [], datastores: [],
      modules: [
        { name: 'ex-a', revision: '2020-01-01', namespace: 'urn:example:a', features: ['f1', 'f2'], deviations: ['ex-dev'], submodules: [], conformance: 'implement', locations: [] },
        { name: 'ex-dev', revision: null, namespace: 'urn:example:dev', features: [], deviations: [], submodules: [], conformance: 'implement', locations: [] },
      ],
    });
    expect(gets(device)).toEqual(['yang-library', 'modules-state']);
  });

  it('serves the modules it is given, and a failure other than an rpc-error is thrown, not fallen past', async () => {
    const mine = [{ name: 'acme-box', namespace: 'urn:acme:box', text: 'module acme-box { namespace "urn:acme:box"; prefix b; }' }];
    const { session } = await pair({ modules: mine, rules: [{ match: /<modules-state/, reply: { close: true } }] });
    const lib = await yangLibrary(session);
    expect(lib.modules).toEqual([{ name: 'acme-box', revision: null, namespace: 'urn:acme:box', features: [], deviations: [], submodules: [], conformance: 'implement', locations: [] }]);

    const { session: other } = await pair({ yangLibrary: 'rfc7895', rules: [{ match: /<modules-state/, reply: { stall: true } }] });
    const err = await failure(yangLibrary(other, { timeoutMs: 200 }));
    expect(err).toBeInstanceOf(NetconfError);
    expect(err.code).toBe('RPC_TIMEOUT');
  });

  it('reads deviations, submodule schema URLs and locations as RFC 7895 and RFC 8525 write them', async () => {
    const state =
      `<data><modules-state xmlns="${YL}"><module-set-id>42</module-set-id>` +
      '<module><name>m</name><revision>2021-02-03</revision><schema>https://example.com/m.yang</schema><namespace>urn:m</namespace>' +
      '<deviation><name>m-dev</name><revision>2021-01-01</revision></deviation><conformance-type>implement</conformance-type>' +
      '<submodule><name>m-sub</name><revision>2021-02-03</revision><schema>https://example.com/m-sub.yang</schema></submodule></module>' +
      '</modules-state></data>';
    const { session } = await pair({ rules: [{ match: /<yang-library/, reply: '<data/>' }, { match: /<modules-state/, reply: state }] });
    const lib = await yangLibrary(session);
    expect(lib.contentId).toBe('42');
    expect(lib.modules).toEqual([{
      name: 'm', revision: '2021-02-03', namespace: 'urn:m', features: [], deviations: ['m-dev'], conformance: 'implement', locations: ['https://example.com/m.yang'],
      submodules: [{ name: 'm-sub', revision: '2021-02-03', locations: ['https://example.com/m-sub.yang'] }],
    }]);
  });

  it('lists a module once when two module sets hold it, implemented winning over import-only', async () => {
    const lib8525 =
      `<data><yang-library xmlns="${YL}">` +
      '<module-set><name>a</name><import-only-module><name>t</name><revision>2020-01-01</revision><namespace>urn:t</namespace></import-only-module></module-set>' +
      '<module-set><name>b</name><module><name>t</name><revision>2020-01-01</revision><namespace>urn:t</namespace><location>https://x/t.yang</location></module></module-set>' +
      '<schema><name>s</name><module-set>a</module-set><module-set>b</module-set></schema>' +
      '<datastore><name xmlns:ds="urn:ietf:params:xml:ns:yang:ietf-datastores">ds:operational</name><schema>s</schema></datastore>' +
      '<content-id>7</content-id></yang-library></data>';
    const { session } = await pair({ rules: [{ match: /<yang-library/, reply: lib8525 }] });
    const lib = await yangLibrary(session);
    expect(lib.modules).toEqual([expect.objectContaining({ name: 't', conformance: 'implement', locations: ['https://x/t.yang'] })]);
    expect(lib.moduleSets.map((s) => [s.name, s.modules.length, s.importOnly.length])).toEqual([['a', 0, 1], ['b', 1, 0]]);
    expect(lib.datastores).toEqual([{ name: 'operational', schema: 's', moduleSets: ['a', 'b'] }]);
  });
});
