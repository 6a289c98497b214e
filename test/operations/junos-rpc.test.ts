import { afterEach, describe, expect, it } from 'vitest';
import { type JunosDevice, startJunosDevice } from '../../src/device/junos.js';
import type { FakeRequest } from '../../src/device/types.js';
import { NetconfError } from '../../src/errors/netconf-error.js';
import { runCommand } from '../../src/operations/junos.js';
import { cli, junosRpc } from '../../src/operations/junos-rpc.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

const devices: JunosDevice[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

const XML_ANSWER = '<interface-information xmlns="http://xml.juniper.net/junos/23.4R1/junos-interface" junos:style="terse">\n<physical-interface>\n<name>ge-0/0/0</name>\n<admin-status>up</admin-status>\n<oper-status>up</oper-status>\n</physical-interface>\n</interface-information>';
const TEXT_ANSWER = '<output>\nInterface               Admin Link Proto    Local                 Remote\nge-0/0/0                up    up\n</output>';
const JSON_ANSWER = '\n{"interface-information" : [{"physical-interface" : [{"name" : [{"data" : "ge-0/0/0"}], "admin-status" : [{"data" : "up &amp; running"}]}]}]}\n';

/** Answers get-interface-information by its format attribute, as Junos does. */
function interfaces(request: FakeRequest): string | undefined {
  if (request.operation !== 'get-interface-information') return undefined;
  if (request.xml.includes('format="text"')) return TEXT_ANSWER;
  if (request.xml.includes('format="json"')) return JSON_ANSWER;
  return XML_ANSWER;
}

async function setup(): Promise<{ device: JunosDevice; session: Session }> {
  const device = await startJunosDevice({ platform: 'mx-dual-re' }, { handler: interfaces });
  devices.push(device);
  const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
  sessions.push(session);
  return { device, session };
}

/** The operation element of the last request, as the device received it. */
function lastOperation(device: JunosDevice): string {
  const xml = device.requests.at(-1)!.xml;
  return xml.replace(/^[\s\S]*?<rpc\b[^>]*>/, '').replace(/<\/rpc>\s*$/, '');
}

describe('junosRpc', () => {
  it('xml: no format attribute, camelCase arguments hyphenated, true as an empty element; the answer parsed', async () => {
    const { device, session } = await setup();
    const r = await junosRpc(session, 'get-interface-information', { terse: true, interfaceName: 'ge-0/0/0' });
    expect(lastOperation(device)).toBe('<get-interface-information><terse/><interface-name>ge-0/0/0</interface-name></get-interface-information>');
    expect(r.format).toBe('xml');
    expect(r.output).toBe(XML_ANSWER);
    expect(r.data).toEqual({
      'interface-information': { '@_style': 'terse', 'physical-interface': { name: 'ge-0/0/0', 'admin-status': 'up', 'oper-status': 'up' } },
    });
  });

  it('text: format="text" on the RPC element, the <output> text back', async () => {
    const { device, session } = await setup();
    const r = await junosRpc(session, 'get-interface-information', { terse: true }, { format: 'text' });
    expect(lastOperation(device)).toBe('<get-interface-information format="text"><terse/></get-interface-information>');
    expect(r.format).toBe('text');
    expect(r.output).toBe('Interface               Admin Link Proto    Local                 Remote\nge-0/0/0                up    up');
  });

  it('json: format="json", the JSON parsed (entities decoded)', async () => {
    const { device, session } = await setup();
    const r = await junosRpc(session, 'get_interface_information', { terse: true }, { format: 'json' });
    expect(lastOperation(device)).toBe('<get-interface-information format="json"><terse/></get-interface-information>');
    expect(r.format).toBe('json');
    expect(r.data).toEqual({ 'interface-information': [{ 'physical-interface': [{ name: [{ data: 'ge-0/0/0' }], 'admin-status': [{ data: 'up & running' }] }] }] });
  });

  it('every argument kind: false and undefined left out, numbers, arrays repeated, text escaped, snake_case, PyEZ-style names, attributes', async () => {
    const { device, session } = await setup();
    await junosRpc(session, 'getRouteInformation', {
      destination: '10.0.0.0/8', extensive: true, terse: false, table: undefined, snmp_index: 17, neighbor: ['192.0.2.1', '192.0.2.2'], community: 'a<b&"c"',
    }, { attributes: { inherit: 'inherit' } }).catch(() => undefined); // the fake answers an unknown RPC with a syntax error
    expect(lastOperation(device)).toBe(
      '<get-route-information inherit="inherit"><destination>10.0.0.0/8</destination><extensive/><snmp-index>17</snmp-index>'
      + '<neighbor>192.0.2.1</neighbor><neighbor>192.0.2.2</neighbor><community>a&lt;b&amp;"c"</community></get-route-information>');
  });

  it('a typed RPC checks its arguments at compile time', async () => {
    const { device, session } = await setup();
    // @ts-expect-error interfaceName is text, not a number
    await junosRpc(session, 'get-interface-information', { interfaceName: 5 });
    expect(lastOperation(device)).toBe('<get-interface-information><interface-name>5</interface-name></get-interface-information>');
  });

  it('the device refusing the RPC rejects typed (the fake says syntax error)', async () => {
    const { session } = await setup();
    const err = await junosRpc(session, 'get-no-such-thing').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NetconfError);
    expect((err as NetconfError).code).toBe('OPERATION_FAILED');
  });

  it('a bad name, argument or format is INVALID_ARGUMENT and nothing is sent', async () => {
    const { device, session } = await setup();
    const before = device.requests.length;
    for (const call of [
      () => junosRpc(session, 'get interface'),
      () => junosRpc(session, 'get-x', { 'bad name': true }),
      () => junosRpc(session, 'get-x', { n: Number.NaN }),
      () => junosRpc(session, 'get-x', { n: { nested: true } as never }),
      () => junosRpc(session, 'get-x', {}, { format: 'yaml' as never }),
      () => cli(session, '  '),
    ]) await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(device.requests.length).toBe(before);
  });
});

describe('cli', () => {
  it('text (the default): <command format="text">, the output', async () => {
    const { device, session } = await setup();
    const r = await cli(session, 'show version');
    expect(lastOperation(device)).toBe('<command format="text">show version</command>');
    expect(r.format).toBe('text');
    expect(r.output).toContain('Hostname: fake-junos');
  });

  it('xml: <command format="xml">, the RPC answer parsed, the CLI banner kept in data', async () => {
    const { device, session } = await setup();
    const r = await cli(session, 'show chassis routing-engine', { format: 'xml' });
    expect(lastOperation(device)).toBe('<command format="xml">show chassis routing-engine</command>');
    const info = r.data['route-engine-information'] as { 'route-engine': { slot: string }[] };
    expect(info['route-engine'].map((re) => re.slot)).toEqual(['0', '1']);
    expect(r.data.cli).toEqual({ banner: '{master}' });
  });

  it('json: <command format="json">, parsed', async () => {
    const { device, session } = await setup();
    junosScript(device).commands = { 'show system uptime': '{"system-uptime-information": [{"uptime-information": [{"up-time": [{"data": "3 days"}]}]}]}' };
    const r = await cli(session, 'show system uptime', { format: 'json' });
    expect(lastOperation(device)).toBe('<command format="json">show system uptime</command>');
    expect(r.data).toEqual({ 'system-uptime-information': [{ 'uptime-information': [{ 'up-time': [{ data: '3 days' }] }] }] });
  });

  it('text is escaped in the request', async () => {
    const { device, session } = await setup();
    await cli(session, 'show log messages | match "a<b"').catch(() => undefined);
    expect(lastOperation(device)).toBe('<command format="text">show log messages | match "a&lt;b"</command>');
  });
});

describe('runCommand', () => {
  it('text: the text of every <output> (one per routing engine), entities decoded, CDATA as it is; xml: the reply inner XML', async () => {
    const multi = '<multi-routing-engine-results>\n<multi-routing-engine-item>\n<re-name>re0</re-name>\n<output>\nup 3 days &amp; more\n</output>\n'
      + '</multi-routing-engine-item>\n<multi-routing-engine-item>\n<re-name>re1</re-name>\n<output>\n<![CDATA[up <2> days]]>\n</output>\n'
      + '</multi-routing-engine-item>\n</multi-routing-engine-results>';
    const device = await startJunosDevice({ platform: 'mx-dual-re' }, { handler: (r) => (r.operation === 'command' ? multi : undefined) });
    devices.push(device);
    const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
    sessions.push(session);
    expect((await runCommand(session, 'show system uptime')).output).toBe('\nup 3 days & more\n\nup <2> days\n');
    expect((await runCommand(session, 'show system uptime', { format: 'xml' })).output).toBe(multi);
  });
});

function junosScript(device: JunosDevice) {
  return device.script;
}
