import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, device, session } from './record.js';
import { SECRETS, SECRET_CONFIG } from './secrets.js';

afterEach(cleanUp);

const GET = '<get-config><source><running/></source></get-config>';

describe('the wire log (connect option `logger`)', () => {
  it('prints each message sent and received: session, message-id, framing, size, then the body', async () => {
    const d = await device({ rules: [{ match: 'get-config', reply: '<data><system xmlns="urn:example"><host-name>r1</host-name></system></data>' }] });
    const lines: string[] = [];
    const s = await session(d, { logger: (line) => lines.push(line) });
    const reply = await s.rpc(GET);
    const heads = lines.map((l) => l.split('\n')[0]);
    expect(heads[0]).toMatch(/^\[r1\] sent hello \(eom, \d+ bytes\)$/);
    expect(heads[1]).toMatch(/^\[r1\] received hello \(eom, \d+ bytes\)$/);
    expect(heads[2]).toBe(`[r1 #${s.sessionId}] sent rpc message-id=${reply.messageId} (chunked, ${Buffer.byteLength(`<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${reply.messageId}">${GET}</rpc>`)} bytes)`);
    expect(heads[3]).toBe(`[r1 #${s.sessionId}] received rpc-reply message-id=${reply.messageId} (chunked, ${Buffer.byteLength(reply.xml!)} bytes)`);
    expect(lines[3]!.split('\n').slice(1).join('\n')).toBe(reply.xml);
    await s.close();
    expect(lines.at(-2)).toMatch(/sent rpc message-id=\d+ .*\n<rpc [^>]*><close-session\/><\/rpc>$/);
  });

  it('takes a logger object with debug() (console, pino…), cuts long bodies, and masks Junos secrets unless told not to', async () => {
    const d = await device({ rules: [{ match: 'get-config', reply: `<data>${SECRET_CONFIG.XML}${'<x/>'.repeat(5000)}</data>` }] });
    const masked: string[] = [];
    const s1 = await session(d, { logger: { debug: (line: string) => masked.push(line) }, wireLog: { maxChars: 2000 } });
    await s1.rpc(GET);
    const reply = masked.find((l) => l.includes('received rpc-reply'))!;
    expect(reply).toContain('<encrypted-password>****</encrypted-password>');
    for (const secret of SECRETS) expect(reply).not.toContain(secret);
    expect(reply).toMatch(/… \(\d+ more characters\)$/);
    expect(reply.length).toBeLessThan(2200);

    const raw: string[] = [];
    const s2 = await session(d, { logger: (line) => raw.push(line), wireLog: { redact: false, maxChars: 100_000 } });
    await s2.rpc(GET);
    expect(raw.find((l) => l.includes('received rpc-reply'))).toContain(SECRETS[0]);
  });

  it('a reply read with collect: false is logged without its body; a throwing logger changes nothing', async () => {
    const d = await device();
    const lines: string[] = [];
    const s = await session(d, { logger: (line) => lines.push(line) });
    await s.rpc(GET, { collect: false });
    expect(lines.at(-1)).toMatch(/received rpc-reply message-id=1 \(chunked, \d+ bytes\) body not kept$/);
    const t = await session(d, { logger: () => { throw new Error('logger down'); } });
    expect((await t.rpc(GET)).xml).toContain('data');
  });
});
