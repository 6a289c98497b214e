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

describe('redactSecrets reads XML as XML', () => {
  const hidden = (xml: string, ...secrets: string[]) => {
    const out = redactSecrets(xml);
    for (const secret of secrets) expect(out, `${secret} in ${out}`).not.toContain(secret);
    return out;
  };

  it('masks secret elements under any prefix and in any case', () => {
    expect(hidden('<c><jnx:simple-password xmlns:jnx="urn:x">pw1</jnx:simple-password></c>', 'pw1')).toBe('<c><jnx:simple-password xmlns:jnx="urn:x">****</jnx:simple-password></c>');
    expect(hidden('<c><Encrypted-Password>pw2</Encrypted-Password><SECRET>pw3</SECRET><a:Key>pw4</a:Key></c>', 'pw2', 'pw3', 'pw4'))
      .toBe('<c><Encrypted-Password>****</Encrypted-Password><SECRET>****</SECRET><a:Key>****</a:Key></c>');
  });

  it('masks the whole content of a secret element: nested elements, a nested secret of the same name, text after it', () => {
    expect(hidden('<pre-shared-key><ascii-text>abc</ascii-text></pre-shared-key>', 'abc')).toBe('<pre-shared-key>****</pre-shared-key>');
    expect(hidden('<r><secret><secret>inner</secret>tail</secret><name>kept</name></r>', 'inner', 'tail')).toBe('<r><secret>****</secret><name>kept</name></r>');
  });

  it('masks CDATA in a secret element, and an end tag inside CDATA or a comment does not end the secret', () => {
    expect(hidden('<r><secret><![CDATA[pw<5>]]></secret></r>', 'pw<5>')).toBe('<r><secret>****</secret></r>');
    expect(hidden('<r><secret><![CDATA[</secret>]]>hunter2</secret></r>', 'hunter2')).toBe('<r><secret>****</secret></r>');
    expect(hidden('<r><secret><!-- </secret> -->hunter2</secret></r>', 'hunter2')).toBe('<r><secret>****</secret></r>');
  });

  it('masks secrets in character data: CDATA and entity-escaped configuration text, comments', () => {
    expect(hidden('<configuration-text><![CDATA[system { radius-server 10.0.0.1 secret "hunter 2"; }]]></configuration-text>', 'hunter'))
      .toBe('<configuration-text><![CDATA[system { radius-server 10.0.0.1 secret "****"; }]]></configuration-text>');
    expect(hidden('<configuration-text>secret &quot;hunter 2&quot;; x &lt; y</configuration-text>', 'hunter'))
      .toBe('<configuration-text>secret &quot;****&quot;; x &lt; y</configuration-text>');
    expect(hidden('<r><!-- old: <secret>hunter2</secret> --><name>n</name></r>', 'hunter2')).toBe('<r><!-- old: <secret>****</secret> --><name>n</name></r>');
  });

  it('masks secret attributes; quotes and ">" in values and tags over several lines do not mislead it', () => {
    expect(hidden('<user name="ops" password="hunter2"/>', 'hunter2')).toBe('<user name="ops" password="****"/>');
    expect(hidden("<user\n  name='a>b'\n  j:PassWord='hunter2'>x</user>", 'hunter2')).toBe("<user\n  name='a>b'\n  j:PassWord='****'>x</user>");
    expect(hidden('<r><secret note="a>b/>"\n  other=\'&lt;/secret>\'>hunter2</secret><n>kept</n></r>', 'hunter2'))
      .toBe('<r><secret note="a>b/>"\n  other=\'&lt;/secret>\'>****</secret><n>kept</n></r>');
    expect(hidden('<r xmlns:secret="urn:kept"/>')).toBe('<r xmlns:secret="urn:kept"/>');
  });

  it('masks to the end a secret the text ends inside (a truncated reply)', () => {
    expect(hidden('<rpc-reply><data><encrypted-password>$6$abcdef', '$6$abc')).toBe('<rpc-reply><data><encrypted-password>****');
    expect(hidden('<snmp><community><name>s3cr3t-comm', 's3cr3t')).toBe('<snmp><community>****');
    expect(hidden('<radius><secret>hunter2</sec', 'hunter2')).toBe('<radius><secret>****');
    expect(hidden('<radius><secret><![CDATA[hunter2', 'hunter2')).toBe('<radius><secret>****');
    expect(hidden('<user name="ops" password="hunt', 'hunt')).toBe('<user name="ops" password=****');
    expect(hidden('<user name="ops" passw')).toBe('<user name="ops" passw');
    expect(hidden('<configuration-text>secret "hunt', 'hunt')).toBe('<configuration-text>secret "****');
  });

  it.each(Object.entries(SECRET_CONFIG))('never shows the start of a secret in %s configuration cut at any point', (_format, text) => {
    // A start the whole text shows is no secret's ("radius-" of radius-server).
    const starts = SECRETS.map((s) => s.slice(0, 7)).filter((s) => !redactSecrets(text).includes(s));
    for (let cut = 1; cut <= text.length; cut++) {
      const out = redactSecrets(text.slice(0, cut));
      for (const s of starts) expect(out, `cut at ${cut}`).not.toContain(s);
    }
  });

  it('reads text that holds no XML as free text: JSON in a log line, even cut', () => {
    expect(hidden('{"user":"ops","password":"hunter2"} a < b', 'hunter2')).toBe('{"user":"ops","password":"****"} a < b');
    expect(hidden('{"secret":"hunt', 'hunt')).toBe('{"secret":"****');
    expect(hidden('{"community":[{"name":"publ', 'publ')).toBe('{"community":[{"name":"****');
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
