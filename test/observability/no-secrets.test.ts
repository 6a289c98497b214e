import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';
import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { connect } from '../../src/session/connect.js';
import { instrumentNetconf } from '../../src/otel/index.js';
import { PASSWORD, cleanUp, device, options, record, session } from './record.js';
import { SECRETS, SECRET_CONFIG } from './secrets.js';

const PASSPHRASE = 'Pp-observed-31a7c9';
const key = ssh2.utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 16 });
const keyPieces = (() => {
  const body = key.private.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  return [body.slice(40, 64), body.slice(100, 124), body.slice(-60, -36)];
})();
const CREDENTIALS = [PASSWORD, PASSPHRASE, ...keyPieces];

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new Reader();
const otel = instrumentNetconf({ tracerProvider, meterProvider: new MeterProvider({ readers: [reader] }) });

afterEach(cleanUp);
afterAll(() => otel.disable());

function expectClean(label: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    const at = text.indexOf(secret);
    expect(at === -1, `${label} shows a secret: …${text.slice(Math.max(0, at - 40), at + 40)}…`).toBe(true);
  }
}

describe('no password, passphrase, key or Junos secret in any payload, span attribute or wire-log line', () => {
  it('connects (with a password; with an encrypted key), loads and reads back a configuration full of secrets', async () => {
    const secretConfig = SECRET_CONFIG.XML;
    const d = await device({ rules: [{ match: 'get-config', reply: `<data>${secretConfig}</data>` }] });
    const r = record();
    const lines: string[] = [];
    exporter.reset();

    const s = await session(d, { logger: (line) => lines.push(line) });
    await commitFlow(s, { config: secretConfig });
    await s.rpc(`<edit-config><target><candidate/></target><config>${SECRET_CONFIG.XML}</config></edit-config>`);
    const reply = await s.rpc('<get-config><source><running/></source></get-config>');
    expect(reply.xml).toContain(SECRETS[0]); // the caller gets the reply as it was
    // a passphrase-protected key for a user the device does not know: AUTH_FAILED
    await connect(options(d, { username: 'nobody', password: undefined, privateKey: key.private, passphrase: PASSPHRASE })).catch(() => undefined);
    await s.close();
    r.stop();

    const secrets = [...CREDENTIALS, ...SECRETS];
    // every payload, getters evaluated (the wire channel's masked body included)
    const payloads = r.events.map((e) => `${e.name} ${inspect(e.raw, { depth: 10, getters: true })}`).join('\n');
    expect(payloads).toContain('<encrypted-password>****</encrypted-password>');
    expectClean('a channel payload', payloads, secrets);
    // span attributes, events and statuses
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(5);
    expectClean('a span', JSON.stringify(spans.map((x) => ({ name: x.name, attributes: x.attributes, events: x.events, status: x.status }))), secrets);
    // the wire log: bodies shown, secrets masked
    expect(lines.some((l) => l.includes('<root-authentication>'))).toBe(true);
    expectClean('a wire-log line', lines.join('\n'), secrets);
  });

  it('a device error that echoes a secret: masked in span statuses and exception events', async () => {
    const echo = `<rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity><error-message>bad secret "${SECRETS[1]}"</error-message></rpc-error>`;
    const d = await device({ rules: [{ match: 'commit', reply: echo }] });
    exporter.reset();
    const s = await session(d);
    await commitFlow(s, { config: '<system xmlns="urn:example"/>' }).catch(() => undefined);
    const failed = exporter.getFinishedSpans().filter((x) => x.status.code === 2);
    expect(failed.length).toBeGreaterThan(0);
    expectClean('a failed span', JSON.stringify(failed.map((x) => ({ attributes: x.attributes, events: x.events, status: x.status }))), SECRETS);
  });
});
