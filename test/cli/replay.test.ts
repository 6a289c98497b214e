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
      expect(Object.keys(doc)).toEqual(['messages', 'error', 'quirks']);
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

  it('a capture cut off in its last message keeps every complete message, in --json and --ndjson; its errors make it exit 1, the cut is on stderr', () => {
    const ok = '<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error></rpc-reply>]]>]]>';
    const cut = `${ok}<rpc-reply message-id="2"><rpc-error><error-tag>lock-denied</error-tag></rpc-error><data>`;
    const json = run(['replay', '-', '--json'], cut);
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { messages: { messageId: string; errors: { code: string }[]; error: { code: string } | null }[] };
    expect(doc.messages.map((m) => [m.messageId, m.errors.map((e) => e.code), m.error?.code ?? null])).toEqual([
      ['1', ['IN_USE'], null],
      ['2', ['LOCK_DENIED'], 'MALFORMED_XML'],
    ]);
    expect(json.stderr).toMatch(/^netconfkit: MALFORMED_XML: .*\n$/);
    const nd = run(['replay', '-', '--ndjson'], cut);
    expect(nd.status).toBe(1);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { messageIndex: number; code?: string; error?: { code: string } });
    expect(lines.map((l) => [l.messageIndex, l.code ?? l.error?.code])).toEqual([[0, 'IN_USE'], [1, 'LOCK_DENIED'], [1, 'MALFORMED_XML']]);
    expect(nd.stderr).toMatch(/^netconfkit: MALFORMED_XML: .*\n$/);
    const text = run(['replay', '-'], cut);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/message 1: <rpc-reply> could not be read: MALFORMED_XML/);
    expect(text.stderr).toMatch(/^netconfkit: MALFORMED_XML: .*\n$/);
  });

  it('a chunked capture cut inside a chunk after an error exits 1 and says the cut; cut with only warnings, it exits 2', () => {
    const chunk = (s: string) => `\n#${Buffer.byteLength(s)}\n${s}`;
    const error = '<rpc-reply message-id="1"><rpc-error><error-tag>in-use</error-tag></rpc-error></rpc-reply>';
    const cutAfterError = `${chunk(error)}\n##\n${chunk('<rpc-reply message-id="2"><data><a>').slice(0, -2)}`;
    const withError = run(['replay', '-', '--json', '--framing', 'chunked'], cutAfterError);
    expect(withError.status).toBe(1);
    expect(withError.stderr).toMatch(/^netconfkit: [A-Z_]+: /);
    const doc = JSON.parse(withError.stdout) as { messages: { errors: { code: string }[]; error: { code: string } | null }[]; error: { code: string } | null };
    expect(doc.messages[0]!.errors.map((e) => e.code)).toEqual(['IN_USE']);
    // The cut is in the document too, on the message it cut or on the whole stream.
    expect(doc.messages[1]?.error ?? doc.error).not.toBeNull();

    const warning = '<rpc-reply message-id="1"><rpc-error><error-severity>warning</error-severity></rpc-error><ok/></rpc-reply>';
    const cutAfterWarning = `${chunk(warning)}\n##\n${chunk('<rpc-reply message-id="2"><data><a>').slice(0, -2)}`;
    const warned = run(['replay', '-', '--json', '--framing', 'chunked'], cutAfterWarning);
    expect(warned.status).toBe(2);
    expect(warned.stderr).toMatch(/^netconfkit: [A-Z_]+: /);
  });

  it('--json gives each item its location: error-path, or the Junos edit-path', () => {
    const r = run(['replay', path.join(FIXTURES_DIR, 'junos/commit-session.xml'), '--json']);
    const items = (JSON.parse(r.stdout) as { messages: { errors: Record<string, unknown>[] }[] }).messages.flatMap((m) => m.errors);
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(i.location, JSON.stringify(i)).toBe(i.path ?? i.editPath);
    expect(items.some((i) => i.path === null && typeof i.editPath === 'string' && i.location === i.editPath)).toBe(true);
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

  it('prints the quirks a capture shows: a line each, `quirks` in --json, {"quirk"} lines in --ndjson', () => {
    const file = path.join(FIXTURES_DIR, 'quirks/huawei-nul-padding.xml');
    const text = run(['replay', file]);
    expect(text.stdout).toMatch(/^quirk nul-padding: NUL bytes/m);
    const doc = JSON.parse(run(['replay', file, '--json']).stdout) as { quirks: { kind: string }[] };
    expect(doc.quirks.map((q) => q.kind)).toEqual(['nul-padding']);
    const lines = run(['replay', path.join(FIXTURES_DIR, 'quirks/iosxe-reply-without-message-id.xml'), '--ndjson']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'quirk' in l)).toEqual([{ quirk: { kind: 'reply-without-message-id', detail: expect.stringMatching(/^message 1: /) } }]);
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
