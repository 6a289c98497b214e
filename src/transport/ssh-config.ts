import { readFileSync, readdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { ClientError } from '../errors/classes.js';
import { hostMatches, patternRegExp } from './host-patterns.js';

/**
 * A small OpenSSH client configuration (`ssh_config`) reader: only the keywords netconfkit
 * uses, with OpenSSH's rules for them. No npm parser is used: the one that fits (`ssh-config`)
 * could not be added at the time, and what is needed here (Host blocks, first value wins,
 * Include, tokens) is short.
 *
 * - `Host` patterns: `*`, `?`, `!negation`, several per line; matched against the name the
 *   caller gave (the alias), as OpenSSH does.
 * - The first value obtained for a keyword wins; `IdentityFile` lines add up.
 * - `Include` (relative paths from ~/.ssh, `*` wildcards) up to 16 levels deep.
 * - `Match` blocks are not evaluated: their lines are skipped.
 */

/** The settings netconfkit reads, as the file gives them (tokens not yet expanded). */
export interface SshConfigValues {
  hostName?: string;
  user?: string;
  port?: number;
  identityFile?: string[];
  identitiesOnly?: boolean;
  /** `ProxyJump`, `none` kept as is; whichever of ProxyJump and ProxyCommand comes first wins. */
  proxyJump?: string;
  proxyCommand?: string;
  userKnownHostsFile?: string[];
  strictHostKeyChecking?: 'yes' | 'no' | 'ask' | 'accept-new' | 'off';
  /** Seconds. */
  connectTimeout?: number;
  /** Seconds. */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
}

interface Line {
  /** Lower case, for matching. */
  keyword: string;
  /** As written, for messages. */
  name: string;
  args: string[];
  /** The Host patterns of the block the line is in; null outside any block; 'match' for a Match block. */
  host: string[] | null | 'match';
  where: string;
}

const MAX_INCLUDE_DEPTH = 16;

/** Reads an ssh_config file (and what it includes) into lines with their Host conditions. */
export function readSshConfig(file: string): SshConfig {
  const lines: Line[] = [];
  readInto(file, lines, null, 0);
  return new SshConfig(lines);
}

/** Parses ssh_config text; `Include` is read relative to `baseDir` (default ~/.ssh). */
export function parseSshConfig(text: string, where = 'ssh_config', baseDir = path.join(homedir(), '.ssh')): SshConfig {
  const lines: Line[] = [];
  parseInto(text, where, lines, null, 0, baseDir);
  return new SshConfig(lines);
}

function readInto(file: string, lines: Line[], host: Line['host'], depth: number): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `Cannot read the ssh_config file ${file}`, { cause: err });
  }
  parseInto(text, file, lines, host, depth, path.join(homedir(), '.ssh'));
}

function parseInto(text: string, where: string, lines: Line[], inherited: Line['host'], depth: number, baseDir: string): void {
  let host = inherited;
  text.split(/\r?\n/).forEach((raw, i) => {
    const at = `${where} line ${i + 1}`;
    const words = splitLine(raw, at);
    if (words.length === 0) return;
    const keyword = words[0]!.toLowerCase();
    const args = words.slice(1);
    if (keyword === 'host') {
      if (args.length === 0) throw bad(at, 'Host needs at least one pattern');
      host = args;
    } else if (keyword === 'match') {
      host = 'match';
    } else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) throw bad(at, `Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      for (const arg of args) {
        for (const file of includeFiles(expandHome(arg), baseDir)) readInto(file, lines, host, depth + 1);
      }
    } else {
      lines.push({ keyword, name: words[0]!, args, host, where: at });
    }
  });
}

/** Include paths: relative ones from ~/.ssh; a `*` or `?` in the last part matches files there. */
function includeFiles(arg: string, baseDir: string): string[] {
  const full = path.isAbsolute(arg) ? arg : path.join(baseDir, arg);
  const name = path.basename(full);
  if (!/[*?]/.test(name)) {
    try {
      readFileSync(full);
      return [full];
    } catch {
      return []; // OpenSSH ignores an Include that matches no file
    }
  }
  const dir = path.dirname(full);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const re = patternRegExp(name);
  return entries.filter((e) => re.test(e)).sort().map((e) => path.join(dir, e));
}

/** Words of one line: `Keyword value`, `Keyword=value`, double quotes group, `#` starts a comment. */
function splitLine(raw: string, at: string): string[] {
  const words: string[] = [];
  let i = 0;
  const line = raw.trim();
  // The keyword may be followed by '=' (with optional spaces around it).
  const kw = /^([^\s=]+)\s*(?:=\s*|\s+|$)/.exec(line);
  if (!kw || line.startsWith('#')) return words;
  words.push(kw[1]!);
  i = kw[0].length;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end === -1) throw bad(at, 'unterminated quote');
      words.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !/\s/.test(line[j]!)) j++;
      words.push(line.slice(i, j));
      i = j;
    }
  }
  return words;
}

function bad(at: string, why: string): ClientError {
  return new ClientError('INVALID_ARGUMENT', `Cannot read ${at}: ${why}`);
}

/** A parsed ssh_config: ask it for the settings of one host alias. */
export class SshConfig {
  constructor(private readonly lines: readonly Line[]) {}

  /** The settings for `alias` (the name the caller gave), first value of each keyword winning. */
  lookup(alias: string): SshConfigValues {
    const out: SshConfigValues = {};
    for (const line of this.lines) {
      if (line.host === 'match') continue;
      if (line.host !== null && !hostMatches(line.host, alias)) continue;
      apply(out, line);
    }
    return out;
  }
}

function apply(out: SshConfigValues, { keyword, name, args, where }: Line): void {
  const value = args[0];
  if (value === undefined) throw bad(where, `${name} needs a value`);
  const number = (min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw bad(where, `${name} must be a whole number from ${min} to ${max}, not "${value}"`);
    return n;
  };
  const yesNo = (): boolean => {
    const v = value.toLowerCase();
    if (v === 'yes' || v === 'true') return true;
    if (v === 'no' || v === 'false') return false;
    throw bad(where, `${name} must be yes or no, not "${value}"`);
  };
  switch (keyword) {
    case 'hostname':
      out.hostName ??= value;
      break;
    case 'user':
      out.user ??= value;
      break;
    case 'port':
      out.port ??= number(1, 65535);
      break;
    case 'identityfile':
      (out.identityFile ??= []).push(value);
      break;
    case 'identitiesonly':
      out.identitiesOnly ??= yesNo();
      break;
    case 'proxyjump':
      if (out.proxyJump === undefined && out.proxyCommand === undefined) out.proxyJump = value;
      break;
    case 'proxycommand':
      if (out.proxyJump === undefined && out.proxyCommand === undefined) out.proxyCommand = args.join(' ');
      break;
    case 'userknownhostsfile':
      out.userKnownHostsFile ??= args;
      break;
    case 'stricthostkeychecking': {
      const v = value.toLowerCase();
      const known = { yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'off', ask: 'ask', 'accept-new': 'accept-new' } as const;
      if (!(v in known)) throw bad(where, `StrictHostKeyChecking must be yes, no, ask, accept-new or off, not "${value}"`);
      out.strictHostKeyChecking ??= known[v as keyof typeof known];
      break;
    }
    case 'connecttimeout':
      out.connectTimeout ??= number(1, 2_147_483);
      break;
    case 'serveraliveinterval':
      out.serverAliveInterval ??= number(0, 2_147_483);
      break;
    case 'serveralivecountmax':
      out.serverAliveCountMax ??= number(1, 1_000_000);
      break;
    default:
      // Every other keyword is for OpenSSH itself, not for netconfkit.
      break;
  }
}


/** `~/x` → home/x. */
export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return path.join(homedir(), p.slice(2));
  return p;
}

export interface TokenValues {
  /** %h: the remote host name (after HostName). */
  host: string;
  /** %n: the name the caller gave. */
  alias: string;
  /** %p */
  port: number;
  /** %r */
  user: string;
}

/** OpenSSH's `%` tokens in paths and HostName: %h %n %p %r %u %d %%; any other is an error. */
export function expandTokens(value: string, tokens: Partial<TokenValues>, what: string): string {
  return expandHome(value).replace(/%(.)/g, (whole, t: string) => {
    const v: Record<string, string | undefined> = {
      '%': '%',
      h: tokens.host,
      n: tokens.alias,
      p: tokens.port === undefined ? undefined : String(tokens.port),
      r: tokens.user,
      u: localUser(),
      d: homedir(),
    };
    const out = v[t];
    if (out === undefined) throw new ClientError('INVALID_ARGUMENT', `ssh_config ${what} uses the token ${whole}, which netconfkit does not expand here`);
    return out;
  });
}

export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
