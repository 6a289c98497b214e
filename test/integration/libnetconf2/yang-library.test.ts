import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSchema, yangLibrary } from '../../../src/operations/index.js';
import { connect } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// The YANG library (RFC 8525, as libyang builds it from the server's context) and get-schema
// (RFC 6022, printed by libyang from the same context) from an independent server. libyang lists
// no datastores in the library (a datastore implementation adds those), so none are asserted.
let server: Libnetconf2Server;
let session: Session;
let cache: string;

beforeAll(async () => {
  server = await startLibnetconf2('nmda-server');
  session = await connect(server.login);
  cache = mkdtempSync(path.join(tmpdir(), 'netconfkit-ln2-schemas-'));
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

describe('YANG library and schemas against libnetconf2', () => {
  it('yangLibrary reads RFC 8525: modules with revisions, namespaces and features, in module sets', async () => {
    const lib = await yangLibrary(session);
    expect(lib.source).toBe('yang-library');
    const nmda = lib.modules.find((m) => m.name === 'ietf-netconf-nmda');
    expect(nmda?.revision).toBe('2019-01-07');
    expect(nmda?.namespace).toBe('urn:ietf:params:xml:ns:yang:ietf-netconf-nmda');
    expect(nmda?.features).toEqual(expect.arrayContaining(['origin', 'with-defaults']));
    expect(lib.modules.find((m) => m.name === 'ietf-netconf')?.features).toEqual(expect.arrayContaining(['candidate', 'xpath']));
    expect(lib.moduleSets.length).toBeGreaterThan(0);
  });

  it('getSchema downloads each module of the library once into the cache', async () => {
    const lib = await yangLibrary(session);
    const wanted = lib.modules.filter((m) => ['ietf-netconf-nmda', 'ietf-origin', 'ietf-interfaces'].includes(m.name));
    expect(wanted).toHaveLength(3);
    for (const m of wanted) {
      const first = await getSchema(session, { identifier: m.name, version: m.revision ?? undefined, schemaCache: cache });
      expect(first.schema).toContain(`module ${m.name}`);
      expect(first.downloaded).toBe(true);
      const again = await getSchema(session, { identifier: m.name, version: m.revision ?? undefined, schemaCache: cache });
      expect(again.downloaded).toBe(false);
      expect(again.schema).toBe(first.schema);
    }
    expect(readdirSync(cache).sort()).toEqual(wanted.map((m) => `${m.name}@${m.revision}.yang`).sort());
  });
});
