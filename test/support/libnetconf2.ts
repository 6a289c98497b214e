/**
 * netconfkit's libnetconf2 test servers (scripts/libnetconf2/*-server.c, built by the
 * `libnetconf2` project's global set-up with scripts/libnetconf2.sh) as child processes of a
 * test: a free 127.0.0.1 port, a fresh SSH host key, started and stopped by pid.
 *
 *   const server = await startLibnetconf2('base-server');
 *   const s = await connect({ ...server.login });
 *   await server.stop();
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEd25519KeyPair, loadHostKey } from '../../src/device/host-key.js';
import { freePort } from './ports.js';

const HOST = '127.0.0.1';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LIBNETCONF2_SCRIPT = path.join(ROOT, 'scripts', 'libnetconf2.sh');
const READY_TIMEOUT_MS = 15_000;

export interface Libnetconf2Options {
  /** Listen for NETCONF over SSH (default: unless `tls` or `callHome` is given). */
  ssh?: boolean;
  /**
   * The TLS identity, PEM file paths; `ctn` is a cert-to-name fingerprint (`04:…`). The server
   * listens for TLS with it, unless it only dials (`callHome`).
   */
  tls?: { cert: string; key: string; ca: string; ctn?: string };
  /** RFC 8071 Call Home: dial a manager listening on 127.0.0.1 at this port, over SSH or TLS. */
  callHome?: { ssh: number } | { tls: number };
  /** More `--module NAME[@REV][:FEATURE,…]` to implement. */
  modules?: string[];
  /** Any further command-line arguments (the server's own). */
  args?: string[];
  /** The SSH host key, a private key's text (default: a fresh ed25519 key), to pin it before the server dials. */
  hostKey?: string;
}

export interface Libnetconf2Server {
  readonly pid: number;
  /** SSH port (0 without SSH) and TLS port (0 without TLS). */
  readonly port: number;
  readonly tlsPort: number;
  /** What connect() needs for the SSH endpoint: host, port, login and the host key pin (also the key it presents when it dials). */
  readonly login: { host: string; port: number; username: string; password: string; hostKey: string };
  /** What the server wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** The directory of the built binaries (scripts/libnetconf2.sh dir). */
export function libnetconf2Dir(): string {
  return execFileSync('bash', [LIBNETCONF2_SCRIPT, 'dir'], { encoding: 'utf8' }).trim();
}

/** Starts `scripts/libnetconf2/<name>.c`'s binary and resolves once it prints LISTENING. */
export async function startLibnetconf2(name: string, options: Libnetconf2Options = {}): Promise<Libnetconf2Server> {
  const dir = mkdtempSync(path.join(tmpdir(), 'netconfkit-ln2-'));
  const key = loadHostKey(options.hostKey ?? generateEd25519KeyPair().private);
  const keyFile = path.join(dir, 'host_key');
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  const ssh = options.ssh ?? (!options.tls && !options.callHome);
  const port = ssh ? await freePort() : 0;
  const tlsPort = options.tls && !options.callHome ? await freePort() : 0;
  const callHome = options.callHome;
  const args = [
    '--host-key', keyFile,
    ...(ssh ? ['--ssh', String(port)] : []),
    ...(tlsPort ? ['--tls', String(tlsPort)] : []),
    ...(callHome && 'ssh' in callHome ? ['--call-home-ssh', String(callHome.ssh)] : []),
    ...(callHome && 'tls' in callHome ? ['--call-home-tls', String(callHome.tls)] : []),
    ...(options.tls ? ['--tls-cert', options.tls.cert, '--tls-key', options.tls.key, '--tls-ca', options.tls.ca] : []),
    ...(options.tls?.ctn ? ['--tls-ctn', options.tls.ctn] : []),
    ...(options.modules ?? []).flatMap((m) => ['--module', m]),
    ...(options.args ?? []),
  ];
  const child = spawn(path.join(libnetconf2Dir(), name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await ready(child, () => stderr, name);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    pid: child.pid!,
    port,
    tlsPort,
    login: { host: HOST, port, username: 'netconf', password: 'netconf', hostKey: key.fingerprint },
    log: () => stderr,
    stop,
  };
}

function ready(child: ChildProcess, log: () => string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`did not print LISTENING within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`libnetconf2 ${name} ${why}:\n${log()}`));
    };
    child.once('error', (err) => fail(`could not start (${err.message}); did the libnetconf2 set-up build it?`));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it listened`));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('LISTENING\n')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
  });
}
