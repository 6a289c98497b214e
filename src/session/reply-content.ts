import type { RpcReply } from './types.js';

/**
 * The text of a kept reply's `<data>` / `<configuration>` content, as the reader cut it out of
 * the reply's text (a slice sharing its memory). Operations read it instead of searching `xml`
 * for it: the reader already knows where it lies. Internal: a reply's public shape is `xml`.
 */
const contents = new WeakMap<RpcReply, { name: string; text: string }>();

export function setReplyContent(reply: RpcReply, content: { name: string; text: string } | null): void {
  if (content) contents.set(reply, content);
}

/** The content of the reply's root child with this local name (any prefix), or null. */
export function replyContent(reply: RpcReply, local: string): string | null {
  const c = contents.get(reply);
  if (!c) return null;
  const colon = c.name.indexOf(':');
  return (colon === -1 ? c.name : c.name.slice(colon + 1)) === local ? c.text : null;
}
