import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ClientError,
  CommitOutcomeUnknownError,
  ConnectionError,
  DeviceError,
  HostKeyError,
  NetconfError,
  RpcError,
  toNetconfError,
  type CauseJSON,
} from '../../src/errors/index.js';
import { atStep } from '../../src/errors/netconf-error.js';
import { DEVICE_FIELD_KEYS, SAMPLES, fields, fullFields } from './fixtures.js';

/**
 * The exact key set of each class's JSON. When a field is added, this list must be updated on
 * purpose: a new field is data that crosses job queues and logs, and must be checked for leaks.
 */
const BASE = ['name', 'code', 'category', 'retryable', 'message'];
const EXPECTED_KEYS: Record<string, string[]> = {
  NetconfError: BASE,
  ConnectionError: BASE,
  AuthenticationError: BASE,
  HostKeyError: [...BASE, 'fingerprint'],
  CertificateError: [...BASE, 'problem', 'fingerprint'],
  TimeoutError: BASE,
  ProtocolError: BASE,
  FramingError: BASE,
  MalformedXmlError: [...BASE, 'offset', 'tagMismatch'],
  ClientError: BASE,
  CommitOutcomeUnknownError: [...BASE, 'commitId'],
  // The samples of these two failed at a step.
  CommitNotAppliedError: [...BASE, 'step', 'commitId'],
  HealthCheckFailedError: [...BASE, 'step', 'reverted', 'commitId'],
  SubscriptionError: [...BASE, 'reason', 'reasonIdentity', 'subscriptionId'],
  DeviceError: [
    ...BASE, 'level', 'ignored', 'kind', 'severity', 'type', 'tag', 'appTag', 'path', 'pathNamespaces', 'messageLang',
    'badElement', 'badElementSource', 'info', 'badAttributes', 'badNamespace', 'sessionId', 'okElements',
    'errElements', 'noopElements', 'unknownInfo', 'editPath', 'statement', 'token', 'sourceDaemon', 'filename',
    'lineNumber', 'column', 'routingEngine', 'location',
  ],
  // The sample RpcError failed at a step; `step` is in any error's JSON only when it has one.
  RpcError: [...BASE, 'step', 'messageId', 'items'],
};

const CAUSE_KEYS = new Set(['name', 'message', 'code', 'cause']);

function checkCause(c: CauseJSON | undefined, label: string): void {
  for (let x = c, depth = 0; x; x = x.cause, depth++) {
    for (const k of Object.keys(x)) expect(CAUSE_KEYS.has(k), `${label}: cause[${depth}].${k}`).toBe(true);
    expect(typeof x.name, label).toBe('string');
    expect(typeof x.message, label).toBe('string');
    if ('code' in x) expect(['string', 'number'], label).toContain(typeof x.code);
  }
}

describe('the JSON key set of each class', () => {
  it('lists every DeviceErrorFields field for DeviceError', () => {
    expect(new Set(EXPECTED_KEYS.DeviceError)).toEqual(new Set([...BASE, 'level', 'ignored', 'location', ...DEVICE_FIELD_KEYS]));
  });

  it.each(SAMPLES)('$label has exactly the expected keys (plus cause when it has one)', ({ make }) => {
    const err = make();
    const json = err.toJSON();
    const expected = EXPECTED_KEYS[err.name];
    expect(expected, `no expectation for ${err.name}`).toBeDefined();
    const want = [...expected!, ...(err.cause === undefined || err.cause === null ? [] : ['cause'])].sort();
    expect(Object.keys(json).sort()).toEqual(want);
    checkCause(json.cause, err.name);
    // What goes over the wire is the same set.
    expect(Object.keys(JSON.parse(JSON.stringify(err)) as object).sort()).toEqual(want);
  });

  it('gives RpcError items exactly the DeviceError keys', () => {
    const rpc = SAMPLES.find((s) => s.label === 'RpcError')!.make() as RpcError;
    const items = rpc.toJSON().items as Record<string, unknown>[];
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(Object.keys(i).sort()).toEqual([...EXPECTED_KEYS.DeviceError!].sort());
  });

  it('has `step` only when the error has one (any class), and fromJSON brings it back', () => {
    const plain = new ClientError('ABORTED', 'aborted');
    expect(Object.keys(plain.toJSON()).sort()).toEqual([...BASE].sort());
    const atLoad = new ClientError('ABORTED', 'aborted', { step: 'load' });
    expect(Object.keys(atLoad.toJSON()).sort()).toEqual([...BASE, 'step'].sort());
    expect(NetconfError.fromJSON(JSON.stringify(atLoad)).step).toBe('load');
    const unknown = atStep(new CommitOutcomeUnknownError('cut off', { commitId: 'nck-1' }), 'commit');
    expect(Object.keys(unknown.toJSON()).sort()).toEqual([...BASE, 'step', 'commitId'].sort());
    const revived = NetconfError.fromJSON(JSON.stringify(unknown));
    expect(revived).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(revived.step).toBe('commit');
    expect((revived as CommitOutcomeUnknownError).commitId).toBe('nck-1');
    const items = (SAMPLES.find((s) => s.label === 'RpcError')!.make() as RpcError).toJSON().items as Record<string, unknown>[];
    for (const i of items) expect(i).not.toHaveProperty('step');
  });

  it('never includes stack traces', () => {
    for (const s of SAMPLES) {
      const text = JSON.stringify(s.make());
      expect(text, s.label).not.toContain('"stack"');
      expect(text, s.label).not.toMatch(/\n\s+at /);
    }
  });
});

describe('no data leaks through toJSON', () => {
  it('keeps an ordinary cause message as it is', () => {
    const err = new ConnectionError('CONNECTION_REFUSED', 'connect ECONNREFUSED 192.0.2.1:830', {
      cause: Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:830'), { code: 'ECONNREFUSED' }),
    });
    expect(err.toJSON().cause).toStrictEqual({ name: 'Error', message: 'connect ECONNREFUSED 192.0.2.1:830', code: 'ECONNREFUSED' });
    expect(err.toJSON().message).toBe('connect ECONNREFUSED 192.0.2.1:830');
    expect(NetconfError.fromJSON(JSON.stringify(err)).toJSON().cause).toStrictEqual(err.toJSON().cause);
  });

  it('drops every property of a cause but name, message and code', () => {
    const sshErr = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
      code: 'AUTH',
      config: { username: 'admin', password: 'hunter2', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' },
      password: 'hunter2',
    });
    const err = new AuthenticationError('AUTH_FAILED', 'authentication failed for admin@router1', { cause: sshErr });
    const text = JSON.stringify(err);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('client-authentication');
    expect(err.toJSON().cause).toStrictEqual({ name: 'Error', message: 'All configured authentication methods failed', code: 'AUTH' });
  });

  it('drops every property of a plain-object cause but name, message and code', () => {
    const err = new HostKeyError('HOST_KEY_MISMATCH', 'changed', {
      cause: { message: 'mismatch', name: 'HostKeyCheck', code: 'E_KEY', knownHosts: '/home/u/.ssh/known_hosts', secret: 's3cret' },
    });
    const text = JSON.stringify(err);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('known_hosts');
    expect(err.toJSON().cause).toStrictEqual({ name: 'HostKeyCheck', message: 'mismatch', code: 'E_KEY' });
  });

  it('does not put an object wrapped by toNetconfError into the JSON', () => {
    const err = toNetconfError({ host: 'router1', password: 'hunter2' });
    const text = JSON.stringify(err);
    expect(text).not.toContain('hunter2');
    expect(Object.keys(err.toJSON()).sort()).toEqual([...BASE, 'cause'].sort());
  });

  it('does not put own properties added to an error into the JSON', () => {
    const err = new ConnectionError('CONNECTION_LOST', 'lost');
    Object.assign(err, { password: 'hunter2', host: 'router1' });
    expect(Object.keys(err.toJSON()).sort()).toEqual([...BASE].sort());
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });

  it('does not put stray properties of the fields object into a DeviceError JSON', () => {
    const f = { ...fields({ severity: 'error', message: 'x' }), password: 'hunter2', rawXml: '<secret/>' };
    const json = new DeviceError(f).toJSON();
    expect(Object.keys(json).sort()).toEqual([...EXPECTED_KEYS.DeviceError!].sort());
    expect(JSON.stringify(json)).not.toContain('hunter2');
    expect(JSON.stringify(json)).not.toContain('<secret/>');
  });

  it('keeps device values exactly as the device sent them', () => {
    const f = fullFields();
    const json = new DeviceError(f).toJSON();
    expect(json.message).toBe(f.message);
    expect(json.info).toStrictEqual(f.info);
    expect(json.unknownInfo).toStrictEqual(f.unknownInfo);
  });
});
