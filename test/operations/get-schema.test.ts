import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { FakeDevice, FAKE_DEVICE_MODULES, type FakeDeviceOptions } from '../../src/device/index.js';
import { ClientError, RpcError } from '../../src/errors/index.js';
import { getSchema } from '../../src/operations/index.js';
import { deviceHarness } from '../support/devices.js';
import { failure } from '../support/failure.js';

const attach = deviceHarness();
const pair = async (options: FakeDeviceOptions = {}) => attach(await FakeDevice.start(options));
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'nk-schema-cache-'));
const schemaRequests = (d: FakeDevice) => d.requests.filter((r) => r.operation === 'get-schema');
const FAKE = FAKE_DEVICE_MODULES[0]!;

describe('getSchema', () => {
  it('returns a module or submodule text as the device holds it, by name and revision', async () => {
    const { device, session } = await pair();
    const reply = await getSchema(session, { identifier: 'netconfkit-fake', version: '2026-01-15' });
    expect(reply.schema).toBe(FAKE.text.trim());
    expect(reply.messageId).toBe('1');
    expect(schemaRequests(device)[0]!.xml).toContain(
      '<get-schema xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"><identifier>netconfkit-fake</identifier><version>2026-01-15</version></get-schema>',
    );
    expect((await getSchema(session, { identifier: 'netconfkit-fake-ports', format: 'yang' })).schema).toContain('submodule netconfkit-fake-ports {');
  });

  it('reads <data> in no namespace (Junos) as in the monitoring one', async () => {
    const reply = '<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="{{message-id}}"><data>module j { prefix &quot;j&quot;; }</data></nc:rpc-reply>';
    const { session } = await pair({ rules: [{ match: 'get-schema', reply }] });
    expect((await getSchema(session, { identifier: 'j' })).schema).toBe('module j { prefix "j"; }');
  });

  it('a module the device does not have is its rpc-error; a missing identifier is INVALID_ARGUMENT, sent nowhere', async () => {
    const { device, session } = await pair();
    const err = await failure<RpcError>(getSchema(session, { identifier: 'nope', version: '2020-01-01' }));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('INVALID_VALUE');
    for (const bad of [{ identifier: '' }, {}, 'netconfkit-fake']) {
      const e = await failure(getSchema(session, bad as never));
      expect(e).toBeInstanceOf(ClientError);
      expect(e.code).toBe('INVALID_ARGUMENT');
    }
    expect(schemaRequests(device)).toHaveLength(1);
  });
});

describe('getSchema with schemaCache', () => {
  it('fetches a module once: written as name@revision.yang, then read from the directory', async () => {
    const { device, session } = await pair();
    const dir = path.join(tempDir(), 'made', 'on', 'demand');
    const first = await getSchema(session, { identifier: 'netconfkit-fake', version: '2026-01-15', schemaCache: dir });
    expect(first).toEqual({ schema: FAKE.text.trim(), path: path.join(dir, 'netconfkit-fake@2026-01-15.yang'), downloaded: true });
    expect(readFileSync(first.path, 'utf8')).toBe(FAKE.text.trim());
    const second = await getSchema(session, { identifier: 'netconfkit-fake', version: '2026-01-15', schemaCache: dir });
    expect(second).toEqual({ ...first, downloaded: false });
    // Without a revision: its own entry (name.yang).
    const bare = await getSchema(session, { identifier: 'netconfkit-fake-types', schemaCache: dir });
    expect(bare.path).toBe(path.join(dir, 'netconfkit-fake-types.yang'));
    expect(schemaRequests(device)).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(['netconfkit-fake-types.yang', 'netconfkit-fake@2026-01-15.yang']);
  });

  it('calls at once for the same entry share one fetch', async () => {
    const { device, session } = await pair();
    const dir = tempDir();
    const all = await Promise.all([1, 2, 3].map(() => getSchema(session, { identifier: 'netconfkit-fake-types', version: '2025-11-02', schemaCache: dir })));
    expect(all.map((e) => e.downloaded).sort()).toEqual([false, false, true]);
    expect(new Set(all.map((e) => e.schema)).size).toBe(1);
    expect(schemaRequests(device)).toHaveLength(1);
  });

  it('a name, revision or format that is not one (it would leave the directory) is INVALID_ARGUMENT: nothing sent or written', async () => {
    const { device, session } = await pair();
    const dir = tempDir();
    const bad = [
      { identifier: '../../etc/passwd' }, { identifier: 'a/b' }, { identifier: '.hidden' }, { identifier: 'x\\y' }, { identifier: 'a'.repeat(200) },
      { identifier: 'm', version: '../../x' }, { identifier: 'm', version: '2020-01-01/..' }, { identifier: 'm', format: 'yang/../../x' }, { identifier: 'm', format: 'Y' },
    ];
    for (const options of bad) {
      const err = await failure(getSchema(session, { ...options, schemaCache: dir }));
      expect(err).toBeInstanceOf(ClientError);
      expect(err.code).toBe('INVALID_ARGUMENT');
    }
    expect((await failure(getSchema(session, { identifier: 'm', schemaCache: '' }))).code).toBe('INVALID_ARGUMENT');
    expect(schemaRequests(device)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a fetch that fails writes nothing and leaves no lock: the next call fetches again', async () => {
    const refusal = '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>busy</error-message></rpc-error>';
    const { device, session } = await pair({ rules: [{ match: 'get-schema', times: 1, reply: refusal }] });
    const dir = tempDir();
    const options = { identifier: 'netconfkit-fake', version: '2026-01-15', schemaCache: dir };
    expect((await failure(getSchema(session, options))).code).toBe('OPERATION_FAILED');
    expect(readdirSync(dir)).toEqual([]);
    expect((await getSchema(session, options)).downloaded).toBe(true);
    expect(schemaRequests(device)).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(['netconfkit-fake@2026-01-15.yang']);
  });

  it('waits for the fetcher holding the lock and takes its file; a lock whose process is gone is taken over', async () => {
    const { device, session } = await pair();
    const dir = tempDir();
    // Another process (the parent of this one, alive) holds the lock and writes the file.
    writeFileSync(path.join(dir, '.netconfkit-fake@2026-01-15.yang.lock'), `${hostname()} ${process.ppid}\n`);
    const waiting = getSchema(session, { identifier: 'netconfkit-fake', version: '2026-01-15', schemaCache: dir });
    await new Promise((resolve) => setTimeout(resolve, 100)); // let it find the lock (it ends the same way if it does not)
    writeFileSync(path.join(dir, 'netconfkit-fake@2026-01-15.yang'), 'module from-the-other-process {}');
    expect(await waiting).toMatchObject({ schema: 'module from-the-other-process {}', downloaded: false });

    // A lock left by a process that has ended: no such pid.
    writeFileSync(path.join(dir, '.netconfkit-fake-types@2025-11-02.yang.lock'), `${hostname()} 4194305\n`);
    expect((await getSchema(session, { identifier: 'netconfkit-fake-types', version: '2025-11-02', schemaCache: dir })).downloaded).toBe(true);
    expect(schemaRequests(device)).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(['.netconfkit-fake@2026-01-15.yang.lock', 'netconfkit-fake-types@2025-11-02.yang', 'netconfkit-fake@2026-01-15.yang']);
  });
});
