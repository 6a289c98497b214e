import { describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  ClientError,
  CommitOutcomeUnknownError,
  ConnectionError,
  DeviceError,
  ERROR_CODES,
  FramingError,
  HostKeyError,
  MalformedXmlError,
  NetconfError,
  ProtocolError,
  RpcError,
  TimeoutError,
  toNetconfError,
  type CauseJSON,
  type ErrorCode,
} from '../../src/errors/index.js';
import { ALL_CLASSES, SAMPLES, causeChain, fields, fullFields, rpcErrorSample } from './fixtures.js';
import { atStep } from '../../src/errors/netconf-error.js';

function causeDepth(c: CauseJSON | undefined): number {
  let n = 0;
  for (let x = c; x; x = x.cause) n++;
  return n;
}

describe('NetconfError base fields', () => {
  it('takes category and retryable from the code table', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const err = new NetconfError(code, `failure ${code}`);
      expect(err.code).toBe(code);
      expect(err.category).toBe(ERROR_CODES[code].category);
      expect(err.retryable).toBe(ERROR_CODES[code].retryable);
      expect(err.message).toBe(`failure ${code}`);
    }
  });

  it('is a real Error with a stack and the class name as name', () => {
    const err = new NetconfError('RPC_TIMEOUT', 'no reply');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('NetconfError');
    expect(typeof err.stack).toBe('string');
    expect(err.stack).toContain('no reply');
    expect(Object.prototype.toString.call(err)).toBe('[object Error]');
  });

  it.each(SAMPLES)('a $label is named after its class', ({ make, Class }) => {
    const expected = ALL_CLASSES.find((c) => c.Class === Class)!.name;
    const err = make();
    expect(err.name).toBe(expected);
    expect(err.toJSON().name).toBe(expected);
    expect(String(err).startsWith(`${expected}: `)).toBe(true);
  });

  it('lets the caller override retryable both ways', () => {
    expect(new ConnectionError('HOST_NOT_FOUND', 'EAI_AGAIN', { retryable: true }).retryable).toBe(true);
    expect(new TimeoutError('RPC_TIMEOUT', 'gave up', { retryable: false }).retryable).toBe(false);
    // The code and category do not change with the override.
    const e = new ConnectionError('HOST_NOT_FOUND', 'EAI_AGAIN', { retryable: true });
    expect(e.code).toBe('HOST_NOT_FOUND');
    expect(e.category).toBe('transport');
    expect(new TimeoutError('RPC_TIMEOUT', 'x', { retryable: undefined }).retryable).toBe(true);
  });

  it('keeps the cause by identity', () => {
    const cause = causeChain();
    const err = new ConnectionError('CONNECTION_LOST', 'lost', { cause });
    expect(err.cause).toBe(cause);
    const str = new NetconfError('UNKNOWN', 'x', { cause: 'a string cause' });
    expect(str.cause).toBe('a string cause');
  });

  it('has no cause at all when none was given', () => {
    const err = new NetconfError('UNKNOWN', 'x');
    expect(Object.prototype.hasOwnProperty.call(err, 'cause')).toBe(false);
    expect(err.cause).toBeUndefined();
    expect('cause' in err.toJSON()).toBe(false);
  });

  it('sets the fixed code of the classes that have one', () => {
    expect(new MalformedXmlError('x').code).toBe('MALFORMED_XML');
    expect(new MalformedXmlError('x').offset).toBeNull();
    expect(new CommitOutcomeUnknownError('x').code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(new CommitOutcomeUnknownError('x').retryable).toBe(false);
    expect(new HostKeyError('HOST_KEY_UNKNOWN', 'x').fingerprint).toBeNull();
  });
});

describe('atStep', () => {
  it('gives a copy of the same class with the step set, and leaves the original (which may be shared) alone', () => {
    const original = new TimeoutError('RPC_TIMEOUT', 'slow', { cause: new Error('inner') });
    const copy = atStep(original, 'commit');
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(TimeoutError);
    expect(copy).toMatchObject({ code: 'RPC_TIMEOUT', message: 'slow', name: 'TimeoutError', step: 'commit', retryable: original.retryable });
    expect(copy.cause).toBe(original.cause);
    expect(copy.stack).toBe(original.stack);
    expect(original.step).toBeNull();
    expect(copy.toJSON()).toMatchObject({ step: 'commit', code: 'RPC_TIMEOUT' });
  });
});

describe('toJSON', () => {
  it('has exactly name, code, category, retryable and message when there is no cause', () => {
    const json = new TimeoutError('RPC_TIMEOUT', 'no reply within 5000 ms').toJSON();
    expect(json).toStrictEqual({
      name: 'TimeoutError',
      code: 'RPC_TIMEOUT',
      category: 'protocol',
      retryable: true,
      message: 'no reply within 5000 ms',
    });
  });

  it('is what JSON.stringify produces', () => {
    for (const s of SAMPLES) {
      const err = s.make();
      expect(JSON.parse(JSON.stringify(err)), s.label).toStrictEqual(JSON.parse(JSON.stringify(err.toJSON())));
    }
  });

  it('reflects an overridden retryable', () => {
    expect(new ConnectionError('HOST_NOT_FOUND', 'x', { retryable: true }).toJSON().retryable).toBe(true);
  });

  it('reduces the cause chain to name, message and code', () => {
    const err = new ConnectionError('CONNECTION_LOST', 'lost', { cause: causeChain() });
    expect(err.toJSON().cause).toStrictEqual({
      name: 'Error',
      message: 'socket closed',
      cause: { name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' },
    });
  });

  it('keeps numeric codes, drops non-primitive codes and keeps custom error names', () => {
    class SshError extends Error {
      override name = 'SshError';
    }
    const numeric = Object.assign(new SshError('disconnected'), { code: 11 });
    expect(new ConnectionError('SSH_ERROR', 'x', { cause: numeric }).toJSON().cause).toStrictEqual({ name: 'SshError', message: 'disconnected', code: 11 });
    const objectCode = Object.assign(new TypeError('weird'), { code: { nested: true } });
    expect(new NetconfError('UNKNOWN', 'x', { cause: objectCode }).toJSON().cause).toStrictEqual({ name: 'TypeError', message: 'weird' });
  });

  it('reduces a NetconfError cause to its name, message and code, and follows its own cause', () => {
    const inner = new ConnectionError('CONNECTION_LOST', 'lost', { cause: new Error('EPIPE') });
    const err = new CommitOutcomeUnknownError('commit cut off', { cause: inner });
    expect(err.toJSON().cause).toStrictEqual({
      name: 'ConnectionError',
      code: 'CONNECTION_LOST',
      message: 'lost',
      cause: { name: 'Error', message: 'EPIPE' },
    });
  });

  it('reduces non-Error causes: a message-bearing object, a string, a number', () => {
    expect(new NetconfError('UNKNOWN', 'x', { cause: { message: 'plain', code: 'E1' } }).toJSON().cause).toStrictEqual({
      name: 'Error',
      message: 'plain',
      code: 'E1',
    });
    expect(new NetconfError('UNKNOWN', 'x', { cause: { name: 'Custom', message: 'plain', cause: new Error('deeper') } }).toJSON().cause).toStrictEqual({
      name: 'Custom',
      message: 'plain',
      cause: { name: 'Error', message: 'deeper' },
    });
    expect(new NetconfError('UNKNOWN', 'x', { cause: 'just text' }).toJSON().cause).toStrictEqual({ name: 'string', message: 'just text' });
    expect(new NetconfError('UNKNOWN', 'x', { cause: 42 }).toJSON().cause).toStrictEqual({ name: 'number', message: '42' });
  });

  it('leaves out a null cause', () => {
    expect('cause' in new NetconfError('UNKNOWN', 'x', { cause: null }).toJSON()).toBe(false);
  });

  it('bounds the depth of a cyclic cause chain (two errors citing each other)', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const err = new ConnectionError('CONNECTION_LOST', 'loop', { cause: a });
    const json = err.toJSON();
    const depth = causeDepth(json.cause);
    expect(depth).toBeGreaterThanOrEqual(2);
    expect(depth).toBeLessThanOrEqual(16);
    const names: string[] = [];
    for (let c = json.cause; c; c = c.cause) names.push(c.message);
    expect(names.slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
    expect(() => JSON.stringify(err)).not.toThrow();
    // The bounded chain still survives a round trip unchanged.
    expect(NetconfError.fromJSON(JSON.stringify(err)).toJSON()).toStrictEqual(json);
  });

  it('bounds the depth of a self-referencing cause, Error or plain object', () => {
    const self = new Error('me');
    (self as { cause?: unknown }).cause = self;
    const d1 = causeDepth(new NetconfError('UNKNOWN', 'x', { cause: self }).toJSON().cause);
    expect(d1).toBeGreaterThanOrEqual(2);
    expect(d1).toBeLessThanOrEqual(16);

    const obj: { message: string; cause?: unknown } = { message: 'obj' };
    obj.cause = obj;
    const d2 = causeDepth(new NetconfError('UNKNOWN', 'x', { cause: obj }).toJSON().cause);
    expect(d2).toBeGreaterThanOrEqual(2);
    expect(d2).toBeLessThanOrEqual(16);
  });

  it('does not cut a short, legitimate chain', () => {
    let cause: Error = new Error('level 5');
    for (let i = 4; i >= 1; i--) cause = new Error(`level ${i}`, { cause });
    const json = new NetconfError('UNKNOWN', 'x', { cause }).toJSON();
    expect(causeDepth(json.cause)).toBe(5);
  });
});

describe('NetconfError.fromJSON', () => {
  describe.each(SAMPLES)('$label', ({ make, Class, parents }) => {
    it('rebuilds the exact class and its parents', () => {
      const original = make();
      const revived = NetconfError.fromJSON(original.toJSON());
      expect(revived).toBeInstanceOf(Class);
      expect(revived instanceof Class).toBe(true);
      for (const P of parents) expect(revived instanceof P).toBe(true);
      expect(revived instanceof NetconfError).toBe(true);
      expect(revived instanceof Error).toBe(true);
      expect(Object.getPrototypeOf(revived)).toBe(Class.prototype);
      // ...and not any class outside its ancestry.
      for (const { Class: Other } of ALL_CLASSES) {
        if (Other === Class || Other === NetconfError || parents.includes(Other)) continue;
        expect(revived instanceof Other, `${revived.name} instanceof ${Other.name}`).toBe(false);
      }
      expect(revived.name).toBe(original.name);
      expect(revived.code).toBe(original.code);
      expect(revived.category).toBe(original.category);
      expect(revived.retryable).toBe(original.retryable);
    });

    it('gives identical JSON after JSON → error → JSON', () => {
      const json = make().toJSON();
      const again = NetconfError.fromJSON(json).toJSON();
      expect(again).toStrictEqual(json);
      expect(JSON.stringify(again)).toBe(JSON.stringify(json));
    });

    it('gives identical JSON across a job queue (JSON.parse(JSON.stringify(...)))', () => {
      const json = make().toJSON();
      const wire = JSON.parse(JSON.stringify(json)) as unknown;
      const again = NetconfError.fromJSON(wire).toJSON();
      expect(JSON.parse(JSON.stringify(again))).toStrictEqual(wire);
      expect(JSON.stringify(again)).toBe(JSON.stringify(json));
    });

    it('accepts the JSON string itself', () => {
      const original = make();
      const revived = NetconfError.fromJSON(JSON.stringify(original));
      expect(revived instanceof Class).toBe(true);
      expect(JSON.stringify(revived)).toBe(JSON.stringify(original));
    });

    it('survives two round trips', () => {
      const json = make().toJSON();
      const twice = NetconfError.fromJSON(JSON.stringify(NetconfError.fromJSON(JSON.stringify(json)))).toJSON();
      expect(JSON.stringify(twice)).toBe(JSON.stringify(json));
    });
  });

  it('restores the cause chain as Errors carrying name and code', () => {
    const revived = NetconfError.fromJSON(JSON.stringify(new ConnectionError('CONNECTION_LOST', 'lost', { cause: causeChain() })));
    const outer = revived.cause as Error & { code?: unknown; cause?: unknown };
    expect(outer).toBeInstanceOf(Error);
    expect(outer.message).toBe('socket closed');
    expect(outer.name).toBe('Error');
    const inner = outer.cause as Error & { code?: unknown };
    expect(inner).toBeInstanceOf(Error);
    expect(inner.message).toBe('read ECONNRESET');
    expect(inner.code).toBe('ECONNRESET');
  });

  it('restores HostKeyError.fingerprint and MalformedXmlError.offset (including 0)', () => {
    const fp = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
    const hk = NetconfError.fromJSON(JSON.stringify(new HostKeyError('HOST_KEY_MISMATCH', 'changed', { fingerprint: fp })));
    expect(hk).toBeInstanceOf(HostKeyError);
    expect((hk as HostKeyError).fingerprint).toBe(fp);
    const noFp = NetconfError.fromJSON(new HostKeyError('HOST_KEY_UNKNOWN', 'x').toJSON());
    expect((noFp as HostKeyError).fingerprint).toBeNull();

    const mx = NetconfError.fromJSON(JSON.stringify(new MalformedXmlError('bad', { offset: 1234 })));
    expect(mx).toBeInstanceOf(MalformedXmlError);
    expect((mx as MalformedXmlError).offset).toBe(1234);
    expect((mx as MalformedXmlError).code).toBe('MALFORMED_XML');
    expect((NetconfError.fromJSON(new MalformedXmlError('bad', { offset: 0 }).toJSON()) as MalformedXmlError).offset).toBe(0);
    expect((mx as MalformedXmlError).tagMismatch).toBeNull();
    const mismatch = { start: 'junos:routing-engine', end: 'commit-results' };
    const mm = NetconfError.fromJSON(JSON.stringify(new MalformedXmlError('bad', { offset: 9, tagMismatch: mismatch })));
    expect((mm as MalformedXmlError).tagMismatch).toEqual(mismatch);
  });

  it('keeps an overridden retryable', () => {
    const revived = NetconfError.fromJSON(JSON.stringify(new ConnectionError('HOST_NOT_FOUND', 'EAI_AGAIN', { retryable: true })));
    expect(revived.retryable).toBe(true);
    const revived2 = NetconfError.fromJSON(JSON.stringify(new TimeoutError('RPC_TIMEOUT', 'x', { retryable: false })));
    expect(revived2.retryable).toBe(false);
  });

  it('rebuilds an RpcError with its items, levels, codes and messageId', () => {
    const original = rpcErrorSample();
    const revived = NetconfError.fromJSON(JSON.parse(JSON.stringify(original)));
    expect(revived).toBeInstanceOf(RpcError);
    const r = revived as RpcError;
    expect(r.messageId).toBe('101');
    expect(r.step).toBe('load');
    expect(r.items).toHaveLength(4);
    expect(r.items.map((i) => i.ignored)).toEqual([true, false, false, false]);
    for (const [i, item] of r.items.entries()) {
      const orig = original.items[i]!;
      expect(item).toBeInstanceOf(DeviceError);
      expect(item instanceof RpcError).toBe(false);
      expect(item.level).toBe(orig.level);
      expect(item.code).toBe(orig.code);
      expect(item.retryable).toBe(orig.retryable);
      expect(item.kind).toBe(orig.kind);
      expect(item.deviceMessage).toBe(orig.deviceMessage);
      expect(item.message).toBe(orig.message);
      expect(item.ignored).toBe(orig.ignored);
      expect(item.toJSON()).toStrictEqual(orig.toJSON());
    }
    expect(r.errors).toHaveLength(3);
    expect(r.warnings).toHaveLength(1);
    expect(r.code).toBe(original.code);
    expect(r.message).toBe(original.message);
  });

  it('rebuilds every DeviceError field', () => {
    const original = new DeviceError(fullFields());
    const revived = NetconfError.fromJSON(JSON.stringify(original)) as DeviceError;
    expect(revived).toBeInstanceOf(DeviceError);
    for (const [key, value] of Object.entries(fullFields())) {
      if (key === 'message') continue;
      expect((revived as unknown as Record<string, unknown>)[key], key).toStrictEqual(value);
    }
    expect(revived.deviceMessage).toBe(original.deviceMessage);
    expect(revived.level).toBe('error');
    expect(revived.code).toBe('LOCK_DENIED');
    expect(revived.retryable).toBe(true);
  });

  it('takes category from the code, not from the JSON', () => {
    const revived = NetconfError.fromJSON({ name: 'TimeoutError', code: 'RPC_TIMEOUT', category: 'device', retryable: true, message: 'x' });
    expect(revived.category).toBe('protocol');
    expect(revived).toBeInstanceOf(TimeoutError);
  });

  it('falls back to the table for a missing retryable', () => {
    expect(NetconfError.fromJSON({ name: 'TimeoutError', code: 'RPC_TIMEOUT', message: 'x' }).retryable).toBe(true);
    expect(NetconfError.fromJSON({ name: 'ClientError', code: 'ABORTED', message: 'x', retryable: 'yes' }).retryable).toBe(false);
  });

  it('builds a plain NetconfError for an unknown name with a known code', () => {
    const revived = NetconfError.fromJSON({ name: 'SomeFutureError', code: 'LOCK_DENIED', message: 'held' });
    expect(Object.getPrototypeOf(revived)).toBe(NetconfError.prototype);
    expect(revived.code).toBe('LOCK_DENIED');
    expect(revived.message).toBe('held');
    for (const { Class } of ALL_CLASSES) if (Class !== NetconfError) expect(revived instanceof Class).toBe(false);
  });

  it.each([
    ['a string that is not JSON', 'not json {'],
    ['an empty string', ''],
    ['JSON of a number', '42'],
    ['JSON null', 'null'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['an empty object', {}],
    ['an empty array', []],
    ['an object with an unknown code', { name: 'NetconfError', code: 'NOT_A_CODE', message: 'x' }],
    ['an object with an unknown name and code', { name: 'Whatever', code: 'nope' }],
    ['an object whose code is an Object.prototype member', { code: 'toString' }],
    ['an object whose name is __proto__', JSON.parse('{"name":"__proto__","code":"__proto__"}') as unknown],
    ['JSON of a string', '"hello"'],
  ])('gives an UNKNOWN NetconfError for %s', (_label, input) => {
    const revived = NetconfError.fromJSON(input);
    expect(revived).toBeInstanceOf(NetconfError);
    expect(revived).toBeInstanceOf(Error);
    expect(revived.code).toBe('UNKNOWN');
    expect(revived.category).toBe('client');
    expect(revived.retryable).toBe(false);
    expect(typeof revived.message).toBe('string');
  });

  it('does not carry unexpected fields of the JSON into the error or its JSON', () => {
    for (const s of SAMPLES) {
      const json = { ...s.make().toJSON(), password: 'hunter2', extra: { token: 'abc' } };
      const revived = NetconfError.fromJSON(JSON.stringify(json));
      expect('password' in revived, s.label).toBe(false);
      expect(JSON.stringify(revived), s.label).not.toContain('hunter2');
      expect(JSON.stringify(revived), s.label).not.toContain('abc"');
    }
  });
});

describe('toNetconfError', () => {
  it.each(SAMPLES)('passes a $label through unchanged', ({ make }) => {
    const err = make();
    expect(toNetconfError(err)).toBe(err);
  });

  it('passes a revived error through unchanged', () => {
    const revived = NetconfError.fromJSON(new ClientError('ABORTED', 'aborted').toJSON());
    expect(toNetconfError(revived)).toBe(revived);
  });

  function expectWrapped(value: unknown): NetconfError {
    const err = toNetconfError(value);
    expect(err).toBeInstanceOf(NetconfError);
    expect(Object.getPrototypeOf(err)).toBe(NetconfError.prototype);
    expect(err.name).toBe('NetconfError');
    expect(err.code).toBe('UNKNOWN');
    expect(err.category).toBe('client');
    expect(err.retryable).toBe(false);
    expect(err.cause).toBe(value);
    expect(typeof err.message).toBe('string');
    expect(err.message.length).toBeGreaterThan(0);
    return err;
  }

  it('wraps an Error, keeping its message and the error as cause', () => {
    const original = new TypeError('cannot read properties of undefined');
    const err = expectWrapped(original);
    expect(err.message).toBe('cannot read properties of undefined');
    expect(err.toJSON().cause).toStrictEqual({ name: 'TypeError', message: 'cannot read properties of undefined' });
  });

  it('does not turn a retryable-looking Error into a retryable one', () => {
    const econnreset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const err = expectWrapped(econnreset);
    expect(err.retryable).toBe(false);
    expect(err.toJSON().cause).toStrictEqual({ name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' });
  });

  it('wraps a string, using it as the message', () => {
    const err = expectWrapped('it broke');
    expect(err.message).toBe('it broke');
  });

  it('wraps a plain object', () => {
    const obj = { reason: 'weird' };
    const err = expectWrapped(obj);
    expect(err.cause).toBe(obj);
  });

  it('wraps undefined, null and a number', () => {
    expectWrapped(undefined);
    expectWrapped(null);
    expectWrapped(7);
  });

  it('wraps a Error-like object that is not branded', () => {
    const fake = { name: 'ConnectionError', code: 'CONNECTION_LOST', message: 'fake', retryable: true, category: 'transport' };
    const err = expectWrapped(fake);
    expect(err instanceof ConnectionError).toBe(false);
  });

  it('wraps a NetconfError JSON (not an error) rather than passing it through', () => {
    const json = new ConnectionError('CONNECTION_LOST', 'lost').toJSON();
    const err = toNetconfError(json);
    expect(err).not.toBe(json);
    expect(err.code).toBe('UNKNOWN');
    expect(err.cause).toBe(json);
  });
});

describe('instanceof through the brand', () => {
  it('is false for non-errors, primitives and plain Errors', () => {
    for (const v of [null, undefined, 0, 'NetconfError', {}, [], new Error('x'), new TypeError('x'), Object.create(NetconfError.prototype)]) {
      expect(v instanceof NetconfError).toBe(false);
      expect(v instanceof ConnectionError).toBe(false);
    }
  });

  it('distinguishes siblings in one copy', () => {
    const conn = new ConnectionError('CONNECTION_LOST', 'x');
    expect(conn instanceof AuthenticationError).toBe(false);
    expect(conn instanceof HostKeyError).toBe(false);
    expect(conn instanceof RpcError).toBe(false);
    const auth = new AuthenticationError('AUTH_FAILED', 'x');
    expect(auth instanceof ConnectionError).toBe(true);
    expect(auth instanceof HostKeyError).toBe(false);
    const framing = new FramingError('FRAMING_ERROR', 'x');
    expect(framing instanceof ProtocolError).toBe(true);
    expect(framing instanceof MalformedXmlError).toBe(false);
    expect(new ProtocolError('PROTOCOL_ERROR', 'x') instanceof FramingError).toBe(false);
    expect(new DeviceError(fields()) instanceof RpcError).toBe(false);
    expect(new RpcError([]) instanceof DeviceError).toBe(false);
  });

  it('works across two separately loaded copies of the module', async () => {
    type Mod = typeof import('../../src/errors/index.js');
    vi.resetModules();
    const A: Mod = await import('../../src/errors/index.js');
    vi.resetModules();
    const B: Mod = await import('../../src/errors/index.js');

    // They really are two copies, or the test proves nothing.
    expect(A.NetconfError).not.toBe(B.NetconfError);
    expect(A.ConnectionError).not.toBe(B.ConnectionError);
    expect(A.RpcError).not.toBe(B.RpcError);

    const conn = new A.ConnectionError('CONNECTION_LOST', 'lost');
    expect(conn instanceof B.ConnectionError).toBe(true);
    expect(conn instanceof B.NetconfError).toBe(true);
    expect(conn instanceof NetconfError).toBe(true);
    expect(conn instanceof B.RpcError).toBe(false);
    expect(conn instanceof B.DeviceError).toBe(false);
    expect(conn instanceof B.AuthenticationError).toBe(false);
    expect(conn instanceof B.ProtocolError).toBe(false);

    const auth = new A.AuthenticationError('AUTH_FAILED', 'denied');
    expect(auth instanceof B.AuthenticationError).toBe(true);
    expect(auth instanceof B.ConnectionError).toBe(true);
    expect(auth instanceof B.HostKeyError).toBe(false);

    const item = new A.DeviceError(A.emptyDeviceFields('rpc-error'));
    const rpc = new A.RpcError([item], { messageId: '1' });
    expect(rpc instanceof B.RpcError).toBe(true);
    expect(rpc instanceof B.DeviceError).toBe(false);
    expect(item instanceof B.DeviceError).toBe(true);
    expect(item instanceof B.RpcError).toBe(false);

    // And the other way round.
    const fromB = new B.MalformedXmlError('bad', { offset: 3 });
    expect(fromB instanceof A.MalformedXmlError).toBe(true);
    expect(fromB instanceof A.ProtocolError).toBe(true);
    expect(fromB instanceof A.FramingError).toBe(false);

    // toNetconfError of one copy passes the other copy's errors through.
    expect(B.toNetconfError(conn)).toBe(conn);
    expect(A.toNetconfError(fromB)).toBe(fromB);

    // JSON from one copy revives in the other as the right family.
    const revived = B.NetconfError.fromJSON(JSON.stringify(auth));
    expect(revived instanceof A.AuthenticationError).toBe(true);
    expect(revived instanceof B.AuthenticationError).toBe(true);
    expect(revived instanceof A.HostKeyError).toBe(false);
  });
});
