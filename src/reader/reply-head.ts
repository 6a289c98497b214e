import { decodeEntities } from '../xml/entities.js';

/** The root start tag of a broken reply, as far as its first bytes tell. */
export interface ReplyHead {
  /** The root's name as written (`rpc-reply`, `nc:rpc-reply`). */
  name: string;
  /** Null when the tag has no message-id, or one that cannot be read (a malformed attribute, a tag cut off). */
  messageId: string | null;
}

/**
 * Reads the root start tag from the first bytes of a message the extractor gave up on before
 * its root (a DOCTYPE first, a tag over `maxTagBytes`, a malformed attribute), so that the
 * reply can still fail its call. A plain scan, not the extractor: what broke the extractor
 * must not stop this. `complete` says no more bytes will come; until then an undecided head
 * is `'more'`. Null: the root is not an `<rpc-reply>`, or no start tag is there.
 */
export function readReplyHead(head: string, complete: boolean): ReplyHead | null | 'more' {
  const more = complete ? null : 'more';
  let i = 0;
  for (;;) {
    const lt = head.indexOf('<', i);
    if (lt === -1 || lt + 1 >= head.length) return more;
    const c = head[lt + 1];
    if (c === '?' || head.startsWith('<!--', lt)) {
      // A declaration, processing instruction or comment before the root.
      const end = head.indexOf(c === '?' ? '?>' : '-->', lt + 2);
      if (end === -1) return more;
      i = end + 2;
      continue;
    }
    if (c === '!') {
      // A DOCTYPE: its declarations start with "<!" too and are passed over the same way.
      i = lt + 2;
      continue;
    }
    if (c === '/') return null;
    let j = lt + 1;
    while (j < head.length && !endsName(head.charCodeAt(j)) && head[j] !== '<') j++;
    // A "<" inside a tag: the tag was cut off and another message glued to it; that one is
    // read. (Scanning stops there: a run of "<" is read once, not once per "<".)
    if (head[j] === '<') {
      i = j;
      continue;
    }
    if (j >= head.length) return more;
    const name = head.slice(lt + 1, j);
    if (name.slice(name.indexOf(':') + 1) !== 'rpc-reply') return null;
    const messageId = messageIdFrom(head, j);
    if (typeof messageId === 'number') {
      i = messageId;
      continue;
    }
    if (messageId === 'more') return complete ? { name, messageId: null } : 'more';
    return { name, messageId };
  }
}

function endsName(c: number): boolean {
  return c <= 0x20 || c === 0x3e /* > */ || c === 0x2f /* / */;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The message-id among the attributes from `from` to the tag's end; null when absent or
 * unreadable. A number: where a `<` in the tag begins a message glued to this cut one.
 */
function messageIdFrom(head: string, from: number): string | null | 'more' | number {
  let k = from;
  for (;;) {
    while (k < head.length && isSpace(head.charCodeAt(k))) k++;
    if (k >= head.length) return 'more';
    if (head[k] === '>' || head[k] === '/') return null;
    const nameStart = k;
    while (k < head.length && head[k] !== '=' && head[k] !== '>' && head[k] !== '<' && !isSpace(head.charCodeAt(k))) k++;
    if (head[k] === '<') return k;
    const name = head.slice(nameStart, k);
    while (k < head.length && isSpace(head.charCodeAt(k))) k++;
    if (k >= head.length) return 'more';
    if (head[k] !== '=') return null;
    k++;
    while (k < head.length && isSpace(head.charCodeAt(k))) k++;
    if (k >= head.length) return 'more';
    const quote = head[k];
    if (quote !== '"' && quote !== "'") return null;
    const close = head.indexOf(quote, k + 1);
    if (close === -1) return 'more';
    const value = head.slice(k + 1, close);
    const glued = value.indexOf('<');
    if (glued !== -1) return k + 1 + glued;
    if (name === 'message-id') return decoded(value);
    k = close + 1;
  }
}

function decoded(value: string): string | null {
  try {
    return decodeEntities(value);
  } catch {
    return null;
  }
}
