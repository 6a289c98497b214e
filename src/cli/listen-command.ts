import net from 'node:net';
import type { NetconfError } from '../errors/netconf-error.js';
import { type DeviceResult, failureResult } from '../fleet/result.js';
import { type DeviceOperation, runOnSession } from '../fleet/run-device.js';
import { type CallHomeOptions, listenCallHome } from '../session/call-home.js';
import type { Session } from '../session/session.js';
import type { CallHomeInfo } from '../session/types.js';
import { parse, usageError } from './args.js';
import { EXIT } from './exit.js';
import { readTextFile } from './files.js';
import { signalled } from './listening.js';
import { FLEET_FLAGS, fleetOperation, fleetStatus, seconds, wholeNumber } from './fleet-command.js';
import { type Progress, progressReporter, summaryTable } from './fleet-report.js';
import { CONNECTION_FLAGS, sshLogin, tlsIdentity } from './rpc-command.js';

const { host, port, username, key, 'known-hosts': knownHosts, 'host-key': hostKey, 'insecure-accept-any-host-key': anyHostKey } = CONNECTION_FLAGS;
const { 'tls-ca': tlsCa, 'tls-cert': tlsCert, 'tls-key': tlsKey, 'insecure-accept-any-certificate': anyCertificate } = CONNECTION_FLAGS;
const { concurrency, timeout, json, ndjson, source, filter, file, format, 'dry-run': dryRun, comment } = FLEET_FLAGS;

export const LISTEN_FLAGS = {
  host, port, username, key, 'known-hosts': knownHosts, 'host-key': hostKey, 'insecure-accept-any-host-key': anyHostKey,
  'tls-ca': tlsCa, 'tls-cert': tlsCert, 'tls-key': tlsKey, 'insecure-accept-any-certificate': anyCertificate,
  'outbound-ssh-secret-file': { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
  concurrency, timeout, json, ndjson, source, filter, file, format, 'dry-run': dryRun, comment,
} as const;

/** One device's result, and who dialled in (null for a device that was refused). */
type ListenResult = DeviceResult<unknown> & { callHome: CallHomeInfo | null };

type Err = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * `netconfkit listen OPERATION`: devices dial in (RFC 8071 Call Home over SSH or TLS, Junos
 * outbound-ssh) and each gets the operation, as `fleet` runs it on each device of an inventory.
 * Stops after --count devices, after --duration, or on SIGINT/SIGTERM; then the listener is
 * closed, devices in progress finish, and the results print as fleet prints them.
 */
export async function runListen(args: string[], out: NodeJS.WritableStream, err: Err, interrupted: Promise<unknown> = signalled()): Promise<number> {
  const { values, positionals } = parse(args, LISTEN_FLAGS);
  const [command, ...rest] = positionals;
  if (command === undefined) throw usageError('listen needs an operation: get-config, rpc or commit');
  if (values.json && values.ndjson) throw usageError('give --json or --ndjson, not both');
  const operation = await fleetOperation('listen', command, rest, values);
  const count = values.count === undefined ? null : wholeNumber(values.count, '--count', 1);
  const durationMs = values.duration === undefined ? null : seconds(values.duration, 0, '--duration') * 1000;
  const lanes = wholeNumber(values.concurrency, '--concurrency', 10);
  const timeoutMs = seconds(values.timeout, 60) * 1000;
  const options = await listenerOptions(values, timeoutMs);

  const listener = await listenCallHome(options);
  err.write(`listening on ${hostPort(options.host ?? '*', listener.port)} for Call Home over ${options.tls ? 'TLS' : 'SSH'}\n`);

  const results: ListenResult[] = [];
  const progress = values.ndjson ? null : progressReporter(err, `listen ${command}`);
  let arrived = 0;
  const stop = new AbortController();
  const done = (result: ListenResult) => {
    results.push(result);
    const ok = results.filter((r) => r.ok).length;
    const p: Progress = { done: results.length, total: count, ok, failed: results.length - ok, result };
    if (progress) progress.update(p);
    else out.write(`${JSON.stringify(result)}\n`);
  };
  // Every device that dials in counts towards --count, refused ones too.
  const arrive = () => {
    arrived++;
    if (count !== null && arrived >= count) stop.abort();
  };
  listener.on('rejected', (error: NetconfError, peer) => {
    if (stop.signal.aborted) return;
    arrive();
    done({ ...failureResult(error, { device: hostPort(peer.address, peer.port), warnings: [], attempts: 1, durationMs: 0 }), callHome: null });
  });
  void interrupted.then(() => stop.abort());
  const timer = durationMs === null ? undefined : setTimeout(() => stop.abort(), durationMs);

  const running = new Set<Promise<void>>();
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    while (!stop.signal.aborted) {
      if (running.size >= lanes) {
        await Promise.race([stopped, ...running]);
        continue;
      }
      let session: Session;
      try {
        session = await listener.accept({ signal: stop.signal });
      } catch {
        break; // stopped
      }
      arrive();
      const work = run(session, operation, timeoutMs).then(done);
      const lane = work.finally(() => running.delete(lane));
      running.add(lane);
    }
  } finally {
    clearTimeout(timer);
    await listener.close();
    await Promise.all(running);
    progress?.end();
  }

  if (!values.ndjson) out.write(values.json ? `${JSON.stringify(results, null, 2)}\n` : summaryTable(results));
  if (results.length === 0) {
    err.write('netconfkit: no device dialled in\n');
    return EXIT.transport;
  }
  return fleetStatus(results);
}

async function run(session: Session, operation: DeviceOperation<unknown>, timeoutMs: number): Promise<ListenResult> {
  const info = session.callHome!;
  const device = { name: identity(info), host: info.address, port: info.port };
  return { ...(await runOnSession(session, device, operation, { timeoutMs })), callHome: info };
}

/**
 * Who dialled in: the DEVICE-ID a Junos device announced, the common name of a TLS device's
 * certificate, else the address with the host key's fingerprint (the port changes with every
 * connection; the key does not).
 */
function identity(info: CallHomeInfo): string {
  if (info.deviceId) return info.deviceId;
  if (info.certificate) return info.certificate.subject ? `CN=${info.certificate.subject}` : info.certificate.fingerprint;
  return `${info.address} ${info.hostKeyFingerprint ?? ''}`.trim();
}

type Values = ReturnType<typeof parse<typeof LISTEN_FLAGS>>['values'];

/** The listener's options: where, and how devices are verified (TLS identity, or the SSH login). */
async function listenerOptions(values: Values, timeoutMs: number): Promise<CallHomeOptions> {
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw usageError(`--port must be 0-65535, not "${values.port}"`);
  const base = { connectTimeoutMs: timeoutMs, ...(values.host === undefined ? {} : { host: values.host }) };
  const tlsFlag = values['tls-cert'] ?? values['tls-key'] ?? values['tls-ca'];
  if (tlsFlag !== undefined && values['outbound-ssh-secret-file'] !== undefined) throw usageError('--outbound-ssh-secret-file is for Junos outbound-ssh, which runs over SSH, not TLS');
  const tls = await tlsIdentity(values);
  if (tls) {
    // RFC 8071: 4335 for TLS.
    return { ...base, port: port ?? 4335, tls };
  }
  const login = await sshLogin(values);
  if (!login.password && !login.privateKey && !process.env.SSH_AUTH_SOCK) throw usageError('set NETCONF_PASSWORD, pass --key, or run an ssh-agent (SSH_AUTH_SOCK)');
  const secretFile = values['outbound-ssh-secret-file'];
  // The secret as the file holds it, less the line end an editor adds; never printed.
  const junosSecret = secretFile === undefined ? undefined : (await readTextFile(secretFile, 'the outbound-ssh secret')).replace(/\r?\n$/, '');
  if (junosSecret === '') throw usageError(`${secretFile} is empty: it must hold the outbound-ssh secret`);
  return { ...base, port: port ?? 4334, ssh: { ...login, ...(junosSecret === undefined ? {} : { junosSecret }) } };
}

function hostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}
