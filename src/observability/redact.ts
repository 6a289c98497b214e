/**
 * Masks secrets in NETCONF message text before it is logged or published: the values of
 * Junos secret fields (XML elements, text and set configuration, JSON), crypt hashes and
 * Junos `$9$` obfuscated strings wherever they appear, and PEM private keys. It works on the
 * text with patterns, not a parser: a log line must never fail, and a body may be truncated.
 */

export const MASK = '****';

// Element and statement names whose value is a secret: anything ending in password,
// passphrase or secret (encrypted-password, simple-password, authentication-password…),
// keys that are shared secrets, and SNMP communities (their name is the credential).
const SECRET_NAME = String.raw`(?:[\w-]*-)?(?:password|passphrase|secret)|pre-shared-key|authentication-key|private-key|community`;

// <encrypted-password junos:changed="...">…</encrypted-password>, any prefix; in XML a <key>
// too (an MD5 or key-chain key: over-masking a log beats leaking one).
const ELEMENT_NAME = String.raw`${SECRET_NAME}|key`;
const ELEMENT = new RegExp(String.raw`(<((?:[\w.-]+:)?(?:${ELEMENT_NAME}))(?:\s[^>]*)?>)[\s\S]*?(</\2\s*>)`, 'gi');
const OPEN = new RegExp(String.raw`<((?:[\w.-]+:)?(?:${ELEMENT_NAME}))(?:\s[^>]*)?>`, 'gi');
// Text and set formats: `encrypted-password "$6$…";`, `set snmp community public …`,
// `pre-shared-key ascii-text "…"`, `authentication-key "…"`.
const STATEMENT = new RegExp(String.raw`(^|[\s{;])(${SECRET_NAME}|md5\s+\d+\s+key)(\s+(?:ascii-text|hexadecimal|plain-text)?\s*)("(?:[^"\\]|\\.)*"|[^\s;{}<]+)`, 'gim');
// JSON: "encrypted-password" : "…"
const JSON_FIELD = new RegExp(String.raw`("(?:${ELEMENT_NAME})"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
// JSON SNMP communities are lists of objects: their names are the secrets.
const JSON_COMMUNITY = /"community"\s*:\s*(?:\[[^\]]*\]|\{[^}]*\})/gi;
const JSON_NAME = /("name"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
// Junos $9$ strings and crypt(3) hashes ($1$ MD5, $5$ SHA-256, $6$ SHA-512) anywhere.
const HASH = /\$(?:1|5|6|9)\$[^\s"'<>;&]*/g;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** The text with every secret value replaced by `****`. */
export function redactSecrets(text: string): string {
  return maskSecrets(text, () => MASK);
}

/**
 * The same patterns, each secret value handed to `mask` for its replacement (recordings give
 * the same secret the same placeholder). `mask` sees the value alone (no quotes, no tags; JSON
 * escapes left as they are).
 */
export function maskSecrets(text: string, mask: (secret: string) => string): string {
  return text
    .replace(PEM, (m) => mask(m))
    .replace(ELEMENT, (m, open: string, _name: string, close: string) => `${open}${mask(m.slice(open.length, m.length - close.length))}${close}`)
    .replace(STATEMENT, (_m, lead: string, name: string, gap: string, value: string) => (value.startsWith('"') ? `${lead}${name}${gap}"${mask(value.slice(1, -1))}"` : `${lead}${name}${gap}${mask(value)}`))
    .replace(JSON_FIELD, (m, field: string) => `${field}"${mask(m.slice(field.length + 1, -1))}"`)
    .replace(JSON_COMMUNITY, (m) => m.replace(JSON_NAME, (n, field: string) => `${field}"${mask(n.slice(field.length + 1, -1))}"`))
    .replace(HASH, (m) => mask(m));
}

/** How a message body is shown in a log line: cut to a length, secrets masked. */
export interface ClipOptions {
  /** Characters of a body kept (default 4096); the rest is counted, not shown. */
  maxChars?: number;
  /** Mask secrets (default true). */
  redact?: boolean;
}

/**
 * A body for a log line: redacted, then cut to `maxChars`. Redaction looks a little past the
 * cut, so a secret straddling it is still seen whole, and a secret element left open by the
 * cut loses its tail.
 */
export function clipBody(text: string, options: ClipOptions = {}): string {
  const max = Math.max(0, options.maxChars ?? 4096);
  const redact = options.redact ?? true;
  const window = text.length > max ? text.slice(0, max + 1024) : text;
  let out = redact ? redactSecrets(window) : window;
  if (text.length <= max) return out;
  out = out.slice(0, max);
  if (redact) out = cutDangling(out);
  return `${out}… (${text.length - max} more characters)`;
}

/** A secret element opened but not closed (the cut fell inside it): its rest is masked. */
function cutDangling(text: string): string {
  for (const m of text.matchAll(OPEN)) {
    const end = m.index + m[0].length;
    if (!text.slice(end).toLowerCase().includes(`</${m[1]!.toLowerCase()}`)) return `${text.slice(0, end)}${MASK}`;
  }
  return text;
}
