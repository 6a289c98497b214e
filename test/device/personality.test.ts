import { afterEach, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/fake-device.js';
import { FAKE_DEVICE_CAPABILITIES, helloXml } from '../../src/device/replies.js';
import type { FakePersonality } from '../../src/device/types.js';
import { encodeEom } from '../../src/framing/encoder.js';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';

const devices: FakeDevice[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function open(device: FakeDevice): Promise<Session> {
  const s = await connect({ host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint });
  sessions.push(s);
  return s;
}

describe('FakeDevice personality hooks', () => {
  it('writes the personality hello per session, with that session id', async () => {
    const hellos: number[] = [];
    const personality: FakePersonality = {
      hello: (id) => {
        hellos.push(id);
        // A comment may come first, so without an XML declaration (which must open the message).
        const hello = helloXml([...FAKE_DEVICE_CAPABILITIES, 'urn:example:extra'], id + 100).replace(/^<\?xml[^>]*\?>\n/, '');
        return `<!-- hello from a personality -->\n${encodeEom(hello).toString()}`;
      },
    };
    const device = await FakeDevice.start({ personality });
    devices.push(device);
    const a = await open(device);
    const b = await open(device);
    expect(hellos).toEqual([1, 2]);
    expect([a.sessionId, b.sessionId]).toEqual([101, 102]);
    expect(a.capabilities.has('urn:example:extra')).toBe(true);
  });

  it('answers after rules and handler, before the defaults; a faults-only rule delays its answer', async () => {
    const personality: FakePersonality = {
      handle: (request) => (request.operation === 'get-thing' ? '<thing>from personality</thing>' : undefined),
    };
    const device = await FakeDevice.start({
      personality,
      rules: [{ match: /<get-thing>second/, reply: '<thing>from rule</thing>' }, { match: /<get-thing>slow/, reply: { delayMs: 30 } }],
    });
    devices.push(device);
    const s = await open(device);
    expect((await s.rpc('<get-thing/>')).xml).toContain('<thing>from personality</thing>');
    expect((await s.rpc('<get-thing>second</get-thing>')).xml).toContain('<thing>from rule</thing>');
    expect((await s.rpc('<get-thing>slow</get-thing>')).xml).toContain('<thing>from personality</thing>');
    // Not handled by the personality: FakeDevice's default.
    expect((await s.rpc('<get-config><source><running/></source></get-config>')).xml).toContain('<data/>');
  });

  it('shares one lock table with <lock>, and hears of each session end after its locks are gone', async () => {
    const ended: { id: number; holder: number | null }[] = [];
    let device!: FakeDevice;
    const personality: FakePersonality = {
      handle: (request, { locks }) => {
        if (request.operation !== 'take-candidate') return undefined;
        const r = locks.lock('candidate', request.sessionId);
        return r.ok ? '<ok/>' : `<rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag><error-severity>error</error-severity><error-info><session-id>${r.holder}</session-id></error-info></rpc-error>`;
      },
      sessionEnded: (id) => ended.push({ id, holder: device.lockHolder('candidate') }),
    };
    device = await FakeDevice.start({ personality });
    devices.push(device);
    const a = await open(device);
    const b = await open(device);
    await a.rpc('<take-candidate/>');
    expect(device.lockHolder('candidate')).toBe(a.sessionId);
    // RFC <lock> sees the personality's lock.
    await expect(b.rpc('<lock><target><candidate/></target></lock>')).rejects.toMatchObject({ code: 'LOCK_DENIED' });
    await a.close();
    await expect.poll(() => ended.length, { timeout: 3000 }).toBe(1);
    expect(ended).toEqual([{ id: a.sessionId, holder: null }]);
    await b.rpc('<lock><target><candidate/></target></lock>');
    expect(device.lockHolder('candidate')).toBe(b.sessionId);
  });
});
