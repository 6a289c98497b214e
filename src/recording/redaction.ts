import { ClientError } from '../errors/classes.js';
import { maskSecrets } from '../observability/redact.js';

/**
 * What a recording masks. By default the secrets the wire log masks: Junos `encrypted-password`
 * and every other `*-password`, `$9$` / `$1$` / `$5$` / `$6$` values anywhere, `secret`,
 * `pre-shared-key`, `authentication-key`, SNMP communities, PEM private keys. Rules add to
 * them; `defaults: false` turns the built-in ones off.
 */
export interface RedactionRules {
  /** Mask the built-in secret kinds (default true). */
  defaults?: boolean;
  /** More element names whose content is a secret (any namespace prefix, any case). */
  elements?: readonly string[];
  /** Each match is a secret; a pattern with a capture group masks only the first group. */
  patterns?: readonly RegExp[];
  /** Last, your own: mask what you find with `mask(secret)`, return the text. */
  custom?: (text: string, mask: (secret: string) => string) => string;
}

/** Placeholders look like `**redacted-3**`: the same secret gets the same number in one recording. */
export const PLACEHOLDER = /\*\*redacted-\d+\*\*/g;

/** Masks secrets in text, numbering each distinct secret once. */
export type Redactor = (text: string) => string;

/** A redactor for one recording; `rules === false` masks nothing. */
export function createRedactor(rules: RedactionRules | false = {}): Redactor {
  if (rules === false) return (text) => text;
  const numbers = new Map<string, string>();
  const mask = (secret: string): string => {
    if (secret === '' || /^\*\*redacted-\d+\*\*$/.test(secret)) return secret;
    let placeholder = numbers.get(secret);
    if (placeholder === undefined) {
      placeholder = `**redacted-${numbers.size + 1}**`;
      numbers.set(secret, placeholder);
    }
    return placeholder;
  };
  for (const name of rules.elements ?? []) checkElementName(name);
  const maskRules = { defaults: rules.defaults !== false, elements: rules.elements ?? [] };
  // The caller's patterns are theirs to aim (at XML or at anything else): applied as given.
  const patterns = (rules.patterns ?? []).map((p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`));
  return (text) => {
    let out = maskSecrets(text, mask, maskRules);
    for (const p of patterns) {
      out = out.replace(p, (m: string, ...rest: unknown[]) => {
        const group = typeof rest[0] === 'string' ? rest[0] : undefined;
        if (group === undefined || rest.length < 3) return mask(m);
        const at = m.indexOf(group);
        return at === -1 ? mask(m) : `${m.slice(0, at)}${mask(group)}${m.slice(at + group.length)}`;
      });
    }
    return rules.custom ? rules.custom(out, mask) : out;
  };
}

function checkElementName(name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new ClientError('INVALID_ARGUMENT', `redaction element name "${name}" is not an XML name`);
}
