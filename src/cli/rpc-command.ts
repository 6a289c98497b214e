import { RpcError } from '../errors/device-error.js';
import { type ConnectOptions, connect } from '../session/connect.js';
import type { RpcReply } from '../session/session.js';
import { expectPositionals, parse, usageError } from './args.js';
import { readFileArg, readStdin, readTextFile } from './files.js';

/** Connection flags shared by every command that talks to a device. */
export const CONNECTION_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  username: { type: 'string', short: 'u' },
  key: { type: 'string' },
  'known-hosts': { type: 'string' },
  'host-key': { type: 'string', multiple: true },
  'insecure-accept-any-host-key': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface ConnectionFlags {
  host?: string | undefined;
  port?: string | undefined;
  username?: string | undefined;
  key?: string | undefined;
  'known-hosts'?: string | undefined;
  'host-key'?: string[] | undefined;
  'insecure-accept-any-host-key'?: boolean | undefined;
  timeout?: string | undefined;
}

/**
 * Turns flags into connect options. The password comes only from NETCONF_PASSWORD (and a key
 * passphrase from NETCONF_PASSPHRASE): a flag would show in `ps` and shell history.
 */
export async function connectOptions(flags: ConnectionFlags): Promise<ConnectOptions> {
  if (!flags.host) throw usageError('--host is required');
  if (!flags.username) throw usageError('--username is required');
  const port = flags.port === undefined ? 830 : Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`--port must be 1-65535, not "${flags.port}"`);
  const options: ConnectOptions = { host: flags.host, port, username: flags.username };
  const password = process.env.NETCONF_PASSWORD;
  if (password !== undefined && password !== '') options.password = password;
  if (flags.key) {
    options.privateKey = await readFileArg(flags.key, 'the key');
    const passphrase = process.env.NETCONF_PASSPHRASE;
    if (passphrase) options.passphrase = passphrase;
  }
  if (!options.password && !options.privateKey) throw usageError('set NETCONF_PASSWORD or pass --key');
  if (flags['known-hosts']) options.knownHosts = flags['known-hosts'];
  if (flags['host-key']?.length) options.hostKey = flags['host-key'];
  if (flags['insecure-accept-any-host-key']) options.insecureAcceptAnyHostKey = true;
  if (flags.timeout !== undefined) {
    const seconds = Number(flags.timeout);
    if (!(seconds > 0)) throw usageError(`--timeout must be a number of seconds, not "${flags.timeout}"`);
    options.rpcTimeoutMs = seconds * 1000;
  }
  return options;
}

export const RPC_FLAGS = { ...CONNECTION_FLAGS, file: { type: 'string', short: 'f' } } as const;

/** `netconfkit rpc`: send one RPC, print the reply. */
export async function runRpc(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(args, RPC_FLAGS);
  const request = await readRequest(values.file, positionals);
  const options = await connectOptions(values);
  const session = await connect(options);
  try {
    const reply = await session.rpc(request);
    out.write(values.json ? `${JSON.stringify(replyJson(reply), null, 2)}\n` : `${reply.xml ?? ''}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    if (values.json) {
      out.write(`${JSON.stringify({ ok: false, messageId: err.messageId, code: err.code, errors: err.errors.map((e) => e.toJSON()), warnings: err.warnings.map((w) => w.toJSON()) }, null, 2)}\n`);
    } else {
      for (const e of err.items) out.write(`${e.level.toUpperCase()} ${e.code}: ${e.message}\n`);
    }
    return 1;
  } finally {
    await session.close();
  }
}

function replyJson(reply: RpcReply) {
  return { ok: true, messageId: reply.messageId, hasOk: reply.ok, reply: reply.xml, warnings: reply.warnings.map((w) => w.toJSON()), errors: [] };
}

async function readRequest(file: string | undefined, positionals: string[]): Promise<string> {
  if (file !== undefined && positionals.length > 0) throw usageError('give the RPC either with --file or as an argument, not both');
  if (positionals.length > 1) expectPositionals('rpc', positionals, 1, 'the request');
  let text: string;
  if (file === '-' || (file === undefined && positionals[0] === '-')) text = await readStdin();
  else if (file !== undefined) text = await readTextFile(file);
  else if (positionals.length === 1) text = positionals[0]!;
  else throw usageError('rpc needs the request: an argument, --file FILE, or - for standard input');
  text = text.trim();
  if (!text.startsWith('<')) throw usageError('the request must be XML, e.g. "<get-config><source><running/></source></get-config>"');
  return text;
}
