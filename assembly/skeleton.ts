// The extractor's skeleton pass, in AssemblyScript (compiled to WebAssembly by
// scripts/build-wasm.mjs). It walks the bytes of a window the host copied in, keeps the element
// stack (each open element's kind and name, the name copied into the names region), skips text,
// and returns at the first `<` it does not handle itself: anything the JavaScript extractor
// must see (an element it tracks, a namespace declaration, the path being watched, a comment,
// PI or CDATA, anything malformed, a limit reached) or a token the window ends inside. What it
// handles it handles exactly as the extractor's own short path would.

// Slots of the header the host reads and writes (i32 each).
const DEPTH = 0, NAMES_END = 1, MAX_DEPTH = 2, MAX_TAG = 3, PATH_NEXT = 4, PATH_CLOSE = 5,
  TOP_NS = 6, ENGINE_DEPTH = 7, STACK_CAP = 8, NAMES_CAP = 9, KINDS = 10, STARTS = 11, LENS = 12,
  NAMES = 13, REASON = 14, DECLARATION = 15, DECLARATION_LENGTH = 16, DECLARATION_OPENS = 17,
  SCOPE_DEPTH = 18, ITEM_DEPTH = 19, ITEM_NAME = 20, ITEM_NAME_LENGTH = 21, ITEM_START = 22, MAX_ITEM = 23,
  SPANS = 24, SPANS_CAP = 25, SPAN_COUNT = 26;
const HEADER = memory.data(128, 16);

// DECLARATION: the attribute bytes of a namespace declaration the host has read under the
// current scope (DECLARATION_LENGTH is -1 when there is none). When it changes nothing there
// (it re-declares what is in scope), a start tag with exactly those attributes is an ordinary
// element. When it opens a new scope (DECLARATION_OPENS), the first such element is opened here
// too and its depth kept in SCOPE_DEPTH (-1: none) until its end tag: the host, which knows the
// scope, takes it over when the pass stops inside it. Inside it, the declaration is not known.

// The watched path's elements (the items): at depth ITEM_DEPTH (the path's length; -1: no path),
// named ITEM_NAME (the path's last local name, ITEM_NAME_LENGTH bytes). PATH_NEXT and PATH_CLOSE
// are the extractor's pathNext and pathClose, read and written back. An item whose start tag is
// an ordinary one is opened here (its "<" kept in ITEM_START, -1: none), and once its end tag is
// read, no larger than MAX_ITEM, its span (two addresses: its "<", past its ">") is added to the
// SPANS list (SPANS_CAP pairs; SPAN_COUNT of them written by this run): the host hands them on.
// An item opened in an earlier run is the host's: its end tag stops the pass.

// Why run() returned.
const STOP_TOKEN = 1, STOP_INCOMPLETE = 2, STOP_DONE = 3;

const LT: u8 = 0x3c, GT: u8 = 0x3e, SLASH: u8 = 0x2f, BANG: u8 = 0x21, QUESTION: u8 = 0x3f,
  COLON: u8 = 0x3a, DQUOTE: u8 = 0x22, SQUOTE: u8 = 0x27, X: u8 = 0x78;

// Kind of the element that holds `<name>` / `<re-name>` of a routing engine (the extractor's Kind.EngineContainer).
const ENGINE_CONTAINER: u8 = 7;

const OK = memory.data<u8>([0x6f, 0x6b]);
const NAME = memory.data<u8>([0x6e, 0x61, 0x6d, 0x65]);
const DATA = memory.data<u8>([0x64, 0x61, 0x74, 0x61]);
const ERROR = memory.data<u8>([0x65, 0x72, 0x72, 0x6f, 0x72]);
const WARNING = memory.data<u8>([0x77, 0x61, 0x72, 0x6e, 0x69, 0x6e, 0x67]);
const RE_NAME = memory.data<u8>([0x72, 0x65, 0x2d, 0x6e, 0x61, 0x6d, 0x65]);
const RPC_ERROR = memory.data<u8>([0x72, 0x70, 0x63, 0x2d, 0x65, 0x72, 0x72, 0x6f, 0x72]);
const CONFIGURATION = memory.data<u8>([0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x75, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e]);
const COMMIT_RESULTS = memory.data<u8>([0x63, 0x6f, 0x6d, 0x6d, 0x69, 0x74, 0x2d, 0x72, 0x65, 0x73, 0x75, 0x6c, 0x74, 0x73]);
const ROUTING_ENGINE = memory.data<u8>([0x72, 0x6f, 0x75, 0x74, 0x69, 0x6e, 0x67, 0x2d, 0x65, 0x6e, 0x67, 0x69, 0x6e, 0x65]);
const MULTI_RE_ITEM = memory.data<u8>([0x6d, 0x75, 0x6c, 0x74, 0x69, 0x2d, 0x72, 0x6f, 0x75, 0x74, 0x69, 0x6e, 0x67, 0x2d, 0x65, 0x6e, 0x67, 0x69, 0x6e, 0x65, 0x2d, 0x69, 0x74, 0x65, 0x6d]);
const LOAD_RESULTS = memory.data<u8>([0x6c, 0x6f, 0x61, 0x64, 0x2d, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x75, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2d, 0x72, 0x65, 0x73, 0x75, 0x6c, 0x74, 0x73]);

/** Where the header is; the host lays out its regions after `heapBase()`. */
export function header(): usize {
  return HEADER;
}

export function heapBase(): usize {
  return __heap_base;
}

@inline function slot(i: i32): i32 {
  return load<i32>(HEADER + (<usize>i << 2));
}

/** `n` bytes at `a` equal those at `b`. */
@inline function same(a: usize, b: usize, n: i32): bool {
  let k: i32 = 0;
  for (; k + 16 <= n; k += 16) {
    if (i8x16.bitmask(i8x16.eq(v128.load(a + <usize>k), v128.load(b + <usize>k))) != 0xffff) return false;
  }
  if (k < n) {
    const mask = (1 << (n - k)) - 1;
    if ((i8x16.bitmask(i8x16.eq(v128.load(a + <usize>k), v128.load(b + <usize>k))) & mask) != mask) return false;
  }
  return true;
}

/** The local name at `p` (`n` bytes) is one the extractor tracks (its classify() gives other than Kind.Other). */
@inline function tracked(p: usize, n: i32, parentKind: u8): bool {
  switch (n) {
    case 2: return same(p, OK, 2);
    case 4: return same(p, DATA, 4) || (parentKind == ENGINE_CONTAINER && same(p, NAME, 4));
    case 5: return same(p, ERROR, 5);
    case 7: return same(p, WARNING, 7) || (parentKind == ENGINE_CONTAINER && same(p, RE_NAME, 7));
    case 9: return same(p, RPC_ERROR, 9);
    case 13: return same(p, CONFIGURATION, 13);
    case 14: return same(p, COMMIT_RESULTS, 14) || same(p, ROUTING_ENGINE, 14);
    case 25: return same(p, MULTI_RE_ITEM, 25);
    case 26: return same(p, LOAD_RESULTS, 26);
    default: return false;
  }
}

/** The first `byte` at or after `p`, or `end` when none is before it. */
@inline function find(p: usize, end: usize, byte: u8): usize {
  const v = i8x16.splat(byte);
  while (p < end) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(p), v));
    if (m != 0) {
      const q = p + <usize>ctz(m);
      return q < end ? q : end;
    }
    p += 16;
  }
  return end;
}

/**
 * Walks the window from `p` to `end` (addresses in memory; 16 readable bytes follow `end`).
 * Returns where it stopped; the header says why (REASON), with the stack's new depth and names.
 */
export function run(p: usize, end: usize): usize {
  let depth = slot(DEPTH);
  let namesEnd = slot(NAMES_END);
  const maxDepth = slot(MAX_DEPTH);
  const maxTag = slot(MAX_TAG);
  let pathNext = slot(PATH_NEXT);
  let pathClose = slot(PATH_CLOSE);
  const itemDepth = slot(ITEM_DEPTH);
  const itemName = <usize>slot(ITEM_NAME);
  const itemNameLength = slot(ITEM_NAME_LENGTH);
  let itemStart = slot(ITEM_START);
  const maxItem = slot(MAX_ITEM);
  const spans = <usize>slot(SPANS);
  const spansCap = slot(SPANS_CAP);
  let spanCount = 0;
  const topNs = slot(TOP_NS);
  const engineDepth = slot(ENGINE_DEPTH);
  const stackCap = slot(STACK_CAP);
  const namesCap = slot(NAMES_CAP);
  const kinds = <usize>slot(KINDS);
  const starts = <usize>slot(STARTS);
  const lens = <usize>slot(LENS);
  const names = <usize>slot(NAMES);
  const declaration = <usize>slot(DECLARATION);
  const declarationLength = slot(DECLARATION_LENGTH);
  const opens = slot(DECLARATION_OPENS) != 0;
  let scope = slot(SCOPE_DEPTH);
  const lt = i8x16.splat(LT);
  const space = i8x16.splat(0x20);
  const gtv = i8x16.splat(GT);
  const slashv = i8x16.splat(SLASH);
  const colonv = i8x16.splat(COLON);
  const dq = i8x16.splat(DQUOTE);
  const sq = i8x16.splat(SQUOTE);
  const xv = i8x16.splat(X);
  let reason = STOP_TOKEN;

  while (true) {
    // Text: the next "<".
    let m = i8x16.bitmask(i8x16.eq(v128.load(p), lt));
    while (m == 0) {
      p += 16;
      if (p >= end) break;
      m = i8x16.bitmask(i8x16.eq(v128.load(p), lt));
    }
    if (p >= end) { p = end; reason = STOP_DONE; break; }
    p += <usize>ctz(m);
    if (p >= end) { p = end; reason = STOP_DONE; break; }
    if (p + 1 >= end) { reason = STOP_INCOMPLETE; break; }
    const c = load<u8>(p + 1);

    if (c == SLASH) {
      // An end tag: the open element's name, then ">" right after it.
      if (depth <= 1) break;
      const d = depth - 1;
      const n = load<i32>(lens + (<usize>d << 2));
      const gt = p + 2 + <usize>n;
      if (gt >= end) { reason = STOP_INCOMPLETE; break; }
      if (load<u8>(gt) != GT) break;
      const start = load<i32>(starts + (<usize>d << 2));
      if (!same(p + 2, names + <usize>start, n)) break;
      if (load<u8>(kinds + <usize>d) != 0 || d <= topNs || d == engineDepth) break;
      if (d == pathClose) {
        // An item opened in this run ends: its span, and its siblings are looked at next.
        if (itemStart < 0 || spanCount >= spansCap || <i32>(gt + 1) - itemStart > maxItem) break;
        store<i32>(spans + (<usize>spanCount << 3), itemStart);
        store<i32>(spans + (<usize>spanCount << 3) + 4, <i32>(gt + 1));
        spanCount++;
        itemStart = -1;
        pathNext = d;
        pathClose = d > 1 ? d - 1 : -1;
      }
      if (d == scope) scope = -1;
      depth = d;
      namesEnd = start;
      p = gt + 1;
      continue;
    }
    if (c == BANG || c == QUESTION) break;

    // A start tag: its name ends at a space, control byte, ">" or "/"; the first colon is noted.
    let q = p + 1;
    let colon: usize = 0;
    let b: u8 = 0;
    while (true) {
      if (q >= end) break;
      const v = v128.load(q);
      const stop = i8x16.bitmask(v128.or(v128.or(i8x16.le_u(v, space), i8x16.eq(v, gtv)), v128.or(i8x16.eq(v, slashv), i8x16.eq(v, colonv))));
      if (stop == 0) { q += 16; continue; }
      q += <usize>ctz(stop);
      if (q >= end) break;
      b = load<u8>(q);
      if (b != COLON) break;
      if (colon == 0) colon = q;
      q++;
    }
    if (q >= end) { reason = STOP_INCOMPLETE; break; }
    const nameEnd = q;
    if (nameEnd == p + 1) break;
    let e = q;
    let declares = false;
    let token = false;
    if (b != GT) {
      // Attributes: quoted values are skipped whole; an "xmlns" after a space is a declaration.
      while (true) {
        if (e >= end) break;
        const v = v128.load(e);
        const stop = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, gtv), i8x16.eq(v, xv)), v128.or(i8x16.eq(v, dq), i8x16.eq(v, sq))));
        if (stop == 0) { e += 16; continue; }
        e += <usize>ctz(stop);
        if (e >= end) break;
        const a = load<u8>(e);
        if (a == GT) break;
        if (a == X) {
          if (load<u8>(e - 1) <= 0x20 && load<u8>(e + 1) == 0x6d && load<u8>(e + 2) == 0x6c && load<u8>(e + 3) == 0x6e && load<u8>(e + 4) == 0x73) {
            if (declarationLength < 0 || scope >= 0) { token = true; break; }
            declares = true;
          }
          e++;
          continue;
        }
        e = find(e + 1, end, a);
        if (e >= end) break;
        e++;
      }
      if (token) break;
      if (e >= end) { reason = STOP_INCOMPLETE; break; }
    }
    if (<i32>(e + 1 - p) > maxTag) break;
    if (declares) {
      const attrEnd = load<u8>(e - 1) == SLASH ? e - 1 : e;
      if (<i32>(attrEnd - nameEnd) != declarationLength || !same(nameEnd, declaration, declarationLength)) break;
    }
    const localStart = colon == 0 ? p + 1 : colon + 1;
    // An item: opened here when its start tag is an ordinary one (another name at its depth is an ordinary element).
    let item = false;
    if (depth == pathNext) {
      if (depth != itemDepth) break;
      if (<i32>(nameEnd - localStart) == itemNameLength && same(localStart, itemName, itemNameLength)) {
        if (declares || load<u8>(e - 1) == SLASH) break;
        item = true;
      }
    }
    if (tracked(localStart, <i32>(nameEnd - localStart), load<u8>(kinds + <usize>(depth - 1)))) break;
    if (load<u8>(e - 1) != SLASH) {
      // An ordinary element: only its name is kept, for its end tag.
      const n = <i32>(nameEnd - p - 1);
      if (depth >= maxDepth || depth >= stackCap || namesEnd + n > namesCap) break;
      // A vector at a time, not memory.copy (which V8 makes a call out of the module, too costly
      // for a few bytes): up to 15 bytes past the name are written into the padding after the
      // names region, and read from the 16 readable bytes past the window.
      for (let k = 0; k < n; k += 16) v128.store(names + <usize>(namesEnd + k), v128.load(p + 1 + <usize>k));
      store<u8>(kinds + <usize>depth, 0);
      store<i32>(starts + (<usize>depth << 2), namesEnd);
      store<i32>(lens + (<usize>depth << 2), n);
      namesEnd += n;
      if (declares && opens) scope = depth;
      if (item) {
        itemStart = <i32>p;
        pathNext = -1;
        pathClose = depth;
      }
      depth++;
    }
    p = e + 1;
  }
  store<i32>(HEADER + (<usize>DEPTH << 2), depth);
  store<i32>(HEADER + (<usize>NAMES_END << 2), namesEnd);
  store<i32>(HEADER + (<usize>REASON << 2), reason);
  store<i32>(HEADER + (<usize>SCOPE_DEPTH << 2), scope);
  store<i32>(HEADER + (<usize>PATH_NEXT << 2), pathNext);
  store<i32>(HEADER + (<usize>PATH_CLOSE << 2), pathClose);
  store<i32>(HEADER + (<usize>ITEM_START << 2), itemStart);
  store<i32>(HEADER + (<usize>SPAN_COUNT << 2), spanCount);
  return p;
}
