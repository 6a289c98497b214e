import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DeviceError, ERROR_CODES, emptyDeviceFields } from '../../src/errors/index.js';
import { replay } from '../../src/replay/replayer.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the Markdown table whose header line starts with `header`, as cells. */
function table(header: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `a table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

/** The names in a table's first cell: `a`, `b` → ['a', 'b']. */
const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('README', () => {
  it('documents every error code with its category and retryable flag, and no other', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\w+) \| (yes|no) \| (.+) \|$/gm)].map((m) => ({
      code: m[1]!, category: m[2]!, retryable: m[3] === 'yes', meaning: m[4]!,
    }));
    const documented = Object.fromEntries(rows.map((r) => [r.code, { category: r.category, retryable: r.retryable, meaning: r.meaning }]));
    expect(documented).toEqual(ERROR_CODES);
  });

  it('has a two-command quick start naming the test command', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## ', readme.indexOf('## Quick start') + 3));
    const commands = quick.match(/```sh\n([\s\S]*?)```/)![1]!.trim().split('\n');
    expect(commands).toHaveLength(2);
    expect(commands[1]).toMatch(/^npm test\b/);
  });

  it('lists every field of a DeviceError in one table, and only fields a DeviceError has', () => {
    const documented = table('| field | from an `<rpc-error>`').flatMap((row) => names(row[0]!));
    const item = new DeviceError(emptyDeviceFields('rpc-error'));
    // What every NetconfError has is in the table above it; the rest is the item's own.
    const base = new Set(['name', 'code', 'category', 'retryable', 'step', 'cause']);
    const own = [...Object.keys(item), ...Object.keys(item.toJSON())].filter((k) => !base.has(k));
    expect([...new Set(own)].filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => !(k in item))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('shows where an RFC and a Junos device say what, as the items are read', () => {
    const items = [
      `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><rpc-error><error-type>application</error-type>
        <error-tag>invalid-value</error-tag><error-severity>error</error-severity>
        <error-path xmlns:if="urn:ietf:params:xml:ns:yang:ietf-interfaces">/if:interfaces/if:interface[if:name="eth0"]/if:mtu</error-path>
        <error-message xml:lang="en">MTU out of range</error-message><error-info><bad-element>mtu</bad-element></error-info></rpc-error></rpc-reply>`,
      `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="2"><load-configuration-results><rpc-error>
        <error-severity>error</error-severity><error-path>[edit system services]</error-path>
        <error-info><bad-element>ftpx</bad-element></error-info><error-message>
syntax error
</error-message></rpc-error><load-error-count>1</load-error-count></load-configuration-results></rpc-reply>`,
      `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="3"><commit-results><routing-engine><name>re0</name>
        <xnm:error xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"><edit-path>[edit system]</edit-path>
        <statement>root-authentication</statement><message>Missing mandatory statement</message></xnm:error></routing-engine></commit-results></rpc-reply>`,
    ].map((xml) => {
      const [message] = replay(Buffer.from(xml)).messages;
      expect(message!.items).toHaveLength(1);
      return message!.items[0]!;
    });
    const rows = table('| | RFC device |');
    expect(rows.map((r) => r[0])).toEqual(['`message`', '`deviceMessage`', '`path`', '`editPath`', '`location`', '`badElement`', '`code`']);
    for (const [cell, ...columns] of rows) {
      const field = names(cell!)[0] as keyof DeviceError;
      columns.forEach((text, i) => {
        const value = items[i]![field];
        // `value`, `value` (where it came from), or "the `path`" for a location that is the path.
        const shown = text === 'the `path`' ? items[i]!.path : names(text)[0];
        expect(shown === 'null' ? null : shown, `${String(field)} of column ${i + 1}`).toBe(value);
      });
    }
  });
});
