import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { replay } from '../replay/replayer.js';
import { formatItem } from './format.js';

/**
 * The demo: replays a captured Junos commit session (bundled in fixtures/) and says in plain
 * words what each reply meant for a caller: go on after warnings, stop on errors.
 */
export async function runDemo(out: Writable): Promise<number> {
  const capture = new URL('../../fixtures/junos/commit-session.xml', import.meta.url);
  const result = replay(await readFile(capture));
  const lines = [`Replaying ${capture.pathname} (${result.framing} framing, ${result.messages.length} messages)`, ''];
  for (const m of result.messages) {
    const errors = m.items.filter((i) => i.level === 'error');
    const warnings = m.items.filter((i) => i.level === 'warning');
    const verdict = errors.length > 0
      ? `FAILED: ${errors.length} error(s) — a caller stops here (RpcError ${errors[0]!.code})`
      : warnings.length > 0 ? `succeeded with ${warnings.length} warning(s) — a caller goes on` : m.hasOk ? 'ok' : 'no errors';
    lines.push(`<${m.root?.local}>${m.messageId === null ? '' : ` message-id=${m.messageId}`}: ${verdict}`);
    for (const item of m.items) lines.push(formatItem(item, m.index));
  }
  lines.push('', `After the last message: ${result.trailing}`);
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
