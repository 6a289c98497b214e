import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_HOST_KEY, preferKnownTypes, serverHostKeyOrder } from '../../src/transport/algorithms.js';

const require = createRequire(import.meta.url);

describe('host key algorithm order', () => {
  it("copies ssh2's default list", () => {
    const constants = require('ssh2/lib/protocol/constants.js') as { DEFAULT_SERVER_HOST_KEY: string[]; SUPPORTED_SERVER_HOST_KEY: string[] };
    expect(DEFAULT_SERVER_HOST_KEY).toEqual(constants.DEFAULT_SERVER_HOST_KEY);
    expect(constants.SUPPORTED_SERVER_HOST_KEY).toEqual([...DEFAULT_SERVER_HOST_KEY, 'ssh-dss']);
  });

  it('puts the algorithms for known key types first, ssh-rsa standing for all three RSA ones', () => {
    expect(preferKnownTypes(DEFAULT_SERVER_HOST_KEY, ['ssh-rsa'])).toEqual([
      'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
      'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
    ]);
    expect(preferKnownTypes(DEFAULT_SERVER_HOST_KEY, ['ecdsa-sha2-nistp384', 'ssh-ed25519']).slice(0, 3)).toEqual([
      'ecdsa-sha2-nistp384', 'ssh-ed25519', 'ecdsa-sha2-nistp256',
    ]);
  });

  it('adds nothing the list does not hold', () => {
    expect(preferKnownTypes(['ssh-ed25519', 'rsa-sha2-256'], ['ssh-rsa', 'ssh-dss'])).toEqual(['rsa-sha2-256', 'ssh-ed25519']);
  });

  it("leaves ssh2's setting alone when nothing is known for the host", () => {
    expect(serverHostKeyOrder(undefined, [])).toBeUndefined();
    expect(serverHostKeyOrder(['ssh-rsa'], [])).toBeUndefined();
  });

  it("applies a caller's append, prepend and remove to the default list, then reorders", () => {
    expect(serverHostKeyOrder(undefined, ['ssh-rsa'])?.slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(serverHostKeyOrder({ append: 'ssh-dss', remove: [/^ecdsa/, 'ssh-rsa'] }, ['ssh-rsa'])).toEqual([
      'rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519', 'ssh-dss',
    ]);
    expect(serverHostKeyOrder({ prepend: ['ssh-dss'] }, ['ssh-ed25519'])?.slice(0, 2)).toEqual(['ssh-ed25519', 'ssh-dss']);
  });
});
