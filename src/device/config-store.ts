import { decodeEntities } from '../xml/entities.js';
import { type Tag, attributes, childElements, rootElement } from '../xml/query.js';

/**
 * FakeDevice's configuration, just deep enough for YANG-Push: `running` and `candidate` hold
 * top-level elements, each kept whole as XML. `<edit-config>` merges at the top level (an
 * element replaces the one with the same name and namespace, `operation="delete"` or
 * `"remove"` on it deletes it), `<commit>` copies candidate to running, `<discard-changes>`
 * copies running to candidate; an unedited candidate follows running. What changed in running is reported, element by element.
 */

/** One top-level element that changed in running. */
export interface ConfigEdit {
  operation: 'create' | 'replace' | 'delete';
  /** The element's local name. */
  name: string;
  /** Its namespace (`xmlns` on it), or null. */
  namespace: string | null;
  /** The element as it is now (null once deleted). */
  xml: string | null;
}

type Store = Map<string, { name: string; namespace: string | null; xml: string }>;

export class ConfigStore {
  private running: Store = new Map();
  private candidate: Store = new Map();
  /** The candidate was edited since the last commit or discard; until then it follows running. */
  private dirty = false;

  constructor(private readonly onChange: (edits: ConfigEdit[]) => void) {}

  /** The datastore's content: its top-level elements, in the order they were first made. */
  xml(datastore: string): string {
    const store = datastore === 'candidate' ? this.candidate : this.running;
    return [...store.values()].map((e) => e.xml).join('');
  }

  /** `<edit-config>` of `config` (the inner XML of `<config>`) into running or candidate. */
  edit(target: string, config: string): void {
    if (target !== 'running' && target !== 'candidate') return;
    const store = target === 'running' ? this.running : this.candidate;
    const before = new Map(store);
    const wrapped = `<config>${config}</config>`;
    const root = rootElement(wrapped);
    if (!root) return;
    for (const span of childElements(wrapped, root)) {
      if (span.end === -1) continue;
      const xml = wrapped.slice(span.tag.start, span.end);
      const namespace = attributeOf(wrapped, span.tag, 'xmlns');
      const key = `${namespace ?? ''} ${span.tag.local}`;
      const operation = attributeOf(wrapped, span.tag, 'operation');
      if (operation === 'delete' || operation === 'remove') store.delete(key);
      else store.set(key, { name: span.tag.local, namespace, xml });
    }
    if (target === 'candidate') this.dirty = true;
    else {
      if (!this.dirty) this.candidate = new Map(this.running);
      this.report(before, this.running);
    }
  }

  /** `<commit>`: running becomes candidate. */
  commit(): void {
    const before = this.running;
    this.running = new Map(this.candidate);
    this.dirty = false;
    this.report(before, this.running);
  }

  /** `<discard-changes>`: candidate becomes running. */
  discard(): void {
    this.candidate = new Map(this.running);
    this.dirty = false;
  }

  private report(before: Store, after: Store): void {
    const edits: ConfigEdit[] = [];
    for (const [key, now] of after) {
      const was = before.get(key);
      if (was?.xml === now.xml) continue;
      edits.push({ operation: was ? 'replace' : 'create', name: now.name, namespace: now.namespace, xml: now.xml });
    }
    for (const [key, was] of before) if (!after.has(key)) edits.push({ operation: 'delete', name: was.name, namespace: was.namespace, xml: null });
    if (edits.length > 0) this.onChange(edits);
  }
}

/** An attribute of a start tag by local name (`xmlns` itself, or `operation` with any prefix), or null. */
function attributeOf(xml: string, tag: Tag, local: string): string | null {
  for (const a of attributes(xml, tag)) {
    if (a.name === local || (local !== 'xmlns' && a.name.endsWith(`:${local}`) && !a.name.startsWith('xmlns:'))) {
      return decodeEntities(xml.slice(a.valueStart, a.valueEnd));
    }
  }
  return null;
}
