import { isIPv6 } from 'node:net';
import { ClientError } from '../errors/classes.js';

const BARE = 'host must be a bare host name or address';

/**
 * Checks `host` before anything connects, and returns it ready for the socket: a bracketed
 * IPv6 literal (`[::1]`) loses its brackets. URL habits (`user:password@r1`, `ssh://r1`,
 * `r1/path`, `r1:830`) are refused: a password in `host` would otherwise end up in the
 * resolver's error message. The message shows the host with any user-info replaced by `***@`.
 */
export function checkHost(host: unknown): string {
  if (typeof host !== 'string' || host === '') {
    throw new ClientError('INVALID_ARGUMENT', `${BARE}; got ${host === '' ? 'an empty string' : typeof host}`);
  }
  const shown = redactHost(host);
  const refuse = (why: string) => new ClientError('INVALID_ARGUMENT', `${BARE}; ${why} (got "${shown}")`);
  if (host.includes('@')) return fail(refuse('put the user in `username` and the password in `password`'));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return fail(refuse('drop the scheme'));
  if (host.includes('/')) return fail(refuse('a path or URL is not a host'));
  if (/\s/.test(host)) return fail(refuse('it contains white space'));
  const bracketed = /^\[(.*)\]$/.exec(host);
  if (bracketed) {
    if (isIPv6(bracketed[1] ?? '')) return bracketed[1] as string;
    return fail(refuse('brackets hold only an IPv6 address; put the port in `port`'));
  }
  if (host.includes(':') && !isIPv6(host)) return fail(refuse('put the port in `port`'));
  return host;
}

function fail(err: ClientError): never {
  throw err;
}

/**
 * `user:pass@r1` → `***@r1`, `ssh://user:pass@r1:830` → `ssh://***@r1:830`. Everything up to
 * the last '@' goes: that may hide more than the user-info, never less. Capped in length.
 */
export function redactHost(host: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(host)?.[0] ?? '';
  const rest = host.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const shown = scheme + (at === -1 ? rest : `***@${rest.slice(at + 1)}`);
  return shown.length > 100 ? `${shown.slice(0, 100)}…` : shown;
}

/** `host:port` for messages; an IPv6 literal in brackets, as known_hosts writes it. */
export function targetName(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
