import { CAPABILITY, NETCONF_BASE_NS } from '../xml/namespaces.js';

/**
 * Other spellings of RFC capabilities that devices advertise: `writeable-running` (older IOS,
 * Vyatta), and the namespace-style `urn:ietf:params:xml:ns:netconf:…` form of the base and
 * other capabilities (NX-OS, Junos list them). Whole URIs only: the base namespace with
 * `?module=ietf-netconf` is the YANG module, not a base version.
 */
function rfcSpelling(uri: string): string | null {
  if (uri === 'urn:ietf:params:netconf:capability:writeable-running:1.0') return CAPABILITY.writableRunning;
  if (uri === NETCONF_BASE_NS) return CAPABILITY.base10;
  const nsForm = 'urn:ietf:params:xml:ns:netconf:capability:';
  if (uri.startsWith(nsForm) && !uri.includes('?')) return `urn:ietf:params:netconf:capability:${uri.slice(nsForm.length)}`;
  return null;
}

/** A capability advertised under another spelling (`as`), read as the RFC's (`means`). */
export interface Respelling {
  /** The URI as advertised. */
  as: string;
  /** The RFC capability it is read as. */
  means: string;
}

/** A YANG module the device advertises (RFC 6020 module capability URI). */
export interface ModuleCapability {
  namespace: string;
  module: string;
  revision: string | null;
  features: string[];
  deviations: string[];
}

/** What the device advertised in its `<hello>`, with the parts callers test for. */
export class Capabilities {
  /** Every URI exactly as advertised. */
  readonly uris: readonly string[];
  /**
   * Capabilities advertised only under another spelling (`writeable-running`, the base
   * namespace URI for base:1.0), which `has()` and the getters count as the RFC's.
   */
  readonly respelt: readonly Respelling[];
  private readonly bare: Set<string>;

  constructor(uris: readonly string[]) {
    this.uris = uris.map((u) => u.trim()).filter((u) => u !== '');
    this.bare = new Set(this.uris.map((u) => u.split('?')[0]!));
    const respelt: Respelling[] = [];
    for (const as of this.uris) {
      const means = rfcSpelling(as);
      if (means === null || this.bare.has(means)) continue;
      respelt.push({ as, means });
    }
    for (const r of respelt) this.bare.add(r.means);
    this.respelt = respelt;
  }

  /** Whether a capability is advertised, ignoring its parameters (`?…`). */
  has(uri: string): boolean {
    return this.bare.has(uri.split('?')[0]!);
  }

  /** The parameters of an advertised capability (`?module=…&revision=…`), or null. */
  params(uri: string): Record<string, string> | null {
    const base = uri.split('?')[0]!;
    const found = this.uris.find((u) => u.split('?')[0] === base);
    if (found === undefined) return null;
    return queryParams(found);
  }

  get base10(): boolean { return this.has(CAPABILITY.base10); }
  get base11(): boolean { return this.has(CAPABILITY.base11); }
  get candidate(): boolean { return this.has(CAPABILITY.candidate); }
  get writableRunning(): boolean { return this.has(CAPABILITY.writableRunning); }
  get confirmedCommit(): boolean { return this.has(CAPABILITY.confirmedCommit10) || this.has(CAPABILITY.confirmedCommit11); }
  get validate(): boolean { return this.has(CAPABILITY.validate10) || this.has(CAPABILITY.validate11); }
  get startup(): boolean { return this.has(CAPABILITY.startup); }
  get xpath(): boolean { return this.has(CAPABILITY.xpath); }
  get notification(): boolean { return this.has(CAPABILITY.notification); }
  get interleave(): boolean { return this.has(CAPABILITY.interleave); }
  get rollbackOnError(): boolean { return this.has(CAPABILITY.rollbackOnError); }

  /** RFC 6243 with-defaults: the basic mode and the other modes, or null when not advertised. */
  get withDefaults(): { basicMode: string; alsoSupported: string[] } | null {
    const p = this.params(CAPABILITY.withDefaults);
    if (!p) return null;
    return { basicMode: p['basic-mode'] ?? '', alsoSupported: (p['also-supported'] ?? '').split(',').filter((s) => s !== '') };
  }

  /**
   * Whether the device is NMDA (RFC 8526: it implements `ietf-netconf-nmda`, so `getData` and
   * `editData` work): true when the hello lists that module; null when the hello cannot say
   * (a device with a YANG library lists its YANG 1.1 modules there, not in the hello: see
   * `yangLibrary`); false when it lists its modules in the hello and that one is not among them.
   */
  get nmda(): boolean | null {
    if (this.modules.some((m) => m.module === 'ietf-netconf-nmda')) return true;
    return this.has(CAPABILITY.yangLibrary10) || this.has(CAPABILITY.yangLibrary11) ? null : false;
  }

  /** YANG module capabilities (`namespace?module=…&revision=…&features=…`). */
  get modules(): ModuleCapability[] {
    return this.uris.flatMap((u) => {
      const q = u.indexOf('?');
      if (q === -1) return [];
      const p = queryParams(u);
      if (!p.module) return [];
      return [{
        namespace: u.slice(0, q),
        module: p.module,
        revision: p.revision ?? null,
        features: (p.features ?? '').split(',').filter((s) => s !== ''),
        deviations: (p.deviations ?? '').split(',').filter((s) => s !== ''),
      }];
    });
  }
}

function queryParams(uri: string): Record<string, string> {
  const out: Record<string, string> = {};
  const q = uri.indexOf('?');
  if (q === -1) return out;
  for (const pair of uri.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}
