import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ClientError } from '../errors/classes.js';
import { RpcError } from '../errors/device-error.js';
import { JUNOS_CAPABILITY } from '../operations/commit-flow.js';
import { type JunosFormat, type LoadAction, commitConfiguration, getConfiguration, loadConfiguration } from '../operations/junos.js';
import { commit, editConfig, getConfig, validate } from '../operations/rfc6241.js';
import { connect } from '../session/connect.js';
import type { Session } from '../session/session.js';
import { CONNECTION_FLAGS, connectOptions } from './rpc-command.js';

type Out = NodeJS.WritableStream;

/** Runs one command on a fresh session; an RpcError prints its items and exits 1. */
async function withSession(flags: Parameters<typeof connectOptions>[0], json: boolean, out: Out, work: (s: Session) => Promise<unknown>): Promise<number> {
  const session = await connect(await connectOptions(flags));
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

/** `netconfkit get-config`: the running (or another) datastore, optionally filtered. */
export async function runGetConfig(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { ...CONNECTION_FLAGS, source: { type: 'string', default: 'running' }, filter: { type: 'string' } } });
  const source = values.source;
  if (source !== 'running' && source !== 'candidate' && source !== 'startup') throw new ClientError('INVALID_ARGUMENT', `--source must be running, candidate or startup, not "${source}"`);
  const filter = values.filter === undefined ? undefined : await contentArg(values.filter);
  return withSession(values, values.json, out, async (s) => {
    const reply = await getConfig(s, source, filter === undefined ? {} : { filter });
    return values.json ? { ok: true, data: reply.data, warnings: warningsJson(reply.warnings) } : reply.data.trim();
  });
}

/** `netconfkit edit-config FILE|-`: an edit of the candidate (or --target running). */
export async function runEditConfig(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { ...CONNECTION_FLAGS, target: { type: 'string', default: 'candidate' }, 'default-operation': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new ClientError('INVALID_ARGUMENT', 'edit-config takes one FILE (or - for standard input) with the config');
  const config = await readSource(positionals[0]!);
  const target = values.target;
  if (target !== 'running' && target !== 'candidate') throw new ClientError('INVALID_ARGUMENT', `--target must be candidate or running, not "${target}"`);
  const op = values['default-operation'];
  if (op !== undefined && op !== 'merge' && op !== 'replace' && op !== 'none') throw new ClientError('INVALID_ARGUMENT', '--default-operation must be merge, replace or none');
  return withSession(values, values.json, out, async (s) => {
    const reply = await editConfig(s, config, { target, ...(op ? { defaultOperation: op } : {}) });
    return values.json ? { ok: true, warnings: warningsJson(reply.warnings) } : warningLines(reply.warnings) || 'ok';
  });
}

/**
 * `netconfkit commit`: Junos commit-configuration when the device is Junos, else RFC commit.
 * `--confirmed MIN` is in minutes (what operators type on Junos); RFC devices get seconds.
 */
export async function runCommit(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { ...CONNECTION_FLAGS, check: { type: 'boolean', default: false }, confirmed: { type: 'string' }, comment: { type: 'string' } } });
  let minutes: number | undefined;
  if (values.confirmed !== undefined) {
    minutes = Number(values.confirmed);
    if (!Number.isInteger(minutes) || minutes < 1) throw new ClientError('INVALID_ARGUMENT', `--confirmed takes whole minutes, not "${values.confirmed}"`);
  }
  return withSession(values, values.json, out, async (s) => {
    if (s.capabilities.has(JUNOS_CAPABILITY)) {
      const r = await commitConfiguration(s, {
        check: values.check,
        ...(minutes === undefined ? {} : { confirmTimeoutSeconds: minutes * 60 }),
        ...(values.comment === undefined ? {} : { comment: values.comment }),
      });
      return values.json
        ? { ok: r.success, check: r.check, routingEngines: r.routingEngines.map((re) => ({ name: re.name, success: re.success })), warnings: warningsJson(r.warnings) }
        : `${r.check ? 'configuration check succeeds' : 'commit complete'}${warningLines(r.warnings) ? `\n${warningLines(r.warnings)}` : ''}`;
    }
    if (values.comment !== undefined) throw new ClientError('INVALID_ARGUMENT', '--comment needs a Junos device (RFC commit has no comment)');
    const reply = values.check ? await validate(s, 'candidate') : await commit(s, minutes === undefined ? {} : { confirmed: true, confirmTimeoutSeconds: minutes * 60 });
    return values.json ? { ok: true, check: values.check, warnings: warningsJson(reply.warnings) } : values.check ? 'candidate is valid' : 'commit complete';
  });
}

/** `netconfkit load FILE`: Junos load-configuration; the format comes from the extension or --format. */
export async function runLoad(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { ...CONNECTION_FLAGS, format: { type: 'string' }, action: { type: 'string' }, diff: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new ClientError('INVALID_ARGUMENT', 'load takes one FILE (or - with --format)');
  const file = positionals[0]!;
  const format = (values.format ?? formatFromExtension(file)) as JunosFormat;
  if (!['xml', 'text', 'set', 'json'].includes(format)) throw new ClientError('INVALID_ARGUMENT', `--format must be xml, text, set or json, not "${format}"`);
  const action = values.action as LoadAction | undefined;
  if (action !== undefined && !['merge', 'replace', 'override', 'update', 'set', 'patch'].includes(action)) throw new ClientError('INVALID_ARGUMENT', `unknown --action "${action}"`);
  const config = await readSource(file);
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
  throw new ClientError('INVALID_ARGUMENT', `cannot tell the format of "${file}" from its extension: pass --format`);
}

function warningLines(warnings: { message: string }[]): string {
  return warnings.map((w) => `WARNING ${w.message}`).join('\n');
}

async function readSource(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function contentArg(value: string): Promise<string> {
  return value.trimStart().startsWith('<') ? value : readFile(value, 'utf8');
}
