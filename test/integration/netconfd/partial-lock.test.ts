import { describe, expect, inject, it } from 'vitest';
import { RpcError } from '../../../src/errors/index.js';
import { getData, partialLock } from '../../../src/operations/index.js';
import type { PeerInfo } from '../../setup/peer-info.js';
import { peerSessions } from '../../support/netconfd.js';

const peer: PeerInfo = inject('netconfPeer');
const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const session = peerSessions(peer);

// What Debian's netconfd (yuma123, run with --target=candidate) does with RFC 5717 and RFC 8526:
// it advertises :partial-lock and reads the request (its error points at our <select> by its
// schema path), but grants no partial lock; it has no NMDA.
describe('netconfd: partial lock and NMDA as it has them', () => {
  it('advertises :partial-lock, reads the request, and answers operation-failed (typed) for a select it parsed', async () => {
    const s = await session();
    expect(s.capabilities.has('urn:ietf:params:netconf:capability:partial-lock:1.0')).toBe(true);
    const err = await partialLock(s, ['/if:interfaces'], { namespaces: { if: IF } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    const errors = (err as RpcError).errors;
    expect(errors.some((e) => e.path === "/nc:rpc/pl:partial-lock/pl:select[.='/if:interfaces']" && e.info?.['bad-value'] === '/if:interfaces')).toBe(true);
    expect(errors.map((e) => e.tag)).toContain('operation-failed');
  });

  it('is not NMDA: its hello lists modules and a YANG library 1.0, so capabilities.nmda cannot tell, and get-data is refused by the device', async () => {
    const s = await session();
    expect(s.capabilities.nmda).toBeNull();
    const err = await getData(s, 'operational').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).errors[0]!.tag).toBe('unknown-namespace');
  });
});
