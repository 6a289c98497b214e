import { RpcError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import type { RpcOptions, Session } from '../session/session.js';
import { escapeXml } from '../xml/entities.js';
import {
  type Answer, type JunosPersonality, type JunosSwitchStyle, type JunosVersion, type RedundancyGroup, type RoutingEngineFacts,
  type RoutingEngineInfo, type RoutingEngineSummary, type VmhostInfo, bannerCurrentReOf, clusterOf, currentReOf, domainOf, evoCurrentReOf, homeOf,
  inventoryOf, iriHostnamesOf, isLinuxOf, jdmCurrentReOf, personalityOf, routeEnginesOf, softwareOf, softwareUsable,
  switchStyleOfBridge, switchStyleOfTable, virtualChassisOf, vmhostInfoOf, vmhostOf,
} from './junos-facts-derive.js';
import { descendants, parseReply, text } from './junos-facts-read.js';

export type {
  JunosPersonality, JunosSwitchStyle, JunosVersion, RedundancyGroup, RedundancyGroupNode, RoutingEngineFacts, RoutingEngineInfo,
  RoutingEngineSummary, VmhostInfo,
} from './junos-facts-derive.js';

/**
 * `facts(session)`: every fact PyEZ's `dev.facts` has, each read from the RPC PyEZ reads it
 * from (its `lib/jnpr/junos/facts/` modules), in an order that lets each use the ones before.
 */

/** An RPC facts() sent that failed on the device: its facts are null (or salvaged from the rest of the reply). */
export interface FactsFailure {
  rpc: string;
  error: NetconfError;
}

/** The device's facts, PyEZ's names in camelCase. A fact that could not be read is null; `failures` says why. */
export interface JunosFacts {
  /** The current RE's host name. */
  hostname: string | null;
  /** Each RE's host name, by RE name (`re0`, `node1`, `member0`). */
  hostnameInfo: Record<string, string> | null;
  /** The model of the current RE's chassis, upper case (`MX960`). */
  model: string | null;
  /** Each RE's chassis model, upper case, by RE name. */
  modelInfo: Record<string, string> | null;
  /** The current RE's Junos version text; null when no reply said (PyEZ: `0.0I0.0`). */
  version: string | null;
  /** The version of RE0 (else node0, the bsys or GNF RE0, server0), as PyEZ's `version_RE0`. */
  versionRe0: string | null;
  /** The version of RE1 (else node1, …), as PyEZ's `version_RE1`. */
  versionRe1: string | null;
  /** The Junos version of every RE that answered, by RE name (`re0`, `node1`, `member0`, `fpc1`). */
  junosInfo: Record<string, JunosVersion> | null;
  /** The chassis serial number (else the backplane's or midplane's). */
  serialNumber: string | null;
  /** A multi-chassis system (the inventory answers per RE): PyEZ's `RE_hw_mi`. */
  reHwMi: boolean | null;
  personality: JunosPersonality | null;
  /** A virtual platform (vMX, Firefly, vPTX, Olive…). */
  virtual: boolean | null;
  /** `SWITCH` on EX and QFX, `CLASSIC` elsewhere, null on a JDM (PyEZ's `ifd_style`). */
  ifdStyle: 'CLASSIC' | 'SWITCH' | null;
  /** `system domain-name` of the committed configuration, else the `domain` of /etc/resolv.conf. */
  domain: string | null;
  /** `hostname.domain`, or the host name alone when there is no domain. */
  fqdn: string | null;
  /** The master REs' names, one per chassis or node (`['re0']`, `['re1', 're0']` for a two-member MX VC). */
  master: string[] | null;
  /** More than one routing engine. */
  twoRe: boolean | null;
  /** RE0 and RE1 of the first chassis (PyEZ's `RE0`, `RE1`). */
  re0: RoutingEngineSummary | null;
  /** RE1 of the first chassis. */
  re1: RoutingEngineSummary | null;
  /** By chassis/node (`default` is the first), then slot (`default` is its first RE): PyEZ's `re_info`. */
  reInfo: Record<string, Record<string, RoutingEngineInfo>> | null;
  /** The master RE's slot by chassis/node (`default`: the first): PyEZ's `re_master`. */
  reMaster: Record<string, string> | null;
  routingEngines: RoutingEngineFacts[] | null;
  /** The internal host names of the RE this session is on (`['re0', 'master', …]`, `['node0', 'primary']`). */
  currentRe: string[] | null;
  /** Part of an SRX chassis cluster (false: Junos said it is not enabled; null: the RPC failed). */
  srxCluster: boolean | null;
  srxClusterId: string | null;
  /** The cluster's redundancy groups by id. */
  srxClusterRedundancyGroup: Record<string, RedundancyGroup> | null;
  /** In a virtual chassis now (PyEZ's `vc_capable`: false when the VC RPC is refused or empty). */
  vcCapable: boolean | null;
  /** `Enabled`, `Mixed`… as `show virtual-chassis` says. */
  vcMode: string | null;
  /** A virtual chassis fabric. */
  vcFabric: boolean | null;
  /** The member id of the VC master. */
  vcMaster: string | null;
  switchStyle: JunosSwitchStyle | null;
  /** The login user's home directory. */
  home: string | null;
  /** The RE runs Junos as a VM on a host (PyEZ's `vmhost`). */
  vmhost: boolean | null;
  /** The versions on each RE's VM host disk sets, when `vmhost`. */
  vmhostInfo: Record<string, VmhostInfo> | null;
  /** Seconds since the current (else the master) RE booted. */
  uptime: number | null;
  /** The RPCs that failed on the device. */
  failures: FactsFailure[];
}

const command = (cli: string) => `<command format="xml">${escapeXml(cli)}</command>`;
const fileShow = (path: string) => `<file-show><filename>${escapeXml(path)}</filename></file-show>`;

/**
 * Reads the device's facts. An RPC the device refuses (an `rpc-error` reply) leaves its facts
 * null and is listed in `failures`, unless the refusal is itself the answer (no virtual chassis,
 * no cluster, no such file) or PyEZ asks something else next; a reply that failed on one RE
 * still gives the others' data. Anything else (the session closing, a timeout, an abort) rejects.
 */
export async function facts(session: Session, options: Omit<RpcOptions, 'write' | 'onItem'> = {}): Promise<JunosFacts> {
  const failures: FactsFailure[] = [];
  const asked = new Map<string, Answer>();
  /** Sends the RPC once; a probe's refusal is an answer, anything else's is a failure. */
  const ask = async (rpc: string, request: string, probe = false): Promise<Answer> => {
    const known = asked.get(request);
    if (known) return known;
    let answer: Answer;
    try {
      answer = { xml: (await session.rpc(request, { ...options, collect: true })).xml, error: null };
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      if (!probe) failures.push({ rpc, error: err });
      answer = { xml: err.replyXml, error: err };
    }
    asked.set(request, answer);
    return answer;
  };

  const isLinux = isLinuxOf(await ask('file-show /usr/share/cevo/cevo_version', fileShow('/usr/share/cevo/cevo_version'), true));
  const iri = iriHostnamesOf(await ask('file-show /etc/hosts.junos', fileShow('/etc/hosts.junos')));
  const cluster = clusterOf(await ask('get-chassis-cluster-status', '<get-chassis-cluster-status/>', true));
  let currentRe: string[] | null;
  if (isLinux) currentRe = evoCurrentReOf(await ask('get-system-nodes-information', '<get-system-nodes-information/>'));
  else {
    const interfaces = await ask('get-interface-information',
      '<get-interface-information><routing-instance>__juniper_private1__</routing-instance><terse/></get-interface-information>', true);
    // A Junos Node Slicing JDM has no private instance: its server slot names it.
    currentRe = interfaces.error
      ? jdmCurrentReOf(await ask('get-software-information', '<get-software-information/>', true))
      : currentReOf(interfaces, iri, cluster.srxClusterId);
  }
  const vc = virtualChassisOf(await ask('get-virtual-chassis-information', '<get-virtual-chassis-information/>', true));

  // The software reply PyEZ settles on, trying what each platform understands in turn.
  let evoNames: Map<string, string> | undefined;
  const software = async (): Promise<Answer | undefined> => {
    const invoke = await ask('show version invoke-on all-routing-engines', command('show version invoke-on all-routing-engines'), true);
    if (!invoke.error) return invoke;
    if (isLinux) {
      const all = await ask('get-software-information node all', '<get-software-information><node>all</node></get-software-information>');
      evoNames = new Map();
      for (const re of ['re0', 're1']) {
        const one = await ask(`get-software-information node ${re}`, `<get-software-information><node>${re}</node></get-software-information>`, true);
        const host = one.xml && !one.error ? text(descendants(parseReply(one.xml), 'software-information')[0]?.node ?? null, 'host-name') : null;
        if (host !== null && !evoNames.has(host)) evoNames.set(host, re);
      }
      return all;
    }
    if (vc.vcCapable === true) {
      const members = await ask('show version all-members', command('show version all-members'), true);
      if (!members.error) return members;
    } else if (softwareUsable(invoke)) return invoke;
    const servers = await ask('get-software-information all-servers', '<get-software-information><all-servers/></get-software-information>', true);
    if (softwareUsable(servers)) return servers;
    const plain = await ask('get-software-information', '<get-software-information/>', true);
    if (softwareUsable(plain)) return plain;
    // An NFX answers only with `local` and `detail`.
    const local = await ask('get-software-information local detail', '<get-software-information><local/><detail/></get-software-information>', !plain.error);
    if (softwareUsable(local)) return local;
    if (plain.error) failures.push({ rpc: 'get-software-information', error: plain.error });
    return undefined;
  };
  const softwareAnswer = await software();
  const routeEngineAnswer = await ask('get-route-engine-information', '<get-route-engine-information/>');
  const inventoryAnswer = await ask('get-chassis-inventory', '<get-chassis-inventory/>');
  const res = routeEnginesOf(routeEngineAnswer);
  const inventory = inventoryOf(inventoryAnswer);
  // A device that keeps its private instance to itself still names the RE in its CLI banner.
  currentRe ??= bannerCurrentReOf([routeEngineAnswer, softwareAnswer, inventoryAnswer], res.routingEngines);
  const sw = softwareOf(softwareAnswer, currentRe, evoNames);

  const config = await ask('get-configuration',
    '<get-configuration database="committed" inherit="inherit" commit-scripts="apply"><configuration><system><domain-name/></system></configuration></get-configuration>');
  let domain = domainOf(config, []);
  if (domain === null) {
    const resolv = [await ask('file-show /etc/resolv.conf', fileShow('/etc/resolv.conf'), true)];
    if (resolv[0]!.error) resolv.push(await ask('file-show /var/etc/resolv.conf', fileShow('/var/etc/resolv.conf'), true));
    domain = domainOf(config, resolv);
  }

  let switchStyle = switchStyleOfTable(await ask('get-ethernet-switching-table-information',
    '<get-ethernet-switching-table-information><summary/></get-ethernet-switching-table-information>', true));
  // The CLI command, not the RPC: a PTX answers the RPC but refuses `bridge`.
  switchStyle ??= switchStyleOfBridge(await ask('show bridge mac-table count', command('show bridge mac-table count'), true));

  const firstReModel = res.reInfo?.default?.default?.model ?? null;
  const kind = personalityOf(sw.model, firstReModel);
  const home = homeOf(await ask('file-list ~', '<file-list><path>~</path></file-list>'));

  let vmhost: boolean | null = false;
  let vmhostInfo: Record<string, VmhostInfo> | null = null;
  if (!isLinux) {
    vmhost = vmhostOf(await ask('request-shell-execute', '<request-shell-execute><command>sysctl -n hw.re.vmhost_mode</command></request-shell-execute>', true));
    // Older releases answer `show vmhost version` in text only (PyEZ compares the version text).
    if (vmhost === true && (sw.version ?? '') >= '22.2R3') {
      const cli = res.twoRe ? 'show vmhost version invoke-on all-routing-engines' : 'show vmhost version';
      vmhostInfo = vmhostInfoOf(await ask(cli, command(cli)));
    }
  }

  const isMaster = (re: RoutingEngineFacts) => re.mastershipState.toLowerCase().startsWith('master');
  const engines = res.routingEngines;
  // The RE we are on: the named node's master RE, else the named RE of the one chassis, else the first master.
  const current = engines?.find((re) => re.node !== null && currentRe?.includes(re.node) && isMaster(re))
    ?? engines?.find((re) => re.node === null && currentRe?.includes(re.name))
    ?? engines?.find(isMaster) ?? null;

  return {
    hostname: sw.hostname,
    hostnameInfo: sw.hostnameInfo,
    model: sw.model,
    modelInfo: sw.modelInfo,
    version: sw.version,
    versionRe0: sw.versionRe0,
    versionRe1: sw.versionRe1,
    junosInfo: sw.junosInfo,
    serialNumber: inventory.serialNumber,
    reHwMi: inventory.reHwMi,
    personality: kind.personality,
    virtual: kind.virtual,
    ifdStyle: kind.personality === 'JDM' ? null : kind.personality === 'EX' || kind.personality === 'QFX' ? 'SWITCH' : 'CLASSIC',
    domain,
    fqdn: sw.hostname === null ? null : domain === null ? sw.hostname : `${sw.hostname}.${domain}`,
    master: res.master,
    twoRe: res.twoRe,
    re0: res.re0,
    re1: res.re1,
    reInfo: res.reInfo,
    reMaster: res.reMaster,
    routingEngines: engines,
    currentRe,
    ...cluster,
    ...vc,
    switchStyle,
    home,
    vmhost,
    vmhostInfo,
    uptime: current?.uptimeSeconds ?? null,
    failures,
  };
}
