import { afterEach, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type ConnectOptions } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { RpcError } from '../../../src/errors/index.js';
import { runNcclient } from '../../setup/ncclient.js';
import type { PeerInfo } from '../../setup/peer-info.js';
import { rejection } from '../../support/assertions.js';

const peer: PeerInfo = inject('netconfPeer');
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const open: Session[] = [];

function options(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: peer.host, port: peer.port, username: peer.username, password: peer.password, knownHosts: peer.knownHosts, ...extra };
}

async function session(extra: Partial<ConnectOptions> = {}): Promise<Session> {
  const s = await connect(options(extra));
  open.push(s);
  return s;
}


afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const iface = (name: string, op = '') =>
  `<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}"><interface${op}><name>${name}</name>`
  + `<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type></interface></interfaces></config></edit-config>`;

describe('against netconfd over OpenSSH', () => {
  it('connects with the host key verified, speaks chunked base:1.1, and reads get-config', async () => {
    const s = await session();
    expect(s.sessionId).toBeGreaterThan(0);
    expect(s.capabilities.base11).toBe(true);
    expect(s.capabilities.candidate).toBe(true);
    expect(s.capabilities.withDefaults?.basicMode).toBe('explicit');
    expect(s.capabilities.modules.some((m) => m.module === 'ietf-interfaces')).toBe(true);
    expect(s.framingMode).toBe('chunked');
    const reply = await s.rpc('<get-config><source><running/></source></get-config>', { parse: true });
    expect(reply.items).toEqual([]);
    expect(reply.parsed?.['rpc-reply']).toBeDefined();
  });

  it('also works with base:1.0 only (end-of-message framing)', async () => {
    const s = await session({ base: '1.0' });
    expect(s.framingMode).toBe('eom');
    expect((await s.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data');
  });

  it('logs in with a private key and with a pinned fingerprint', async () => {
    const s = await session({ password: undefined, privateKey: readFileSync(peer.clientKey), knownHosts: undefined, hostKey: peer.hostKeyFingerprints });
    expect(s.sessionId).toBeGreaterThan(0);
  });

  it('edits the candidate and sees the edit; a second create is data-exists, a delete of nothing data-missing', async () => {
    const s = await session();
    await s.rpc('<discard-changes/>');
    expect((await s.rpc(iface('eth-nk1'), { write: true })).hasOk).toBe(true);
    const got = await s.rpc(`<get-config><source><candidate/></source><filter type="subtree"><interfaces xmlns="${IF_NS}"/></filter></get-config>`);
    expect(got.xml).toContain('eth-nk1');
    const exists = (await rejection(s.rpc(iface('eth-nk1', ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="create"')))) as RpcError;
    expect(exists.code).toBe('DATA_EXISTS');
    const missing = (await rejection(s.rpc(iface('eth-none', ' xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="delete"')))) as RpcError;
    expect(missing.code).toBe('DATA_MISSING');
    expect(missing.errors[0]!.type).toBe('application');
    await s.rpc('<discard-changes/>');
  });

  it('gives lock-denied to a second session, with the holder\'s session-id, and the lock back after unlock', async () => {
    const holder = await session();
    const other = await session();
    await holder.rpc('<lock><target><candidate/></target></lock>');
    const denied = (await rejection(other.rpc('<lock><target><candidate/></target></lock>'))) as RpcError;
    expect(denied.code).toBe('LOCK_DENIED');
    expect(denied.retryable).toBe(true);
    expect(denied.errors[0]!.sessionId).toBe(holder.sessionId);
    await holder.rpc('<unlock><target><candidate/></target></unlock>');
    expect((await other.rpc('<lock><target><candidate/></target></lock>')).hasOk).toBe(true);
    await other.rpc('<unlock><target><candidate/></target></unlock>');
  });

  it('reports an unknown element with its bad-element, and an unsupported operation', async () => {
    const s = await session();
    const unknown = (await rejection(s.rpc(`<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}"><bogus/></interfaces></config></edit-config>`))) as RpcError;
    expect(unknown.code).toBe('UNKNOWN_ELEMENT');
    expect(unknown.errors[0]!.badElement).toMatch(/bogus$/);
    const unsupported = (await rejection(s.rpc('<copy-config><target><running/></target><source><candidate/></source></copy-config>'))) as RpcError;
    expect(unsupported.code).toBe('OPERATION_NOT_SUPPORTED');
    const noSuchRpc = (await rejection(s.rpc('<no-such-operation/>'))) as RpcError;
    expect(noSuchRpc.errors[0]!.type).toBe('rpc');
    expect(s.closed).toBe(false);
  });

  it('keeps 200 calls in flight and matches every reply', async () => {
    const s = await session();
    const replies = await Promise.all(Array.from({ length: 200 }, () => s.rpc('<get-config><source><running/></source></get-config>')));
    expect(new Set(replies.map((r) => r.messageId)).size).toBe(200);
    expect(replies.every((r) => r.items.length === 0)).toBe(true);
  });

  it('sees the same error fields as ncclient for the same requests', async () => {
    const requests = [
      `<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}"><bogus/></interfaces></config></edit-config>`,
      '<unlock><target><candidate/></target></unlock>',
      `<get-config><source><running/></source><filter type="xpath" select="///"/></get-config>`,
    ];
    const theirs = await runNcclient(peer, requests);
    const s = await session();
    for (const [k, request] of requests.entries()) {
      const ours = (await rejection(s.rpc(request))) as RpcError;
      const expected = theirs.results[k]!.errors;
      expect(expected.length).toBeGreaterThan(0);
      expect(ours.items.map((e) => ({
        type: e.type, tag: e.tag, severity: e.severity, app_tag: e.appTag, path: e.path, message: e.deviceMessage,
        info: e.info,
      }))).toEqual(expected.map((e) => ({ type: e.type, tag: e.tag, severity: e.severity, app_tag: e.app_tag, path: e.path, message: e.message, info: e.info })));
    }
  });
});

describe('connection failures against the real sshd', () => {
  it('a wrong password is AUTH_FAILED, not retryable, and never shows the password', async () => {
    const secret = 'not-the-password-8c1f';
    const err = await rejection(connect(options({ password: secret })));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.retryable).toBe(false);
    expect(JSON.stringify(err.toJSON())).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });

  it('an unknown host key is HOST_KEY_UNKNOWN and a wrong pin HOST_KEY_MISMATCH', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nk-kh-'));
    const empty = path.join(dir, 'known_hosts');
    writeFileSync(empty, '');
    const unknown = await rejection(connect(options({ knownHosts: empty })));
    expect(unknown.code).toBe('HOST_KEY_UNKNOWN');
    const wrongPin = await rejection(connect(options({ knownHosts: undefined, hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })));
    expect(wrongPin.code).toBe('HOST_KEY_MISMATCH');
    expect(wrongPin.retryable).toBe(false);
    expect(peer.hostKeyFingerprints).toContain((wrongPin as unknown as { fingerprint: string }).fingerprint);
  });
});
