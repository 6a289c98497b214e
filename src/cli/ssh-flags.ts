import type { ConnectOptions } from '../session/connect.js';
import { parseJumpList } from '../transport/route.js';
import type { JumpHost } from '../transport/ssh-transport.js';
import { usageError } from './args.js';

/** How the CLI reaches a device: jump hosts and ssh_config (on by default, as for ssh). */
export const SSH_FLAGS = {
  jump: { type: 'string', multiple: true },
  'ssh-config': { type: 'string' },
  'no-ssh-config': { type: 'boolean', default: false },
} as const;

export interface SshFlags {
  jump?: string[] | undefined;
  'ssh-config'?: string | undefined;
  'no-ssh-config'?: boolean | undefined;
  'insecure-accept-any-host-key'?: boolean | undefined;
}

/**
 * Adds jump hosts and ssh_config to connect options. A `--jump` host logs in with the agent,
 * its ssh_config IdentityFile, or NETCONF_JUMP_PASSWORD (never a flag); its host key is checked
 * like the device's (the same --known-hosts; --insecure-accept-any-host-key covers it too).
 */
export function applySshFlags(flags: SshFlags, options: ConnectOptions): void {
  if (flags['no-ssh-config'] && flags['ssh-config'] !== undefined) throw usageError('give --ssh-config FILE or --no-ssh-config, not both');
  options.sshConfig = flags['no-ssh-config'] ? false : flags['ssh-config'] ?? true;
  if (flags.jump?.length) {
    let hops: JumpHost[];
    try {
      hops = flags.jump.flatMap((spec) => parseJumpList(spec));
    } catch (err) {
      throw usageError(`--jump: ${(err as Error).message}`);
    }
    const password = process.env.NETCONF_JUMP_PASSWORD;
    options.jump = hops.map((hop) => ({
      ...hop,
      ...(password ? { password, tryKeyboard: true } : {}),
      ...(flags['insecure-accept-any-host-key'] ? { insecureAcceptAnyHostKey: true } : {}),
    }));
  }
}
