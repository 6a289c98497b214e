import { SKELETON_WASM } from './skeleton-wasm.generated.js';

/**
 * The extractor's element stack (each open element's kind and name), kept in the memory of the
 * WebAssembly skeleton pass (assembly/skeleton.ts), which walks ordinary stretches of a message
 * (text, elements of no interest) at a few bytes per instruction and hands every other token
 * back to the extractor.
 *
 * One module instance serves every extractor of the process: the stack in its memory is its
 * current owner's. An extractor that finds another owner there saves that one's stack aside
 * (a few bytes per open element) and loads its own, so many sessions can read at once.
 */

// The few WebAssembly types used (TypeScript's are in the DOM library, which this project leaves out).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface SkeletonExports {
  memory: WasmMemory;
  header(): number;
  heapBase(): number;
  run(from: number, end: number): number;
}

// Header slots (assembly/skeleton.ts).
const DEPTH = 0, NAMES_END = 1, MAX_DEPTH = 2, MAX_TAG = 3, PATH_NEXT = 4, PATH_CLOSE = 5, TOP_NS = 6,
  ENGINE_DEPTH = 7, STACK_CAP = 8, NAMES_CAP = 9, KINDS = 10, STARTS = 11, LENS = 12, NAMES = 13, REASON = 14,
  DECLARATION = 15, DECLARATION_LENGTH = 16, DECLARATION_OPENS = 17, SCOPE_DEPTH = 18, ITEM_DEPTH = 19, ITEM_NAME = 20,
  ITEM_NAME_LENGTH = 21, ITEM_START = 22, MAX_ITEM = 23, SPANS = 24, SPANS_CAP = 25, SPAN_COUNT = 26;
const STOP_INCOMPLETE = 2, STOP_DONE = 3;

/** Bytes copied into the module per run; 16 more are readable past a window's end. */
const WINDOW = 64 * 1024;
/** Bytes after each region: what the pass's 16-byte loads read, and its 16-byte copies of a name write, past a region's end. */
const PAD = 64;
/** The longest namespace declaration the pass is given (longer ones stop it). */
const DECLARATION_BYTES = 1024;
/** The longest item name the pass is given (items of a longer one are cut out by the extractor). */
const ITEM_NAME_BYTES = 256;
/** Items the pass cuts out per run at most (it stops at the next one's end tag). */
const MAX_SPANS = 512;

class Engine {
  readonly exports: SkeletonExports;
  private readonly base: number;
  header: Int32Array;
  bytes!: Buffer;
  kinds!: Uint8Array;
  starts!: Int32Array;
  lens!: Int32Array;
  readonly window: number;
  names = 0;
  stackCap = 0;
  namesCap = 0;
  owner: ElementStack | null = null;
  /** Where the declaration the pass knows is, and which one it holds. */
  readonly declaration: number;
  declarationBytes: Buffer | null = null;
  /** Where the item name the pass knows is, and which one it holds; where the items' spans go. */
  readonly itemName: number;
  itemNameBytes: Buffer | null = null;
  readonly spans: number;
  spanWords!: Int32Array;
  /** The stack whose bytes the window holds (null: none). */
  windowUser: ElementStack | null = null;

  constructor() {
    const module = new WebAssembly.Module(Buffer.from(SKELETON_WASM, 'base64'));
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as SkeletonExports;
    this.base = align(this.exports.heapBase());
    this.window = this.base;
    this.declaration = this.window + WINDOW + PAD;
    this.itemName = this.declaration + DECLARATION_BYTES + PAD;
    this.spans = this.itemName + ITEM_NAME_BYTES + PAD;
    this.header = new Int32Array(this.exports.memory.buffer, this.exports.header(), 32);
    this.layout(64, 8 * 1024);
  }

  /** Places the stack's regions after the window, for `stackCap` elements and `namesCap` name bytes; the owner's stack moves along. */
  layout(stackCap: number, namesCap: number): void {
    // Copies: growing the memory detaches every view of it.
    const old = this.bytes ? { kinds: this.kinds.slice(), starts: this.starts.slice(), lens: this.lens.slice(), names: Buffer.from(this.bytes.subarray(this.names, this.names + this.namesCap)) } : null;
    const kinds = this.spans + 8 * MAX_SPANS;
    const starts = align(kinds + stackCap);
    const lens = starts + 4 * stackCap;
    const names = lens + 4 * stackCap;
    const memory = this.exports.memory;
    const need = names + namesCap + PAD;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    const bytes = Buffer.from(buffer);
    if (old) bytes.set(old.names, names);
    this.bytes = bytes;
    this.kinds = new Uint8Array(buffer, kinds, stackCap);
    this.starts = new Int32Array(buffer, starts, stackCap);
    this.lens = new Int32Array(buffer, lens, stackCap);
    this.spanWords = new Int32Array(buffer, this.spans, 2 * MAX_SPANS);
    if (old) {
      this.kinds.set(old.kinds);
      this.starts.set(old.starts);
      this.lens.set(old.lens);
    }
    this.names = names;
    this.stackCap = stackCap;
    this.namesCap = namesCap;
    const h = new Int32Array(buffer, this.exports.header(), 32);
    this.header = h;
    h[STACK_CAP] = stackCap;
    h[NAMES_CAP] = namesCap;
    h[KINDS] = kinds;
    h[STARTS] = starts;
    h[LENS] = lens;
    h[NAMES] = names;
    this.windowUser = null;
  }

  /** Room for `depth` elements and `namesBytes` bytes of names. */
  reserve(depth: number, namesBytes: number): void {
    if (depth <= this.stackCap && namesBytes <= this.namesCap) return;
    let stackCap = this.stackCap;
    let namesCap = this.namesCap;
    while (stackCap < depth) stackCap *= 2;
    while (namesCap < namesBytes) namesCap *= 2;
    this.layout(stackCap, namesCap);
  }
}

let engine: Engine | null = null;

/** One extractor's element stack (see the module's comment). */
export class ElementStack {
  private readonly engine: Engine;
  /**
   * After skim(): the depth of an element the pass opened with the declaration that opens a
   * scope, still open (-1: none); the extractor takes its scope over.
   */
  scopeDepth = -1;
  /** Open elements, and the bytes of their names. */
  private depth = 0;
  private namesEnd = 0;
  /** Our stack while another extractor owns the module's memory. */
  private saved: { kinds: Uint8Array; starts: Int32Array; lens: Int32Array; names: Buffer } | null = null;
  /** The bytes of `windowBuf` the module's window holds. */
  private windowBuf: Buffer | null = null;
  private windowFrom = 0;
  private windowTo = 0;
  /** After skim(): the watched path's state, as the pass left it (see SkimLimits). */
  pathNext = -1;
  pathClose = -1;
  /**
   * After skim(): the items the pass cut out, as offsets into the buffer walked (start, end, …),
   * and the offset of an item it opened and did not close (-1: none), which the extractor takes over.
   */
  readonly spans: number[] = [];
  openItem = -1;

  constructor() {
    this.engine = engine ??= new Engine();
  }

  /** Makes the module's memory hold this stack. */
  private own(): Engine {
    const e = this.engine;
    if (e.owner === this) return e;
    e.owner?.save();
    e.owner = this;
    const s = this.saved;
    if (s) {
      e.reserve(s.kinds.length, this.namesEnd);
      e.kinds.set(s.kinds);
      e.starts.set(s.starts);
      e.lens.set(s.lens);
      e.bytes.set(s.names, e.names);
      this.saved = null;
    }
    return e;
  }

  private save(): void {
    const e = this.engine;
    const d = this.depth;
    // The kind of the element that ended last is read once it has left the stack: kept too.
    const kept = Math.min(d + 1, e.stackCap);
    this.saved = {
      kinds: e.kinds.slice(0, kept), starts: e.starts.slice(0, d), lens: e.lens.slice(0, d),
      names: Buffer.from(e.bytes.subarray(e.names, e.names + this.namesEnd)),
    };
  }

  /** The kind of the element open at depth `d`, or of the last one there once it ended. */
  kind(d: number): number {
    return this.own().kinds[d]!;
  }

  nameLength(d: number): number {
    return this.own().lens[d]!;
  }

  /** Whether `buf` holds at `from` the `len` bytes of the name of the element open at depth `d`. */
  isName(buf: Buffer, from: number, d: number, len: number): boolean {
    const e = this.own();
    const names = e.bytes;
    const start = e.names + e.starts[d]!;
    for (let k = 0; k < len; k++) if (names[start + k] !== buf[from + k]) return false;
    return true;
  }

  /** The name of the element open at depth `d`. */
  name(d: number): string {
    const e = this.own();
    const start = e.names + e.starts[d]!;
    return e.bytes.toString('utf8', start, start + e.lens[d]!);
  }

  /** Opens an element at depth `d` (the stack's depth), named by `buf[from, to)`. */
  push(d: number, buf: Buffer, from: number, to: number, kind: number): void {
    const e = this.own();
    const len = to - from;
    e.reserve(d + 1, this.namesEnd + len);
    e.kinds[d] = kind;
    e.starts[d] = this.namesEnd;
    e.lens[d] = len;
    const names = e.bytes;
    const at = e.names + this.namesEnd;
    if (len > 32) buf.copy(names, at, from, to);
    else for (let k = 0; k < len; k++) names[at + k] = buf[from + k]!;
    this.namesEnd += len;
    this.depth = d + 1;
  }

  /** The element open at depth `d` (the innermost) has ended. */
  close(d: number): void {
    this.namesEnd = this.own().starts[d]!;
    this.depth = d;
  }

  /** A new push: the bytes in the window are no longer the caller's. */
  newChunk(): void {
    this.windowBuf = null;
  }

  /**
   * Walks `buf` from `i` with the module while it is only text and ordinary elements (the
   * stack at `depth`), and returns the stack's depth and the offset of the first token the
   * extractor must read itself (`buf.length`: none before the end).
   */
  skim(buf: Buffer, i: number, depth: number, limits: SkimLimits): number {
    const e = this.own();
    const h = e.header;
    h[MAX_DEPTH] = limits.maxDepth;
    h[MAX_TAG] = limits.maxTagBytes;
    h[PATH_NEXT] = limits.pathNext;
    h[PATH_CLOSE] = limits.pathClose;
    h[TOP_NS] = limits.topNamespaceDepth;
    h[ENGINE_DEPTH] = limits.engineDepth;
    const declaration = limits.declaration;
    if (declaration === null || declaration.length > DECLARATION_BYTES) {
      h[DECLARATION_LENGTH] = -1;
    } else {
      if (e.declarationBytes !== declaration) {
        e.bytes.set(declaration, e.declaration);
        e.declarationBytes = declaration;
      }
      h[DECLARATION] = e.declaration;
      h[DECLARATION_LENGTH] = declaration.length;
      h[DECLARATION_OPENS] = limits.declarationOpens ? 1 : 0;
    }
    h[SCOPE_DEPTH] = -1;
    const item = limits.item;
    if (item === null || item.length > ITEM_NAME_BYTES) {
      h[ITEM_DEPTH] = -1;
    } else {
      if (e.itemNameBytes !== item) {
        e.bytes.set(item, e.itemName);
        e.itemNameBytes = item;
      }
      h[ITEM_DEPTH] = limits.itemDepth;
      h[ITEM_NAME] = e.itemName;
      h[ITEM_NAME_LENGTH] = item.length;
      h[MAX_ITEM] = Math.min(limits.maxItemBytes, 0x7fffffff);
      h[SPANS] = e.spans;
      h[SPANS_CAP] = MAX_SPANS;
      h[ITEM_START] = -1;
    }
    this.openItem = -1;
    const len = buf.length;
    for (;;) {
      if (this.windowBuf !== buf || e.windowUser !== this || i < this.windowFrom || i >= this.windowTo) this.load(e, buf, i);
      h[DEPTH] = depth;
      h[NAMES_END] = this.namesEnd;
      const at = e.exports.run(e.window + i - this.windowFrom, e.window + this.windowTo - this.windowFrom);
      depth = this.depth = h[DEPTH]!;
      this.scopeDepth = h[SCOPE_DEPTH]!;
      this.namesEnd = h[NAMES_END]!;
      const shift = this.windowFrom - e.window;
      i = at + shift;
      if (h[ITEM_DEPTH]! >= 0) this.items(e, shift);
      const reason = h[REASON];
      // Past the window but not the chunk: the next window starts there (at the token cut).
      // A token longer than a window is left to the extractor.
      if (reason === STOP_DONE && this.windowTo < len) continue;
      if (reason === STOP_INCOMPLETE && this.windowTo < len && i > this.windowFrom) {
        this.windowBuf = null;
        continue;
      }
      this.pathNext = h[PATH_NEXT]!;
      this.pathClose = h[PATH_CLOSE]!;
      return i;
    }
  }

  /** Takes the items of the run that just ended out of the module's memory (a callback may run another extractor before they are read). */
  private items(e: Engine, shift: number): void {
    const h = e.header;
    const count = h[SPAN_COUNT]!;
    if (count > 0) {
      const words = e.spanWords;
      for (let k = 0; k < 2 * count; k++) this.spans.push(words[k]! + shift);
    }
    const open = h[ITEM_START]!;
    if (open >= 0) this.openItem = open + shift;
    // An item open at the end of this run is the extractor's from now on: its end tag stops the next.
    h[ITEM_START] = -1;
  }

  get currentDepth(): number {
    return this.depth;
  }

  private load(e: Engine, buf: Buffer, from: number): void {
    const to = Math.min(buf.length, from + WINDOW);
    e.bytes.set(buf.subarray(from, to), e.window);
    this.windowBuf = buf;
    this.windowFrom = from;
    this.windowTo = to;
    e.windowUser = this;
  }
}

/** What the skeleton pass must stop at. */
export interface SkimLimits {
  maxDepth: number;
  maxTagBytes: number;
  /** The depth whose start tags the watched path looks at next (-1: none). */
  pathNext: number;
  /** The depth whose end tag moves the watched path back (-1: none). */
  pathClose: number;
  /** The depth of the innermost element that declared namespaces (-1: none). */
  topNamespaceDepth: number;
  /** The depth of the element holding the routing engine's name (-1: none). */
  engineDepth: number;
  /**
   * The attribute bytes of a namespace declaration already read under the current scope (null:
   * none). Never changed once given (a new declaration is a new buffer).
   */
  declaration: Buffer | null;
  /**
   * It opens a new scope (else it changes nothing there: a start tag with exactly these
   * attributes is an ordinary element). The pass opens the first such element itself and
   * reports it in `scopeDepth`.
   */
  declarationOpens: boolean;
  /**
   * The watched path's last local name (null: no path): the pass cuts out the elements of that
   * name at `itemDepth` whose start tags are ordinary ones, no larger than `maxItemBytes`, and
   * moves `pathNext` and `pathClose` along as the extractor would (see ElementStack.spans).
   */
  item: Buffer | null;
  itemDepth: number;
  maxItemBytes: number;
}

function align(n: number): number {
  return (n + 15) & ~15;
}
