import { describe, expect, it } from 'vitest';
import { ClientError } from '../../src/errors/index.js';
import { checkHost, redactHost, targetName } from '../../src/transport/host-name.js';

function refusal(host: unknown): ClientError {
  try {
    checkHost(host);
  } catch (err) {
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe('INVALID_ARGUMENT');
    return err as ClientError;
  }
  throw new Error(`expected ${String(host)} to be refused`);
}

describe('checkHost', () => {
  it.each([
    ['r1', 'r1'],
    ['r1.example.net', 'r1.example.net'],
    ['10.0.0.1', '10.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['2001:db8::7', '2001:db8::7'],
    ['[2001:db8::7]', '2001:db8::7'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
  ])('takes %s as %s', (host, expected) => {
    expect(checkHost(host)).toBe(expected);
  });

  it.each([
    ['admin:secret@r1', '***@r1', /`username`.*`password`/],
    ['admin@r1', '***@r1', /`username`/],
    ['ssh://admin:secret@r1:830', 'ssh://***@r1:830', /`username`/],
    ['a:b@c@r1', '***@r1', /`username`/],
    ['netconf://r1', 'netconf://r1', /scheme/],
    ['r1/x', 'r1/x', /path/],
    ['r1 ', 'r1 ', /white space/],
    ['r1:830', 'r1:830', /`port`/],
    ['[::1]:830', '[::1]:830', /`port`/],
    ['[r1]', '[r1]', /IPv6/],
  ])('refuses %s, showing it as %s', (host, shown, why) => {
    const err = refusal(host);
    expect(err.message).toContain('host must be a bare host name or address');
    expect(err.message).toContain(`"${shown}"`);
    expect(err.message).toMatch(why);
    expect(JSON.stringify(err.toJSON())).not.toContain('secret');
  });

  it('refuses an empty or missing host', () => {
    expect(refusal('').message).toContain('empty');
    expect(refusal(undefined).message).toContain('undefined');
  });

  it('caps what it shows', () => {
    expect(redactHost(`${'x'.repeat(200)}`)).toHaveLength(101);
  });

  it('writes IPv6 targets in brackets', () => {
    expect(targetName('::1', 830)).toBe('[::1]:830');
    expect(targetName('r1', 830)).toBe('r1:830');
  });
});
