import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The shared corpus of captured replies, read in place (it is never copied into the repo). */
export const CORPUS_DIR = process.env.NETCONFKIT_CORPUS ?? path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/corpus');

export interface ExpectedMessage {
  root: string;
  messageId: string | null;
  hasOk: boolean;
  errorCount: number;
  warningCount: number;
  bom: boolean;
  skippedText: string | null;
}

export interface ExpectedFile {
  framing: 'none' | 'eom' | 'chunked' | 'eom+chunked';
  messageCount: number;
  messages: ExpectedMessage[];
  trailing: 'none' | 'comment' | 'text';
  hasOk: boolean;
  errorCount: number;
  warningCount: number;
  otherSeverityCount: number;
  entries: (Record<string, unknown> & { messageIndex: number })[];
}

export function loadExpected(): Record<string, ExpectedFile> {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'expected.json'), 'utf8')) as Record<string, ExpectedFile>;
}

export function readCapture(name: string): Buffer {
  return readFileSync(path.join(CORPUS_DIR, name));
}
