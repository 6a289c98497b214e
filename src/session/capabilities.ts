import { CAPABILITY } from '../xml/namespaces.js';

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
  private readonly bare: Set<string>;

  constructor(uris: readonly string[]) {
    this.uris = uris.map((u) => u.trim()).filter((u) => u !== '');
    this.bare = new Set(this.uris.map((u) => u.split('?')[0]!));
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
