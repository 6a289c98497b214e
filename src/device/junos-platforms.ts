import { JUNOS_RELEASE, JUNOS_VERSION, XNM_NS } from './junos-replies.js';
import { escapeXml } from './replies.js';

/**
 * The platforms the fake Junos device can be: what its operational RPCs answer (software,
 * routing engines, inventory, virtual chassis, cluster), in the shapes real boxes use. One
 * chassis answers bare elements; a cluster or a multi-member system answers one
 * `<multi-routing-engine-item>` per node, and every reply carries the CLI banner.
 */

/** A platform profile of the fake Junos device. */
export type JunosPlatform = 'vmx' | 'mx-single-re' | 'mx-dual-re' | 'srx-cluster' | 'ex-vc';

interface Engine {
  slot: number;
  state: 'master' | 'backup';
  model: string;
  uptimeSeconds: number;
}

/** One node (a chassis, a cluster node, a VC member) of a platform. */
interface Node {
  /** `re-name` of its multi-RE item; null on one chassis. */
  name: string | null;
  hostName: string | null;
  engines: Engine[];
}

interface Profile {
  model: string;
  serial: string;
  /** How the plain RPCs answer: per node, or one chassis (a VC answers the RE list flat). */
  multiNode: boolean;
  nodes: Node[];
  /** The CLI banner text inside the braces, or null (single-RE boxes print none). */
  banner: string | null;
  cluster: boolean;
  virtualChassis: boolean;
  /** `show version invoke-on all-routing-engines` works (refused on one-RE boxes and SRX clusters). */
  invokeOn: boolean;
  /** How Ethernet switching answers: bridge domains (MX), ELS switching table (EX, QFX), neither (high-end SRX). */
  switching: 'bridge-domain' | 'els' | 'none';
  /** The `__juniper_private1__` addresses of the RE sessions land on (none: the banner is all that says). */
  privateAddresses: string[];
}

const DAY = 86_400;

const PROFILES: Record<JunosPlatform, Profile> = {
  vmx: {
    model: 'vmx', serial: 'VM5F1A2B3C4D', multiNode: false, banner: null, cluster: false, virtualChassis: false, invokeOn: false,
    switching: 'bridge-domain', privateAddresses: ['128.0.0.4/2', '128.0.0.1/2'],
    nodes: [{ name: null, hostName: null, engines: [{ slot: 0, state: 'master', model: 'RE-VMX', uptimeSeconds: 3 * DAY + 600 }] }],
  },
  'mx-single-re': {
    model: 'mx204', serial: 'DX1234AB0001', multiNode: false, banner: null, cluster: false, virtualChassis: false, invokeOn: false,
    switching: 'bridge-domain', privateAddresses: ['128.0.0.4/2', '128.0.0.1/2'],
    nodes: [{ name: null, hostName: null, engines: [{ slot: 0, state: 'master', model: 'RE-S-1600x8', uptimeSeconds: 41 * DAY + 7200 }] }],
  },
  'mx-dual-re': {
    model: 'mx960', serial: 'JN11F2E3DAFA', multiNode: false, banner: 'master', cluster: false, virtualChassis: false, invokeOn: true,
    switching: 'bridge-domain', privateAddresses: ['128.0.0.4/2', '128.0.0.1/2'],
    nodes: [{
      name: null, hostName: null, engines: [
        { slot: 0, state: 'master', model: 'RE-S-X6-64G', uptimeSeconds: 120 * DAY + 4242 },
        { slot: 1, state: 'backup', model: 'RE-S-X6-64G', uptimeSeconds: 119 * DAY + 99 },
      ],
    }],
  },
  'srx-cluster': {
    model: 'srx5800', serial: 'JN12AB34CDEF', multiNode: true, banner: 'primary:node0', cluster: true, virtualChassis: false, invokeOn: false,
    // Cluster 1: node0 is 129.<1 << 4>.0.1, the primary 143.16.0.1.
    switching: 'none', privateAddresses: ['129.16.0.1/2', '143.16.0.1/2'],
    nodes: [
      { name: 'node0', hostName: null, engines: [{ slot: 0, state: 'master', model: 'RE-S-2000', uptimeSeconds: 10 * DAY }] },
      { name: 'node1', hostName: '-node1', engines: [{ slot: 0, state: 'master', model: 'RE-S-2000', uptimeSeconds: 9 * DAY }] },
    ],
  },
  'ex-vc': {
    model: 'ex4300-48p', serial: 'PE3714050496', multiNode: false, banner: 'master:0', cluster: false, virtualChassis: true, invokeOn: false,
    switching: 'els', privateAddresses: [],
    nodes: [{
      name: null, hostName: null, engines: [
        { slot: 0, state: 'master', model: 'EX4300-48P', uptimeSeconds: 200 * DAY + 5 },
        { slot: 1, state: 'backup', model: 'EX4300-48P', uptimeSeconds: 200 * DAY + 1 },
      ],
    }],
  },
};

/** What a platform answers: each method gives the content of the `<rpc-reply>`. */
export class PlatformReplies {
  private readonly p: Profile;

  constructor(readonly platform: JunosPlatform, private readonly hostName: string) {
    this.p = PROFILES[platform];
  }

  /** The CLI banner element, after the output, as Junos adds it on multi-RE systems. */
  banner(): string {
    return this.p.banner === null ? '' : `\n<cli>\n<banner>{${escapeXml(this.p.banner)}}</banner>\n</cli>`;
  }

  /** `<get-software-information/>`: this RE's (each node's on a cluster). */
  softwareInformation(): string {
    if (this.p.multiNode) return this.perNode((n) => this.software(n)) + this.banner();
    return this.software(this.p.nodes[0]!) + this.banner();
  }

  /** `show version invoke-on all-routing-engines` as XML, or null where Junos refuses it. */
  softwareAllEngines(): string | null {
    if (!this.p.invokeOn) return null;
    const node = this.p.nodes[0]!;
    const items = node.engines.map((e) => `<multi-routing-engine-item>\n<re-name>re${e.slot}</re-name>\n${this.software(node)}\n</multi-routing-engine-item>`);
    return `<multi-routing-engine-results>\n${items.join('\n')}\n</multi-routing-engine-results>${this.banner()}`;
  }

  routeEngineInformation(): string {
    const list = (n: Node) =>
      `<route-engine-information xmlns="http://xml.juniper.net/junos/${JUNOS_RELEASE}/junos-chassis">\n${n.engines.map((e) => engineXml(e)).join('\n')}\n</route-engine-information>`;
    return (this.p.multiNode ? this.perNode(list) : list(this.p.nodes[0]!)) + this.banner();
  }

  chassisInventory(): string {
    const inventory = (serial: string) =>
      `<chassis-inventory xmlns="http://xml.juniper.net/junos/${JUNOS_RELEASE}/junos-chassis">\n<chassis junos:style="inventory">\n` +
      `<name>Chassis</name>\n<serial-number>${serial}</serial-number>\n<description>${escapeXml(this.p.model.toUpperCase())}</description>\n` +
      `<chassis-module>\n<name>Midplane</name>\n<serial-number>MP${serial.slice(2)}</serial-number>\n</chassis-module>\n</chassis>\n</chassis-inventory>`;
    if (this.p.multiNode) return this.perNode((_, i) => inventory(i === 0 ? this.p.serial : `${this.p.serial.slice(0, -1)}Z`)) + this.banner();
    return inventory(this.p.serial) + this.banner();
  }

  /** `<get-virtual-chassis-information/>`, or null: the RPC is refused (not a VC). */
  virtualChassis(): string | null {
    if (!this.p.virtualChassis) return null;
    const engines = this.p.nodes[0]!.engines;
    const members = engines.map((e, i) =>
      `<member>\n<member-status>Prsnt</member-status>\n<member-id>${e.slot}</member-id>\n<fpc-slot>(FPC ${e.slot})</fpc-slot>\n` +
      `<member-serial-number>${this.p.serial.slice(0, -1)}${i}</member-serial-number>\n<member-model>${this.p.model}</member-model>\n` +
      `<member-priority>${e.state === 'master' ? 255 : 254}</member-priority>\n<member-role>${e.state === 'master' ? 'Master*' : 'Backup'}</member-role>\n</member>`);
    return (
      `<virtual-chassis-information>\n<preprovisioned-virtual-chassis-information>\n<virtual-chassis-id>9c8d.7e6f.0a1b</virtual-chassis-id>\n` +
      `<virtual-chassis-mode>Enabled</virtual-chassis-mode>\n</preprovisioned-virtual-chassis-information>\n` +
      `<member-list junos:style="brief">\n${members.join('\n')}\n</member-list>\n</virtual-chassis-information>${this.banner()}`
    );
  }

  /** `<get-chassis-cluster-status/>`, or null: not a cluster. */
  clusterStatus(): string | null {
    if (!this.p.cluster) return null;
    const group = (id: number, primary: string) =>
      `<redundancy-group>\n<cluster-id>1</cluster-id>\n<redundancy-group-id>${id}</redundancy-group-id>\n` +
      `<redundancy-group-failover-count>0</redundancy-group-failover-count>\n<device-stats>\n` +
      ['node0', 'node1'].map((n) =>
        `<device-name>${n}</device-name>\n<device-priority>${n === primary ? 200 : 100}</device-priority>\n` +
        `<redundancy-group-status>${n === primary ? 'primary' : 'secondary'}</redundancy-group-status>\n<preempt>no</preempt>\n` +
        `<failover-mode>no</failover-mode>\n<monitor-failures>None</monitor-failures>`).join('\n') +
      `\n</device-stats>\n</redundancy-group>`;
    return `<chassis-cluster-status>\n<cluster-id>1</cluster-id>\n${group(0, 'node0')}\n${group(1, 'node0')}\n</chassis-cluster-status>${this.banner()}`;
  }

  /** `/etc/hosts.junos` (`<file-show>`): the internal routing instance's host names, single chassis first. */
  static hostsJunos(): string {
    const lines = [
      '# File mapping AF_INET/AF_INET6 hostnames for REs on Single and Multichassis systems',
      '128.0.0.1        master node fwdd member pfem', '128.0.0.4        re0', '128.0.0.5        re1', '128.0.0.6        backup',
    ];
    return `<file-content filename="/etc/hosts.junos" filesize="${lines.join('\n').length + 1}" encoding="text">\n${lines.join('\n')}\n</file-content>`;
  }

  /** `<get-interface-information>` of `__juniper_private1__`, terse: the addresses this RE holds there. */
  privateInterfaces(): string {
    const families = this.p.privateAddresses.map((a) => `<interface-address>\n<ifa-local>${a}</ifa-local>\n</interface-address>`).join('\n');
    const logical = families === '' ? '' : `<logical-interface>\n<name>em0.0</name>\n<address-family>\n<address-family-name>inet</address-family-name>\n${families}\n</address-family>\n</logical-interface>\n`;
    return `<interface-information xmlns="http://xml.juniper.net/junos/${JUNOS_RELEASE}/junos-interface" junos:style="terse">\n`
      + `<physical-interface>\n<name>em0</name>\n<admin-status>up</admin-status>\n<oper-status>up</oper-status>\n${logical}</physical-interface>\n</interface-information>${this.banner()}`;
  }

  /** `<get-ethernet-switching-table-information>` summary, or null: no ELS switching here. */
  switchingTable(): string | null {
    if (this.p.switching !== 'els') return null;
    return `<l2ng-l2ald-rtb-macdb xmlns="http://xml.juniper.net/junos/${JUNOS_RELEASE}/junos-l2al">\n<l2ng-l2ald-ethernet-switching-table-summary>\n`
      + `<l2ng-l2-total-mac-count>0</l2ng-l2-total-mac-count>\n</l2ng-l2ald-ethernet-switching-table-summary>\n</l2ng-l2ald-rtb-macdb>${this.banner()}`;
  }

  /** `show bridge mac-table count` as XML, or null: no bridge domains here. */
  bridgeCount(): string | null {
    return this.p.switching === 'bridge-domain' ? `<l2ald-rtb-mac-count>\n</l2ald-rtb-mac-count>${this.banner()}` : null;
  }

  /** What refused RPCs answer on this platform: an xnm error from the daemon. */
  static notEnabled(daemon: string, message: string): string {
    return `<xnm:error xmlns="${XNM_NS}" xmlns:xnm="${XNM_NS}">\n<source-daemon>${daemon}</source-daemon>\n<message>${escapeXml(message)}</message>\n</xnm:error>`;
  }

  private perNode(body: (node: Node, index: number) => string): string {
    const items = this.p.nodes.map((n, i) => `<multi-routing-engine-item>\n<re-name>${n.name ?? 're0'}</re-name>\n${body(n, i)}\n</multi-routing-engine-item>`);
    return `<multi-routing-engine-results>\n${items.join('\n')}\n</multi-routing-engine-results>`;
  }

  private software(node: Node): string {
    const host = node.hostName === null ? this.hostName : node.hostName.startsWith('-') ? `${this.hostName}${node.hostName}` : node.hostName;
    return (
      `<software-information>\n<host-name>${escapeXml(host)}</host-name>\n<product-model>${this.p.model}</product-model>\n` +
      `<product-name>${this.p.model}</product-name>\n<junos-version>${JUNOS_VERSION}</junos-version>\n` +
      `<package-information>\n<name>junos</name>\n<comment>JUNOS Software Release [${JUNOS_VERSION}]</comment>\n</package-information>\n` +
      `</software-information>`
    );
  }
}

function engineXml(e: Engine): string {
  return (
    `<route-engine>\n<slot>${e.slot}</slot>\n<mastership-state>${e.state}</mastership-state>\n` +
    `<mastership-priority>${e.state} (default)</mastership-priority>\n<status>OK</status>\n<model>${e.model}</model>\n` +
    `<up-time junos:seconds="${e.uptimeSeconds}">${upTimeText(e.uptimeSeconds)}</up-time>\n` +
    `<last-reboot-reason>Router rebooted after a normal shutdown.</last-reboot-reason>\n</route-engine>`
  );
}

function upTimeText(seconds: number): string {
  const d = Math.floor(seconds / DAY);
  const h = Math.floor((seconds % DAY) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${d} days, ${h} hours, ${m} minutes, ${seconds % 60} seconds`;
}

/** The facts each profile should give, for tests and the README. */
export function platformModel(platform: JunosPlatform): string {
  return PROFILES[platform].model;
}
