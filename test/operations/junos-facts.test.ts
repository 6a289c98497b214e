import { afterEach, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { type JunosDevice, type JunosScript, startJunosDevice } from '../../src/device/junos.js';
import { JUNOS_VERSION } from '../../src/device/junos-replies.js';
import { facts } from '../../src/operations/junos-facts.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

const devices: JunosDevice[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function factsOf(script: JunosScript) {
  const device = await startJunosDevice(script);
  devices.push(device);
  const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
  sessions.push(session);
  return { device, result: await facts(session) };
}

const version = { text: JUNOS_VERSION, major: [23, 4], type: 'R', minor: '1', build: '10' };
const domainConfig = '<system>\n<host-name>edge1</host-name>\n<domain-name>lab.example.net</domain-name>\n</system>';

describe('facts() against each platform of the fake Junos device', () => {
  it('single-RE MX (mx204)', async () => {
    const { device, result } = await factsOf({ platform: 'mx-single-re', configuration: domainConfig });
    expect(result).toMatchObject({
      hostname: 'edge1', model: 'MX204', version: JUNOS_VERSION, serialNumber: 'DX1234AB0001', personality: 'MX', virtual: false, ifdStyle: 'CLASSIC',
      domain: 'lab.example.net', fqdn: 'edge1.lab.example.net', master: ['re0'], twoRe: false, reHwMi: false, reMaster: { default: '0' },
      routingEngines: [{ name: 're0', node: null, slot: 0, mastershipState: 'master', status: 'OK', model: 'RE-S-1600x8', uptimeSeconds: 41 * 86400 + 7200, lastRebootReason: 'Router rebooted after a normal shutdown.' }],
      // The RE's names on the private instance, by /etc/hosts.junos.
      currentRe: ['re0', 'master', 'node', 'fwdd', 'member', 'pfem'], srxCluster: false, srxClusterId: null, vcCapable: false, vcMaster: null,
      switchStyle: 'BRIDGE_DOMAIN', home: '/var/home/netconf', vmhost: null, junosInfo: { re0: version }, uptime: 41 * 86400 + 7200, failures: [],
    });
    const asked = device.requests.map((r) => r.operation);
    for (const op of ['get-chassis-cluster-status', 'get-interface-information', 'get-virtual-chassis-information', 'get-route-engine-information', 'get-chassis-inventory', 'get-configuration', 'get-ethernet-switching-table-information']) expect(asked).toContain(op);
    expect(device.requests.find((r) => r.operation === 'get-configuration')!.xml).toContain('<get-configuration database="committed" inherit="inherit" commit-scripts="apply"><configuration><system><domain-name/></system></configuration></get-configuration>');
  });
  it('dual-RE MX (mx960): both REs, re0 master, the banner says this is the master', async () => {
    const { device, result } = await factsOf({ platform: 'mx-dual-re' });
    expect(result.hostname).toBe('fake-junos');
    expect(result.model).toBe('MX960');
    expect(result.version).toBe(JUNOS_VERSION);
    expect(result.serialNumber).toBe('JN11F2E3DAFA');
    expect(result.personality).toBe('MX');
    expect(result.virtual).toBe(false);
    expect(result.domain).toBeNull();
    expect(result.fqdn).toBe('fake-junos');
    expect(result.master).toEqual(['re0']);
    expect(result.twoRe).toBe(true);
    expect(result.routingEngines?.map((r) => [r.name, r.mastershipState, r.model, r.uptimeSeconds])).toEqual([
      ['re0', 'master', 'RE-S-X6-64G', 120 * 86400 + 4242], ['re1', 'backup', 'RE-S-X6-64G', 119 * 86400 + 99],
    ]);
    expect(result.currentRe).toEqual(['re0', 'master', 'node', 'fwdd', 'member', 'pfem']);
    expect(result.junosInfo).toEqual({ re0: version, re1: version });
    expect(result.uptime).toBe(120 * 86400 + 4242);
    expect(result.srxCluster).toBe(false);
    expect(result.vcCapable).toBe(false);
    expect(result.switchStyle).toBe('BRIDGE_DOMAIN');
    expect(result.failures).toEqual([]);
    // invoke-on works on two REs: it is the software reply read.
    expect(device.requests.some((r) => r.xml.includes('<command format="xml">show version invoke-on all-routing-engines</command>'))).toBe(true);
    expect(result.versionRe1).toBe(JUNOS_VERSION);
  });

  it('SRX cluster (srx5800): two nodes, primary node0, cluster id 1', async () => {
    const { device, result } = await factsOf({ platform: 'srx-cluster' });
    expect(result.hostname).toBe('fake-junos');
    expect(result.model).toBe('SRX5800');
    expect(result.personality).toBe('SRX_HIGHEND');
    expect(result.virtual).toBe(false);
    expect(result.serialNumber).toBe('JN12AB34CDEF');
    expect(result.routingEngines?.map((r) => [r.node, r.name, r.mastershipState])).toEqual([['node0', 're0', 'master'], ['node1', 're0', 'master']]);
    expect(result.master).toEqual(['re0', 're0']);
    expect(result.twoRe).toBe(true);
    expect(result.currentRe).toEqual(['node0', 'primary']);
    expect(result.junosInfo).toEqual({ node0: version, node1: version });
    expect(result.uptime).toBe(10 * 86400);
    expect(result.srxCluster).toBe(true);
    expect(result.srxClusterId).toBe('1');
    expect(result.vcCapable).toBe(false);
    // Neither ELS switching nor bridge domains on a high-end SRX.
    expect(result.switchStyle).toBe('NONE');
    expect(result.reHwMi).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.srxClusterRedundancyGroup?.['0']?.nodes.node0?.status).toBe('primary');
  });

  it('EX virtual chassis (ex4300): two members, member 0 master', async () => {
    const { device, result } = await factsOf({ platform: 'ex-vc' });
    expect(result.model).toBe('EX4300-48P');
    expect(result.personality).toBe('EX');
    expect(result.serialNumber).toBe('PE3714050496');
    expect(result.routingEngines?.map((r) => [r.name, r.mastershipState])).toEqual([['re0', 'master'], ['re1', 'backup']]);
    expect(result.master).toEqual(['re0']);
    expect(result.twoRe).toBe(true);
    expect(result.currentRe).toEqual(['member0', 'master']);
    expect(result.vcCapable).toBe(true);
    expect(result.vcMaster).toBe('0');
    expect(result.srxCluster).toBe(false);
    expect(result.vcMode).toBe('Enabled');
    expect(result.junosInfo).toEqual({ re0: version });
    expect(result.version).toBe(JUNOS_VERSION);
    expect(result.ifdStyle).toBe('SWITCH');
    expect(result.switchStyle).toBe('VLAN_L2NG');
    expect(result.failures).toEqual([]);
  });

  it('vMX (the default): virtual MX', async () => {
    const { result } = await factsOf({});
    expect([result.model, result.personality, result.virtual, result.twoRe, result.currentRe]).toEqual(['VMX', 'MX', true, false, ['re0', 'master', 'node', 'fwdd', 'member', 'pfem']]);
  });

  it('an RPC refused on the device leaves its facts null and is reported; the rest still comes', async () => {
    const device = await startJunosDevice({ platform: 'mx-single-re' }, {
      rules: [{ match: 'get-chassis-inventory', reply: '<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>permission denied</error-message></rpc-error>' }],
    });
    devices.push(device);
    const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
    sessions.push(session);
    const result = await facts(session);
    expect(result.serialNumber).toBeNull();
    expect(result.hostname).toBe('fake-junos');
    expect(result.failures.map((f) => [f.rpc, f.error.code, f.error.message])).toContainEqual(['get-chassis-inventory', 'OPERATION_FAILED', expect.stringContaining('permission denied')]);
  });

  it('a software reply failing on one RE still gives the other RE', async () => {
    const { result } = await factsOf({ multiReError: true, routingEngines: ['re0', 're1'] });
    expect(result.junosInfo).toEqual({ re0: version });
    expect(result.hostname).toBe('fake-junos');
  });
});

describe('facts() on Junos Evolved, as PyEZ reads it', () => {
  it('the EVO version file exists: the current RE from the system nodes, each RE named by its host name', async () => {
    const software = (host: string) => `<software-information><host-name>${host}</host-name><product-model>ptx10008</product-model><junos-version>23.2R2.21-EVO</junos-version></software-information>`;
    const refused = '<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>syntax error</error-message></rpc-error>';
    const device = await FakeDevice.start({
      handler: (request) => {
        const x = request.xml;
        if (x.includes('/usr/share/cevo/cevo_version')) return '<file-content filename="/usr/share/cevo/cevo_version">evo</file-content>';
        if (request.operation === 'get-system-nodes-information') {
          const node = (name: string, attribute: string) => `<system-nodes-info-entry><system-node-info-node-name>${name}</system-node-info-node-name>`
            + `<system-node-info-node-attributes-list><system-node-info-node-attribute>${attribute}</system-node-info-node-attribute></system-node-info-node-attributes-list></system-nodes-info-entry>`;
          return `<system-nodes-info>${node('re0', 'RE (Active)')}${node('re1', 'RE (Standby)')}</system-nodes-info>`;
        }
        if (x.includes('<node>all</node>')) {
          return `<multi-routing-engine-results><multi-routing-engine-result>${software('lsr2-re0')}</multi-routing-engine-result>`
            + `<multi-routing-engine-result>${software('lsr2-re1')}</multi-routing-engine-result></multi-routing-engine-results>`;
        }
        if (x.includes('<node>re0</node>')) return software('lsr2-re0');
        if (x.includes('<node>re1</node>')) return software('lsr2-re1');
        return refused;
      },
    });
    try {
      const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
      sessions.push(session);
      const result = await facts(session);
      expect(result.currentRe).toEqual(['re0']);
      expect(result.hostnameInfo).toEqual({ re0: 'lsr2-re0', re1: 'lsr2-re1' });
      expect([result.hostname, result.model, result.version, result.versionRe1]).toEqual(['lsr2-re0', 'PTX10008', '23.2R2.21-EVO', '23.2R2.21-EVO']);
      // No shell on EVO: not a VM host, and not asked.
      expect(result.vmhost).toBe(false);
      expect(device.requests.map((r) => r.operation)).not.toContain('request-shell-execute');
      expect(device.requests.map((r) => r.operation)).not.toContain('get-interface-information');
    } finally {
      for (const s of sessions.splice(0)) s.destroy();
      await device.close();
    }
  });
});
