import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../src/session/connect.js';
import { getConfig, getSchema } from '../../../src/operations/index.js';
import { NetconfError } from '../../../src/errors/index.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// The plain libnetconf2 server: an independent NETCONF implementation (C, libssh) that every
// libnetconf2-based test builds on. These tests hold the base itself to account.
let server: Libnetconf2Server;
beforeAll(async () => {
  server = await startLibnetconf2('base-server');
});
afterAll(async () => {
  await server?.stop();
});

describe('libnetconf2 base server', () => {
  it('says hello with base:1.1 and the modules of its context, and answers RPCs (chunked framing)', async () => {
    const s = await connect(server.login);
    try {
      expect(s.capabilities.base11).toBe(true);
      expect(s.capabilities.candidate).toBe(true);
      expect(s.capabilities.modules.map((m) => m.module)).toContain('ietf-netconf-monitoring');
      const data = await getConfig(s, 'running');
      expect(data).toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('serves get-schema from its own context (printed by libyang)', async () => {
    const s = await connect(server.login);
    try {
      const reply = await getSchema(s, { identifier: 'ietf-netconf-with-defaults' });
      expect(reply.schema).toContain('module ietf-netconf-with-defaults');
    } finally {
      await s.close();
    }
  });

  it('refuses a wrong password with a typed authentication error', async () => {
    const err = await connect({ ...server.login, password: 'wrong' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetconfError);
    expect((err as NetconfError).code).toBe('AUTH_FAILED');
  });
});
