import { describe, expect, it } from 'vitest';
import {
  DeviceError,
  ERROR_CODES,
  NetconfError,
  RpcError,
  emptyDeviceFields,
  type DeviceErrorKind,
} from '../../src/errors/index.js';
import { atStep } from '../../src/errors/netconf-error.js';
import { DEVICE_FIELD_KEYS, fields, fullFields } from './fixtures.js';

describe('emptyDeviceFields', () => {
  it('gives every field empty, with the kind set', () => {
    for (const kind of ['rpc-error', 'xnm:error', 'xnm:warning'] as DeviceErrorKind[]) {
      const f = emptyDeviceFields(kind);
      expect(f.kind).toBe(kind);
      for (const [key, value] of Object.entries(f)) {
        if (key === 'kind') continue;
        if (Array.isArray(value)) expect(value, key).toEqual([]);
        else expect(value, key).toBeNull();
      }
    }
  });

  it('returns fresh arrays each time', () => {
    const a = emptyDeviceFields('rpc-error');
    const b = emptyDeviceFields('rpc-error');
    a.okElements.push('x');
    expect(b.okElements).toEqual([]);
  });
});

describe('DeviceError level', () => {
  it("is 'warning' only for a severity of exactly 'warning'", () => {
    const e = new DeviceError(fields({ severity: 'warning' }));
    expect(e.level).toBe('warning');
    expect(e.isWarning).toBe(true);
  });

  it.each([
    ['null', null],
    ['empty', ''],
    ['error', 'error'],
    ['Error', 'Error'],
    ['fatal', 'fatal'],
    ['Warning', 'Warning'],
    ['WARNING', 'WARNING'],
    ['warning with whitespace', ' warning '],
    ['warn', 'warn'],
  ])("is 'error' for severity %s", (_label, severity) => {
    const e = new DeviceError(fields({ severity }));
    expect(e.level).toBe('error');
    expect(e.isWarning).toBe(false);
    expect(e.severity).toBe(severity);
  });
});

describe('DeviceError location and sessionId', () => {
  it('location is error-path, or the Junos edit-path; null when neither; in the JSON and back', () => {
    expect(new DeviceError(fields({ severity: 'error', path: '/a/b', editPath: '[edit x]' })).location).toBe('/a/b');
    const junos = new DeviceError(fields({ severity: 'error', editPath: '[edit system]', statement: 'foo;', badElement: 'foo;', badElementSource: 'statement' }, 'xnm:error'));
    expect(junos.location).toBe('[edit system]');
    expect(junos.badElement).toBe('foo;');
    expect(new DeviceError(fields({ severity: 'error' })).location).toBeNull();
    expect(junos.toJSON().location).toBe('[edit system]');
    expect(new DeviceError(fields({ severity: 'error' })).toJSON().location).toBeNull();
    expect((NetconfError.fromJSON(JSON.stringify(junos)) as DeviceError).location).toBe('[edit system]');
  });

  it('sessionId is a number through JSON, and JSON that kept the text (0.1) comes back as a number', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'lock-denied', sessionId: 454 }));
    expect(e.toJSON().sessionId).toBe(454);
    expect((NetconfError.fromJSON(JSON.stringify(e)) as DeviceError).sessionId).toBe(454);
    expect((NetconfError.fromJSON({ ...e.toJSON(), sessionId: '17' }) as DeviceError).sessionId).toBe(17);
    expect((NetconfError.fromJSON({ ...e.toJSON(), sessionId: 'x' }) as DeviceError).sessionId).toBeNull();
  });
});

describe('DeviceError code', () => {
  it('comes from the error-tag', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'lock-denied', sessionId: 454 }));
    expect(e.code).toBe('LOCK_DENIED');
    expect(e.retryable).toBe(true);
    expect(e.category).toBe('device');
    const v = new DeviceError(fields({ severity: 'error', tag: 'invalid-value' }));
    expect(v.code).toBe('INVALID_VALUE');
    expect(v.retryable).toBe(false);
  });

  it('comes from the tag in config results too', () => {
    const e = new DeviceError(fields({ tag: 'in-use' }), { inConfigResults: true });
    expect(e.code).toBe('IN_USE');
    expect(e.retryable).toBe(true);
  });

  it('comes from the tag for a warning that has one', () => {
    const e = new DeviceError(fields({ severity: 'warning', tag: 'resource-denied' }));
    expect(e.level).toBe('warning');
    expect(e.code).toBe('RESOURCE_DENIED');
  });

  it('is DEVICE_ERROR for a tag-less error and DEVICE_WARNING for a tag-less warning', () => {
    const err = new DeviceError(fields({ severity: 'error', message: 'boom' }));
    expect(err.code).toBe('DEVICE_ERROR');
    expect(err.retryable).toBe(false);
    const noSeverity = new DeviceError(fields({ message: 'boom' }));
    expect(noSeverity.code).toBe('DEVICE_ERROR');
    const warn = new DeviceError(fields({ severity: 'warning', message: 'hmm' }));
    expect(warn.code).toBe('DEVICE_WARNING');
    expect(warn.retryable).toBe(false);
  });

  it('is DEVICE_ERROR for a tag RFC 6241 does not define, even in config results', () => {
    expect(new DeviceError(fields({ severity: 'error', tag: 'commit-failed' })).code).toBe('DEVICE_ERROR');
    expect(new DeviceError(fields({ severity: 'error', tag: 'commit-failed' }), { inConfigResults: true }).code).toBe('DEVICE_ERROR');
    expect(new DeviceError(fields({ severity: 'warning', tag: 'vendor-thing' })).code).toBe('DEVICE_WARNING');
  });

  it('is CONFIG_REJECTED / CONFIG_WARNING for tag-less items in config results', () => {
    const err = new DeviceError(fields({ severity: 'error', message: 'missing mandatory statement' }), { inConfigResults: true });
    expect(err.code).toBe('CONFIG_REJECTED');
    expect(err.retryable).toBe(false);
    const noSeverity = new DeviceError(fields({ message: 'x' }), { inConfigResults: true });
    expect(noSeverity.code).toBe('CONFIG_REJECTED');
    const warn = new DeviceError(fields({ severity: 'warning', message: 'statement not applied' }), { inConfigResults: true });
    expect(warn.code).toBe('CONFIG_WARNING');
    expect(warn.retryable).toBe(false);
  });

  it('is CONFIG_REJECTED (not retryable) for xnm:error and CONFIG_WARNING for xnm:warning', () => {
    const xe = new DeviceError(fields({ severity: 'error', message: 'syntax error' }, 'xnm:error'));
    expect(xe.code).toBe('CONFIG_REJECTED');
    expect(xe.retryable).toBe(false);
    expect(xe.level).toBe('error');
    // Even a retryable-looking tag does not change what a Junos xnm:error means.
    expect(new DeviceError(fields({ severity: 'error', tag: 'lock-denied' }, 'xnm:error')).code).toBe('CONFIG_REJECTED');
    const xw = new DeviceError(fields({ severity: 'warning', message: 'statement has no effect' }, 'xnm:warning'));
    expect(xw.code).toBe('CONFIG_WARNING');
    expect(xw.level).toBe('warning');
    expect(xw.retryable).toBe(false);
  });

  it('honours an explicit code and retryable', () => {
    const e = new DeviceError(fields({ tag: 'lock-denied' }), { code: 'OPERATION_FAILED' });
    expect(e.code).toBe('OPERATION_FAILED');
    expect(e.retryable).toBe(false);
    const r = new DeviceError(fields({ tag: 'lock-denied' }), { retryable: false });
    expect(r.code).toBe('LOCK_DENIED');
    expect(r.retryable).toBe(false);
    const t = new DeviceError(fields({ tag: 'invalid-value' }), { retryable: true });
    expect(t.retryable).toBe(true);
  });

  it('is a NetconfError in the device category, not a subclass of other families', () => {
    const e = new DeviceError(fields({ tag: 'data-exists' }));
    expect(e).toBeInstanceOf(NetconfError);
    expect(e).toBeInstanceOf(Error);
    expect(e.category).toBe('device');
    expect(e.name).toBe('DeviceError');
  });
});

describe('DeviceError message', () => {
  it('is the device text', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'invalid-value', message: 'MTU out of range' }));
    expect(e.message).toBe('MTU out of range');
    expect(e.deviceMessage).toBe('MTU out of range');
  });

  it('is a non-empty description when the device sent no text (tag known)', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'lock-denied' }));
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message).toContain('lock-denied');
    expect(e.deviceMessage).toBeNull();
  });

  it('is a non-empty description when the device sent neither text nor tag', () => {
    for (const kind of ['rpc-error', 'xnm:error', 'xnm:warning'] as DeviceErrorKind[]) {
      const e = new DeviceError(emptyDeviceFields(kind));
      expect(typeof e.message, kind).toBe('string');
      expect(e.message.length, kind).toBeGreaterThan(0);
      expect(e.message, kind).toContain(kind);
    }
  });

  it('is a description for an empty device text', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'operation-failed', message: '' }));
    expect(e.message).toContain('operation-failed');
  });

  it('says where the error is when the device gave a path', () => {
    const e = new DeviceError(fields({ severity: 'error', tag: 'invalid-value', message: 'bad mtu', path: '/interfaces/interface[name="ge-0/0/0"]/mtu' }));
    expect(e.message).toContain('bad mtu');
    expect(e.message).toContain('/interfaces/interface[name="ge-0/0/0"]/mtu');
    const j = new DeviceError(fields({ severity: 'error', message: 'missing statement', editPath: '[edit system]' }, 'xnm:error'));
    expect(j.message).toContain('missing statement');
    expect(j.message).toContain('[edit system]');
  });

  it('toJSON().message is exactly the device text, or null when absent', () => {
    expect(new DeviceError(fields({ message: 'MTU out of range', path: '/x' })).toJSON().message).toBe('MTU out of range');
    expect(new DeviceError(fields({ tag: 'lock-denied' })).toJSON().message).toBeNull();
    expect(new DeviceError(emptyDeviceFields('xnm:warning')).toJSON().message).toBeNull();
    expect(new DeviceError(fields({ message: '' })).toJSON().message).toBe('');
  });
});

describe('DeviceError fields and toJSON', () => {
  it('exposes every field it was built from', () => {
    const f = fullFields();
    const e = new DeviceError(f);
    for (const [key, value] of Object.entries(f)) {
      if (key === 'message') continue;
      expect((e as unknown as Record<string, unknown>)[key], key).toStrictEqual(value);
    }
    expect(e.deviceMessage).toBe(f.message);
  });

  it('has every DeviceErrorFields field plus level in its JSON', () => {
    const f = fullFields();
    const json = new DeviceError(f).toJSON() as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(f)) expect(json[key], key).toStrictEqual(value);
    expect(json.level).toBe('error');
    expect(json.ignored).toBe(false);
    expect(json.name).toBe('DeviceError');
    expect(json.code).toBe('LOCK_DENIED');
    expect(json.category).toBe('device');
    expect(json.retryable).toBe(true);
    expect(Object.keys(json).sort()).toEqual([...new Set([...DEVICE_FIELD_KEYS, 'level', 'ignored', 'location', 'name', 'code', 'category', 'retryable', 'message'])].sort());
  });

  it('has every field in its JSON even when they are empty', () => {
    const json = new DeviceError(emptyDeviceFields('rpc-error')).toJSON() as unknown as Record<string, unknown>;
    for (const key of DEVICE_FIELD_KEYS) expect(key in json, key).toBe(true);
    expect(json.level).toBe('error');
    expect(json.code).toBe('DEVICE_ERROR');
  });

  it('is not ignored unless a warning policy says so, and carries the mark through JSON', () => {
    const w = new DeviceError(fields({ severity: 'warning', message: 'x' }));
    expect(w.ignored).toBe(false);
    expect(NetconfError.fromJSON(JSON.stringify(w)).toJSON().ignored).toBe(false);
    w.ignored = true;
    expect(w.toJSON().ignored).toBe(true);
    const revived = NetconfError.fromJSON(JSON.stringify(w)) as DeviceError;
    expect(revived).toBeInstanceOf(DeviceError);
    expect(revived.ignored).toBe(true);
    // Only a real `true` counts.
    expect((NetconfError.fromJSON({ ...w.toJSON(), ignored: 'yes' }) as DeviceError).ignored).toBe(false);
  });

  // Read off the object, not from a list: a field added to DeviceError and forgotten in the
  // JSON fails here. Every value differs from the empty one, so a dropped field shows.
  it('carries every field it has, own and derived, through toJSON and fromJSON', () => {
    const junos = { ...fullFields(), kind: 'xnm:error' as const, severity: 'warning', path: null };
    for (const f of [fullFields(), junos]) {
      const e = new DeviceError(f, { retryable: false });
      e.ignored = true;
      const stepped = atStep(e, 'load');
      const json = JSON.parse(JSON.stringify(stepped)) as Record<string, unknown>;
      const revived = NetconfError.fromJSON(json) as DeviceError;
      expect(revived).toBeInstanceOf(DeviceError);
      const own = Object.keys(stepped);
      const getters = Object.entries(Object.getOwnPropertyDescriptors(DeviceError.prototype)).filter(([, d]) => d.get !== undefined).map(([k]) => k);
      expect(getters).toEqual(expect.arrayContaining(['location', 'isWarning']));
      expect(own).toEqual(expect.arrayContaining(['deviceMessage', 'ignored', 'level', 'step', 'code', 'retryable', ...DEVICE_FIELD_KEYS.filter((k) => k !== 'message')]));
      for (const key of [...own, ...getters, 'message', 'name']) {
        expect((revived as unknown as Record<string, unknown>)[key], key).toStrictEqual((stepped as unknown as Record<string, unknown>)[key]);
      }
      // Each own field is in the JSON under its own name; the device's text is the JSON's `message`.
      for (const key of own) {
        if (key === 'deviceMessage') expect(json.message).toBe(stepped.deviceMessage);
        else expect(json[key], key).toStrictEqual((stepped as unknown as Record<string, unknown>)[key]);
      }
      expect(json.location).toBe(stepped.location);
    }
  });

  it("has level 'warning' in the JSON of a warning", () => {
    expect(new DeviceError(fields({ severity: 'warning' })).toJSON().level).toBe('warning');
  });
});

function item(over: Parameters<typeof fields>[0], options?: ConstructorParameters<typeof DeviceError>[1]): DeviceError {
  return new DeviceError(fields(over), options);
}

describe('RpcError', () => {
  it('takes its code from the first error-level item, not a leading warning', () => {
    const rpc = new RpcError([
      item({ severity: 'warning', tag: 'lock-denied', message: 'w' }),
      item({ severity: 'error', tag: 'invalid-value', message: 'bad value' }),
      item({ severity: 'error', tag: 'in-use', message: 'busy' }),
    ]);
    expect(rpc.code).toBe('INVALID_VALUE');
    expect(rpc.category).toBe('device');
    expect(rpc.retryable).toBe(false);
  });

  it('is retryable only when every error-level item is', () => {
    const all = new RpcError([item({ severity: 'error', tag: 'lock-denied' }), item({ severity: 'error', tag: 'in-use' })]);
    expect(all.code).toBe('LOCK_DENIED');
    expect(all.retryable).toBe(true);

    const mixed = new RpcError([item({ severity: 'error', tag: 'lock-denied' }), item({ severity: 'error', tag: 'access-denied' })]);
    expect(mixed.code).toBe('LOCK_DENIED');
    expect(mixed.retryable).toBe(false);

    const mixedLater = new RpcError([item({ severity: 'error', tag: 'access-denied' }), item({ severity: 'error', tag: 'resource-denied' })]);
    expect(mixedLater.retryable).toBe(false);
  });

  it('ignores warnings when deciding retryable', () => {
    const rpc = new RpcError([
      item({ severity: 'warning', message: 'just so you know' }),
      item({ severity: 'error', tag: 'lock-denied' }),
      item({ severity: 'warning', tag: 'invalid-value' }),
    ]);
    expect(rpc.code).toBe('LOCK_DENIED');
    expect(rpc.retryable).toBe(true);
  });

  it('follows an item-level retryable override', () => {
    const rpc = new RpcError([item({ severity: 'error', tag: 'lock-denied' }, { retryable: false })]);
    expect(rpc.retryable).toBe(false);
    const forced = new RpcError([item({ severity: 'error', tag: 'operation-failed' }, { retryable: true })]);
    expect(forced.retryable).toBe(true);
  });

  it('is not retryable when it holds only warnings, or nothing', () => {
    const onlyWarnings = new RpcError([item({ severity: 'warning', tag: 'lock-denied' })]);
    expect(onlyWarnings.retryable).toBe(false);
    const empty = new RpcError([]);
    expect(empty.retryable).toBe(false);
    expect(empty.code).toBe('DEVICE_ERROR');
    expect(empty.items).toEqual([]);
  });

  it('splits items into errors and warnings and keeps document order in items', () => {
    const a = item({ severity: 'warning', message: 'a' });
    const b = item({ severity: 'error', message: 'b' });
    const c = item({ severity: 'warning', message: 'c' });
    const d = item({ severity: null, message: 'd' });
    const e = item({ severity: 'fatal', message: 'e' });
    const rpc = new RpcError([a, b, c, d, e]);
    expect(rpc.items).toEqual([a, b, c, d, e]);
    expect(rpc.items[0]).toBe(a);
    expect(rpc.items[4]).toBe(e);
    expect(rpc.errors).toEqual([b, d, e]);
    expect(rpc.errors[0]).toBe(b);
    expect(rpc.warnings).toEqual([a, c]);
    expect(rpc.warnings[1]).toBe(c);
  });

  it('keeps its items in its JSON, in order', () => {
    const rpc = new RpcError([item({ severity: 'warning', message: 'w1' }), item({ severity: 'error', tag: 'in-use', message: 'e1' }), item({ severity: 'error', message: 'e2' })], {
      messageId: '77',
    });
    const json = rpc.toJSON();
    expect(json.messageId).toBe('77');
    const items = json.items as Record<string, unknown>[];
    expect(items.map((i) => i.message)).toEqual(['w1', 'e1', 'e2']);
    expect(items.map((i) => i.level)).toEqual(['warning', 'error', 'error']);
    expect(items.map((i) => i.code)).toEqual(['DEVICE_WARNING', 'IN_USE', 'DEVICE_ERROR']);
    expect(items[1]).toStrictEqual(rpc.items[1]!.toJSON());
  });

  it('keeps the step through JSON; null when absent, and then not in the JSON', () => {
    const rpc = new RpcError([item({ severity: 'error', tag: 'invalid-value' })], { step: 'load' });
    expect(rpc.step).toBe('load');
    expect(rpc.toJSON().step).toBe('load');
    expect((NetconfError.fromJSON(JSON.stringify(rpc)) as RpcError).step).toBe('load');
    expect(new RpcError([item({ severity: 'error' })]).step).toBeNull();
    expect(new RpcError([item({ severity: 'error' })]).toJSON()).not.toHaveProperty('step');
    expect((NetconfError.fromJSON(new RpcError([item({ severity: 'error' })]).toJSON()) as RpcError).step).toBeNull();
    expect((NetconfError.fromJSON({ ...rpc.toJSON(), step: 7 }) as RpcError).step).toBeNull();
  });

  it('keeps the messageId, null when absent', () => {
    expect(new RpcError([item({ severity: 'error' })], { messageId: '101' }).messageId).toBe('101');
    expect(new RpcError([item({ severity: 'error' })]).messageId).toBeNull();
    expect(new RpcError([item({ severity: 'error' })]).toJSON().messageId).toBeNull();
  });

  it('mentions a single error and its text', () => {
    const rpc = new RpcError([item({ severity: 'error', tag: 'invalid-value', message: 'MTU out of range' })]);
    expect(rpc.message).toMatch(/an error/);
    expect(rpc.message).toContain('MTU out of range');
  });

  it('mentions the number of errors and of warnings', () => {
    const rpc = new RpcError([
      item({ severity: 'warning', message: 'w' }),
      item({ severity: 'error', message: 'first' }),
      item({ severity: 'error', message: 'second' }),
    ]);
    expect(rpc.message).toContain('2 errors');
    expect(rpc.message).toContain('1 warning');
    expect(rpc.message).not.toContain('1 warnings');
    expect(rpc.message).toContain('first');
    expect(rpc.message).toContain('second');
    expect(rpc.message).not.toContain(': w');

    const two = new RpcError([item({ severity: 'warning', message: 'w' }), item({ severity: 'warning', message: 'w2' }), item({ severity: 'error', message: 'e' })]);
    expect(two.message).toContain('2 warnings');
  });

  it('mentions how many errors it left out of a long list', () => {
    const rpc = new RpcError(['one', 'two', 'three', 'four', 'five'].map((m) => item({ severity: 'error', message: m })));
    expect(rpc.message).toContain('5 errors');
    expect(rpc.message).toContain('one');
    expect(rpc.message).toContain('three');
    expect(rpc.message).not.toContain('four');
    expect(rpc.message).toContain('2 more');
  });

  it('lists a description, never "null", for an error item without device text', () => {
    const rpc = new RpcError([item({ severity: 'error', tag: 'lock-denied' }), item({ severity: 'error', message: 'second' })]);
    expect(rpc.message).not.toContain('null');
    expect(rpc.message).toContain('lock-denied');
    expect(rpc.message).toContain('second');
  });

  it('uses a caller-given message', () => {
    expect(new RpcError([item({ severity: 'error' })], { message: 'custom' }).message).toBe('custom');
  });

  it('is a NetconfError named RpcError', () => {
    const rpc = new RpcError([item({ severity: 'error' })]);
    expect(rpc).toBeInstanceOf(NetconfError);
    expect(rpc.name).toBe('RpcError');
    expect(rpc.category).toBe(ERROR_CODES.DEVICE_ERROR.category);
  });
});
