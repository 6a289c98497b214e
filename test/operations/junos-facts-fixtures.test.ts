import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import type { FakeRequest } from '../../src/device/types.js';
import { facts } from '../../src/operations/junos-facts.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

// One folder per platform/scenario: the reply of each RPC facts() sends (absent: the device
// refuses it with a syntax error, as Junos does) and expected.json, the facts field by field.
// These devices answer neither the Ethernet switching RPCs nor the private-instance interfaces,
// so switchStyle is null and the current RE comes from the CLI banner; PyEZ's own fact tests
// are replayed in junos-facts-pyez.test.ts.
const FIXTURES = fileURLToPath(new URL('../../fixtures/junos/facts/', import.meta.url));
const scenarios = readdirSync(FIXTURES).sort();

const SYNTAX_ERROR = (what: string) =>
  `<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>syntax error, expecting &lt;command&gt;: ${what}</error-message></rpc-error>`;

let scenario = '';
let device: FakeDevice;

/** Serves the current scenario's reply for each RPC. */
function answer(request: FakeRequest): string {
  const file = request.operation === 'command'
    ? /show version invoke-on all-routing-engines/.test(request.xml) ? 'show-version-invoke-on-all-routing-engines' : 'no-such-command'
    : request.operation;
  const path = `${FIXTURES}${scenario}/${file}.xml`;
  return existsSync(path) ? readFileSync(path, 'utf8') : SYNTAX_ERROR(request.operation);
}

beforeAll(async () => {
  device = await FakeDevice.start({ handler: (request) => answer(request) });
});
afterAll(async () => {
  await device.close();
});

async function session(): Promise<Session> {
  return connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
}

describe('facts() for each fixture platform/scenario, field by field', () => {
  it('has at least 30 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of scenarios) {
    it(name, async () => {
      scenario = name;
      const expected = JSON.parse(readFileSync(`${FIXTURES}${name}/expected.json`, 'utf8')) as Record<string, unknown>;
      const s = await session();
      try {
        const result = await facts(s);
        const actual: Record<string, unknown> = { ...result, failures: result.failures.map((f) => f.rpc) };
        expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
        for (const key of Object.keys(expected)) expect(actual[key], `${name}: ${key}`).toEqual(expected[key]);
        for (const f of result.failures) expect(f.error.code, `${name}: ${f.rpc}`).toMatch(/^[A-Z_]+$/);
      } finally {
        await s.close();
      }
    });
  }
});
