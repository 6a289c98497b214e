import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { PassThrough, type Writable } from 'node:stream';
import path from 'node:path';
import { RpcError } from '../errors/device-error.js';
import { JUNOS_CAPABILITY } from '../xml/namespaces.js';
import { type JunosFormat, type LoadAction, commitConfiguration, getConfiguration, loadConfiguration } from '../operations/junos.js';
import { commitCandidate, editConfig, getConfig, validateConfig } from '../operations/rfc6241.js';
import { type ConnectOptions, connect } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { openFileSink } from '../session/file-sink.js';
import { CliError, expectPositionals, parse, usageError } from './args.js';
import { describePending, parseConfirmTimeout, pendingConfirmation } from './confirm.js';
import { inlineOrFile, readSource } from './files.js';
import { CONNECTION_FLAGS, connectOptions } from './rpc-command.js';
import { wireBodiesWanted } from '../observability/wire-log.js';
import { checkXmlFragment } from '../xml/well-formed.js';

type Out = NodeJS.WritableStream;

/** Runs one command on a fresh session; an RpcError prints its items and exits 1. */
async function withSession(flags: Parameters<typeof connectOptions>[0], json: boolean, out: Out, work: (s: Session) => Promise<unknown>, extra: Partial<ConnectOptions> = {}): Promise<number> {
  const session = await connect({ ...(await connectOptions(flags)), ...extra });
  try {
    const result = await work(session);
    out.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${typeof result === 'string' ? result : JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    if (json) out.write(`${JSON.stringify({ ok: false, code: err.code, errors: err.errors.map((e) => e.toJSON()), warnings: err.warnings.map((w) => w.toJSON()) }, null, 2)}\n`);
    else for (const e of err.items) out.write(`${e.level.toUpperCase()} ${e.code}: ${e.message}\n`);
    return 1;
  } finally {
    await session.close();
  }
}

const warningsJson = (w: { toJSON(): unknown }[]) => w.map((x) => x.toJSON());

export const GET_CONFIG_FLAGS = { ...CONNECTION_FLAGS, source: { type: 'string', default: 'running' }, filter: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

/** `netconfkit get-config`: the running (or another) datastore, optionally filtered. */
export async function runGetConfig(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, GET_CONFIG_FLAGS);
  expectPositionals('get-config', positionals, 0, '');
  const source = values.source;
  if (source !== 'running' && source !== 'candidate' && source !== 'startup') throw usageError(`--source must be running, candidate or startup, not "${source}"`);
  const filter = values.filter === undefined ? undefined : await inlineOrFile(values.filter, 'the filter');
  // XML is checked before connecting, as the operation would check it: a typo costs no login.
  if (filter !== undefined) checkXmlFragment(filter, 'The filter');
  const output = values.output;
  // Opened first: a file that cannot be written fails before anything is sent.
  const file = output === undefined ? null : openOutput(output);
  try {
    return await getConfigTo(values, source, filter, output, file, out);
  } finally {
    file?.destroy();
  }
}

async function getConfigTo(values: ReturnType<typeof parse<typeof GET_CONFIG_FLAGS>>['values'], source: 'running' | 'candidate' | 'startup', filter: string | undefined, output: string | undefined, file: Writable | null, out: Out): Promise<number> {
  // Under --trace, NODE_DEBUG=netconfkit or `netconfkit record` the reply's text is wanted
  // (logged, recorded), so it is read whole instead of streamed: the one case where
  // get-config holds the reply.
  const wanted = wireBodiesWanted();
  return withSession(values, values.json, out, async (s) => {
    const options = filter === undefined ? {} : { filter };
    if (wanted) {
      const reply = await getConfig(s, source, options);
      if (output !== undefined && file) {
        await new Promise<void>((resolve, reject) => {
          file.once('error', reject);
          file.end(reply.data, () => resolve());
        });
        const bytes = Buffer.byteLength(reply.data);
        return values.json ? { ok: true, output, bytes, warnings: warningsJson(reply.warnings) } : `wrote ${bytes} bytes to ${output}${warningLines(reply.warnings) ? `\n${warningLines(reply.warnings)}` : ''}`;
      }
      if (values.json) return { ok: true, data: reply.data, warnings: warningsJson(reply.warnings) };
      out.write(reply.data);
      return '';
    }
    if (output !== undefined && file) {
      // Streamed to the file as it is read: a configuration of any size, in constant memory.
      const reply = await getConfig(s, source, { ...options, streamTo: file });
      const bytes = (await stat(output)).size;
      return values.json ? { ok: true, output, bytes, warnings: warningsJson(reply.warnings) } : `wrote ${bytes} bytes to ${output}${warningLines(reply.warnings) ? `\n${warningLines(reply.warnings)}` : ''}`;
    }
    if (!values.json) {
      // Streamed to standard output, which stays open for the newline after it.
      const pass = new PassThrough();
      pass.pipe(out, { end: false });
      await getConfig(s, source, { ...options, streamTo: pass });
      return '';
    }
    const reply = await getConfig(s, source, options);
    return { ok: true, data: reply.data, warnings: warningsJson(reply.warnings) };
  }, wanted || (values.json && output === undefined) ? {} : STREAMED);
}

// A streamed reply is never held, so the size limit that protects memory does not apply to it.
const STREAMED: Partial<ConnectOptions> = { limits: { maxMessageBytes: Number.MAX_SAFE_INTEGER } };

/**
 * The --output file, opened before anything connects: one that cannot be written is the
 * caller's problem (exit 2). Written on the session's thread, as `streamTo` given a path is.
 */
function openOutput(file: string): Writable {
  try {
    return openFileSink(file);
  } catch (err) {
    const reason = (err as { cause?: unknown }).cause;
    throw new CliError(`cannot write ${file}: ${reason instanceof Error ? reason.message : (err as Error).message}`, false);
  }
}

export const EDIT_CONFIG_FLAGS = { ...CONNECTION_FLAGS, target: { type: 'string', default: 'candidate' }, 'default-operation': { type: 'string' } } as const;

/** `netconfkit edit-config FILE|-`: an edit of the candidate (or --target running). */
export async function runEditConfig(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, EDIT_CONFIG_FLAGS);
  expectPositionals('edit-config', positionals, 1, 'the config: a FILE, or - for standard input');
  const target = values.target;
  if (target !== 'running' && target !== 'candidate') throw usageError(`--target must be candidate or running, not "${target}"`);
  const op = values['default-operation'];
  if (op !== undefined && op !== 'merge' && op !== 'replace' && op !== 'none') throw usageError('--default-operation must be merge, replace or none');
  const config = await readSource(positionals[0]!);
  checkXmlFragment(config, 'The config');
  return withSession(values, values.json, out, async (s) => {
    const reply = await editConfig(s, target, config, op ? { defaultOperation: op } : {});
    return values.json ? { ok: true, warnings: warningsJson(reply.warnings) } : warningLines(reply.warnings) || 'ok';
  });
}

export const COMMIT_FLAGS = {
  ...CONNECTION_FLAGS,
  check: { type: 'boolean', default: false },
  confirmed: { type: 'string' },
  'persist-id': { type: 'string' },
  comment: { type: 'string' },
} as const;

/**
 * `netconfkit commit`: Junos commit-configuration when the device is Junos, else RFC commit.
 * `--confirmed` takes a unit (5m, 300s, 1h). On Junos the pending commit outlives the session
 * and a plain commit confirms it; an RFC confirmed commit would be rolled back when this
 * one-shot session closes, so it is made with a persist token that a later
 * `commit --persist-id TOKEN` confirms (RFC 6241 8.4, :confirmed-commit:1.1).
 */
export async function runCommit(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, COMMIT_FLAGS);
  expectPositionals('commit', positionals, 0, '');
  const seconds = values.confirmed === undefined ? undefined : parseConfirmTimeout(values.confirmed);
  const persistId = values['persist-id'];
  if (values.check && seconds !== undefined) throw usageError('--check and --confirmed exclude each other: a check commits nothing');
  if (persistId !== undefined && seconds !== undefined) throw usageError('--persist-id confirms a pending commit: give it without --confirmed');
  return withSession(values, values.json, out, async (s) => {
    if (s.capabilities.has(JUNOS_CAPABILITY)) {
      if (persistId !== undefined) throw usageError('--persist-id is for RFC devices: on Junos a plain `netconfkit commit` confirms');
      const r = await commitConfiguration(s, {
        check: values.check,
        ...(seconds === undefined ? {} : { confirmed: { timeoutSeconds: seconds } }),
        ...(values.comment === undefined ? {} : { comment: values.comment }),
      });
      const pending = seconds === undefined || !r.success ? null : pendingConfirmation(seconds, true, undefined);
      return values.json
        ? { ok: r.success, check: r.check, routingEngines: r.routingEngines.map((re) => ({ name: re.name, success: re.success })), warnings: warningsJson(r.warnings), pendingConfirmation: pending }
        : [r.check ? 'configuration check succeeds' : 'commit complete', warningLines(r.warnings), pending && describePending(pending)].filter(Boolean).join('\n');
    }
    if (values.comment !== undefined) throw usageError('--comment needs a Junos device (RFC commit has no comment)');
    if (values.check) {
      const reply = await validateConfig(s, 'candidate');
      return values.json ? { ok: true, check: true, warnings: warningsJson(reply.warnings), pendingConfirmation: null } : ['candidate is valid', warningLines(reply.warnings)].filter(Boolean).join('\n');
    }
    const persist = seconds === undefined ? undefined : randomUUID();
    const reply = await commitCandidate(s, seconds === undefined ? (persistId === undefined ? {} : { persistId }) : { confirmed: { timeoutSeconds: seconds, persist: persist! } });
    const pending = seconds === undefined ? null : pendingConfirmation(seconds, false, persist);
    return values.json
      ? { ok: true, check: false, warnings: warningsJson(reply.warnings), pendingConfirmation: pending }
      : ['commit complete', warningLines(reply.warnings), pending && describePending(pending)].filter(Boolean).join('\n');
  });
}

export const LOAD_FLAGS = { ...CONNECTION_FLAGS, format: { type: 'string' }, action: { type: 'string' }, diff: { type: 'boolean', default: false } } as const;

/** `netconfkit load FILE`: Junos load-configuration; the format comes from the extension or --format. */
export async function runLoad(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, LOAD_FLAGS);
  expectPositionals('load', positionals, 1, 'the change: a FILE, or - with --format');
  const file = positionals[0]!;
  const format = (values.format ?? formatFromExtension(file)) as JunosFormat;
  if (!['xml', 'text', 'set', 'json'].includes(format)) throw usageError(`--format must be xml, text, set or json, not "${format}"`);
  const action = values.action as LoadAction | undefined;
  if (action !== undefined && !['merge', 'replace', 'override', 'update', 'set', 'patch'].includes(action)) throw usageError(`--action must be merge, replace, override, update, set or patch, not "${action}"`);
  const config = await readSource(file);
  if (format === 'xml') checkXmlFragment(config, 'The config');
  return withSession(values, values.json, out, async (s) => {
    const r = await loadConfiguration(s, config, { format, ...(action ? { action } : {}) });
    const diff = values.diff ? (await getConfiguration(s, { compareRollback: 0, format: 'text' })).configuration.trim() : undefined;
    return values.json
      ? { ok: r.success, warnings: warningsJson(r.warnings), ...(diff === undefined ? {} : { diff }) }
      : [`load ${r.success ? 'complete' : 'failed'}`, warningLines(r.warnings), diff].filter(Boolean).join('\n');
  });
}

function formatFromExtension(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xml') return 'xml';
  if (ext === '.set') return 'set';
  if (ext === '.json') return 'json';
  if (ext === '.conf' || ext === '.txt' || ext === '.text') return 'text';
  throw usageError(`cannot tell the format of "${file}" from its extension: pass --format`);
}

function warningLines(warnings: { message: string }[]): string {
  return warnings.map((w) => `WARNING ${w.message}`).join('\n');
}
