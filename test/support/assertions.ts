import { expect } from 'vitest';
import { NetconfError } from '../../src/errors/index.js';

/** Awaits a promise that must reject with a NetconfError, and returns the error. */
export async function rejection(p: Promise<unknown>): Promise<NetconfError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NetconfError);
    return err as NetconfError;
  }
  throw new Error('expected the promise to reject');
}
