import { AuthenticationError, ConnectionError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';
import { socketError } from './socket-errors.js';

interface Ssh2Error extends Error {
  level?: string;
  code?: string | number;
}

/**
 * Maps an ssh2 or socket failure to a typed error, by ssh2's `level` and the socket `code`,
 * never by message text alone. `target` names host and port; nothing else about the
 * connection (in particular no credential) goes into the message.
 */
export function mapSshError(err: unknown, target: string, phase: 'connect' | 'session'): NetconfError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Ssh2Error;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const opts = { cause: e };
  if (e.level === 'client-authentication') {
    return new AuthenticationError('AUTH_FAILED', `Authentication to ${target} failed: every method offered was rejected`, opts);
  }
  if (e.level === 'client-timeout') {
    if (phase === 'connect') return new TimeoutError('CONNECT_TIMEOUT', `Timed out connecting to ${target} (TCP, SSH handshake or authentication)`, opts);
    return new ConnectionError('CONNECTION_LOST', `The connection to ${target} stopped answering keepalives`, opts);
  }
  const socket = socketError(e, target, phase);
  if (socket) return socket;
  if (e.level === 'client-socket') return new ConnectionError('CONNECTION_LOST', `Socket error on ${target}: ${code ?? e.message}`, opts);
  if (e.level === 'handshake') return new ConnectionError('SSH_ERROR', `SSH handshake with ${target} failed: ${e.message}`, { ...opts, retryable: false });
  return new ConnectionError('SSH_ERROR', `SSH error on ${target}: ${e.message}`, opts);
}
