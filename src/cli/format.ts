import type { DeviceError } from '../errors/device-error.js';

/** One readable line per item: what a person tailing a capture wants to see. */
export function formatItem(item: DeviceError, messageIndex: number): string {
  const parts = [
    `  ${item.level === 'error' ? 'ERROR  ' : 'WARNING'} ${item.code}`,
    item.message,
  ];
  const details: string[] = [];
  if (item.tag) details.push(`tag=${item.tag}`);
  if (item.path) details.push(`path=${item.path}`);
  if (item.editPath) details.push(`edit-path=${item.editPath}`);
  if (item.badElement) details.push(`bad-element=${item.badElement}`);
  if (item.sessionId !== null) details.push(`session-id=${item.sessionId}`);
  if (item.routingEngine) details.push(`re=${item.routingEngine}`);
  if (details.length > 0) parts.push(`(${details.join(', ')})`);
  return `${parts.join('  ')}  [message ${messageIndex}]`;
}
