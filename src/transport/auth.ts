import { readFileSync } from 'node:fs';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey, Prompt } from 'ssh2';
import ssh2 from 'ssh2';
import { AuthenticationError, ClientError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { ask } from '../observability/callbacks.js';

// ssh2 is CommonJS; Node's ESM loader sees its names only on the default export.
const { utils } = ssh2;

/** One keyboard-interactive prompt, as the server sent it. */
export interface KeyboardInteractivePrompt {
  prompt: string;
  /** Whether the server wants the answer shown as it is typed (true for codes, false for secrets). */
  echo: boolean;
}

/** What the server said around its prompts (both may be empty). */
export interface KeyboardInteractiveInfo {
  name: string;
  instructions: string;
  /** `host:port` of the server asking (a jump host's when it is one). */
  target: string;
}

/**
 * Answers the keyboard-interactive prompts the password does not: one answer per prompt, in
 * order. Called again for each round the server sends.
 */
export type KeyboardInteractiveHandler = (
  prompts: KeyboardInteractivePrompt[],
  info: KeyboardInteractiveInfo,
) => string[] | Promise<string[]>;

/** The credentials of one SSH login (the device's or a jump host's). */
export interface AuthSettings {
  username: string;
  password?: string | undefined;
  privateKey?: string | Buffer | undefined;
  passphrase?: string | undefined;
  identityFiles?: readonly string[] | undefined;
  agent?: string | false | undefined;
  tryKeyboard?: boolean | undefined;
  onKeyboardInteractive?: KeyboardInteractiveHandler | undefined;
}

type Planned =
  | { type: 'publickey'; key: ParsedKey }
  | { type: 'agent'; agent: string }
  | { type: 'keyboard-interactive' }
  | { type: 'password'; password: string };

/** The methods of one login, in the order they are tried, and the ssh2 handler that tries them. */
export interface AuthPlan {
  readonly username: string;
  /** The method names, in order (for messages and tests). */
  readonly order: string[];
  /** ssh2's `authHandler`. */
  readonly handler: AuthHandlerMiddleware;
}

/**
 * Works out which methods to try, in OpenSSH's order: public keys (`privateKey`, then each
 * readable identity file), the agent, keyboard-interactive, the password. The agent is
 * `SSH_AUTH_SOCK` when the caller gave neither password nor key and did not set `agent: false`.
 * Keys are read and decrypted here, before anything connects: a key that cannot be used is
 * INVALID_ARGUMENT, a wrong passphrase saying so.
 *
 * `fail` ends the connection attempt from inside keyboard-interactive with the given error.
 */
export function planAuth(settings: AuthSettings, target: string, fail: (err: NetconfError) => void): AuthPlan {
  const planned: Planned[] = [];
  if (settings.privateKey !== undefined) planned.push({ type: 'publickey', key: readKey(settings.privateKey, settings.passphrase, `the private key for ${target}`, true)! });
  for (const file of settings.identityFiles ?? []) {
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch {
      continue; // as OpenSSH: an identity file that is not there is skipped
    }
    const key = readKey(text, settings.passphrase, `the identity file ${file}`, false);
    if (key) planned.push({ type: 'publickey', key });
  }
  const agent = settings.agent === false
    ? undefined
    : settings.agent ?? (settings.password === undefined && settings.privateKey === undefined ? process.env.SSH_AUTH_SOCK || undefined : undefined);
  if (agent) planned.push({ type: 'agent', agent });
  if (settings.tryKeyboard || settings.onKeyboardInteractive) planned.push({ type: 'keyboard-interactive' });
  if (settings.password !== undefined) planned.push({ type: 'password', password: settings.password });

  const prompt = keyboardInteractive(settings, target, fail);
  let next = -1; // -1: 'none' first, which asks the server which methods it takes
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, callback) => {
    if (next === -1) {
      next = 0;
      return callback({ type: 'none', username: settings.username });
    }
    while (next < planned.length) {
      const p = planned[next++]!;
      const wire: AuthenticationType = p.type === 'agent' ? 'publickey' : p.type;
      if (methodsLeft && !methodsLeft.includes(wire)) continue;
      const username = settings.username;
      const method: AnyAuthMethod = p.type === 'publickey' ? { type: 'publickey', username, key: p.key }
        : p.type === 'agent' ? { type: 'agent', username, agent: p.agent }
        : p.type === 'password' ? { type: 'password', username, password: p.password }
        : { type: 'keyboard-interactive', username, prompt };
      return callback(method);
    }
    return callback(false as unknown as AuthenticationType);
  };
  return { username: settings.username, order: planned.map((p) => p.type), handler };
}

/**
 * Parses a private key. An encrypted key without a passphrase is INVALID_ARGUMENT when the
 * caller gave it (`required`), skipped (null) when it came from an identity file (the agent
 * may hold it); a passphrase that does not decrypt it is always INVALID_ARGUMENT.
 */
function readKey(data: string | Buffer, passphrase: string | undefined, what: string, required: boolean): ParsedKey | null {
  const parsed = utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key && !(key instanceof Error)) {
    if (!key.isPrivateKey()) {
      if (required) throw new ClientError('INVALID_ARGUMENT', `${cap(what)} is a public key, not a private key`);
      return null;
    }
    return key;
  }
  const encrypted = isEncrypted(data);
  if (encrypted && passphrase === undefined) {
    if (required) throw new ClientError('INVALID_ARGUMENT', `${cap(what)} is encrypted: give its passphrase (passphrase option, NETCONF_PASSPHRASE in the CLI)`);
    return null;
  }
  if (encrypted) throw new ClientError('INVALID_ARGUMENT', `The passphrase does not decrypt ${what}: wrong passphrase`);
  if (required) throw new ClientError('INVALID_ARGUMENT', `${cap(what)} cannot be read: ${key instanceof Error ? key.message : 'not a private key'}`, { cause: key });
  return null;
}

/** Whether key text is an encrypted private key (OpenSSH, PEM or PuTTY format). */
function isEncrypted(data: string | Buffer): boolean {
  const text = data.toString();
  if (/ENCRYPTED|Proc-Type: 4,ENCRYPTED|Encryption: (?!none)/.test(text)) return true;
  const probe = utils.parseKey(data);
  return probe instanceof Error && /no passphrase given/i.test(probe.message);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The keyboard-interactive policy. The password answers only a prompt that asks for a password
 * with echo off, and only once per login (a second one means it was refused). Every other
 * prompt goes to `onKeyboardInteractive`; without it the login fails AUTH_FAILED quoting the
 * prompt. No answer is sent unless every prompt of the round has one.
 */
function keyboardInteractive(settings: AuthSettings, target: string, fail: (err: NetconfError) => void) {
  let passwordSent = false;
  return (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: (answers: string[]) => void): void => {
    const answers: (string | undefined)[] = prompts.map((p) => {
      if (settings.password !== undefined && !passwordSent && p.echo === false && /password/i.test(p.prompt)) {
        passwordSent = true;
        return settings.password;
      }
      return undefined;
    });
    const open = prompts.flatMap((p, i) => (answers[i] === undefined ? [{ prompt: p.prompt, echo: p.echo === true, index: i }] : []));
    if (open.length === 0) return finish(answers as string[]);
    const handler = settings.onKeyboardInteractive;
    if (!handler) {
      const which = open[0]!;
      const why = settings.password !== undefined && passwordSent && which.echo === false && /password/i.test(which.prompt)
        ? 'asked for the password again (it was refused)'
        : `asked "${shown(which.prompt)}"${which.echo ? ' (echo on)' : ''}, which only an onKeyboardInteractive callback can answer (the password goes only to a password prompt with echo off)`;
      return fail(new AuthenticationError('AUTH_FAILED', `Authentication to ${target} failed: keyboard-interactive ${why}`));
    }
    // The caller's answer: what it throws or rejects with fails this login alone.
    ask(() => handler(open.map(({ prompt, echo }) => ({ prompt, echo })), { name, instructions, target }))
      .then((given) => {
        if (!Array.isArray(given) || given.length !== open.length || !given.every((a) => typeof a === 'string')) {
          return fail(new ClientError('INVALID_ARGUMENT', `onKeyboardInteractive must return one string per prompt (${open.length}) for ${target}`));
        }
        open.forEach((o, i) => (answers[o.index] = given[i]));
        finish(answers as string[]);
      }, (err: unknown) => {
        fail(new AuthenticationError('AUTH_FAILED', `Authentication to ${target} failed: onKeyboardInteractive gave no answer to "${shown(open[0]!.prompt)}"`, { cause: err }));
      });
  };
}

/** Prompt text for a message: control characters out, at most 120 characters. */
function shown(prompt: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = prompt.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 120)}…` : clean;
}
