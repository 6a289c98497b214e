import type { NetconfError } from '../../src/errors/netconf-error.js';

/** The rejection of `promise`, which must reject. */
export async function failure<T extends Error = NetconfError>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    return err as T;
  }
  throw new Error('expected the call to fail');
}
