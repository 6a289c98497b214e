import type { NetconfError } from '../errors/netconf-error.js';

/**
 * Exit statuses, the same for every command (docs/cli.md lists them):
 * - 0 ok;
 * - 1 the device rejected the request (an RpcError). `replay`: the capture holds an error-level
 *   item, even when it is also cut off or partly unreadable (that is said on stderr).
 *   `fleet`: at least one device failed;
 * - 2 the caller's mistake: bad usage, a file that cannot be read, any `client`-category error
 *   (INVALID_ARGUMENT, CAPABILITY_MISSING, …). `replay`: also input that is not a capture and
 *   holds no error-level item;
 * - 3 a transport or protocol failure (refused, auth, host key, timeout, malformed reply, lost
 *   session). `fleet`: every failure was a transport one.
 */
export const EXIT = { ok: 0, deviceError: 1, usage: 2, transport: 3 } as const;

/** The status for an error that ended a command. `readsInput`: the command only reads a file
 *  (replay), so a protocol error is bad input, not a far end misbehaving. */
export function exitStatusFor(err: NetconfError, readsInput = false): number {
  if (err.category === 'device') return EXIT.deviceError;
  if (err.category === 'client') return err.code === 'SESSION_CLOSED' ? EXIT.transport : EXIT.usage;
  return readsInput ? EXIT.usage : EXIT.transport;
}

/** The same statuses in one line, for the help texts. */
export const EXIT_LINE = 'Exit status: 0 ok, 1 the device rejected the request, 2 usage or caller error, 3 transport or protocol failure.';
