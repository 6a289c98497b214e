import { createHash } from 'node:crypto';
import { YANG_LIBRARY_NS } from '../xml/namespaces.js';
import { escapeXml, rpcErrorXml } from './replies.js';
import { elementText, findElement } from '../xml/query.js';
import type { FakeYangLibraryShape, FakeYangModule } from './types.js';

/**
 * The device's YANG modules: its YANG library (RFC 8525 `/yang-library`, RFC 7895
 * `/modules-state`, or both, as `<get>` asks) and their sources by RFC 6022 `<get-schema>`.
 */

const FAKE_MODULE = `module netconfkit-fake {
  yang-version 1.1;
  namespace "urn:netconfkit:fake";
  prefix fake;

  import netconfkit-fake-types { prefix ft; }
  include netconfkit-fake-ports;

  description "The fake device's own data: a few system settings and counters.";

  revision 2026-01-15 { description "Counters."; }
  revision 2025-06-01 { description "First revision."; }

  feature counters { description "Per-system packet counters."; }

  container system {
    leaf hostname { type ft:name; }
    leaf contact { type string; }
    container counters {
      if-feature counters;
      config false;
      leaf in-packets { type uint64; }
      leaf out-packets { type uint64; }
    }
  }
}
`;

const FAKE_PORTS = `submodule netconfkit-fake-ports {
  yang-version 1.1;
  belongs-to netconfkit-fake { prefix fake; }

  description "The fake device's ports.";

  revision 2026-01-15 { description "First revision."; }

  container ports {
    list port {
      key name;
      leaf name { type string; }
      leaf enabled { type boolean; default true; }
    }
  }
}
`;

const FAKE_TYPES = `module netconfkit-fake-types {
  yang-version 1.1;
  namespace "urn:netconfkit:fake-types";
  prefix ft;

  description "Types the fake device's modules share.";

  revision 2025-11-02 { description "First revision."; }

  typedef name {
    type string { length "1..63"; pattern "[a-z][a-z0-9-]*"; }
    description "A lower-case name.";
  }
}
`;

const FAKE_DEVIATIONS = `module netconfkit-fake-deviations {
  yang-version 1.1;
  namespace "urn:netconfkit:fake-deviations";
  prefix fdev;

  import netconfkit-fake { prefix fake; }

  description "What the fake device does not do of netconfkit-fake.";

  revision 2026-02-01 { description "First revision."; }

  deviation "/fake:system/fake:contact" { deviate not-supported; }
}
`;

/** The modules a FakeDevice has unless told otherwise: small ones of its own. */
export const FAKE_DEVICE_MODULES: readonly FakeYangModule[] = Object.freeze([
  {
    name: 'netconfkit-fake', revision: '2026-01-15', namespace: 'urn:netconfkit:fake', features: ['counters'], deviations: ['netconfkit-fake-deviations'],
    submodules: [{ name: 'netconfkit-fake-ports', revision: '2026-01-15', text: FAKE_PORTS }], text: FAKE_MODULE,
  },
  { name: 'netconfkit-fake-types', revision: '2025-11-02', namespace: 'urn:netconfkit:fake-types', conformance: 'import', text: FAKE_TYPES },
  { name: 'netconfkit-fake-deviations', revision: '2026-02-01', namespace: 'urn:netconfkit:fake-deviations', text: FAKE_DEVIATIONS },
] satisfies FakeYangModule[]);

const SHAPES: readonly FakeYangLibraryShape[] = ['rfc8525', 'rfc7895', 'both', 'none'];

export function isYangLibraryShape(value: unknown): value is FakeYangLibraryShape {
  return SHAPES.includes(value as FakeYangLibraryShape);
}

export class FakeYangLibrary {
  private readonly contentId: string;

  constructor(
    private readonly modules: readonly FakeYangModule[],
    private readonly shape: FakeYangLibraryShape,
  ) {
    this.contentId = createHash('sha256').update(JSON.stringify(modules.map(({ text: _text, ...m }) => m))).digest('hex').slice(0, 16);
  }

  /** The `<data>` of a `<get>` whose filter asks for the YANG library; null when it does not (or the shape is not served). */
  getReply(requestXml: string): string | null {
    if (!requestXml.includes(YANG_LIBRARY_NS)) return null;
    const library = this.shape !== 'rfc7895' && this.shape !== 'none' && asks(requestXml, 'yang-library') ? this.rfc8525() : '';
    const state = this.shape !== 'rfc8525' && this.shape !== 'none' && asks(requestXml, 'modules-state') ? this.rfc7895() : '';
    return library === '' && state === '' ? null : `<data>${library}${state}</data>`;
  }

  /** RFC 6022 `<get-schema>`: the source of a module or submodule, YANG only. */
  getSchema(requestXml: string): string {
    const identifier = elementText(requestXml, 'identifier');
    const version = elementText(requestXml, 'version');
    const format = elementText(requestXml, 'format');
    if (identifier === null || identifier === '') return rpcErrorXml({ type: 'protocol', tag: 'missing-element', message: 'get-schema needs an identifier', info: '<bad-element>identifier</bad-element>' });
    if (format !== null && format !== 'yang' && !format.endsWith(':yang')) return rpcErrorXml({ type: 'application', tag: 'invalid-value', message: `No schema in format ${format}` });
    const sources = [
      ...this.modules.map((m) => ({ name: m.name, revision: m.revision ?? '', text: m.text })),
      ...this.modules.flatMap((m) => (m.submodules ?? []).map((s) => ({ name: s.name, revision: s.revision ?? '', text: s.text }))),
    ].filter((s) => s.name === identifier && (version === null || s.revision === version));
    if (sources.length === 0) return rpcErrorXml({ type: 'application', tag: 'invalid-value', message: `No schema ${identifier}${version ? `@${version}` : ''}` });
    if (sources.length > 1) return rpcErrorXml({ type: 'application', tag: 'operation-failed', message: `More than one revision of ${identifier}: name one` });
    return `<data xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring">${escapeXml(sources[0]!.text)}</data>`;
  }

  private rfc8525(): string {
    const implemented = this.modules.filter((m) => m.conformance !== 'import');
    const imported = this.modules.filter((m) => m.conformance === 'import');
    const set =
      `<module-set><name>complete</name>${implemented.map((m) => moduleXml('module', m, true)).join('')}` +
      `${imported.map((m) => moduleXml('import-only-module', m, false)).join('')}</module-set>`;
    const datastores = ['running', 'candidate']
      .map((ds) => `<datastore><name xmlns:ds="urn:ietf:params:xml:ns:yang:ietf-datastores">ds:${ds}</name><schema>complete</schema></datastore>`)
      .join('');
    return `<yang-library xmlns="${YANG_LIBRARY_NS}">${set}<schema><name>complete</name><module-set>complete</module-set></schema>${datastores}<content-id>${this.contentId}</content-id></yang-library>`;
  }

  private rfc7895(): string {
    const modules = this.modules.map((m) => {
      const deviations = (m.deviations ?? []).map((d) => {
        const revision = this.modules.find((x) => x.name === d)?.revision ?? '';
        return `<deviation><name>${escapeXml(d)}</name><revision>${escapeXml(revision)}</revision></deviation>`;
      });
      const submodules = (m.submodules ?? []).map((s) => `<submodule><name>${escapeXml(s.name)}</name><revision>${escapeXml(s.revision ?? '')}</revision></submodule>`);
      return (
        `<module><name>${escapeXml(m.name)}</name><revision>${escapeXml(m.revision ?? '')}</revision><namespace>${escapeXml(m.namespace)}</namespace>` +
        `${leaves('feature', m.features)}${deviations.join('')}<conformance-type>${m.conformance === 'import' ? 'import' : 'implement'}</conformance-type>${submodules.join('')}</module>`
      );
    });
    return `<modules-state xmlns="${YANG_LIBRARY_NS}"><module-set-id>${this.contentId}</module-set-id>${modules.join('')}</modules-state>`;
  }
}

/** Whether the request names this element (any prefix), as a subtree filter would. */
function asks(xml: string, local: string): boolean {
  return findElement(xml, local) !== null;
}

function moduleXml(element: string, m: FakeYangModule, implemented: boolean): string {
  const revision = m.revision ? `<revision>${escapeXml(m.revision)}</revision>` : '';
  const submodules = (m.submodules ?? [])
    .map((s) => `<submodule><name>${escapeXml(s.name)}</name>${s.revision ? `<revision>${escapeXml(s.revision)}</revision>` : ''}</submodule>`)
    .join('');
  const own = implemented ? `${leaves('feature', m.features)}${leaves('deviation', m.deviations)}` : '';
  return `<${element}><name>${escapeXml(m.name)}</name>${revision}<namespace>${escapeXml(m.namespace)}</namespace>${submodules}${own}</${element}>`;
}

function leaves(name: string, values: readonly string[] | undefined): string {
  return (values ?? []).map((v) => `<${name}>${escapeXml(v)}</${name}>`).join('');
}
