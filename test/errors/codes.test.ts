import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_CODES,
  ERROR_CODES,
  TRANSPORT_AND_PROTOCOL_CODES,
  codeForTag,
  isErrorCode,
  type ErrorCode,
} from '../../src/errors/index.js';

/** RFC 6241 Appendix A, written out by hand so the test does not share the mapping's logic. */
const RFC_6241_TAGS: readonly (readonly [string, ErrorCode])[] = [
  ['in-use', 'IN_USE'],
  ['invalid-value', 'INVALID_VALUE'],
  ['too-big', 'TOO_BIG'],
  ['missing-attribute', 'MISSING_ATTRIBUTE'],
  ['bad-attribute', 'BAD_ATTRIBUTE'],
  ['unknown-attribute', 'UNKNOWN_ATTRIBUTE'],
  ['missing-element', 'MISSING_ELEMENT'],
  ['bad-element', 'BAD_ELEMENT'],
  ['unknown-element', 'UNKNOWN_ELEMENT'],
  ['unknown-namespace', 'UNKNOWN_NAMESPACE'],
  ['access-denied', 'ACCESS_DENIED'],
  ['lock-denied', 'LOCK_DENIED'],
  ['resource-denied', 'RESOURCE_DENIED'],
  ['rollback-failed', 'ROLLBACK_FAILED'],
  ['data-exists', 'DATA_EXISTS'],
  ['data-missing', 'DATA_MISSING'],
  ['operation-not-supported', 'OPERATION_NOT_SUPPORTED'],
  ['operation-failed', 'OPERATION_FAILED'],
  ['partial-operation', 'PARTIAL_OPERATION'],
  ['malformed-message', 'MALFORMED_MESSAGE'],
];

const CATEGORIES = ['transport', 'protocol', 'device', 'client'] as const;

describe('codeForTag', () => {
  it('maps exactly the Appendix A error-tags: no device code in tag form maps unless it is one', () => {
    const mapped = Object.keys(DEVICE_CODES).map((c) => c.toLowerCase().replace(/_/g, '-')).filter((tag) => codeForTag(tag) !== undefined);
    expect(mapped.sort()).toEqual(RFC_6241_TAGS.map(([tag]) => tag).sort());
  });

  it.each(RFC_6241_TAGS)('maps %s to %s', (tag, code) => {
    expect(codeForTag(tag)).toBe(code);
    expect(isErrorCode(codeForTag(tag))).toBe(true);
    expect(ERROR_CODES[code].category).toBe('device');
  });

  it.each(['lock-denied', 'in-use', 'resource-denied'])('%s is retryable', (tag) => {
    const code = codeForTag(tag);
    expect(code).toBeDefined();
    expect(ERROR_CODES[code!].retryable).toBe(true);
  });

  it.each(['invalid-value', 'bad-element', 'access-denied', 'operation-failed', 'rollback-failed', 'partial-operation'])(
    '%s is not retryable',
    (tag) => {
      const code = codeForTag(tag);
      expect(code).toBeDefined();
      expect(ERROR_CODES[code!].retryable).toBe(false);
    },
  );

  it('only lock-denied, in-use and resource-denied are retryable among the RFC tags', () => {
    const retryable = RFC_6241_TAGS.filter(([, code]) => ERROR_CODES[code].retryable).map(([tag]) => tag);
    expect(retryable.sort()).toEqual(['in-use', 'lock-denied', 'resource-denied']);
  });

  it('each RFC tag code explains itself by naming its error-tag', () => {
    for (const [tag, code] of RFC_6241_TAGS) {
      expect(ERROR_CODES[code].meaning.startsWith(`error-tag ${tag}:`)).toBe(true);
    }
  });

  it.each([
    ['null', null],
    ['empty string', ''],
    ['unknown tag', 'no-such-tag'],
    ['vendor tag', 'commit-failed'],
    ['upper case form of a real tag', 'LOCK-DENIED'],
    ['mixed case form of a real tag', 'Lock-Denied'],
    ['snake case form of a real tag', 'lock_denied'],
    ['the code itself', 'LOCK_DENIED'],
    ['whitespace around a real tag', ' lock-denied '],
    ['a device code that is not an RFC tag', 'config-rejected'],
    ['another device code that is not an RFC tag', 'device-error'],
    ['another device code that is not an RFC tag', 'device-warning'],
    ['a transport code in tag form', 'connection-lost'],
    ['an Object.prototype member', 'toString'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
  ])('gives undefined for %s', (_label, tag) => {
    expect(codeForTag(tag)).toBeUndefined();
  });
});

describe('ERROR_CODES', () => {
  const entries = Object.entries(ERROR_CODES);

  it('is the union of the transport/protocol codes and the device codes, without overlap', () => {
    const tp = Object.keys(TRANSPORT_AND_PROTOCOL_CODES);
    const dev = Object.keys(DEVICE_CODES);
    expect(tp.filter((k) => dev.includes(k))).toEqual([]);
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...tp, ...dev].sort());
    for (const k of tp) expect(ERROR_CODES[k as ErrorCode]).toBe(TRANSPORT_AND_PROTOCOL_CODES[k as keyof typeof TRANSPORT_AND_PROTOCOL_CODES]);
    for (const k of dev) expect(ERROR_CODES[k as ErrorCode]).toBe(DEVICE_CODES[k as keyof typeof DEVICE_CODES]);
  });

  it('has a code for every RFC tag plus the Junos, catch-all and subscription device codes', () => {
    expect(Object.keys(DEVICE_CODES).sort()).toEqual(
      [
        ...RFC_6241_TAGS.map(([, c]) => c), 'CONFIG_REJECTED', 'CONFIG_WARNING', 'DEVICE_ERROR', 'DEVICE_WARNING',
        'SUBSCRIPTION_REJECTED', 'SUBSCRIPTION_TERMINATED',
      ].sort(),
    );
  });

  it.each(entries)('%s has a known category, a boolean retryable and a non-empty meaning', (code, info) => {
    expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(CATEGORIES).toContain(info.category);
    expect(typeof info.retryable).toBe('boolean');
    expect(typeof info.meaning).toBe('string');
    expect(info.meaning.trim().length).toBeGreaterThan(0);
    expect(Object.keys(info).sort()).toEqual(['category', 'meaning', 'retryable']);
  });

  it('puts every device code in the device category and no other code there', () => {
    for (const info of Object.values(DEVICE_CODES)) expect(info.category).toBe('device');
    for (const info of Object.values(TRANSPORT_AND_PROTOCOL_CODES)) expect(info.category).not.toBe('device');
  });

  it('uses every category at least once', () => {
    expect(new Set(entries.map(([, info]) => info.category))).toEqual(new Set(CATEGORIES));
  });

  it('marks the codes the README promises as retryable, and UNKNOWN / COMMIT_OUTCOME_UNKNOWN as not', () => {
    for (const code of ['CONNECT_TIMEOUT', 'CONNECTION_REFUSED', 'CONNECTION_LOST', 'RPC_TIMEOUT', 'HELLO_TIMEOUT', 'CIRCUIT_OPEN'] as const) {
      expect(ERROR_CODES[code].retryable).toBe(true);
    }
    for (const code of ['UNKNOWN', 'COMMIT_OUTCOME_UNKNOWN', 'AUTH_FAILED', 'HOST_KEY_MISMATCH', 'FRAMING_ERROR', 'CONFIG_REJECTED'] as const) {
      expect(ERROR_CODES[code].retryable).toBe(false);
    }
  });
});

describe('isErrorCode', () => {
  it('accepts every key of ERROR_CODES', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(isErrorCode(code)).toBe(true);
  });

  it.each([
    ['lower case code', 'lock_denied'],
    ['tag form', 'lock-denied'],
    ['unknown name', 'NOT_A_CODE'],
    ['empty string', ''],
    ['Object.prototype member', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['String object', new String('UNKNOWN')],
    ['array holding a code', ['UNKNOWN']],
  ])('rejects %s', (_label, value) => {
    expect(isErrorCode(value)).toBe(false);
  });
});

describe('the README codes table', () => {
  // The code table is "the single source of truth" and the README renders the same table.
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\w+) \| (yes|no) \| (.*) \|$/gm)].map((m) => ({
    code: m[1]!,
    category: m[2]!,
    retryable: m[3] === 'yes',
    meaning: m[4]!,
  }));

  it('lists every code exactly once', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('agrees with ERROR_CODES on category, retryable and meaning', () => {
    for (const row of rows) {
      expect(isErrorCode(row.code), row.code).toBe(true);
      const info = ERROR_CODES[row.code as ErrorCode];
      expect({ code: row.code, category: info.category, retryable: info.retryable, meaning: info.meaning }).toEqual(row);
    }
  });
});
