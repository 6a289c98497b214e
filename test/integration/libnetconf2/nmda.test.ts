import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../../src/errors/index.js';
import { type DataReply, editData, getData, parseData } from '../../../src/operations/index.js';
import { connect } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { failure } from '../../support/failure.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// NMDA (RFC 8526) against libnetconf2: libyang parses and validates each <get-data> and
// <edit-data> against ietf-netconf-nmda before the server sees it, so every option we send
// must be what the RFC's module says (identities, filters, with-origin, max-depth…).
const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
let server: Libnetconf2Server;
let session: Session;

beforeAll(async () => {
  server = await startLibnetconf2('nmda-server');
  session = await connect(server.login);
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
});

const description = (reply: DataReply): unknown => {
  const data = parseData(reply) as { interfaces?: { interface?: { description?: unknown } } };
  return data.interfaces?.interface?.description;
};

describe('NMDA against libnetconf2', () => {
  it('a YANG library 1.1 hello lists no modules, so the hello alone cannot say NMDA (null, not false)', () => {
    expect(session.capabilities.has('urn:ietf:params:netconf:capability:yang-library:1.1')).toBe(true);
    expect(session.capabilities.nmda).toBe(null);
  });

  it('get-data reads each datastore by its ds: identity', async () => {
    for (const ds of ['running', 'intended', 'operational'] as const) {
      const reply = await getData(session, ds, { filter: `<interfaces xmlns="${IF}"/>` });
      expect(description(reply)).toBe(ds);
    }
  });

  it('every get-data option is a request the RFC module accepts', async () => {
    const reply = await getData(session, 'operational', {
      filter: { xpath: '/if:interfaces', namespaces: { if: IF } },
      configFilter: false,
      maxDepth: 3,
      withOrigin: true,
      originFilter: ['intended', 'learned'],
      withDefaults: 'explicit',
    });
    expect(description(reply)).toBe('operational');
    await expect(getData(session, 'operational', { originFilter: { not: ['system'] }, maxDepth: 'unbounded' })).resolves.toBeDefined();
  });

  it('edit-data writes a datastore, and get-data reads it back', async () => {
    await editData(session, 'candidate', `<interfaces xmlns="${IF}"><interface><name>eth0</name><description>uplink</description></interface></interfaces>`, { defaultOperation: 'merge' });
    expect(description(await getData(session, 'candidate'))).toBe('uplink');
  });

  it('a datastore the device does not know is the device’s typed error, not ours', async () => {
    const err = await failure<RpcError>(getData(session, { identity: 'ds-ext:ephemeral', namespace: 'urn:example:ds-ext' }));
    expect(err).toBeInstanceOf(RpcError);
    expect(session.closed).toBe(false);
  });
});
