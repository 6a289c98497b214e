import { type SshOptions, openSshChannel } from '../transport/ssh-transport.js';
import { Session, type SessionOptions } from './session.js';

export interface ConnectOptions extends SshOptions, SessionOptions {}

/**
 * Opens a NETCONF session over SSH: connect, verify the host key, authenticate, start the
 * `netconf` subsystem, exchange hellos. Every failure is a typed NetconfError.
 */
export async function connect(options: ConnectOptions): Promise<Session> {
  const channel = await openSshChannel(options);
  return Session.start(channel, { ...options, name: options.name ?? `${options.host}:${options.port ?? 830}` });
}
