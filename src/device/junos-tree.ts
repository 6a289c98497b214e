import { type XmlObject, type XmlValue, parseXml } from '../xml/parse-data.js';
import { escapeXml } from './replies.js';

/**
 * The fake Junos configuration as a tree, without a schema: read from XML, curly-brace text,
 * `set` / `delete` commands, JSON and `show | compare` patches; merged, replaced and deleted
 * into; written back in each format; compared (`show | compare`). Names are the XML element
 * names (`interfaces interface ge-0/0/0`), except that the names the Junos CLI leaves out
 * are understood on input (`set interfaces ge-0/0/0 …`). What cannot be known without the
 * schema is decided by simple rules (see the device README).
 */

export interface ConfigNode {
  readonly name: string;
  /** A list entry's key (its `<name>`), else null. */
  readonly key: string | null;
  /** A leaf's value (`''` for a flag such as `disable;`); null for a container. */
  readonly value: string | null;
  readonly children: readonly ConfigNode[];
  /** In a change only: delete or replace this node instead of merging it. */
  readonly op?: 'delete' | 'replace';
}

export type Config = readonly ConfigNode[];

/** A configuration the device cannot read (answered as a load error). */
export class ConfigSyntaxError extends Error {}

const NAME = /^[a-z][a-z0-9_-]*$/;
/** Lists whose entries are keyed by the word after the list name (`unit 0`, `user alice`). */
const KEYED = new Set([
  'interface', 'unit', 'user', 'group', 'vlan', 'route', 'neighbor', 'term', 'filter', 'policy-statement', 'prefix-list', 'instance',
  'address', 'name-server', 'security-zone', 'community', 'file', 'server', 'host', 'application', 'policy', 'zone',
]);
/** Where the Junos CLI leaves the list name out: `interfaces ge-0/0/0` is `interfaces interface ge-0/0/0`. */
const HIDDEN: Readonly<Record<string, string>> = { interfaces: 'interface', vlans: 'vlan', 'routing-instances': 'instance', 'bridge-domains': 'domain' };

const leaf = (name: string, value: string, op?: ConfigNode['op']): ConfigNode => ({ name, key: null, value, children: [], ...(op ? { op } : {}) });
const container = (name: string, key: string | null, children: ConfigNode[], op?: ConfigNode['op']): ConfigNode =>
  ({ name, key, value: null, children, ...(op ? { op } : {}) });

/** A leaf and a list entry are found by name and key; a leaf and a container of one name are the same statement. */
function idOf(n: ConfigNode): string {
  return n.key === null ? n.name : `${n.name}\u0000${n.key}`;
}

// ---- reading -------------------------------------------------------------------------

/** The XML inside `<configuration>`; `delete="delete"`, `replace="replace"` and `operation=` mark changes. */
export function fromXml(xml: string): ConfigNode[] {
  let root: XmlValue | undefined;
  try {
    root = parseXml(`<configuration>${xml}</configuration>`).configuration;
  } catch (err) {
    throw new ConfigSyntaxError(err instanceof Error ? err.message : String(err));
  }
  return xmlChildren(root);
}

function xmlChildren(value: XmlValue | undefined, skip?: string): ConfigNode[] {
  if (value === undefined || typeof value === 'string' || Array.isArray(value)) return [];
  const out: ConfigNode[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (name.startsWith('@_') || name === '#text' || name === skip) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(xmlNode(name, one));
  }
  return out;
}

function xmlNode(name: string, value: XmlValue): ConfigNode {
  if (typeof value === 'string' || Array.isArray(value)) return leaf(name, typeof value === 'string' ? value : '');
  const op = xmlOp(value);
  const key = typeof value.name === 'string' ? value.name : null;
  const children = xmlChildren(value, key === null ? undefined : 'name');
  const elements = Object.keys(value).some((k) => !k.startsWith('@_') && k !== '#text');
  if (!elements) return leaf(name, typeof value['#text'] === 'string' ? value['#text'] : '', op);
  return container(name, key, children, op);
}

function xmlOp(value: XmlObject): ConfigNode['op'] {
  const operation = value['@_operation'];
  if (value['@_delete'] === 'delete' || operation === 'delete' || operation === 'remove') return 'delete';
  if (value['@_replace'] === 'replace' || operation === 'replace') return 'replace';
  return undefined;
}

/** Curly-brace text (`system { host-name lab1; }`); `replace:` and `delete:` mark changes. */
export function fromText(text: string): ConfigNode[] {
  const words = tokenize(text);
  const [nodes, end] = statements(words, 0, null);
  if (end < words.length) throw new ConfigSyntaxError(`syntax error: unexpected ${words[end]!.text}`);
  return nodes;
}

interface Token {
  text: string;
  quoted: boolean;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '#') i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if ('{};[]'.includes(c)) {
      out.push({ text: c, quoted: false });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new ConfigSyntaxError('syntax error: unterminated quoted string');
      out.push({ text: value, quoted: true });
      i++;
    } else {
      const start = i;
      while (i < text.length && !/[\s{};[\]"]/.test(text[i]!)) i++;
      out.push({ text: text.slice(start, i), quoted: false });
    }
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

const PREFIXES: Readonly<Record<string, ConfigNode['op'] | null>> = { 'replace:': 'replace', 'delete:': 'delete', 'inactive:': null, 'active:': null, 'protect:': null };

function statements(tokens: Token[], from: number, parent: string | null): [ConfigNode[], number] {
  const out: ConfigNode[] = [];
  let i = from;
  while (i < tokens.length && !isPunct(tokens[i]!, '}')) {
    let op: ConfigNode['op'];
    const words: Token[] = [];
    const list: Token[] = [];
    while (i < tokens.length && !isPunct(tokens[i]!, '{') && !isPunct(tokens[i]!, ';') && !isPunct(tokens[i]!, '}')) {
      const t = tokens[i]!;
      if (!t.quoted && words.length === 0 && t.text in PREFIXES) op = PREFIXES[t.text] ?? op;
      else if (isPunct(t, '[')) {
        for (i++; i < tokens.length && !isPunct(tokens[i]!, ']'); i++) list.push(tokens[i]!);
      } else words.push(t);
      i++;
    }
    if (words.length === 0 || i >= tokens.length || isPunct(tokens[i]!, '}')) throw new ConfigSyntaxError('syntax error: a statement ends without ; or {');
    if (isPunct(tokens[i]!, '{')) {
      const [children, end] = statements(tokens, i + 1, words[0]!.text);
      if (end >= tokens.length) throw new ConfigSyntaxError('syntax error: missing }');
      const head = statementHead(words, parent);
      out.push(container(head.name, head.key, children, op));
      i = end + 1;
    } else {
      out.push(...leafStatement(words, list, parent, op));
      i++;
    }
  }
  if (parent === null && i < tokens.length) throw new ConfigSyntaxError('syntax error: unexpected }');
  return [out, i];
}

function isPunct(t: Token, c: string): boolean {
  return !t.quoted && t.text === c;
}

/** `name` or `name key`; a key alone where the CLI leaves the list name out. */
function statementHead(words: Token[], parent: string | null): { name: string; key: string | null } {
  const [first, ...rest] = words;
  if (first!.quoted || !NAME.test(first!.text)) {
    const hidden = parent === null ? undefined : HIDDEN[parent];
    if (hidden === undefined || rest.length > 0) throw new ConfigSyntaxError(`syntax error: ${first!.text}`);
    return { name: hidden, key: first!.text };
  }
  return { name: first!.text, key: rest.length === 0 ? null : rest.map((w) => w.text).join(' ') };
}

function leafStatement(words: Token[], list: Token[], parent: string | null, op: ConfigNode['op']): ConfigNode[] {
  const head = statementHead(words.slice(0, 1), parent);
  if (head.key !== null) return [container(head.name, head.key, [], op)];
  const rest = words.slice(1).map((w) => w.text);
  if (list.length > 0) return list.map((t) => leaf(head.name, t.text, op));
  if (rest.length === 0) return [leaf(head.name, '', op)];
  if (KEYED.has(head.name)) return [container(head.name, rest.join(' '), [], op)];
  return [leaf(head.name, rest.join(' '), op)];
}

/** `set` and `delete` commands, one a line (`#` comments and blank lines skipped). */
export function fromSet(text: string): ConfigNode[] {
  const out: ConfigNode[] = [];
  for (const line of text.split('\n')) {
    const words = tokenize(line);
    if (words.length === 0) continue;
    const verb = words[0]!.text;
    if (verb !== 'set' && verb !== 'delete') throw new ConfigSyntaxError(`syntax error: ${verb}`);
    if (words.length < 2) throw new ConfigSyntaxError(`syntax error: ${verb} needs a statement`);
    out.push(commandPath(words.slice(1), verb === 'delete' ? 'delete' : undefined));
  }
  return out;
}

/** The words of one command as nested statements, the last one a leaf (or a list entry) carrying `op`. */
function commandPath(words: Token[], op: ConfigNode['op']): ConfigNode {
  const chain: { name: string; key: string | null }[] = [];
  let parent: string | null = null;
  let i = 0;
  let last: ConfigNode | null = null;
  while (last === null) {
    const w = words[i]!;
    const left = words.length - i - 1;
    // Every top-level statement is a container (system, interfaces, protocols, …).
    if (left === 0 && !w.quoted && NAME.test(w.text)) last = i === 0 ? container(w.text, null, [], op) : leaf(w.text, '', op);
    else if (left === 1 && i > 0 && !w.quoted && NAME.test(w.text) && HIDDEN[w.text] === undefined) {
      last = KEYED.has(w.text) ? container(w.text, words[i + 1]!.text, [], op) : leaf(w.text, words[i + 1]!.text, op);
    } else {
      const [head, used] = step(words, i, parent);
      i += used;
      if (i >= words.length) last = container(head.name, head.key, [], op);
      else chain.push(head);
      parent = head.name;
    }
  }
  return chain.length === 0 ? last : nest(chain, [last]);
}

/** One statement of a hierarchy given as words: `name`, `name key`, or a key whose list name the CLI leaves out. */
function step(words: Token[], i: number, parent: string | null): [{ name: string; key: string | null }, number] {
  const w = words[i]!;
  if (w.quoted || !NAME.test(w.text)) return [statementHead([w], parent), 1];
  const next = words[i + 1];
  const keyed = next !== undefined && (KEYED.has(w.text) || (HIDDEN[w.text] === undefined && (next.quoted || !NAME.test(next.text))));
  return keyed ? [{ name: w.text, key: next.text }, 2] : [{ name: w.text, key: null }, 1];
}

function nest(chain: { name: string; key: string | null }[], inside: ConfigNode[]): ConfigNode {
  const [innermost, ...outer] = [...chain].reverse();
  let node = container(innermost!.name, innermost!.key, inside);
  for (const c of outer) node = container(c.name, c.key, [node]);
  return node;
}

/** Junos JSON: `{"configuration": {…}}`, `[null]` for a flag, `"@": {"operation": "delete"}` marks a change. */
export function fromJson(text: string): ConfigNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigSyntaxError(`syntax error: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = isObject(doc) && isObject(doc.configuration) ? doc.configuration : isObject(doc) ? doc : null;
  if (root === null) throw new ConfigSyntaxError('syntax error: the JSON is not an object');
  return jsonChildren(root);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonChildren(obj: Record<string, unknown>, skip?: string): ConfigNode[] {
  return Object.entries(obj).filter(([k]) => k !== '@' && k !== skip).flatMap(([k, v]) => jsonNodes(k, v));
}

function jsonNodes(name: string, v: unknown): ConfigNode[] {
  if (v === null || (Array.isArray(v) && v.length === 1 && v[0] === null)) return [leaf(name, '')];
  if (Array.isArray(v)) return v.flatMap((one) => jsonNodes(name, one));
  if (!isObject(v)) return [leaf(name, String(v))];
  const attrs = isObject(v['@']) ? v['@'] : {};
  const op = attrs.operation === 'delete' ? 'delete' : attrs.operation === 'replace' ? 'replace' : undefined;
  const key = typeof v.name === 'string' ? v.name : null;
  return [container(name, key, jsonChildren(v, key === null ? undefined : 'name'), op)];
}

/** A `show | compare` text: `[edit …]` headers, then `+` lines to add and `-` lines to delete there. */
export function fromPatch(text: string): ConfigNode[] {
  const out: ConfigNode[] = [];
  let path: Token[] = [];
  let plus: string[] = [];
  let minus: string[] = [];
  const flush = () => {
    const parent = path.length > 0 ? path[path.length - 1]!.text : null;
    const added = statements(tokenize(plus.join('\n')), 0, parent)[0];
    // A statement both removed and added is changed where it stands.
    const removed = statements(tokenize(minus.join('\n')), 0, parent)[0].filter((n) => !added.some((a) => idOf(a) === idOf(n)));
    const changes = [...removed.map((n) => ({ ...n, op: 'delete' as const })), ...added];
    if (changes.length > 0) out.push(...wrap(path, changes));
    plus = [];
    minus = [];
  };
  for (const line of text.split('\n')) {
    const header = /^\[edit(?:\s+(.*))?\]\s*$/.exec(line.trim());
    if (header) {
      flush();
      path = tokenize(header[1] ?? '');
    } else if (line.startsWith('+')) plus.push(line.slice(1));
    else if (line.startsWith('-')) minus.push(line.slice(1));
  }
  flush();
  return out;
}

/** Statements placed at a hierarchy given as words (`interfaces ge-0/0/0 unit 0`). */
function wrap(path: Token[], nodes: ConfigNode[]): ConfigNode[] {
  const chain: { name: string; key: string | null }[] = [];
  let parent: string | null = null;
  for (let i = 0; i < path.length;) {
    const [head, used] = step(path, i, parent);
    chain.push(head);
    parent = head.name;
    i += used;
  }
  return chain.length === 0 ? nodes : [nest(chain, nodes)];
}

// ---- changing ------------------------------------------------------------------------

/** `base` with `change` merged in: new statements added, leaves replaced, `op` applied. */
export function merge(base: Config, change: Config): ConfigNode[] {
  let out = [...base];
  const replaced = new Set<string>();
  for (const c of change) {
    const id = idOf(c);
    if (c.value !== null && c.op === undefined && (leaves(change, id) > 1 || leaves(base, id) > 1)) {
      // A leaf-list (several leaves of one name, in the change or in the configuration) is replaced as a whole.
      if (!replaced.has(id)) out = out.filter((n) => idOf(n) !== id);
      replaced.add(id);
      out.push(plain(c));
      continue;
    }
    const at = out.findIndex((n) => idOf(n) === id);
    const b = out[at];
    if (b === undefined) {
      if (c.op !== 'delete') out.push(plain(c));
    } else if (c.op === 'delete') {
      // `delete system services ssh` reads as a leaf; against a container it names a statement inside.
      const inside = b.value === null ? flagged(c) : null;
      if (inside) out[at] = container(b.name, b.key, merge(b.children, [{ ...inside, op: 'delete' }]));
      else out.splice(at, 1);
    } else if (c.op === 'replace') out[at] = plain(c);
    else if (b.value === null && c.value === null) out[at] = container(b.name, b.key, merge(b.children, c.children));
    else {
      // `services ssh` (a leaf, as a set command reads it) meets `services { … }`: one container.
      const asBlock = b.value === null ? b : flagged(b) === null ? null : container(b.name, b.key, [flagged(b)!]);
      const changeBlock = c.value === null ? c : flagged(c) === null ? null : container(c.name, c.key, [flagged(c)!]);
      out[at] = asBlock && changeBlock && (b.value === null || c.value === null) ? container(b.name, b.key, merge(asBlock.children, changeBlock.children)) : plain(c);
    }
  }
  return out;
}

function leaves(config: Config, id: string): number {
  return config.filter((n) => n.value !== null && n.op === undefined && idOf(n) === id).length;
}

/** The flag a one-word leaf value may stand for (`services ssh` as `services { ssh; }`), or null. */
function flagged(n: ConfigNode): ConfigNode | null {
  return n.value !== null && NAME.test(n.value) ? leaf(n.value, '') : null;
}

/** A change as configuration: its marks gone, what it deletes left out. */
export function plain(n: ConfigNode): ConfigNode {
  const children = n.children.filter((c) => c.op !== 'delete').map(plain);
  return n.value !== null ? leaf(n.name, n.value) : container(n.name, n.key, children);
}

// ---- writing -------------------------------------------------------------------------

/** The XML inside `<configuration>`, one element a line. */
export function toXml(config: Config): string {
  const lines: string[] = [];
  const walk = (n: ConfigNode) => {
    if (n.value !== null) lines.push(n.value === '' ? `<${n.name}/>` : `<${n.name}>${escapeXml(n.value)}</${n.name}>`);
    else {
      lines.push(`<${n.name}>`);
      if (n.key !== null) lines.push(`<name>${escapeXml(n.key)}</name>`);
      n.children.forEach(walk);
      lines.push(`</${n.name}>`);
    }
  };
  config.forEach(walk);
  return lines.join('\n');
}

/** Junos curly-brace text, four spaces an indent. */
export function toText(config: Config, indent = ''): string[] {
  const lines: string[] = [];
  for (const n of config) {
    if (n.value !== null) lines.push(`${indent}${n.name}${n.value === '' ? '' : ` ${quote(n.value)}`};`);
    else if (n.children.length === 0) lines.push(`${indent}${words(n)};`);
    else lines.push(`${indent}${words(n)} {`, ...toText(n.children, `${indent}    `), `${indent}}`);
  }
  return lines;
}

/** `set` commands, one per leaf (or childless statement). */
export function toSet(config: Config, path = ''): string[] {
  return config.flatMap((n) => {
    const here = path === '' ? words(n) : `${path} ${words(n)}`;
    if (n.value !== null) return [`set ${path === '' ? '' : `${path} `}${n.name}${n.value === '' ? '' : ` ${quote(n.value)}`}`];
    return n.children.length === 0 ? [`set ${here}`] : toSet(n.children, here);
  });
}

/** Junos JSON (`{"configuration": {…}}`): leaves as strings, a flag as `[null]`, repeated names as arrays. */
export function toJson(config: Config): string {
  const object = (nodes: Config): Record<string, unknown> => {
    const out: Record<string, unknown[]> = {};
    for (const n of nodes) {
      const value = n.value === '' ? [null] : n.value !== null ? n.value : { ...(n.key === null ? {} : { name: n.key }), ...object(n.children) };
      (out[n.name] ??= []).push(value);
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  };
  return JSON.stringify({ configuration: object(config) }, null, 4);
}

/** `show | compare`: `[edit …]` headers with `-` and `+` lines, as Junos prints them; '' when equal. */
export function diff(before: Config, after: Config): string {
  return compare(before, after, []).join('\n');
}

/** In configuration order: a header before each run of changes at one level, then the levels below. */
function compare(before: Config, after: Config, path: string[]): string[] {
  const out: string[] = [];
  let headed = false;
  const mark = (n: ConfigNode, m: '+' | '-') => toText([n]).map((l) => `${m}   ${l}`);
  const seen = new Set<string>();
  const ids = [...before, ...after].map(idOf).filter((id) => !seen.has(id) && seen.add(id));
  for (const id of ids) {
    const olds = before.filter((n) => idOf(n) === id);
    const news = after.filter((n) => idOf(n) === id);
    const [o, n] = [olds[0], news[0]];
    if (olds.length === 1 && news.length === 1 && o!.value === null && n!.value === null) {
      const below = compare(o!.children, n!.children, [...path, words(o!)]);
      if (below.length > 0) headed = false;
      out.push(...below);
    } else if (!sameStatements(olds, news)) {
      if (!headed) out.push(`[edit${path.length === 0 ? '' : ` ${path.join(' ')}`}]`);
      headed = true;
      out.push(...olds.flatMap((x) => mark(x, '-')), ...news.flatMap((x) => mark(x, '+')));
    }
  }
  return out;
}

function sameStatements(a: ConfigNode[], b: ConfigNode[]): boolean {
  return toText(a).join('\n') === toText(b).join('\n');
}

/** `name`, or `name key` for a list entry. */
function words(n: ConfigNode): string {
  return n.key === null ? n.name : `${n.name} ${quote(n.key)}`;
}

function quote(text: string): string {
  return /^[^\s";{}#[\]]+$/.test(text) ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The `system host-name`, or null. */
export function hostNameOf(config: Config): string | null {
  const system = config.find((n) => n.name === 'system' && n.value === null);
  const host = system?.children.find((n) => n.name === 'host-name' && n.value !== null);
  return host?.value?.trim() || null;
}
