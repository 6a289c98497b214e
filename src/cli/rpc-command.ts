import { RpcError } from '../errors/device-error.js';
import { type ConnectOptions, connect } from '../session/connect.js';
import type { RpcReply } from '../session/session.js';
import { expectPositionals, parse, usageError } from './args.js';
import { readFileArg, readStdin, readTextFile } from './files.js';
import { SSH_FLAGS, type SshFlags, applySshFlags } from './ssh-flags.js';
import { applySshConfig } from '../transport/route.js';
import type { SshLogin } from '../transport/ssh-transport.js';
import type { TlsOptions } from '../transport/tls-transport.js';
import { checkXmlFragment } from '../xml/well-formed.js';

/** Connection flags shared by every command that talks to a device. */
export const CONNECTION_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  username: { type: 'string', short: 'u' },
  key: { type: 'string' },
  'known-hosts': { type: 'string' },
  'host-key': { type: 'string', multiple: true },
  'insecure-accept-any-host-key': { type: 'boolean', default: false },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'insecure-accept-any-certificate': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
  ...SSH_FLAGS,
} as const;

export interface ConnectionFlags extends SshFlags {
  host?: string | undefined;
  port?: string | undefined;
  username?: string | undefined;
  key?: string | undefined;
  'known-hosts'?: string | undefined;
  'host-key'?: string[] | undefined;
  'insecure-accept-any-host-key'?: boolean | undefined;
  'tls-ca'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  'insecure-accept-any-certificate'?: boolean | undefined;
  timeout?: string | undefined;
}

/** SSH-only flags, refused with TLS: a TLS session has no SSH login. */
const SSH_ONLY = ['username', 'key', 'known-hosts', 'host-key', 'insecure-accept-any-host-key', 'jump', 'ssh-config'] as const;

/**
 * Turns flags into connect options. The password comes only from NETCONF_PASSWORD (and a key
 * passphrase from NETCONF_PASSPHRASE): a flag would show in `ps` and shell history.
 */
export async function connectOptions(flags: ConnectionFlags): Promise<ConnectOptions> {
  if (!flags.host) throw usageError('--host is required');
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw usageError(`--port must be 1-65535, not "${flags.port}"`);
  const tls = await tlsIdentity(flags);
  if (tls) {
    const options: ConnectOptions = { host: flags.host, tls };
    if (port !== undefined) options.port = port;
    if (flags.timeout !== undefined) options.rpcTimeoutMs = timeoutMs(flags.timeout);
    return options;
  }
  // Without --port or --username: ssh_config's Port and User, else 830 and the login name.
  const options: ConnectOptions = { host: flags.host, ...(await sshLogin(flags)) };
  if (port !== undefined) options.port = port;
  applySshFlags(flags, options);
  if (flags.timeout !== undefined) options.rpcTimeoutMs = timeoutMs(flags.timeout);
  // ssh_config now, so that its IdentityFile counts as a way to log in (and its mistakes show as usage).
  const resolved = applySshConfig(options);
  if (!resolved.password && !resolved.privateKey && !resolved.identityFiles?.length && !process.env.SSH_AUTH_SOCK) {
    throw usageError('set NETCONF_PASSWORD, pass --key, run an ssh-agent (SSH_AUTH_SOCK), or give the host an IdentityFile in ssh_config');
  }
  return resolved;
}

/**
 * The SSH login and host-key check the flags give: user, NETCONF_PASSWORD, --key (its
 * passphrase from NETCONF_PASSPHRASE), known_hosts, pins.
 */
export async function sshLogin(flags: ConnectionFlags): Promise<SshLogin> {
  const login: SshLogin = { tryKeyboard: true };
  if (flags.username) login.username = flags.username;
  const password = process.env.NETCONF_PASSWORD;
  if (password !== undefined && password !== '') login.password = password;
  if (flags.key) {
    login.privateKey = await readFileArg(flags.key, 'the key');
    const passphrase = process.env.NETCONF_PASSPHRASE;
    if (passphrase) login.passphrase = passphrase;
  }
  if (flags['known-hosts']) login.knownHosts = flags['known-hosts'];
  if (flags['host-key']?.length) login.hostKey = flags['host-key'];
  if (flags['insecure-accept-any-host-key']) login.insecureAcceptAnyHostKey = true;
  return login;
}

/**
 * NETCONF over TLS (RFC 7589): our certificate and key, the CA the device's chains to; null
 * when no --tls-* flag is given (the session is SSH then).
 */
export async function tlsIdentity(flags: ConnectionFlags): Promise<TlsOptions | null> {
  if (flags['tls-cert'] === undefined && flags['tls-key'] === undefined && flags['tls-ca'] === undefined) {
    if (flags['insecure-accept-any-certificate']) throw usageError('--insecure-accept-any-certificate is for TLS: give --tls-cert and --tls-key');
    return null;
  }
  if (flags['tls-cert'] === undefined || flags['tls-key'] === undefined) throw usageError('TLS needs both --tls-cert FILE and --tls-key FILE');
  const ssh = SSH_ONLY.filter((name) => {
    const value = flags[name];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
  });
  if (ssh.length) throw usageError(`${ssh.map((n) => `--${n}`).join(', ')}: SSH options, but --tls-cert makes this a TLS session`);
  return {
    cert: await readFileArg(flags['tls-cert'], 'the TLS certificate'),
    key: await readFileArg(flags['tls-key'], 'the TLS key'),
    ...(flags['tls-ca'] !== undefined ? { ca: await readFileArg(flags['tls-ca'], 'the TLS CA') } : {}),
    ...(flags['insecure-accept-any-certificate'] ? { insecureAcceptAnyCertificate: true } : {}),
  };
}

export function timeoutMs(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0)) throw usageError(`--timeout must be a number of seconds, not "${value}"`);
  return seconds * 1000;
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
  return { ok: true, messageId: reply.messageId, hasOk: reply.hasOk, reply: reply.xml, warnings: reply.warnings.map((w) => w.toJSON()), errors: [] };
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
  // Checked before connecting, as the session would check it: a typo costs no login.
  checkXmlFragment(text, 'The request');
  return text;
}
