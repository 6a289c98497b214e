import { RpcError } from '../errors/device-error.js';
import type { RpcOptions, Session } from '../session/session.js';
import { YANG_LIBRARY_NS } from '../xml/namespaces.js';
import { type XmlObject, type XmlValue, parseXml } from '../xml/parse-data.js';
import { get } from './rfc6241.js';

/** Where a YANG library came from: RFC 8525 `/yang-library`, RFC 7895 `/modules-state`, or the hello's module capabilities. */
export type YangLibrarySource = 'yang-library' | 'modules-state' | 'hello';

/** A submodule of a module (RFC 8525 `submodule`, RFC 7895 `submodule`). */
export interface YangSubmodule {
  /** The submodule's name. */
  name: string;
  /** Null when the device gives none (a submodule without revision statement). */
  revision: string | null;
  /** URLs the source can be fetched from (RFC 8525 `location`, RFC 7895 `schema`); empty: use `getSchema`. */
  locations: string[];
}

/** A YANG module the device has. */
export interface YangModule {
  /** The module's name (untrusted text from the device). */
  name: string;
  /** Null when the device gives none (a module without revision statement). */
  revision: string | null;
  /** Its XML namespace. */
  namespace: string;
  /** The features the device supports, by name. */
  features: string[];
  /** The modules that deviate this one, by name. */
  deviations: string[];
  /** Its submodules (none from the hello). */
  submodules: YangSubmodule[];
  /** `implement`: its data, RPCs and notifications are there; `import`: only its definitions are used by others. */
  conformance: 'implement' | 'import';
  /** URLs the source can be fetched from; empty: use `getSchema`. */
  locations: string[];
}

/** An RFC 8525 module set. */
export interface YangModuleSet {
  /** The module set's name. */
  name: string;
  /** The implemented modules. */
  modules: YangModule[];
  /** The modules only imported. */
  importOnly: YangModule[];
}

/** An RFC 8525 datastore and the schema (module sets) it holds data for. */
export interface YangDatastore {
  /** The datastore identity's local name (`running`, `operational`, …). */
  name: string;
  /** The schema's name. */
  schema: string;
  /** The module sets of that schema. */
  moduleSets: string[];
}

/** The modules a device has, from whichever source it offers first. */
export interface YangLibrary {
  /** Where the list came from. */
  source: YangLibrarySource;
  /** RFC 8525 `content-id` or RFC 7895 `module-set-id`: changes when the modules change; null from the hello. */
  contentId: string | null;
  /**
   * Every module once (by name and revision): a module implemented in one set and imported in
   * another is `implement`. In the device's order.
   */
  modules: YangModule[];
  /** RFC 8525 only (empty otherwise). */
  moduleSets: YangModuleSet[];
  /** RFC 8525 only (empty otherwise). */
  datastores: YangDatastore[];
}

/** Options of `yangLibrary`: the call's timeout and abort signal, for each request it sends. */
export type YangLibraryOptions = Pick<RpcOptions, 'timeoutMs' | 'idleTimeoutMs' | 'signal' | 'warnings'>;

const LISTS = ['module-set', 'module', 'import-only-module', 'submodule', 'feature', 'deviation', 'location', 'schema', 'datastore'];

/**
 * The device's YANG library: RFC 8525 `/yang-library` when it answers with one, else RFC 7895
 * `/modules-state`, else the module capabilities of its hello. A device that refuses a filter
 * (an rpc-error) or answers empty moves the search on; other failures (timeouts, a lost
 * connection) are thrown.
 */
export async function yangLibrary(session: Session, options: YangLibraryOptions = {}): Promise<YangLibrary> {
  const library = await read(session, 'yang-library', options);
  if (library) return fromYangLibrary(library);
  const state = await read(session, 'modules-state', options);
  if (state) return fromModulesState(state);
  return fromHello(session);
}

async function read(session: Session, root: 'yang-library' | 'modules-state', options: YangLibraryOptions): Promise<XmlObject | null> {
  let data: string;
  try {
    data = (await get(session, { ...options, filter: `<${root} xmlns="${YANG_LIBRARY_NS}"/>` })).data;
  } catch (err) {
    if (err instanceof RpcError) return null;
    throw err;
  }
  const parsed = parseXml(`<data>${data}</data>`, { arrays: LISTS }).data;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const found = parsed[root];
  return typeof found === 'object' && !Array.isArray(found) && Object.keys(found).some((k) => !k.startsWith('@_')) ? found : null;
}

function fromYangLibrary(lib: XmlObject): YangLibrary {
  const moduleSets = objects(lib['module-set']).map((set) => ({
    name: text(set.name) ?? '',
    modules: objects(set.module).map((m) => module(m, 'implement')),
    importOnly: objects(set['import-only-module']).map((m) => module(m, 'import')),
  }));
  const schemas = new Map(objects(lib.schema).map((s) => [text(s.name) ?? '', texts(s['module-set'])]));
  const datastores = objects(lib.datastore).map((d) => {
    const schema = text(d.schema) ?? '';
    return { name: localName(text(d.name) ?? ''), schema, moduleSets: schemas.get(schema) ?? [] };
  });
  return { source: 'yang-library', contentId: text(lib['content-id']), modules: unique(moduleSets.flatMap((s) => [...s.modules, ...s.importOnly])), moduleSets, datastores };
}

function fromModulesState(state: XmlObject): YangLibrary {
  const modules = objects(state.module).map((m) => ({
    ...module(m, text(m['conformance-type']) === 'import' ? 'import' : 'implement'),
    // RFC 7895 lists each deviation as { name, revision } and the source URL as `schema`.
    deviations: objects(m.deviation).map((d) => text(d.name) ?? '').filter((n) => n !== ''),
    locations: texts(m.schema),
  }));
  return { source: 'modules-state', contentId: text(state['module-set-id']), modules: unique(modules), moduleSets: [], datastores: [] };
}

function fromHello(session: Session): YangLibrary {
  const modules = session.capabilities.modules.map((m): YangModule => ({
    name: m.module, revision: m.revision, namespace: m.namespace, features: m.features, deviations: m.deviations, submodules: [], conformance: 'implement', locations: [],
  }));
  return { source: 'hello', contentId: null, modules: unique(modules), moduleSets: [], datastores: [] };
}

function module(m: XmlObject, conformance: 'implement' | 'import'): YangModule {
  return {
    name: text(m.name) ?? '',
    revision: text(m.revision),
    namespace: text(m.namespace) ?? '',
    features: texts(m.feature),
    deviations: texts(m.deviation),
    submodules: objects(m.submodule).map((s) => ({ name: text(s.name) ?? '', revision: text(s.revision), locations: [...texts(s.location), ...texts(s.schema)] })),
    conformance,
    locations: texts(m.location),
  };
}

/** One entry per name and revision; `implement` wins over `import`. */
function unique(modules: YangModule[]): YangModule[] {
  const byKey = new Map<string, YangModule>();
  for (const m of modules) {
    const key = `${m.name}@${m.revision ?? ''}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, m);
    else if (seen.conformance === 'import' && m.conformance === 'implement') byKey.set(key, m);
  }
  return [...byKey.values()];
}

function list(value: XmlValue | undefined): XmlValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function objects(value: XmlValue | undefined): XmlObject[] {
  return list(value).filter((v): v is XmlObject => typeof v === 'object' && !Array.isArray(v));
}

/** The trimmed text of a leaf; null when absent or empty. */
function text(value: XmlValue | undefined): string | null {
  const first = list(value)[0];
  const t = typeof first === 'string' ? first : first !== undefined && !Array.isArray(first) && typeof first['#text'] === 'string' ? first['#text'] : '';
  return t.trim() === '' ? null : t.trim();
}

function texts(value: XmlValue | undefined): string[] {
  return list(value).map((v) => text(v)).filter((t): t is string => t !== null);
}

/** `ds:running` → `running`: the identity's name without its module prefix. */
function localName(identity: string): string {
  return identity.slice(identity.indexOf(':') + 1);
}
