/** Runs scripts/ncclient-errors.py: ncclient's view of the rpc-errors a server returns. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, type PeerInfo } from './peer-info.js';

/** Debian's python: it has python3-ncclient (another python3 earlier on PATH may not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const NCCLIENT_SCRIPT = join(PROJECT_ROOT, 'scripts', 'ncclient-errors.py');

/** One rpc-error as ncclient's RPCError sees it (null where the element is absent). */
export interface NcclientError {
  type: string | null;
  tag: string | null;
  severity: string | null;
  app_tag: string | null;
  path: string | null;
  message: string | null;
  /** error-info children: local name → text (a list when the name repeats). */
  info: Record<string, string | string[] | null> | null;
  /** The raw error-info XML (RPCError.info). */
  info_xml: string | null;
}

export interface NcclientResult {
  /** RPCReply.ok: true when ncclient parsed no rpc-error (it ignores errors next to an <ok/>). */
  ok: boolean;
  errors: NcclientError[];
  /** A failure that is not an rpc-error (timeout, closed session), as "Type: text". */
  exception: string | null;
}

export interface NcclientOutput {
  sessionId: string | null;
  results: NcclientResult[];
}

/**
 * Sends `requests` (each the XML of an rpc body, un-prefixed elements default to the NETCONF
 * base namespace) over one ncclient session and returns what ncclient saw.
 */
export function runNcclient(
  peer: Pick<PeerInfo, 'host' | 'port' | 'username' | 'password'>,
  requests: string[],
  timeoutMs = 60_000,
): Promise<NcclientOutput> {
  const job = JSON.stringify({
    host: peer.host,
    port: peer.port,
    username: peer.username,
    password: peer.password,
    requests,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [NCCLIENT_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`ncclient-errors.py exited with ${code ?? signal}:\n${stderr}${stdout}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as NcclientOutput);
      } catch (err) {
        reject(new Error(`ncclient-errors.py printed no JSON (${(err as Error).message}):\n${stdout}\n${stderr}`));
      }
    });
    child.stdin.end(job);
  });
}
