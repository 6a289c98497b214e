import { RpcError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import type { RpcOptions, Session } from '../session/session.js';
import type { XmlObject } from '../xml/parse-data.js';
import { elementText } from '../xml/query.js';
import { attributeOf, children, descendants, parseReply, reNameOf, text, texts } from './junos-facts-read.js';

/**
 * `facts(session)`: what PyEZ's `dev.facts` gives, read with as few RPCs as the platform
 * allows. Always: `show version invoke-on all-routing-engines` (one `<command>`, falling back
 * to `<get-software-information/>` where it is refused), `<get-route-engine-information/>`,
 * `<get-chassis-inventory/>` and the committed `system domain-name`. Only where they can
 * answer: `<get-virtual-chassis-information/>` on switches and multi-member systems,
 * `<get-chassis-cluster-status/>` on SRX. Personality and switch style come from the model.
 */

/** The platform family, from the model (PyEZ's `personality`, with EX and QFX told apart). */
export type JunosPersonality =
  | 'MX' | 'MX_GNF' | 'M' | 'T' | 'PTX' | 'ACX' | 'EX' | 'QFX' | 'SRX_BRANCH' | 'SRX_MIDRANGE' | 'SRX_HIGHEND' | 'NFX' | 'JDM' | 'OLIVE';

/** How the platform spells Ethernet switching (PyEZ's `switch_style`), derived from the model. */
export type JunosSwitchStyle = 'BRIDGE_DOMAIN' | 'VLAN' | 'VLAN_L2NG' | 'NONE';

/** A Junos version split as PyEZ's `version_info` does: `23.4R1.10` is major [23, 4], type R, minor 1, build 10. */
export interface JunosVersion {
  text: string;
  major: number[];
  /** `R` (release), `X` (special), `S`, `F`, `B`, `I` (internal), `-`; null when the text has no type letter. */
  type: string | null;
  minor: string | null;
  build: string | null;
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

/** An RPC facts() sent that failed on the device: its facts are null (or salvaged from the rest of the reply). */
export interface FactsFailure {
  rpc: string;
  error: NetconfError;
}

/** The device's facts. A fact that could not be read is null; `failures` says why. */
export interface JunosFacts {
  /** The current RE's host name. */
  hostname: string | null;
  /** The chassis model, upper case (`MX960`). */
  model: string | null;
  /** The current RE's Junos version text; null when no reply said. */
  version: string | null;
  /** The chassis serial number (else the backplane's or midplane's). */
  serialNumber: string | null;
  personality: JunosPersonality | null;
  /** A virtual platform (vMX, vSRX/Firefly, vPTX, Olive…). */
  virtual: boolean | null;
  /** `system domain-name` of the committed configuration. */
  domain: string | null;
  /** `hostname.domain`, or the host name alone when there is no domain. */
  fqdn: string | null;
  /** The master REs' names, one per chassis or node (`['re0']`, `['re0', 're0']` for a two-node cluster). */
  master: string[] | null;
  /** More than one routing engine. */
  twoRe: boolean | null;
  routingEngines: RoutingEngineFacts[] | null;
  /**
   * Names for the RE this session is on, from the CLI banner Junos adds to replies on
   * multi-RE systems and the RE list: `['re0', 'master']`, `['node0', 'primary']`,
   * `['member0', 'master']`. Null when nothing says.
   */
  currentRe: string[] | null;
  /** Part of an SRX chassis cluster (false: the cluster RPC said it is not enabled; null: not asked or failed). */
  srxCluster: boolean | null;
  srxClusterId: string | null;
  /** In a virtual chassis now (PyEZ's `vc_capable`: false when the VC RPC is refused or not asked). */
  vcCapable: boolean | null;
  /** The member id of the VC master. */
  vcMaster: string | null;
  switchStyle: JunosSwitchStyle | null;
  /** The Junos version of every RE that answered, by RE name (`re0`, `node1`, `member0`, `fpc1`). */
  junosInfo: Record<string, JunosVersion> | null;
  /** Seconds since the current (else the master) RE booted. */
  uptime: number | null;
  /** The RPCs that failed on the device. */
  failures: FactsFailure[];
}

/** The replies facts() reads, by RPC: what `factsFromReplies` needs (null: not sent, or failed with nothing to salvage). */
export interface FactsReplies {
  softwareInformation: string | null;
  routeEngineInformation: string | null;
  chassisInventory: string | null;
  domain: string | null;
  virtualChassis?: string | null;
  clusterStatus?: string | null;
}

/**
 * Reads the device's facts. An RPC the device refuses (an `rpc-error` reply) leaves its facts
 * null and is listed in `failures`; a reply that failed on one RE still gives the others'
 * data. Anything else (the session closing, a timeout, an abort) rejects.
 */
export async function facts(session: Session, options: Omit<RpcOptions, 'write' | 'onItem'> = {}): Promise<JunosFacts> {
  const failures: FactsFailure[] = [];
  const ask = async (rpc: string, request: string): Promise<string | null> => {
    try {
      return (await session.rpc(request, { ...options, collect: true })).xml;
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      failures.push({ rpc, error: err });
      return err.replyXml;
    }
  };
  let software = await ask('show version invoke-on all-routing-engines',
    '<command format="xml">show version invoke-on all-routing-engines</command>');
  if (software === null || !software.includes('software-information')) {
    // Platforms without invoke-on refuse the command: the plain RPC is the answer, not a failure.
    const refused = failures.pop();
    software = await ask('get-software-information', '<get-software-information/>');
    if (refused && (software === null || !software.includes('software-information'))) failures.unshift(refused);
  }
  const [routeEngines, inventory, domain] = [
    await ask('get-route-engine-information', '<get-route-engine-information/>'),
    await ask('get-chassis-inventory', '<get-chassis-inventory/>'),
    await ask('get-configuration', '<get-configuration database="committed"><configuration><system><domain-name/></system></configuration></get-configuration>'),
  ];
  const replies: FactsReplies = { softwareInformation: software, routeEngineInformation: routeEngines, chassisInventory: inventory, domain };
  const first = factsFromReplies(replies);
  if (asksVirtualChassis(first)) replies.virtualChassis = await ask('get-virtual-chassis-information', '<get-virtual-chassis-information/>');
  if (first.personality?.startsWith('SRX')) replies.clusterStatus = await ask('get-chassis-cluster-status', '<get-chassis-cluster-status/>');
  return { ...factsFromReplies(replies), failures };
}

/** Switches, and systems whose REs answer from several members, may be in a virtual chassis. */
function asksVirtualChassis(f: JunosFacts): boolean {
  if (f.personality === 'EX' || f.personality === 'QFX') return true;
  return (f.routingEngines ?? []).some((re) => re.node?.startsWith('member') || re.node?.startsWith('fpc'));
}

/** The facts from the replies alone (no RPC): what facts() computes once it has them. */
export function factsFromReplies(replies: FactsReplies): JunosFacts {
  const listed = replies.routeEngineInformation === null ? [] : routingEngines(parseReply(replies.routeEngineInformation));
  // A refused RPC's reply lists none: unknown, not "no RE".
  const engines = listed.length === 0 ? null : listed;
  const banner = bannerOf([replies.routeEngineInformation, replies.softwareInformation, replies.chassisInventory]);
  const currentRe = currentReOf(banner, engines);
  const software = replies.softwareInformation === null ? [] : softwareItems(parseReply(replies.softwareInformation));
  const mine = currentSoftware(software, currentRe);
  const junosInfo = software.length === 0 ? null : Object.fromEntries(software.filter((s) => s.version !== null).map((s) => [s.re, versionOf(s.version!)]));
  const model = mine?.model?.toUpperCase() ?? null;
  const firstRe = engines?.[0] ?? null;
  const kind = model === null ? null : personalityOf(model, firstRe?.model ?? null);
  const hostname = mine?.hostname ?? null;
  const domain = replies.domain === null ? null : domainOf(parseReply(replies.domain));
  const masters = engines?.filter((re) => re.mastershipState.toLowerCase().startsWith('master')).map((re) => re.name) ?? [];
  const isMaster = (re: RoutingEngineFacts) => re.mastershipState.toLowerCase().startsWith('master');
  // The RE we are on: the named node's master RE, else the named RE of the one chassis, else the first master.
  const current = engines?.find((re) => re.node !== null && currentRe?.includes(re.node) && isMaster(re))
    ?? engines?.find((re) => re.node === null && currentRe?.includes(re.name))
    ?? engines?.find(isMaster) ?? null;
  // Asked and refused ("Chassis cluster is not enabled", no VC support) means not in one, as PyEZ reads it.
  const cluster = replies.clusterStatus === undefined ? undefined : replies.clusterStatus === null ? null : clusterOf(parseReply(replies.clusterStatus));
  const vc = replies.virtualChassis === undefined ? undefined : replies.virtualChassis === null ? null : virtualChassisOf(parseReply(replies.virtualChassis));
  return {
    hostname,
    model,
    version: mine?.version ?? null,
    serialNumber: replies.chassisInventory === null ? null : serialNumberOf(parseReply(replies.chassisInventory)),
    personality: kind?.personality ?? null,
    virtual: kind?.virtual ?? null,
    domain,
    fqdn: hostname === null ? null : domain === null ? hostname : `${hostname}.${domain}`,
    master: engines === null ? null : masters,
    twoRe: engines === null ? null : engines.length > 1,
    routingEngines: engines,
    currentRe,
    // Not asked (not an SRX, not a switch): not in one.
    srxCluster: cluster === undefined ? (kind === null ? null : false) : cluster !== null,
    srxClusterId: cluster?.id ?? null,
    vcCapable: vc === undefined ? (kind === null ? null : false) : vc !== null,
    vcMaster: vc?.master ?? null,
    switchStyle: kind === null ? null : switchStyleOf(kind.personality, model!),
    junosInfo: junosInfo !== null && Object.keys(junosInfo).length > 0 ? junosInfo : null,
    uptime: current?.uptimeSeconds ?? null,
    failures: [],
  };
}

interface SoftwareItem {
  re: string;
  hostname: string | null;
  model: string | null;
  version: string | null;
}

function softwareItems(doc: XmlObject): SoftwareItem[] {
  return descendants(doc, 'software-information').map(({ node, ancestors }) => ({
    re: reNameOf(ancestors) ?? 're0',
    hostname: text(node, 'host-name'),
    model: text(node, 'product-model'),
    version: versionText(node),
  }));
}

/** `junos-version`, else the version in a package comment (`JUNOS Base OS boot [12.3R6.6]`), as PyEZ reads old releases. */
function versionText(info: XmlObject): string | null {
  const direct = text(info, 'junos-version');
  if (direct !== null) return direct;
  const packages = children(info, 'package-information');
  const junos = packages.find((p) => text(p, 'name') === 'junos');
  const bracketed = junos ? /\[(.*)\]/.exec(text(junos, 'comment') ?? '') : null;
  if (bracketed) return bracketed[1]!;
  const labelled = packages.find((p) => text(p, 'name') === 'JUNOS version');
  const last = labelled ? /\s(\S+)\s*$/.exec(text(labelled, 'comment') ?? '') : null;
  if (last) return last[1]!;
  const mgd = children(info, 'version-information').find((v) => text(v, 'component') === 'MGD');
  const release = mgd ? /(.*\d)/.exec(text(mgd, 'release') ?? '') : null;
  return release ? release[1]! : null;
}

/** The software item of the RE we are on: the only one, the one the banner names, else the first. */
function currentSoftware(items: SoftwareItem[], currentRe: string[] | null): SoftwareItem | null {
  if (items.length <= 1 || currentRe === null) return items[0] ?? null;
  return items.find((i) => currentRe.includes(i.re))
    ?? items.find((i) => currentRe.some((n) => i.re.endsWith(`-${n}`) || n.endsWith(`-${i.re}`)))
    // On one chassis the master RE is re0 unless the RE list says re1.
    ?? items[0]!;
}

function routingEngines(doc: XmlObject): RoutingEngineFacts[] {
  return descendants(doc, 'route-engine').map(({ node, ancestors }) => {
    const slot = Number(text(node, 'slot') ?? '0');
    const seconds = attributeOf(node, 'up-time', 'seconds');
    return {
      name: `re${Number.isInteger(slot) ? slot : 0}`,
      node: reNameOf(ancestors),
      slot: Number.isInteger(slot) ? slot : 0,
      mastershipState: text(node, 'mastership-state') ?? 'master',
      status: text(node, 'status'),
      model: text(node, 'model'),
      uptimeSeconds: seconds !== null && /^\d+$/.test(seconds) ? Number(seconds) : null,
      lastRebootReason: text(node, 'last-reboot-reason'),
    };
  });
}

/** The CLI banner (`{master}`, `{backup}`, `{master:0}`, `{primary:node0}`) of the first reply that has one. */
function bannerOf(replies: (string | null | undefined)[]): string | null {
  for (const xml of replies) {
    const banner = xml ? elementText(xml, 'banner') : null;
    if (banner !== null && banner.startsWith('{') && banner.endsWith('}')) return banner.slice(1, -1).trim();
  }
  return null;
}

function currentReOf(banner: string | null, engines: RoutingEngineFacts[] | null): string[] | null {
  if (banner !== null && banner !== '') {
    const [state, where] = banner.split(':').map((s) => s.trim()) as [string, string | undefined];
    if (where !== undefined && where !== '') return [/^\d+$/.test(where) ? `member${where}` : where, state];
    // One chassis, two REs: the one in that state.
    const same = engines?.filter((re) => re.node === null && re.mastershipState.toLowerCase() === state.toLowerCase()) ?? [];
    if (same.length === 1) return [same[0]!.name, state];
    return [state];
  }
  if (engines !== null && engines.length === 1) return [engines[0]!.name, engines[0]!.mastershipState];
  return null;
}

function serialNumberOf(doc: XmlObject): string | null {
  for (const { node } of descendants(doc, 'chassis')) {
    const serial = text(node, 'serial-number');
    if (serial !== null) return serial;
  }
  for (const name of ['Backplane', 'Midplane']) {
    for (const { node } of descendants(doc, 'chassis-module')) if (text(node, 'name') === name && text(node, 'serial-number') !== null) return text(node, 'serial-number');
  }
  return null;
}

function domainOf(doc: XmlObject): string | null {
  for (const { node } of descendants(doc, 'domain-name')) {
    const t = text({ d: node }, 'd');
    if (t !== null) return t;
  }
  return null;
}

function clusterOf(doc: XmlObject): { id: string | null } | null {
  const status = descendants(doc, 'chassis-cluster-status')[0]?.node;
  return status ? { id: text(status, 'cluster-id') } : null;
}

function virtualChassisOf(doc: XmlObject): { master: string | null } | null {
  const info = descendants(doc, 'virtual-chassis-information')[0]?.node;
  if (!info) return null;
  const masters = descendants(info, 'member')
    .filter(({ node }) => texts(node, 'member-role').some((r) => r.startsWith('Master')))
    .map(({ node }) => text(node, 'member-id'));
  return { master: masters[0] ?? null };
}

/** Parses `23.4R1.10`, `15.1X53-D59.3`, `17.3-2017-07-02.0_RELEASE_173_THROTTLE` into PyEZ's parts. */
export function versionOf(text: string): JunosVersion {
  const m = /^(\d+(?:\.\d+)*)([RBIXSF-])(.*)$/.exec(text);
  if (!m) return { text, major: [], type: null, minor: null, build: null };
  const major = m[1]!.split('.').map(Number);
  const [minor, build] = splitOnce(m[3]!, '.');
  return { text, major, type: m[2]!, minor: minor === '' ? null : minor, build };
}

function splitOnce(s: string, sep: string): [string, string | null] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, null] : [s.slice(0, i), s.slice(i + 1)];
}

/** PyEZ's personality table, by model (and the RE model where the chassis model is ambiguous). */
export function personalityOf(model: string, reModel: string | null): { personality: JunosPersonality; virtual: boolean } | null {
  const m = model.toUpperCase();
  const re = (reModel ?? '').toUpperCase();
  if (m.startsWith('EX') || (m === 'VIRTUAL CHASSIS' && re.startsWith('EX'))) return { personality: 'EX', virtual: false };
  if (m.startsWith('QFX') || (m === 'VIRTUAL CHASSIS' && re.startsWith('QFX'))) return { personality: 'QFX', virtual: false };
  if (m.startsWith('MX')) {
    if (re === 'RE-VMX') return { personality: 'MX', virtual: true };
    if (re.includes('GNF')) return { personality: 'MX_GNF', virtual: true };
    return { personality: 'MX', virtual: false };
  }
  if (m.startsWith('VMX') || m === 'VRR') return { personality: 'MX', virtual: true };
  if (m.startsWith('VJX') || m.startsWith('VSRX') || /FIREFLY/.test(m)) return { personality: 'SRX_BRANCH', virtual: true };
  if (m.startsWith('PTX') || m.startsWith('VPTX')) return { personality: 'PTX', virtual: re === 'RE-VIRTUAL' || m.startsWith('VPTX') };
  const srx = /^SRX\s?(\d{3,4})/.exec(m);
  if (srx) {
    const n = srx[1]!;
    if (n.length === 3) return { personality: 'SRX_BRANCH', virtual: false };
    return { personality: Number(n) > 5000 ? 'SRX_HIGHEND' : 'SRX_MIDRANGE', virtual: false };
  }
  if (m === 'OLIVE') return { personality: 'OLIVE', virtual: true };
  if (m.startsWith('NFX')) return { personality: 'NFX', virtual: false };
  if (m === 'JUNOS_NODE_SLICING') return { personality: 'JDM', virtual: true };
  if (m.startsWith('ACX')) return { personality: 'ACX', virtual: false };
  if (m.startsWith('M')) return { personality: 'M', virtual: false };
  if (m.startsWith('T')) return { personality: 'T', virtual: false };
  return null;
}

/** Switches that predate ELS (Enhanced Layer 2 Software) use the `vlans` style. */
const PRE_ELS = /^(EX2200|EX3200|EX3300|EX4200|EX4500|EX4550|EX6200|EX8200|QFX3500|QFX3600)/;

/** PyEZ asks the device; the answer follows from the family: bridge domains on MX, VLANs on switches and branch SRX. */
export function switchStyleOf(personality: JunosPersonality, model: string): JunosSwitchStyle {
  switch (personality) {
    case 'MX':
    case 'MX_GNF':
      return 'BRIDGE_DOMAIN';
    case 'EX':
    case 'QFX':
      return PRE_ELS.test(model.toUpperCase()) ? 'VLAN' : 'VLAN_L2NG';
    case 'SRX_BRANCH':
      return 'VLAN_L2NG';
    default:
      return 'NONE';
  }
}

