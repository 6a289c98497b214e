import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { PlaybackDevice } from '../../src/device/playback.js';
import { RpcError } from '../../src/errors/device-error.js';
import { NetconfError } from '../../src/errors/netconf-error.js';
import { commitFlow } from '../../src/operations/commit-flow.js';
import { replay } from '../../src/replay/replayer.js';
import { parseRecording, readRecording, recordingToCapture } from '../../src/recording/format.js';
import { recordingHarness } from './harness.js';

const { dir, open, session } = recordingHarness('nk-rec-');

// A recorded flow is played back with the same id: the persist token is part of the request.
const COMMIT_ID = 'nck-recorded';
const CONFIG = '<config><interfaces xmlns="urn:example:if"><interface><name>ge-0/0/0</name></interface></interfaces></config>';

async function recordFlow(file: string): Promise<{ result: unknown; error: NetconfError }> {
  const real = await FakeDevice.start({
    rules: [
      { match: 'get-config', reply: '<data><system xmlns="urn:example:sys"><host-name>r1</host-name></system></data>' },
      { match: /bogus/, reply: '<rpc-error><error-type>application</error-type><error-tag>unknown-element</error-tag><error-severity>error</error-severity><error-path>/interfaces/bogus</error-path><error-message>unknown element bogus</error-message><error-info><bad-element>bogus</bad-element></error-info></rpc-error>' },
      { match: 'commit', reply: '<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>warning</error-severity><error-message>commit took long</error-message></rpc-error><ok/>' },
    ],
  });
  open.push(real);
  const s = await session(real, { record: file });
  await s.rpc('<get-config><source><running/></source></get-config>');
  const result = await commitFlow(s, { config: CONFIG, dialect: 'rfc', commitId: COMMIT_ID });
  const error = (await commitFlow(s, { config: '<config><interfaces xmlns="urn:example:if"><bogus/></interfaces></config>', dialect: 'rfc' }).catch((e: unknown) => e)) as NetconfError;
  await s.close();
  return { result, error };
}

describe('recording', () => {
  it('writes the header, the hello and each exchange in order, and closes with the session', async () => {
    const file = join(dir, 'flow.jsonl');
    await recordFlow(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'netconfkit-recording', version: 1, redacted: true });
    expect(lines[1]).toMatchObject({ type: 'hello', framing: 'chunked', sessionId: 1 });
    const ops = lines.slice(2).map((l) => l.operation);
    expect(ops[0]).toBe('get-config');
    expect(ops.at(-1)).toBe('close-session');
    expect(ops).toContain('commit');
    const rec = readRecording(file);
    expect(rec.exchanges.every((e) => e.reply !== null && e.ms !== null && e.framing === 'chunked')).toBe(true);
  });

  it('exports the device side as a capture replay reads', async () => {
    const file = join(dir, 'capture.jsonl');
    await recordFlow(file);
    const rec = readRecording(file);
    const out = replay(recordingToCapture(rec));
    expect(out.error).toBeNull();
    expect(out.framing).toBe('eom+chunked');
    expect(out.messages).toHaveLength(1 + rec.exchanges.length);
    // Each commit of the flow (the commit and its confirmation) has the warning.
    expect(out.messages.flatMap((m) => m.items.map((i) => i.tag))).toEqual(['operation-failed', 'operation-failed', 'unknown-element']);
  });

  it('writes to a stream the caller owns', async () => {
    const real = await FakeDevice.start();
    open.push(real);
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const s = await session(real, { record: stream });
    await s.rpc('<get><filter type="subtree"><x xmlns="urn:x"/></filter></get>');
    await s.close();
    expect(parseRecording(text).exchanges.map((e) => e.operation)).toEqual(['get', 'close-session']);
    expect(stream.writableEnded).toBe(false);
  });

  it('a path that cannot be written is INVALID_ARGUMENT and nothing is left open', async () => {
    const real = await FakeDevice.start();
    open.push(real);
    const err = await session(real, { record: join(dir, 'no', 'such', 'dir.jsonl') }).catch((e: unknown) => e as NetconfError);
    expect(err).toBeInstanceOf(NetconfError);
    expect((err as NetconfError).code).toBe('INVALID_ARGUMENT');
    await expect.poll(() => real.connectionCount).toBe(0);
  });
});

describe('playback', () => {
  it('the commit flow played back gives the same results, items and errors, field by field', async () => {
    const file = join(dir, 'replay.jsonl');
    const live = await recordFlow(file);
    const device = await PlaybackDevice.start(file);
    open.push(device);
    const s = await session(device);
    const got = (await s.rpc('<get-config><source><running/></source></get-config>')).xml;
    expect(got).toContain('<host-name>r1</host-name>');
    const result = await commitFlow(s, { config: CONFIG, dialect: 'rfc', commitId: COMMIT_ID });
    const error = (await commitFlow(s, { config: '<config><interfaces xmlns="urn:example:if"><bogus/></interfaces></config>', dialect: 'rfc' }).catch((e: unknown) => e)) as NetconfError;
    await s.close();
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(JSON.stringify(live.result)));
    expect(error).toBeInstanceOf(RpcError);
    expect(error.toJSON()).toEqual(live.error.toJSON());
    expect((error as RpcError).items.map((i) => i.toJSON())).toEqual((live.error as RpcError).items.map((i) => i.toJSON()));
    expect(device.unmatchedRequests()).toEqual([]);
    expect(device.unusedRecordings()).toEqual([]);
  });

  it('reports unmatched requests (with an rpc-error naming them) and unused recordings', async () => {
    const file = join(dir, 'unmatched.jsonl');
    await recordFlow(file);
    const device = await PlaybackDevice.start(file);
    open.push(device);
    const s = await session(device);
    const err = (await s.rpc('<get-config><source><candidate/></source></get-config>').catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.errors[0]!.tag).toBe('operation-failed');
    expect(err.errors[0]!.message).toMatch(/netconfkit playback: <get-config> has no recorded reply \(no recorded request matches it\)/);
    await s.rpc('<get-config><source><running/></source></get-config>');
    const again = (await s.rpc('<get-config><source><running/></source></get-config>').catch((e: unknown) => e)) as RpcError;
    expect(again.errors[0]!.message).toMatch(/used already/);
    expect(device.unmatchedRequests().map((r) => [r.operation, r.reason])).toEqual([['get-config', 'not-recorded'], ['get-config', 'used-up']]);
    expect(device.unusedRecordings().map((e) => e.operation)).toEqual(['lock', 'edit-config', 'validate', 'commit', 'commit', 'unlock', 'lock', 'edit-config', 'discard-changes', 'unlock']);
  });

  it('matches a request that differs only in message-id, whitespace, prefixes and attribute order', async () => {
    const file = join(dir, 'normalise.jsonl');
    const real = await FakeDevice.start({ rules: [{ match: 'get', reply: '<data><r xmlns="urn:x">one</r></data>' }] });
    open.push(real);
    const rec = await session(real, { record: file });
    await rec.rpc('<get><filter type="subtree" xmlns:a="urn:a" a:x="1"><top xmlns="urn:x"><name>a b</name></top></filter></get>');
    await rec.close();

    const device = await PlaybackDevice.start(file);
    open.push(device);
    const s = await session(device);
    // An unmatched request first, so message-ids differ from the recording's.
    await s.rpc('<discard-changes/>').catch(() => undefined);
    const reply = await s.rpc(`<nc:get xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">
        <nc:filter xmlns:b="urn:a"   b:x='1' type="subtree">
          <!-- a comment --><t:top xmlns:t="urn:x"> <t:name>  a   b </t:name> </t:top>
        </nc:filter>
      </nc:get>`);
    expect(reply.xml).toContain('<r xmlns="urn:x">one</r>');
    expect(reply.messageId).toBe('2');
    expect(device.unmatchedRequests().map((r) => r.operation)).toEqual(['discard-changes']);
    expect(device.unusedRecordings()).toEqual([]);
  });

  it('answers with the recorded capabilities', async () => {
    const file = join(dir, 'caps.jsonl');
    const real = await FakeDevice.start({ capabilities: ['urn:ietf:params:netconf:base:1.0', 'urn:example:only'] });
    open.push(real);
    const rec = await session(real, { record: file });
    await rec.close();
    const device = await PlaybackDevice.start(file);
    open.push(device);
    const s = await session(device);
    expect([...s.capabilities.uris]).toEqual(['urn:ietf:params:netconf:base:1.0', 'urn:example:only']);
    expect(s.framingMode).toBe('eom');
  });

  it('record-missing passes an unmatched request to the real device, answers with its reply and appends it', async () => {
    const file = join(dir, 'missing.jsonl');
    const real = await FakeDevice.start({ rules: [{ match: 'get', reply: '<data><v xmlns="urn:x">live</v></data>' }] });
    open.push(real);
    const rec = await session(real, { record: file });
    await rec.rpc('<lock><target><candidate/></target></lock>');
    await rec.close();

    const upstream = { host: real.host, port: real.port, username: 'netconf', password: 'netconf', hostKey: real.hostKeyFingerprint };
    const device = await PlaybackDevice.start(file, { mode: 'record-missing', upstream });
    open.push(device);
    const s = await session(device);
    await s.rpc('<lock><target><candidate/></target></lock>');
    expect((await s.rpc('<get/>')).xml).toContain('live');
    await s.close();
    expect(device.unmatchedRequests()).toEqual([]);
    expect(readRecording(file).exchanges.map((e) => e.operation)).toEqual(['lock', 'close-session', 'get']);
    await device.close();

    // Played back now without the real device.
    await real.close();
    const again = await PlaybackDevice.start(file);
    open.push(again);
    const p = await session(again);
    await p.rpc('<lock><target><candidate/></target></lock>');
    expect((await p.rpc('<get/>')).xml).toContain('live');
    expect(again.unusedRecordings()).toEqual([]);
  });

  it('plays the recorded timing when asked', async () => {
    const file = join(dir, 'timing.jsonl');
    const real = await FakeDevice.start({ rules: [{ match: 'get', reply: { delayMs: 300 } }] });
    open.push(real);
    const rec = await session(real, { record: file });
    await rec.rpc('<get/>');
    await rec.close();
    expect(readRecording(file).exchanges[0]!.ms).toBeGreaterThanOrEqual(290);
    const device = await PlaybackDevice.start(file, { timing: true });
    open.push(device);
    const s = await session(device);
    // The recorded delay holds the reply back: a 100 ms timeout fires first.
    const err = (await s.rpc('<get/>', { timeoutMs: 100 }).catch((e: unknown) => e)) as NetconfError;
    expect(err.code).toBe('RPC_TIMEOUT');
  });
});
