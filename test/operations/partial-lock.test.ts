import { describe, expect, it } from 'vitest';
import { FakeDevice, type FakeDeviceOptions } from '../../src/device/index.js';
import { RpcError } from '../../src/errors/index.js';
import { lockDatastore, partialLock, partialUnlock, unlockDatastore } from '../../src/operations/index.js';
import { deviceHarness, lastBody } from '../support/devices.js';
import { rejection } from '../support/assertions.js';

const PL = 'urn:ietf:params:xml:ns:netconf:partial-lock:1.0';
const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start(options));

const e0 = "/if:interfaces/if:interface[if:name='e0']";

describe('partialLock and partialUnlock (RFC 5717) over SSH against the fake device', () => {
  it('send the RFC request and read the lock id and the locked nodes', async () => {
    const { device, session } = await pair();
    const lock = await partialLock(session, [e0, '/if:interfaces/if:interface[if:name="e1"]/if:mtu'], { namespaces: { if: IF } });
    expect(lastBody(device)).toBe(`<partial-lock xmlns="${PL}"><select xmlns:if="${IF}">${e0}</select>`
      + `<select xmlns:if="${IF}">/if:interfaces/if:interface[if:name="e1"]/if:mtu</select></partial-lock>`);
    expect(lock.lockId).toBeGreaterThan(0);
    expect(lock.lockedNodes).toEqual([e0, '/if:interfaces/if:interface[if:name="e1"]/if:mtu']);
    expect(device.partialLockHolders).toEqual([{ lockId: lock.lockId, sessionId: session.sessionId }]);
    await partialUnlock(session, lock.lockId);
    expect(lastBody(device)).toBe(`<partial-unlock xmlns="${PL}"><lock-id>${lock.lockId}</lock-id></partial-unlock>`);
    expect(device.partialLockHolders).toEqual([]);
  });

  it('an overlapping lock of another session is lock-denied naming the holder, whatever its prefixes; other nodes can be locked', async () => {
    const { session, another } = await pair();
    const other = await another();
    const held = await partialLock(session, ['/if:interfaces'], { namespaces: { if: IF } });
    const denied = await rejection(partialLock(other, ['/i:interfaces/i:interface[ i:name = "e0" ]'], { namespaces: { i: IF } }));
    expect(denied).toBeInstanceOf(RpcError);
    expect(denied.code).toBe('LOCK_DENIED');
    expect((denied as RpcError).errors[0]!.sessionId).toBe(session.sessionId);
    // Elsewhere in the tree, or the same list under another key, is free.
    await partialLock(other, ['/sys:system'], { namespaces: { sys: 'urn:example:system' } });
    await partialUnlock(session, held.lockId);
    const mine = await partialLock(other, ["/i:interfaces/i:interface[i:name='e0']"], { namespaces: { i: IF } });
    const again = await rejection(partialLock(session, ["/if:interfaces/if:interface[if:name='e0']/if:mtu"], { namespaces: { if: IF } }));
    expect((again as RpcError).errors[0]!.sessionId).toBe(other.sessionId);
    expect(await partialLock(session, ["/if:interfaces/if:interface[if:name='e1']"], { namespaces: { if: IF } })).toMatchObject({ lockId: mine.lockId + 1 });
  });

  it('partial and global locks of running exclude each other; a session that ends releases its partial locks', async () => {
    const { device, session, another } = await pair();
    const other = await another();
    await partialLock(session, [e0], { namespaces: { if: IF } });
    const global = await rejection(lockDatastore(other, 'running'));
    expect(global.code).toBe('LOCK_DENIED');
    expect((global as RpcError).errors[0]!.sessionId).toBe(session.sessionId);
    await lockDatastore(other, 'candidate');
    await session.close();
    await expect.poll(() => device.partialLockHolders).toEqual([]);
    await lockDatastore(other, 'running');
    const third = await another();
    const partial = await rejection(partialLock(third, [e0], { namespaces: { if: IF } }));
    expect((partial as RpcError).errors[0]!.sessionId).toBe(other.sessionId);
    await unlockDatastore(other, 'running');
    await partialLock(third, [e0], { namespaces: { if: IF } });
  });

  it('the device refuses a lock id the session does not hold, and a select it cannot read', async () => {
    const { session, another } = await pair();
    const held = await partialLock(session, [e0], { namespaces: { if: IF } });
    const other = await another();
    expect((await rejection(partialUnlock(other, held.lockId))).code).toBe('INVALID_VALUE');
    expect((await rejection(partialUnlock(session, held.lockId + 99))).code).toBe('INVALID_VALUE');
    expect((await rejection(partialLock(session, ['/x:interfaces']))).message).toMatch(/undeclared prefix "x"/);
    expect((await rejection(partialLock(session, ['interfaces']))).code).toBe('INVALID_VALUE');
  });

  it('refuses bad arguments and a device without :partial-lock before sending anything; a reply without a lock-id is PROTOCOL_ERROR', async () => {
    const { device, session } = await pair();
    const sent = device.requests.length;
    for (const [call, message] of [
      [partialLock(session, []), /needs at least one select/],
      [partialLock(session, ['  ']), /needs at least one select/],
      [partialUnlock(session, -1), /lockId must be the integer partialLock returned/],
      [partialUnlock(session, 1.5), /lockId must be the integer/],
    ] as const) {
      const err = await rejection(call);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(message);
    }
    expect(device.requests.length).toBe(sent);
    const plain = await pair({ capabilities: ['urn:ietf:params:netconf:base:1.1'] });
    expect((await rejection(partialLock(plain.session, [e0]))).message).toMatch(/:partial-lock/);
    expect((await rejection(partialUnlock(plain.session, 1))).code).toBe('CAPABILITY_MISSING');
    const odd = await pair({ rules: [{ match: 'partial-lock', reply: '<ok/>' }] });
    expect((await rejection(partialLock(odd.session, [e0], { namespaces: { if: IF } }))).code).toBe('PROTOCOL_ERROR');
  });
});
