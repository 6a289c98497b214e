import { ConnectionError, TimeoutError } from '../errors/classes.js';
import type { NetconfError } from '../errors/netconf-error.js';

/**
 * Maps a socket failure to a typed error by its `code` (ECONNREFUSED, ENOTFOUND, …), for every
 * transport alike; null when the code is not a socket one. `target` names host and port, and
 * nothing else about the connection goes into the message.
 */
export function socketError(e: Error & { code?: unknown }, target: string, phase: 'connect' | 'session'): NetconfError | null {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const opts = { cause: e };
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError('CONNECTION_REFUSED', `Connection to ${target} refused`, opts);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new ConnectionError('HOST_UNREACHABLE', `No route to ${target} (${code})`, opts);
    case 'ETIMEDOUT':
      return phase === 'connect'
        ? new TimeoutError('CONNECT_TIMEOUT', `Timed out connecting to ${target}`, opts)
        : new ConnectionError('CONNECTION_LOST', `The connection to ${target} timed out`, opts);
    case 'ENOTFOUND':
      return new ConnectionError('HOST_NOT_FOUND', `The host name in ${target} does not resolve`, opts);
    case 'EAI_AGAIN':
      return new ConnectionError('HOST_NOT_FOUND', `The host name in ${target} could not be resolved right now`, { ...opts, retryable: true });
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectionError('CONNECTION_LOST', `The connection to ${target} was reset`, opts);
  }
  return null;
}
