import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import type { FakeRequest } from '../../src/device/types.js';
import { facts, factsFromReplies } from '../../src/operations/junos-facts.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

// One folder per platform/scenario: the reply of each RPC facts() sends (absent: the device
// refuses it with a syntax error, as Junos does) and expected.json, the facts field by field.
const FIXTURES = fileURLToPath(new URL('../../fixtures/junos/facts/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/py-junos-eznc/tests/unit/facts/rpc-reply/', import.meta.url));
const scenarios = readdirSync(FIXTURES).sort();

const SYNTAX_ERROR = (what: string) =>
  `<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>syntax error, expecting &lt;command&gt;: ${what}</error-message></rpc-error>`;

let scenario = '';
let device: FakeDevice;

/** Serves the current scenario's reply for each RPC. */
function answer(request: FakeRequest): string {
  const file = request.operation === 'command'
    ? /show version invoke-on all-routing-engines/.test(request.xml) ? 'show-version-invoke-on-all-routing-engines' : 'no-such-command'
    : request.operation;
  const path = `${FIXTURES}${scenario}/${file}.xml`;
  return existsSync(path) ? readFileSync(path, 'utf8') : SYNTAX_ERROR(request.operation);
}

beforeAll(async () => {
  device = await FakeDevice.start({ handler: (request) => answer(request) });
});
afterAll(async () => {
  await device.close();
});

async function session(): Promise<Session> {
  return connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
}

describe('facts() for each fixture platform/scenario, field by field', () => {
  it('has at least 30 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of scenarios) {
    it(name, async () => {
      scenario = name;
      const expected = JSON.parse(readFileSync(`${FIXTURES}${name}/expected.json`, 'utf8')) as Record<string, unknown>;
      const s = await session();
      try {
        const result = await facts(s);
        const actual: Record<string, unknown> = { ...result, failures: result.failures.map((f) => f.rpc) };
        expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
        for (const key of Object.keys(expected)) expect(actual[key], `${name}: ${key}`).toEqual(expected[key]);
        for (const f of result.failures) expect(f.error.code, `${name}: ${f.rpc}`).toMatch(/^[A-Z_]+$/);
      } finally {
        await s.close();
      }
    });
  }
});

describe('facts from PyEZ unit-test replies (read from ../shared/corpus)', () => {
  const read = (file: string) => readFileSync(`${CORPUS}${file}`, 'utf8');
  const none = { softwareInformation: null, routeEngineInformation: null, chassisInventory: null, domain: null };

  it('dual RE with the other RE off: the rpc-error beside the data, the answering RE read', () => {
    const f = factsFromReplies({ ...none, softwareInformation: read('sw_info_dual_other_re_off.xml') });
    expect(f.hostname).toBe('R1_re01');
    expect(f.model).toBe('MX960');
    expect(f.version).toBe('18.3I20180716_1639');
    expect(Object.keys(f.junosInfo ?? {})).toEqual(['re1']);
    expect(f.junosInfo?.re1).toEqual({ text: '18.3I20180716_1639', major: [18, 3], type: 'I', minor: '20180716_1639', build: null });
    expect(f.personality).toBe('MX');
  });

  it('node slicing (BSYS and GNFs): every RE named, the first one current', () => {
    const f = factsFromReplies({ ...none, softwareInformation: read('sw_info_bsys_get-software-information.xml') });
    expect(Object.keys(f.junosInfo ?? {}).slice(0, 4)).toEqual(['bsys-re0', 'bsys-re1', 'gnf1-re0', 'gnf1-re1']);
    expect(f.hostname).toBe('bsys');
    expect(f.model).toBe('MX2020');
    expect(f.junosInfo?.['bsys-re0']?.major).toEqual([17, 4]);
  });

  it('cluster not enabled: srxCluster false', () => {
    const f = factsFromReplies({ ...none, softwareInformation: '<rpc-reply><software-information><host-name>fw</host-name><product-model>srx345</product-model><junos-version>20.4R3.8</junos-version></software-information></rpc-reply>', clusterStatus: read('cluster_false_get-chassis-cluster-status.xml') });
    expect([f.personality, f.srxCluster, f.srxClusterId]).toEqual(['SRX_BRANCH', false, null]);
  });

  it('domain refused (permission denied): domain null, fqdn the host name', () => {
    const f = factsFromReplies({ ...none, softwareInformation: '<rpc-reply><software-information><host-name>r1</host-name><product-model>mx480</product-model></software-information></rpc-reply>', domain: read('domain_file_get-configuration.xml') });
    expect([f.domain, f.fqdn]).toEqual([null, 'r1']);
  });
});
