import type { RpcError } from '../errors/device-error.js';
import type { XmlObject } from '../xml/parse-data.js';
import type { JunosFacts } from './junos-facts.js';
import { attributeOf, children, descendants, firstElement, ownText, parseReply, reNameOf, text, texts } from './junos-facts-read.js';

/**
 * Each group of Junos facts from the reply of the RPC PyEZ reads it from, one function per
 * PyEZ fact module: pure, so facts() only decides what to ask and in which order.
 */

/** What the device said to one RPC: its reply, or its refusal (whose reply may still carry data). */
export interface Answer {
  xml: string | null;
  error: RpcError | null;
}

/** The platform family (PyEZ's `personality`, with its `SWITCH` told apart as EX and QFX). */
export type JunosPersonality =
  | 'MX' | 'MX_GNF' | 'M' | 'T' | 'PTX' | 'ACX' | 'EX' | 'QFX' | 'SRX_BRANCH' | 'SRX_MIDRANGE' | 'SRX_HIGHEND' | 'NFX' | 'JDM' | 'OLIVE';

/** How the device spells Ethernet switching (PyEZ's `switch_style`), as the device answered. */
export type JunosSwitchStyle = 'BRIDGE_DOMAIN' | 'VLAN' | 'VLAN_L2NG' | 'NONE';

/** A Junos version split as PyEZ's `version_info` does: `23.4R1.10` is major [23, 4], type R, minor 1, build 10. */
export interface JunosVersion {
  text: string;
  major: number[];
  /** `R` (release), `X` (special), `S`, `F`, `B`, `I` (internal, also for `15.1-20161209.0`); null when the text has no type letter. */
  type: string | null;
  minor: string | null;
  build: string | null;
}

/** One routing engine as PyEZ's `re_info` keeps it. */
export interface RoutingEngineInfo {
  /** `master` when the platform does not say (single-RE boxes). */
  mastershipState: string;
  status: string | null;
  model: string | null;
  lastRebootReason: string | null;
}

/** PyEZ's `RE0` / `RE1`: the first chassis's RE in that slot, with its up-time text. */
export interface RoutingEngineSummary extends RoutingEngineInfo {
  upTime: string | null;
}

/** One routing engine, as `<get-route-engine-information/>` describes it. */
export interface RoutingEngineFacts {
  /** `re0`, `re1` (`re` + slot). */
  name: string;
  /** The chassis, node or member it belongs to (`node0`, `member1`) on multi-chassis systems; null on one chassis. */
  node: string | null;
  slot: number;
  /** `master`, `backup`, `disabled`…; `master` when the platform does not say (single-RE boxes). */
  mastershipState: string;
  status: string | null;
  model: string | null;
  /** Seconds since this RE booted, from `up-time junos:seconds`. */
  uptimeSeconds: number | null;
  lastRebootReason: string | null;
}

/** One node's state in an SRX cluster redundancy group (`show chassis cluster status`). */
export interface RedundancyGroupNode {
  priority: string | null;
  status: string | null;
  preempt: string | null;
  failoverMode: string | null;
  monitorFailures: string | null;
}

/** One SRX cluster redundancy group; PyEZ keeps the nodes beside the two counters, here they are under `nodes`. */
export interface RedundancyGroup {
  clusterId: string | null;
  failoverCount: string | null;
  nodes: Record<string, RedundancyGroupNode>;
}

/** The Junos versions of a VM host RE's two disk sets. */
export interface VmhostInfo {
  currentRootSet: string | null;
  versionSetP: string | null;
  versionSetB: string | null;
}

function parsed(answer: Answer | undefined): XmlObject | null {
  return answer?.xml ? parseReply(answer.xml) : null;
}

/** The answer's first element under `<rpc-reply>` when the device did not refuse: what PyEZ's `rsp` is. */
function reply(answer: Answer | undefined): { name: string; node: XmlObject } | null {
  if (!answer || answer.error || !answer.xml) return null;
  const first = firstElement(parseReply(answer.xml));
  // PyEZ reads a reply with nothing in it (or only <ok/>) as True, not as data.
  return first === null || first.name === 'ok' ? null : first;
}

/** `_is_linux`: the EVO version file exists. */
export function isLinuxOf(answer: Answer): boolean {
  return reply(answer)?.name === 'file-content';
}

/** `_iri_hostname`: internal routing instance address → host names, from `/etc/hosts.junos` (`%d` templates expanded). */
export function iriHostnamesOf(answer: Answer): Map<string, string[]> | null {
  const file = reply(answer);
  if (!file) return null;
  const content = ownText(file.node) ?? '';
  const hosts = new Map<string, string[]>();
  const add = (ip: string, names: string[]) => hosts.set(ip, [...(hosts.get(ip) ?? []), ...names]);
  for (const raw of content.split('\n')) {
    const words = raw.split('#')[0]!.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length < 2) continue;
    const [ip, ...names] = words as [string, ...string[]];
    add(ip, names);
    for (const name of names.filter((n) => n.includes('%d'))) {
      const octets = ip.split('.');
      for (let n = 0; n < 255; n++) add(`${octets[0]}.${octets[1]}.${n}.${octets.slice(3).join('.')}`, [name.replaceAll('%d', String(n))]);
    }
  }
  return hosts.size === 0 ? null : hosts;
}

/** `current_re` on Junos: the names of the private-instance addresses this RE holds; on an SRX cluster, from the cluster id. */
export function currentReOf(interfaces: Answer, iri: Map<string, string[]> | null, clusterId: string | null): string[] | null {
  const doc = reply(interfaces);
  if (!doc || iri === null) return null;
  const names: string[] = [];
  const add = (n: string) => { if (!names.includes(n)) names.push(n); };
  for (const { node: family } of descendants(doc.node, 'address-family')) {
    if (text(family, 'address-family-name') !== 'inet') continue;
    for (const address of children(family, 'interface-address')) {
      const local = text(address, 'ifa-local');
      if (local === null) continue;
      const ip = local.split('/')[0]!;
      const known = iri.get(ip);
      if (known) known.forEach(add);
      else if (clusterId !== null) {
        const node = clusterNodeOf(ip, clusterId);
        if (node !== null) add(node);
      }
    }
  }
  return names.length === 0 ? null : names;
}

/** SRX clusters address node0 as 129.<id<<4>.0.1, node1 as 130.…, the primary as 143.… (the id itself when the shift gives 0). */
function clusterNodeOf(ip: string, clusterId: string): string | null {
  const octets = ip.split('.');
  if (octets.length < 4) return null;
  const shifted = (Number.parseInt(clusterId, 10) & 0x0f) << 4;
  const idOctet = shifted === 0 ? clusterId : String(shifted);
  if (octets[1] !== idOctet || octets[2] !== '0' || octets.slice(3).join('.') !== '1') return null;
  return ({ 129: 'node0', 130: 'node1', 143: 'primary' } as Record<string, string>)[octets[0]!] ?? null;
}

/**
 * The RE named by the CLI banner Junos puts in replies on multi-RE systems (`{master}`,
 * `{backup}`, `{master:0}`, `{primary:node0}`): `['re0', 'master']`, `['member0', 'master']`.
 */
export function bannerCurrentReOf(answers: (Answer | undefined)[], engines: RoutingEngineFacts[] | null): string[] | null {
  let banner: string | null = null;
  for (const answer of answers) {
    const doc = parsed(answer);
    const found = doc ? descendants(doc, 'banner').map(({ node }) => ownText(node)).find((b) => b?.startsWith('{') && b.endsWith('}')) : undefined;
    if (found) { banner = found.slice(1, -1).trim(); break; }
  }
  if (banner !== null && banner !== '') {
    const [state, where] = banner.split(':').map((s) => s.trim()) as [string, string | undefined];
    if (where !== undefined && where !== '') return [/^\d+$/.test(where) ? `member${where}` : where, state];
    // One chassis, two REs: the one in that state.
    const same = engines?.filter((re) => re.node === null && re.mastershipState.toLowerCase() === state.toLowerCase()) ?? [];
    return same.length === 1 ? [same[0]!.name, state] : [state];
  }
  return engines !== null && engines.length === 1 ? [engines[0]!.name, engines[0]!.mastershipState] : null;
}

/** `current_re` on EVO: the nodes whose attributes say `RE (Active)`. */
export function evoCurrentReOf(nodes: Answer): string[] | null {
  const doc = reply(nodes);
  if (!doc) return null;
  const names = children(doc.node, 'system-nodes-info-entry')
    .filter((entry) => children(entry, 'system-node-info-node-attributes-list')
      .some((list) => texts(list, 'system-node-info-node-attribute').includes('RE (Active)')))
    .map((entry) => text(entry, 'system-node-info-node-name'))
    .filter((n): n is string => n !== null);
  return names.length === 0 ? null : names;
}

/** `current_re` on a Junos Node Slicing JDM: `serverN` from the `Server slot` package. */
export function jdmCurrentReOf(software: Answer): string[] | null {
  const doc = reply(software);
  const slot = doc ? children(doc.node, 'package-information').find((p) => text(p, 'name') === 'Server slot') : undefined;
  const n = /Server slot : (\d+)/.exec(text(slot ?? null, 'comment') ?? '');
  return n ? [`server${n[1]}`] : null;
}

// The facts this reader gives, as JunosFacts declares and documents them.
export type ClusterFacts = Pick<JunosFacts, 'srxCluster' | 'srxClusterId' | 'srxClusterRedundancyGroup'>;

/** `srx_cluster*`: a refusal is "unknown"; Junos's `<xnm:error>` (cluster not enabled) is "not in one". */
export function clusterOf(answer: Answer): ClusterFacts {
  const none = { srxCluster: null, srxClusterId: null, srxClusterRedundancyGroup: null };
  if (answer.error) return answer.error.items.every((i) => i.kind === 'xnm:error') ? { ...none, srxCluster: false } : none;
  const doc = reply(answer);
  if (!doc) return none;
  if (doc.name === 'error') return { ...none, srxCluster: false };
  const groups: Record<string, RedundancyGroup> = {};
  for (const group of children(doc.node, 'redundancy-group')) {
    const nodes: Record<string, RedundancyGroupNode> = {};
    for (const stats of children(group, 'device-stats')) {
      const columns = ['device-name', 'device-priority', 'redundancy-group-status', 'preempt', 'failover-mode', 'monitor-failures'].map((n) => texts(stats, n));
      // The node fields are siblings, not one element per node: PyEZ zips them, stopping at the shortest.
      const rows = Math.min(...columns.map((c) => c.length));
      for (let i = 0; i < rows; i++) {
        const [name, priority, status, preempt, failoverMode, monitorFailures] = columns.map((c) => c[i] || null) as (string | null)[];
        nodes[name ?? ''] = { priority: priority ?? null, status: status ?? null, preempt: preempt ?? null, failoverMode: failoverMode ?? null, monitorFailures: monitorFailures ?? null };
      }
    }
    groups[text(group, 'redundancy-group-id') ?? ''] = { clusterId: text(group, 'cluster-id'), failoverCount: text(group, 'redundancy-group-failover-count'), nodes };
  }
  return { srxCluster: true, srxClusterId: text(doc.node, 'cluster-id'), srxClusterRedundancyGroup: groups };
}

// The facts this reader gives, as JunosFacts declares and documents them.
export type VirtualChassisFacts = Pick<JunosFacts, 'vcCapable' | 'vcMode' | 'vcFabric' | 'vcMaster'>;

/** `vc_*`: refused or empty is "not in a VC"; two members claiming master leaves all four unknown, as PyEZ does. */
export function virtualChassisOf(answer: Answer): VirtualChassisFacts {
  const doc = reply(answer);
  if (!doc) return { vcCapable: false, vcMode: null, vcFabric: null, vcMaster: null };
  const idInfo = descendants(doc.node, 'virtual-chassis-id-information')[0]?.node;
  const masters = descendants(doc.node, 'member')
    .filter(({ node }) => texts(node, 'member-role').some((r) => r.startsWith('Master')))
    .map(({ node }) => text(node, 'member-id'));
  if (masters.length > 1) return { vcCapable: null, vcMode: null, vcFabric: null, vcMaster: null };
  return {
    vcCapable: true,
    vcMode: descendants(doc.node, 'virtual-chassis-mode').map(({ node }) => ownText(node))[0] ?? null,
    vcFabric: idInfo === undefined ? null : idInfo['@_style'] === 'fabric',
    vcMaster: masters[0] ?? null,
  };
}

/** A software reply worth reading: any answer, or a refusal that still carries some (PyEZ: `Could not connect to` another RE; here any). */
export function softwareUsable(answer: Answer): boolean {
  if (!answer.xml) return false;
  if (!answer.error) return reply(answer) !== null;
  return descendants(parseReply(answer.xml), 'software-information').length > 0;
}

// The facts this reader gives, as JunosFacts declares and documents them.
export type SoftwareFacts = Pick<JunosFacts, 'hostname' | 'hostnameInfo' | 'model' | 'modelInfo' | 'version' | 'versionRe0' | 'versionRe1' | 'junosInfo'>;

/** `hostname`, `model`, `version` of the RE we are on, and each RE's, from the software reply PyEZ settled on. */
export function softwareOf(answer: Answer | undefined, currentRe: string[] | null, evoNames?: Map<string, string>): SoftwareFacts {
  const doc = parsed(answer);
  const items = doc === null ? [] : descendants(doc, 'software-information').map(({ node, ancestors }) => {
    const hostname = text(node, 'host-name');
    return {
      re: reNameOf(ancestors) ?? (hostname !== null && inEvoResult(ancestors) ? evoNames?.get(hostname) : undefined) ?? 're0',
      hostname,
      model: text(node, 'product-model'),
      version: versionText(node),
    };
  });
  const out: SoftwareFacts = { hostname: null, hostnameInfo: null, model: null, modelInfo: null, version: null, versionRe0: null, versionRe1: null, junosInfo: null };
  for (const item of items) {
    if (item.model !== null) out.modelInfo = { ...out.modelInfo, [item.re]: item.model.toUpperCase() };
    if (item.hostname !== null) out.hostnameInfo = { ...out.hostnameInfo, [item.re]: item.hostname };
    if (item.version !== null) out.junosInfo = { ...out.junosInfo, [item.re]: versionOf(item.version) };
    if (!isCurrent(item.re, currentRe, items.length)) continue;
    out.hostname ??= item.hostname;
    out.model ??= item.model?.toUpperCase() ?? null;
    out.version ??= item.version;
  }
  const info = out.junosInfo ?? {};
  const versionOfSlot = (slot: '0' | '1'): string | null => {
    const direct = info[`re${slot}`] ?? info[`node${slot}`];
    if (direct) return direct.text;
    if (info[`bsys-re${slot}`]) {
      if (Object.keys(info).length > 4) return info[`bsys-re${slot}`]!.text;
      const gnf = Object.keys(info).filter((k) => k.startsWith('gnf') && k.endsWith(`re${slot}`)).pop();
      return gnf === undefined ? null : info[gnf]!.text;
    }
    return info[`server${slot}`]?.text ?? null;
  };
  out.versionRe0 = versionOfSlot('0');
  out.versionRe1 = versionOfSlot('1');
  return out;
}

/** EVO names its REs' items only inside `<multi-routing-engine-result>`. */
function inEvoResult(ancestors: XmlObject[]): boolean {
  const [grand, parent] = [ancestors.at(-2), ancestors.at(-1)];
  const results = grand?.['multi-routing-engine-result'];
  return parent !== undefined && (results === parent || (Array.isArray(results) && results.includes(parent)));
}

/** Is this software item the RE we are on? The five cases PyEZ knows (single RE, named, EX2200, TX matrix lcc, node slicing bsys). */
function isCurrent(re: string, currentRe: string[] | null, count: number): boolean {
  if (currentRe === null) return count === 1;
  if (currentRe.includes(re)) return true;
  if (re === 're0' && !currentRe.includes('re1') && currentRe.includes('master')) return true;
  return currentRe.some((name) => name.endsWith(`-${re}`) || re === `bsys-${name}`);
}

/** `junos-version`, else the version in a package comment (`JUNOS Base OS boot [12.3R6.6]`), as PyEZ reads old releases. */
function versionText(info: XmlObject): string | null {
  const direct = text(info, 'junos-version');
  if (direct !== null) return direct;
  const packages = children(info, 'package-information');
  const junos = packages.find((p) => text(p, 'name') === 'junos');
  if (junos) return /\[(.*)\]/.exec(text(junos, 'comment') ?? '')?.[1] ?? null;
  const labelled = packages.find((p) => text(p, 'name') === 'JUNOS version');
  if (labelled) return /.*\s+(.*)/.exec(text(labelled, 'comment') ?? '')?.[1] ?? null;
  const mgd = children(info, 'version-information').find((v) => text(v, 'component') === 'MGD');
  return /(.*\d+)/.exec(text(mgd ?? null, 'release') ?? '')?.[1] ?? null;
}

/** Parses `23.4R1.10`, `15.1X53-D59.3`, `17.3-2017-07-02.0_RELEASE_173_THROTTLE` into PyEZ's parts (a `-` type is PyEZ's `I`). */
export function versionOf(text: string): JunosVersion {
  const m = /^(.*?)([RBIXSF-])(.*)$/.exec(text);
  if (!m || !/^\d+(\.\d+)*$/.test(m[1]!)) return { text, major: [], type: null, minor: null, build: null };
  const dot = m[3]!.indexOf('.');
  const minor = dot === -1 ? m[3]! : m[3]!.slice(0, dot);
  const build = dot === -1 ? null : m[3]!.slice(dot + 1).split('.')[0]!;
  return { text, major: m[1]!.split('.').map(Number), type: m[2] === '-' ? 'I' : m[2]!, minor: minor === '' ? null : minor, build };
}

// The facts this reader gives, as JunosFacts declares and documents them.
export type RouteEngineFacts = Pick<JunosFacts, 'twoRe' | 'master' | 're0' | 're1' | 'reInfo' | 'reMaster' | 'routingEngines'>;

/** `2RE`, `master`, `RE0`, `RE1`, `re_info` (with PyEZ's `default` keys), `re_master`, and the RE list. */
export function routeEnginesOf(answer: Answer | undefined): RouteEngineFacts {
  const doc = answer && !answer.error ? parsed(answer) : null;
  if (doc === null) return { twoRe: null, master: null, re0: null, re1: null, reInfo: null, reMaster: null, routingEngines: null };
  const list = descendants(doc, 'route-engine');
  const reInfo: Record<string, Record<string, RoutingEngineInfo>> = {};
  const reMaster: Record<string, string> = {};
  const master: string[] = [];
  let re0: RoutingEngineSummary | null = null;
  let re1: RoutingEngineSummary | null = null;
  let first: { node: string; slot: string } | null = null;
  const engines: RoutingEngineFacts[] = [];
  for (const { node: re, ancestors } of list) {
    const node = reNameOf(ancestors) ?? 'default';
    const slot = text(re, 'slot') ?? '0';
    const info: RoutingEngineInfo = { mastershipState: text(re, 'mastership-state') ?? 'master', status: text(re, 'status'), model: text(re, 'model'), lastRebootReason: text(re, 'last-reboot-reason') };
    first ??= { node, slot };
    if (node === first.node) {
      if (slot === '0') re0 ??= { ...info, upTime: text(re, 'up-time') };
      if (slot === '1') re1 ??= { ...info, upTime: text(re, 'up-time') };
    }
    (reInfo[node] ??= {})[slot] = info;
    if (info.mastershipState.toLowerCase().startsWith('master')) {
      reMaster[node] = slot;
      master.push(`re${slot}`);
    }
    const seconds = attributeOf(re, 'up-time', 'seconds');
    const n = Number(slot);
    engines.push({
      name: `re${Number.isInteger(n) ? n : 0}`, node: node === 'default' ? null : node, slot: Number.isInteger(n) ? n : 0,
      mastershipState: info.mastershipState, status: info.status, model: info.model,
      uptimeSeconds: seconds !== null && /^\d+$/.test(seconds) ? Number(seconds) : null, lastRebootReason: info.lastRebootReason,
    });
  }
  if (first !== null) {
    if (first.node !== 'default') {
      reInfo.default = reInfo[first.node]!;
      if (reMaster[first.node] !== undefined) reMaster.default = reMaster[first.node]!;
    }
    reInfo.default!.default = reInfo.default![first.slot]!;
  }
  return {
    twoRe: list.length > 1,
    master: master.length === 0 ? null : master,
    re0, re1,
    reInfo,
    reMaster: Object.keys(reMaster).length === 0 ? null : reMaster,
    routingEngines: engines.length === 0 ? null : engines,
  };
}

/** `serialnumber` and `RE_hw_mi`: unknown when the reply is an error or the RE is not the master. */
export function inventoryOf(answer: Answer | undefined): { serialNumber: string | null; reHwMi: boolean | null } {
  const doc = reply(answer);
  if (!doc || doc.name === 'error' || (doc.name === 'output' && (ownText(doc.node) ?? '').includes('can only be used on the master routing engine'))) {
    return { serialNumber: null, reHwMi: null };
  }
  const chassis = descendants(doc.node, 'chassis').map(({ node }) => node);
  const module = (name: string) => descendants(doc.node, 'chassis-module').map(({ node }) => node).find((m) => text(m, 'name') === name);
  const serial = (chassis.length > 0 ? text(chassis[0]!, 'serial-number') : null)
    ?? text(module('Backplane') ?? null, 'serial-number') ?? text(module('Midplane') ?? null, 'serial-number');
  return { serialNumber: serial, reHwMi: doc.name === 'multi-routing-engine-results' };
}

/** `domain`: the committed `system domain-name`, else the `domain` line of resolv.conf. */
export function domainOf(config: Answer | undefined, resolvConf: Answer[]): string | null {
  const doc = reply(config);
  const configured = doc ? descendants(doc.node, 'domain-name').map(({ node }) => ownText(node))[0] ?? null : null;
  if (configured !== null) return configured;
  const file = resolvConf.map(reply).find((r) => r !== null);
  const words = (file ? ownText(file.node) ?? '' : '').split(/\s+/).filter((w) => w !== '');
  const at = words.indexOf('domain');
  return at === -1 ? null : words[at + 1] ?? null;
}

/** `switch_style` from the Ethernet switching table's root element; null when the device did not answer it. */
export function switchStyleOfTable(answer: Answer): JunosSwitchStyle | null {
  const name = reply(answer)?.name;
  return name === 'l2ng-l2ald-rtb-macdb' ? 'VLAN_L2NG' : name === 'ethernet-switching-table-information' ? 'VLAN' : null;
}

/** `switch_style` from `show bridge mac-table count`: PTX refuses `bridge`, a backup MX RE has no l2-learning. */
export function switchStyleOfBridge(answer: Answer): JunosSwitchStyle | null {
  if (answer.error) {
    const first = answer.error.items[0];
    if (first?.badElement === 'bridge') return 'NONE';
    if (first?.message === 'the l2-learning subsystem is not running') return 'BRIDGE_DOMAIN';
    return null;
  }
  const doc = reply(answer);
  return doc === null ? null : doc.name === 'l2ald-rtb-mac-count' ? 'BRIDGE_DOMAIN' : 'NONE';
}

/** PyEZ's personality table, by model (a `Virtual Chassis` by its first RE's model). */
export function personalityOf(model: string | null, firstReModel: string | null): { personality: JunosPersonality | null; virtual: boolean | null } {
  if (model === null) return { personality: null, virtual: null };
  // PyEZ compares with `Virtual Chassis` a model it has upper-cased: either spelling counts here.
  const m = model.toUpperCase() === 'VIRTUAL CHASSIS' ? firstReModel ?? '' : model;
  const of = (personality: JunosPersonality, virtual: boolean) => ({ personality, virtual });
  if (m.startsWith('EX')) return of('EX', false);
  if (m.startsWith('QFX')) return of('QFX', false);
  if (m.startsWith('MX')) return firstReModel === 'RE-VMX' ? of('MX', true) : firstReModel?.includes('GNF') ? of('MX_GNF', true) : of('MX', false);
  if (m.startsWith('VMX') || m === 'VRR') return of('MX', true);
  if (m.startsWith('VJX')) return of('SRX_BRANCH', true);
  if (m.startsWith('M')) return of('M', false);
  if (m.startsWith('T')) return of('T', false);
  if (m.startsWith('PTX')) return of('PTX', firstReModel === 'RE-VIRTUAL');
  if (/^SRX\s?\d{4}/.test(m)) return of(Number(m.slice(-4)) > 5000 ? 'SRX_HIGHEND' : 'SRX_MIDRANGE', false);
  if (/^SRX\s?\d{3}/.test(m)) return of('SRX_BRANCH', false);
  if (/firefly/i.test(m)) return of('SRX_BRANCH', true);
  if (m === 'OLIVE') return of('OLIVE', true);
  if (m.startsWith('NFX')) return of('NFX', false);
  if (m === 'JUNOS_NODE_SLICING') return of('JDM', true);
  if (m.startsWith('ACX')) return of('ACX', false);
  return { personality: null, virtual: null };
}

/** `HOME`: the `root-path` of the user's directory listing, without its trailing slash. */
export function homeOf(answer: Answer): string | null {
  const doc = reply(answer);
  if (!doc) return null;
  const list = doc.name === 'directory-list' ? doc.node : descendants(doc.node, 'directory-list')[0]?.node;
  const root = list?.['@_root-path'];
  return typeof root === 'string' ? root.replace(/\/+$/, '') : null;
}

/** `vmhost`: `sysctl -n hw.re.vmhost_mode` printed 1. Null when the shell RPC failed. */
export function vmhostOf(answer: Answer): boolean | null {
  const doc = reply(answer);
  if (!doc || doc.name === 'rpc-error') return null;
  return allText(doc.node).trim() === '1';
}

function allText(node: XmlObject): string {
  return Object.entries(node).filter(([k]) => !k.startsWith('@_'))
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
    .map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? '' : allText(v))).join('');
}

/** `vmhost_info`: each RE's current root set and the Junos version on its two disk sets. */
export function vmhostInfoOf(answer: Answer): Record<string, VmhostInfo> {
  const doc = parsed(answer);
  const out: Record<string, VmhostInfo> = {};
  if (doc === null || answer.error) return out;
  for (const { node, ancestors } of descendants(doc, 'vmhost-version-information')) {
    const set = (name: string) => text(children(node, 'set-disk-info').find((d) => text(d, 'set-disk-name') === name) ?? null, 'set-junos-version');
    out[reNameOf(ancestors) ?? 're0'] = { currentRootSet: text(node, 'current-root-set'), versionSetP: set('set p'), versionSetB: set('set b') };
  }
  return out;
}
