import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadExpected, CORPUS_DIR } from '../support/corpus.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

// The built CLI, as users run it (`npm test` builds before testing).
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });

describe('netconfkit replay', () => {
  it('--json prints one document whose errors agree with expected.json, exit 1 when an error was found', () => {
    const name = 'scrapligo/netconf/fixtures/get-simple';
    const expected = loadExpected();
    // A capture with errors: pick one from the corpus that has both errors and warnings.
    const rich = Object.entries(expected).find(([, v]) => v.errorCount > 0 && v.warningCount > 0)![0];
    for (const file of [name, rich]) {
      const want = expected[file]!;
      const r = run(['replay', path.join(CORPUS_DIR, file), '--json']);
      const doc = JSON.parse(r.stdout) as { messages: { messageId: string | null; hasOk: boolean; errors: Record<string, unknown>[] }[]; error: unknown };
      expect(r.status).toBe(want.errorCount > 0 ? 1 : 0);
      expect(doc.messages.map((m) => ({ messageId: m.messageId, hasOk: m.hasOk }))).toEqual(
        want.messages.map((m) => ({ messageId: m.messageId, hasOk: m.hasOk })),
      );
      const entries = doc.messages.flatMap((m, messageIndex) => m.errors.map((e) => ({ ...e, messageIndex })));
      expect(entries).toHaveLength(want.entries.length);
      want.entries.forEach((entry, k) => expect(entries[k]).toMatchObject(entry));
      expect(Object.keys(doc)).toEqual(['messages', 'error']);
      expect(doc.error).toBeNull();
      for (const m of doc.messages) expect(Object.keys(m)).toEqual(['messageId', 'hasOk', 'errors', 'error']);
    }
  });

  it('exits 0 on warnings only, 1 on an error, 2 on bad input with one line and no stack', () => {
    const warningOnly = run(['replay', '-', '--json'], '<rpc-reply message-id="1"><rpc-error><error-severity>warning</error-severity></rpc-error><ok/></rpc-reply>');
    expect(warningOnly.status).toBe(0);
    const missingSeverity = run(['replay', '-', '--json'], '<rpc-reply message-id="1"><rpc-error><error-message>x</error-message></rpc-error></rpc-reply>');
    expect(missingSeverity.status).toBe(1);
    // Bad input: exit 2 and one line on stderr; --json still prints what was read.
    for (const [args, input, printed] of [
      [['replay', path.join(FIXTURES_DIR, 'attacks/entity-bomb.xml'), '--json'], undefined, true],
      [['replay', '-', '--json'], '<rpc-reply><rpc-error>', true],
      [['replay', path.join(FIXTURES_DIR, 'no-such-file.xml')], undefined, false],
    ] as [string[], string | undefined, boolean][]) {
      const r = run(args, input);
      expect(r.status).toBe(2);
      if (printed) expect(JSON.parse(r.stdout).messages[0].error.code).toBe('MALFORMED_XML');
      else expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/^netconfkit: (MALFORMED_XML: |cannot read .*no-such-file\.xml: no such file)/);
    }
  });

  it('a capture cut off in its last message keeps every complete message, in --json and --ndjson, and exits 2', () => {
    const ok = '<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error></rpc-reply>]]>]]>';
    const cut = `${ok}<rpc-reply message-id="2"><rpc-error><error-tag>lock-denied</error-tag></rpc-error><data>`;
    const json = run(['replay', '-', '--json'], cut);
    expect(json.status).toBe(2);
    const doc = JSON.parse(json.stdout) as { messages: { messageId: string; errors: { code: string }[]; error: { code: string } | null }[] };
    expect(doc.messages.map((m) => [m.messageId, m.errors.map((e) => e.code), m.error?.code ?? null])).toEqual([
      ['1', ['IN_USE'], null],
      ['2', ['LOCK_DENIED'], 'MALFORMED_XML'],
    ]);
    expect(json.stderr).toMatch(/^netconfkit: MALFORMED_XML: /);
    const nd = run(['replay', '-', '--ndjson'], cut);
    expect(nd.status).toBe(2);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { messageIndex: number; code?: string; error?: { code: string } });
    expect(lines.map((l) => [l.messageIndex, l.code ?? l.error?.code])).toEqual([[0, 'IN_USE'], [1, 'LOCK_DENIED'], [1, 'MALFORMED_XML']]);
  });

  it('exits 2 on bad usage', () => {
    expect(run(['replay']).status).toBe(2);
    expect(run(['replay', 'x', '--json', '--ndjson']).status).toBe(2);
    expect(run(['replay', 'x', '--framing', 'smoke']).status).toBe(2);
    expect(run(['frobnicate']).status).toBe(2);
  });

  it('the default output names each message and each item', () => {
    const r = run(['replay', path.join(FIXTURES_DIR, 'junos/commit-session.xml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/WARNING CONFIG_WARNING\s+statement not found/);
    expect(r.stdout).toMatch(/ERROR\s+CONFIG_REJECTED\s+Peer AS must be configured/);
  });

  it('--ndjson prints an error from the first kilobytes before the rest of the stream arrives', async () => {
    const child = spawn(process.execPath, [CLI, 'replay', '-', '--ndjson'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const firstLine = new Promise<string>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        if (buffered.includes('\n')) resolve(buffered.slice(0, buffered.indexOf('\n')));
      });
    });
    child.stdin.write('<rpc-reply message-id="42"><rpc-error><error-tag>lock-denied</error-tag><error-severity>error</error-severity>'
      + '<error-info><session-id>17</session-id></error-info></rpc-error><data>');
    // The stream stays open: the line must come anyway.
    const line = JSON.parse(await firstLine) as Record<string, unknown>;
    expect(line).toMatchObject({ messageIndex: 0, code: 'LOCK_DENIED', tag: 'lock-denied', sessionId: 17, retryable: true });
    child.stdin.end('<x/></data></rpc-reply>');
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(1);
  });
});
