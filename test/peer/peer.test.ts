// The NETCONF peer of the global setup (test/setup/netconfd.ts) works: reachable, consistent
// peer.json, and a real netconfd answering ncclient (scripts/ncclient-errors.py).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { runNcclient } from '../setup/ncclient.js';
import { type PeerInfo, readPeerInfo } from '../setup/peer-info.js';
import { alive, runPeerScript } from '../setup/peer-script.js';

const peer: PeerInfo = inject('netconfPeer');

const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const LOCK_CANDIDATE = '<lock><target><candidate/></target></lock>';

/** The first line the server sends on a plain TCP connection. */
function sshBanner(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no SSH banner from ${host}:${port} within 10 s`)));
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      const eol = buf.indexOf('\n');
      if (eol >= 0) {
        socket.destroy();
        resolve(buf.slice(0, eol).replace(/\r$/, ''));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before an SSH banner: ${JSON.stringify(buf)}`)));
  });
}

describe('NETCONF peer (netconfd behind OpenSSH)', () => {
  it('is provided by the global setup and answers with an SSH banner', async () => {
    expect(peer).toMatchObject({ host: '127.0.0.1', username: 'netconf', password: 'netconf' });
    // The pids come from peer.json itself: another test may have restarted the pair since set-up.
    const now = readPeerInfo();
    expect(alive(now.sshdPid)).toBe(true);
    expect(alive(now.netconfdPid)).toBe(true);
    expect(await sshBanner(peer.host, peer.port)).toMatch(/^SSH-2\.0-/);
  });

  it('has a client key and a known_hosts file that match the fingerprints', () => {
    expect(existsSync(peer.clientKey)).toBe(true);
    expect(readFileSync(peer.clientKey, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    const lines = readFileSync(peer.knownHosts, 'utf8').trim().split('\n');
    expect(lines.length).toBe(peer.hostKeyFingerprints.length);
    const fingerprints = lines.map((line) => {
      const [hostPort, , blob] = line.split(' ');
      expect(hostPort).toBe(`[${peer.host}]:${peer.port}`);
      const digest = createHash('sha256').update(Buffer.from(blob ?? '', 'base64')).digest('base64');
      return `SHA256:${digest.replace(/=+$/, '')}`;
    });
    expect(fingerprints).toEqual(peer.hostKeyFingerprints);
  });

  it('reports itself running: scripts/netconfd.sh status exits 0', async () => {
    const status = await runPeerScript('status', { timeoutMs: 30_000 });
    expect(status.output).toContain(`127.0.0.1:${peer.port} accepts connections`);
    expect(status.code).toBe(0);
  });

  it('returns unknown-element to ncclient for an element not in the schema', async () => {
    const { results } = await runNcclient(peer, [
      '<edit-config><target><candidate/></target><config>' +
        `<interfaces xmlns="${IF_NS}"><bogus/></interfaces>` +
        '</config></edit-config>',
    ]);
    expect(results).toHaveLength(1);
    const [result] = results;
    expect(result?.exception).toBeNull();
    expect(result?.ok).toBe(false);
    expect(result?.errors).toHaveLength(1);
    expect(result?.errors[0]).toMatchObject({
      type: 'protocol',
      tag: 'unknown-element',
      severity: 'error',
      app_tag: 'data-invalid',
    });
    expect(result?.errors[0]?.info?.['bad-element']).toBe('if:bogus');
  });

  it('grants a candidate lock to each of two sessions in turn (released on close)', async () => {
    for (const job of [1, 2]) {
      const { results } = await runNcclient(peer, [LOCK_CANDIDATE]);
      expect({ job, results }).toEqual({ job, results: [{ ok: true, errors: [], exception: null }] });
    }
  });

  it('answers <get-config> of running without errors', async () => {
    const { results } = await runNcclient(peer, ['<get-config><source><running/></source></get-config>']);
    expect(results).toEqual([{ ok: true, errors: [], exception: null }]);
  });
});
