import { describe, expect, it } from 'vitest';
import { AuthenticationError, ConnectionError, TimeoutError } from '../../src/errors/index.js';
import { mapSshError } from '../../src/transport/ssh-errors.js';

const err = (message: string, fields: { level?: string; code?: string | number }) => Object.assign(new Error(message), fields);

describe('mapSshError', () => {
  it.each([
    [{ level: 'client-authentication' }, 'connect', 'AUTH_FAILED', false, AuthenticationError],
    [{ level: 'client-timeout' }, 'connect', 'CONNECT_TIMEOUT', true, TimeoutError],
    [{ level: 'client-timeout' }, 'session', 'CONNECTION_LOST', true, ConnectionError],
    [{ level: 'client-socket', code: 'ECONNREFUSED' }, 'connect', 'CONNECTION_REFUSED', true, ConnectionError],
    [{ level: 'client-socket', code: 'EHOSTUNREACH' }, 'connect', 'HOST_UNREACHABLE', true, ConnectionError],
    [{ level: 'client-socket', code: 'ETIMEDOUT' }, 'connect', 'CONNECT_TIMEOUT', true, TimeoutError],
    [{ level: 'client-dns', code: 'ENOTFOUND' }, 'connect', 'HOST_NOT_FOUND', false, ConnectionError],
    [{ level: 'client-dns', code: 'EAI_AGAIN' }, 'connect', 'HOST_NOT_FOUND', true, ConnectionError],
    [{ level: 'client-socket', code: 'ECONNRESET' }, 'session', 'CONNECTION_LOST', true, ConnectionError],
    [{ level: 'handshake' }, 'connect', 'SSH_ERROR', false, ConnectionError],
    [{ level: 'protocol' }, 'connect', 'SSH_ERROR', true, ConnectionError],
    [{ code: 11 }, 'session', 'SSH_ERROR', true, ConnectionError],
  ] as const)('%o during %s → %s', (fields, phase, code, retryable, Class) => {
    const original = err('boom', fields);
    const mapped = mapSshError(original, 'r1:830', phase);
    expect(mapped).toBeInstanceOf(Class);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.cause).toBe(original);
    expect(mapped.message).toContain('r1:830');
  });
});
