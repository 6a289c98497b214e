import { describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getSchema, yangLibrary } from '../../../src/operations/index.js';
import type { PeerInfo } from '../../setup/peer-info.js';
import { peerSessions } from '../../support/netconfd.js';
import { runCli } from '../../support/cli.js';

// netconfd (yuma123) has RFC 7895 /modules-state and RFC 6022 get-schema, not RFC 8525
// /yang-library: the YANG library comes from its second source.
const peer: PeerInfo = inject('netconfPeer');
const session = peerSessions(peer);

const cli = (args: string[]) => runCli(args, { NETCONF_PASSWORD: peer.password });

describe('the YANG library and schemas against netconfd', () => {
  it('reads RFC 7895 /modules-state (netconfd has no /yang-library), with features and conformance', async () => {
    const s = await session();
    const lib = await yangLibrary(s);
    expect(lib.source).toBe('modules-state');
    expect(lib.contentId).toBe(s.capabilities.params('urn:ietf:params:netconf:capability:yang-library:1.0')?.['module-set-id']);
    const byName = new Map(lib.modules.map((m) => [m.name, m]));
    expect(byName.get('toaster')).toMatchObject({ revision: '2009-11-20', namespace: 'http://netconfcentral.org/ns/toaster', conformance: 'implement' });
    expect(byName.get('ietf-interfaces')?.features).toEqual(expect.arrayContaining(['arbitrary-names', 'pre-provisioning']));
    expect(byName.get('ietf-inet-types')?.conformance).toBe('import');
    // The same modules as the hello lists, by name and revision.
    const hello = s.capabilities.modules.map((m) => `${m.module}@${m.revision}`).sort();
    expect(lib.modules.map((m) => `${m.name}@${m.revision}`).sort()).toEqual(hello);
  });

  it('getSchema fetches a module once into the cache, then reads it there', async () => {
    const s = await session();
    const dir = mkdtempSync(path.join(tmpdir(), 'nk-netconfd-schemas-'));
    const first = await getSchema(s, { identifier: 'toaster', version: '2009-11-20', schemaCache: dir });
    expect(first.downloaded).toBe(true);
    expect(first.schema).toMatch(/^module toaster \{/);
    expect(first.schema).toContain('"Andy Bierman <andy@netconfcentral.org>"');
    const again = await getSchema(s, { identifier: 'toaster', version: '2009-11-20', schemaCache: dir });
    expect(again).toEqual({ ...first, downloaded: false });
    expect(readdirSync(dir)).toEqual(['toaster@2009-11-20.yang']);
  });

  it('netconfkit schemas downloads every module it lists, two runs at once sharing the work', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nk-netconfd-schemas-'));
    const args = ['schemas', '--host', peer.host, '--port', String(peer.port), '--username', peer.username, '--known-hosts', peer.knownHosts, '--output', dir, '--json'];
    const [a, b] = await Promise.all([cli(args), cli(args)]);
    expect([a.status, b.status, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const docs = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { source: string; downloaded: string[]; present: string[] }[];
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toContain('ietf-interfaces@2014-05-08.yang');
    // Each module was downloaded by exactly one of the two runs.
    expect([...docs[0]!.downloaded, ...docs[1]!.downloaded].sort()).toEqual(files);
    for (const doc of docs) {
      expect(doc.source).toBe('modules-state');
      expect([...doc.downloaded, ...doc.present].sort()).toEqual(files);
    }
    for (const f of files) expect(readFileSync(path.join(dir, f), 'utf8')).toMatch(/^(sub)?module [\w.-]+ \{/);
  });
});
