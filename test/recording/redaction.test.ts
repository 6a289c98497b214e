import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startJunosDevice } from '../../src/device/junos.js';
import { PlaybackDevice } from '../../src/device/playback.js';
import { loadConfiguration } from '../../src/operations/junos.js';
import { readRecording } from '../../src/recording/format.js';
import { createRedactor } from '../../src/recording/redaction.js';
import type { Session } from '../../src/session/session.js';
import { SECRETS, SECRET_CONFIG } from '../observability/secrets.js';
import { recordingHarness } from './harness.js';

const { dir, open, session } = recordingHarness('nk-redact-');

// The fake Junos nests it in its own <configuration>: harmless here, and the declarations stay.
const INNER = SECRET_CONFIG.XML;

/** Every load format carrying every default secret kind, and the configuration read back. */
async function conversation(s: Session): Promise<string[]> {
  const replies: string[] = [];
  await loadConfiguration(s, SECRET_CONFIG.XML);
  await loadConfiguration(s, SECRET_CONFIG.TEXT, { format: 'text' });
  await loadConfiguration(s, SECRET_CONFIG.SET, { format: 'set' });
  await loadConfiguration(s, SECRET_CONFIG.JSON, { format: 'json' });
  await loadConfiguration(s, `system { services { ssh { host-key "${SECRET_CONFIG.PEM.replace(/\n/g, '\\n')}"; } } }`, { format: 'text' });
  replies.push((await s.rpc('<get-configuration/>')).xml ?? '');
  return replies;
}

describe('redaction while recording', () => {
  it('no secret of any default kind reaches the file, and playback still matches the requests that carried them', async () => {
    const file = join(dir, 'secrets.jsonl');
    const junos = await startJunosDevice({ configuration: INNER });
    open.push(junos);
    const s = await session(junos, { record: file });
    const live = await conversation(s);
    await s.close();
    expect(live[0]).toContain('s3cr3t-community');

    const text = readFileSync(file, 'utf8');
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    expect(text).not.toContain('PRIVATE KEY-----\\nb3B');
    expect(text).toMatch(/\*\*redacted-\d+\*\*/);
    // Consistent: the $6$ hash is in the XML, text and set loads and in the reply, under one placeholder.
    const rec = readRecording(file);
    const loads = rec.exchanges.filter((e) => e.operation === 'load-configuration');
    const placeholderOf = (t: string) => /encrypted-password[^*]*(\*\*redacted-\d+\*\*)/.exec(t)?.[1];
    expect(new Set([placeholderOf(loads[0]!.request), placeholderOf(loads[1]!.request), placeholderOf(loads[2]!.request)]).size).toBe(1);

    const device = await PlaybackDevice.start(file);
    open.push(device);
    const p = await session(device);
    const replayed = await conversation(p);
    await p.close();
    expect(device.unmatchedRequests()).toEqual([]);
    expect(device.unusedRecordings()).toEqual([]);
    expect(replayed[0]).toMatch(/<encrypted-password>\*\*redacted-\d+\*\*<\/encrypted-password>/);
  });

  it('takes rules of the caller: element names, patterns (first group), a function; false masks nothing', () => {
    const redact = createRedactor({ elements: ['api-token'], patterns: [/token=(\w+)/], custom: (t, mask) => t.replace(/hunter2/g, (m) => mask(m)) });
    const out = redact('<x><api-token>abc</api-token><url>https://h/?token=zzz</url><note>hunter2 abc</note></x>');
    expect(out).toBe('<x><api-token>**redacted-1**</api-token><url>https://h/?token=**redacted-2**</url><note>**redacted-3** abc</note></x>');
    expect(createRedactor(false)('<encrypted-password>$6$x</encrypted-password>')).toBe('<encrypted-password>$6$x</encrypted-password>');
    expect(createRedactor({ defaults: false })('<secret>s</secret>')).toBe('<secret>s</secret>');
  });

  it('reads elements as XML: a caller\'s element under a prefix, in CDATA, cut off; one secret, one placeholder however written', () => {
    const redact = createRedactor({ defaults: false, elements: ['api-token'] });
    expect(redact('<x><p:API-Token xmlns:p="urn:p"><![CDATA[t<1>]]></p:API-Token><api-token>t&lt;1></api-token><api-token>t2'))
      .toBe('<x><p:API-Token xmlns:p="urn:p">**redacted-1**</p:API-Token><api-token>**redacted-1**</api-token><api-token>**redacted-2**');
    const defaults = createRedactor();
    expect(defaults('<c><secret><![CDATA[$6$salt$hash]]></secret><encrypted-password>$6$salt$hash</encrypted-password></c>'))
      .toBe('<c><secret>**redacted-1**</secret><encrypted-password>**redacted-1**</encrypted-password></c>');
    // Masking a masked text changes nothing.
    expect(defaults('<c><secret>**redacted-1**</secret></c>')).toBe('<c><secret>**redacted-1**</secret></c>');
  });
});
