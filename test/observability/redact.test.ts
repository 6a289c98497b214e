import { describe, expect, it } from 'vitest';
import { MASK, clipBody, redactSecrets } from '../../src/observability/redact.js';
import { SECRETS, SECRET_CONFIG } from './secrets.js';

const { XML, TEXT, SET } = SECRET_CONFIG;

describe('redactSecrets', () => {
  it.each(Object.entries(SECRET_CONFIG))('masks every Junos secret in %s configuration', (_format, text) => {
    const out = redactSecrets(text);
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain(MASK);
  });

  it('keeps the structure and everything else', () => {
    expect(redactSecrets(XML)).toContain(`<encrypted-password>${MASK}</encrypted-password>`);
    expect(redactSecrets(XML)).toContain('<encrypted-password junos:changed="x">****</encrypted-password>');
    expect(redactSecrets(XML)).toContain('<name>ops</name>');
    expect(redactSecrets(TEXT)).toContain(`encrypted-password "${MASK}"; ## SECRET-DATA`);
    expect(redactSecrets(TEXT)).toContain('authorization read-only');
    expect(redactSecrets(SET)).toContain(`set snmp community ${MASK} authorization read-only`);
    const plain = '<rpc-reply><data><interfaces><interface><name>ge-0/0/0</name></interface></interfaces></data></rpc-reply>';
    expect(redactSecrets(plain)).toBe(plain);
  });
});

describe('clipBody', () => {
  it('cuts long bodies and says how much was left out', () => {
    const body = `<data>${'x'.repeat(10_000)}</data>`;
    const out = clipBody(body, { maxChars: 100 });
    expect(out.startsWith('<data>xxx')).toBe(true);
    expect(out).toMatch(/… \(9913 more characters\)$/);
  });

  it('a secret cut in half by the limit is still masked', () => {
    const body = `<data>${'y'.repeat(80)}<secret>radius-shared-secret-value</secret></data>`;
    for (let max = 80; max < body.length; max++) {
      const out = clipBody(body, { maxChars: max });
      expect(out).not.toMatch(/radius|shared|value|-sec/);
    }
    const community = `<data>${'y'.repeat(50)}<community><name>s3cr3t-community</name><authorization>read-only</authorization></community></data>`;
    for (let max = 60; max < community.length; max++) expect(clipBody(community, { maxChars: max })).not.toMatch(/s3cr|cr3t|community<\/name/);
  });

  it('redaction can be switched off', () => {
    expect(clipBody(XML, { redact: false, maxChars: 100_000 })).toBe(XML);
  });
});
