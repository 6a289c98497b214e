import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import type { FakeRequest } from '../../src/device/types.js';
import { type JunosFacts, type JunosVersion, facts } from '../../src/operations/junos-facts.js';
import { connect } from '../../src/session/connect.js';
import { parseXml } from '../../src/xml/parse-data.js';
import { CORPUS_DIR } from '../support/corpus.js';

// PyEZ's own fact tests, replayed over SSH: each scenario's device answers as that test's mock
// does (fixtures/pyez-facts/scenarios.json says how), and facts() must give what the test asserts.
const DIR = fileURLToPath(new URL('../../fixtures/pyez-facts/', import.meta.url));
// The shared corpus holds some of PyEZ's fact replies already: those are read from there, not copied.
const CORPUS_REPLIES = path.join(CORPUS_DIR, 'py-junos-eznc/tests/unit/facts/rpc-reply');

/** Where a PyEZ reply file is: this repository's copy, else the shared corpus's; null when neither has it. */
function replyFile(name: string): string | null {
  for (const dir of [`${DIR}rpc-reply`, CORPUS_REPLIES]) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

type Served = string | { error: string } | { xml: string };
interface Scenario {
  name: string;
  pyez: string;
  files?: string;
  refuse?: string[];
  answer?: Record<string, Served>;
  presets?: Record<string, unknown>;
  expected: Record<string, unknown>;
}
const { scenarios } = JSON.parse(readFileSync(`${DIR}scenarios.json`, 'utf8')) as { scenarios: Scenario[] };

const REFUSED = '<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>syntax error</error-message></rpc-error>';

/** The smallest replies that say what a PyEZ test puts in the fact cache instead of asking. */
function presetAnswers(presets: Record<string, unknown>): Record<string, Served> {
  const out: Record<string, Served> = {};
  for (const [fact, value] of Object.entries(presets)) {
    if (fact === 'srx_cluster_id') out['get-chassis-cluster-status'] = { xml: `<chassis-cluster-status><cluster-id>${String(value)}</cluster-id></chassis-cluster-status>` };
    if (fact === 'vc_capable' && value === false) out['get-virtual-chassis-information'] = { error: REFUSED };
    if (fact === '_is_linux' && value === true) out['file-show:/usr/share/cevo/cevo_version'] = { xml: '<file-content filename="/usr/share/cevo/cevo_version">evo</file-content>' };
    if (fact === 'current_re') {
      const names = value as string[] | null;
      out['file-show:/etc/hosts.junos'] = names === null ? { error: REFUSED } : { xml: `<file-content filename="/etc/hosts.junos">128.0.0.1 ${names.join(' ')}\n</file-content>` };
      out['get-interface-information'] = names === null ? { error: REFUSED } : {
        xml: '<interface-information><physical-interface><logical-interface><address-family><address-family-name>inet</address-family-name>'
          + '<interface-address><ifa-local>128.0.0.1/2</ifa-local></interface-address></address-family></logical-interface></physical-interface></interface-information>',
      };
    }
    if (fact === 'model' || fact === 'personality') {
      const model = fact === 'model' ? String(value) : 'JUNOS_NODE_SLICING';
      out.command = { xml: `<software-information><host-name>preset</host-name><product-model>${model}</product-model></software-information>` };
    }
    if (fact === 're_info') {
      const model = (value as { default: { default: { model: string } } }).default.default.model;
      out['get-route-engine-information'] = { xml: `<route-engine-information><route-engine><model>${model}</model></route-engine></route-engine-information>` };
    }
  }
  return out;
}

/** The keys a request is known by, most specific first: `command:<text>`, `file-show:<path>`, `get-software-information()` (no argument), its element. */
function keysOf(request: FakeRequest): string[] {
  const rpc = parseXml(request.xml).rpc as Record<string, unknown>;
  const body = rpc[request.operation];
  const fields = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {};
  const element = request.operation === 'command' ? 'command' : request.operation;
  const specific: string[] = [];
  if (request.operation === 'command') specific.push(`command:${String(fields['#text'] ?? body)}`);
  if (request.operation === 'file-show') specific.push(`file-show:${String(fields.filename)}`);
  if (request.operation === 'get-software-information' && Object.keys(fields).filter((k) => !k.startsWith('@_')).length === 0) specific.push('get-software-information()');
  return [...specific, element];
}

/** A PyEZ reply file as a NETCONF reply: the message-id (and base namespace) its capture left out. */
function asReply(xml: string): string {
  const at = xml.indexOf('<rpc-reply');
  const end = xml.indexOf('>', at);
  const tag = xml.slice(at, end);
  const extra = `${tag.includes('xmlns="') ? '' : ' xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"'} message-id="{{message-id}}"`;
  return `${xml.slice(at, at + '<rpc-reply'.length)}${extra}${xml.slice(at + '<rpc-reply'.length)}`;
}

function serve(served: Served): string {
  if (typeof served !== 'string') return 'error' in served ? served.error : served.xml;
  if (served === 'empty') return '<ok/>';
  const file = replyFile(served);
  if (file === null) throw new Error(`no PyEZ reply file ${served} in fixtures/pyez-facts/rpc-reply or the corpus`);
  return asReply(readFileSync(file, 'utf8'));
}

/** Answers as the scenario's PyEZ mock does. */
function answer(s: Scenario, request: FakeRequest): string {
  const keys = keysOf(request);
  const presets = presetAnswers(s.presets ?? {});
  for (const k of keys) if (presets[k]) return serve(presets[k]!);
  for (const k of keys) if (s.answer?.[k]) return serve(s.answer[k]!);
  if (keys.some((k) => s.refuse?.includes(k)) || s.refuse?.includes('*')) return REFUSED;
  if (s.answer?.['*']) return serve(s.answer['*']);
  const file = `${s.files ?? ''}${keys[keys.length - 1]}.xml`;
  return s.files !== undefined && replyFile(file) !== null ? serve(file) : REFUSED;
}

// PyEZ's shapes, from netconfkit's (docs/operations.md lists each difference).
const asTuple = (v: JunosVersion | undefined) => (v === undefined ? undefined : [...v.major, v.type, v.minor, v.build]);
const pyezTuple = (t: unknown[]) => t.map((x, i) => (i < t.length - 3 ? x : Array.isArray(x) ? `${x[0]}-${x[1]}${x[2]}` : x === null ? null : typeof x === 'number' ? String(x) : x));
const reInfo = (r: { mastershipState: string; status: string | null; model: string | null; lastRebootReason: string | null }) =>
  ({ mastership_state: r.mastershipState, status: r.status, model: r.model, last_reboot_reason: r.lastRebootReason });

function pyezView(f: JunosFacts): Record<string, unknown> {
  const current = Object.values(f.junosInfo ?? {}).find((v) => v.text === f.version);
  return {
    hostname: f.hostname, hostname_info: f.hostnameInfo, model: f.model, model_info: f.modelInfo,
    // PyEZ says 0.0I0.0 when it read a software reply without a version, None when it read none.
    version: f.version ?? (f.modelInfo !== null || f.hostnameInfo !== null ? '0.0I0.0' : null), version_info: asTuple(current), version_RE0: f.versionRe0, version_RE1: f.versionRe1,
    junos_info: f.junosInfo === null ? null : Object.fromEntries(Object.entries(f.junosInfo).map(([re, v]) => [re, { text: v.text, object: asTuple(v) }])),
    serialnumber: f.serialNumber, RE_hw_mi: f.reHwMi,
    personality: f.personality === 'EX' || f.personality === 'QFX' ? 'SWITCH' : f.personality === 'MX_GNF' ? 'MX-GNF' : f.personality,
    virtual: f.virtual, ifd_style: f.ifdStyle, domain: f.domain, fqdn: f.fqdn,
    '2RE': f.twoRe,
    master: f.master === null ? null : f.master.length === 1 ? f.master[0]!.toUpperCase() : f.master.map((m) => m.toUpperCase()),
    RE0: f.re0 && { ...reInfo(f.re0), up_time: f.re0.upTime }, RE1: f.re1 && { ...reInfo(f.re1), up_time: f.re1.upTime },
    re_info: f.reInfo && Object.fromEntries(Object.entries(f.reInfo).map(([node, slots]) => [node, Object.fromEntries(Object.entries(slots).map(([slot, r]) => [slot, reInfo(r)]))])),
    re_master: f.reMaster, current_re: f.currentRe,
    srx_cluster: f.srxCluster, srx_cluster_id: f.srxClusterId,
    vc_capable: f.vcCapable, vc_mode: f.vcMode, vc_fabric: f.vcFabric, vc_master: f.vcMaster,
    switch_style: f.switchStyle, HOME: f.home, vmhost: f.vmhost,
  };
}

function at(view: Record<string, unknown>, path: string): unknown {
  if (path in view) return view[path];
  const [head, ...rest] = path.split('.');
  return rest.reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], view[head!]);
}

let current: Scenario = scenarios[0]!;
let device: FakeDevice;
beforeAll(async () => {
  device = await FakeDevice.start({ handler: (request) => answer(current, request) });
});
afterAll(async () => {
  await device.close();
});

const agreement: { name: string; compared: number; agreed: number }[] = [];

describe('facts() on the replies of PyEZ\'s fact tests agrees with PyEZ, fact by fact', () => {
  for (const s of scenarios) {
    it(`${s.name} (${s.pyez})`, async () => {
      current = s;
      const session = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
      try {
        const view = pyezView(await facts(session));
        const row = { name: s.name, compared: 0, agreed: 0 };
        agreement.push(row);
        for (const [path, want] of Object.entries(s.expected)) {
          const expected = path.endsWith('.object') || path === 'version_info' ? pyezTuple(want as unknown[]) : want;
          row.compared++;
          expect(at(view, path), `${s.name}: ${path}`).toEqual(expected);
          row.agreed++;
        }
      } finally {
        await session.close();
      }
    });
  }

  it('every scenario compared every fact its PyEZ test asserts', () => {
    const compared = agreement.reduce((n, r) => n + r.compared, 0);
    const agreed = agreement.reduce((n, r) => n + r.agreed, 0);
    expect(agreement.length).toBe(scenarios.length);
    expect(compared).toBe(scenarios.reduce((n, s) => n + Object.keys(s.expected).length, 0));
    expect(agreed).toBe(compared);
  });
});
