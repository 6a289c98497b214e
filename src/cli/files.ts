import { readFile } from 'node:fs/promises';
import { CliError } from './args.js';

/**
 * Files named on the command line. A file that cannot be read is the caller's problem: one line
 * that names the file (exit 2), never an UNKNOWN with a bare ENOENT.
 */
export async function readTextFile(file: string, what = ''): Promise<string> {
  return (await readFileArg(file, what)).toString('utf8');
}

export async function readFileArg(file: string, what = ''): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw cannotRead(file, err, what);
  }
}

/** FILE, or standard input for `-`. */
export async function readSource(file: string, what = ''): Promise<string> {
  return file === '-' ? readStdin() : readTextFile(file, what);
}

/** An XML value given inline (it starts with `<`) or as a FILE holding it. */
export async function inlineOrFile(value: string, what: string): Promise<string> {
  return value.trimStart().startsWith('<') ? value : readTextFile(value, what);
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function cannotRead(file: string, err: unknown, what = ''): CliError {
  return new CliError(`cannot read ${what ? `${what} ` : ''}${file}: ${reason(err)}`, false);
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** Why a file operation failed, in words (`no such file`, `permission denied`, …). */
export function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}
