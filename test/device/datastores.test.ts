import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, session, startDevice } from './raw-client.js';

afterEach(cleanup);

const SYS = '<system xmlns="urn:x"><host-name>r1</host-name></system>';
const IFS = '<interfaces xmlns="urn:x"><interface><name>e0</name><mtu>1500</mtu></interface></interfaces>';
const STATE = '<interfaces-state xmlns="urn:x"><interface><name>e0</name><oper-status>up</oper-status></interface></interfaces-state>';
const CLOCK = '<clock xmlns="urn:y"><current-datetime>2026-01-01T00:00:00Z</current-datetime></clock>';
const NMDA = 'urn:ietf:params:xml:ns:yang:ietf-netconf-nmda';
const DS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';

/** The content of a reply's `<data>` (the fake writes it unprefixed and without attributes). */
function dataOf(reply: string): string {
  const start = reply.indexOf('<data>');
  if (start === -1) return reply.includes('<data/>') ? '' : `(no data: ${reply})`;
  return reply.slice(start + '<data>'.length, reply.lastIndexOf('</data>'));
}

const device = () => startDevice({ datastores: { running: `${SYS}${IFS}`, operational: `${STATE}${CLOCK}` } });

describe('<get> (RFC 6241): configuration and state data', () => {
  it('returns running and the state data get-data shows in operational; get-config stays configuration only', async () => {
    const { nc } = await session(await device());
    expect(dataOf(await nc.call('1', '<get/>'))).toBe(`${SYS}${IFS}${STATE}${CLOCK}`);
    expect(dataOf(await nc.call('2', '<get-config><source><running/></source></get-config>'))).toBe(`${SYS}${IFS}`);
    const operational = await nc.call('3', `<get-data xmlns="${NMDA}" xmlns:ds="${DS}"><datastore>ds:operational</datastore></get-data>`);
    expect(operational).toContain(`${STATE}${CLOCK}</data>`);
  });

  it('follows edits of running, and state given with origins comes without them', async () => {
    const d = await startDevice({ datastores: { operational: `<clock xmlns="urn:y" xmlns:or="urn:ietf:params:xml:ns:yang:ietf-origin" or:origin="or:system"><up>1</up></clock>` } });
    const { nc } = await session(d);
    expect(await nc.call('1', `<edit-config><target><running/></target><config>${SYS}</config></edit-config>`)).toContain('<ok/>');
    expect(dataOf(await nc.call('2', '<get/>'))).toBe(`${SYS}<clock xmlns="urn:y" xmlns:or="urn:ietf:params:xml:ns:yang:ietf-origin"><up>1</up></clock>`);
  });

  it('applies a subtree filter to configuration and state alike', async () => {
    const { nc } = await session(await device());
    const get = (filter: string) => nc.call('1', `<get><filter type="subtree">${filter}</filter></get>`).then(dataOf);
    expect(await get('<interfaces-state xmlns="urn:x"/>')).toBe(STATE);
    expect(await get('<system xmlns="urn:x"/><clock xmlns="urn:y"/>')).toBe(`${SYS}${CLOCK}`);
    expect(await get('<clock xmlns="urn:other"/>')).toBe('');
    expect(dataOf(await nc.call('2', '<get><filter><interfaces xmlns="urn:x"/></filter></get>'))).toBe(IFS);
  });

  it('applies a subtree filter to get-config too, which never shows state', async () => {
    const { nc } = await session(await device());
    const getConfig = (filter: string) => nc.call('1', `<get-config><source><running/></source><filter type="subtree">${filter}</filter></get-config>`).then(dataOf);
    expect(await getConfig('<interfaces xmlns="urn:x"/>')).toBe(IFS);
    expect(await getConfig('<interfaces-state xmlns="urn:x"/>')).toBe('');
    // Without a <source>, running (the filter is not taken for one).
    expect(dataOf(await nc.call('2', '<get-config><filter type="subtree"><interfaces xmlns="urn:x"/></filter></get-config>'))).toBe(IFS);
  });

  it('without state data, <get> is running', async () => {
    const d = await startDevice();
    const { nc } = await session(d);
    expect(await nc.call('1', `<edit-config><target><running/></target><config>${SYS}</config></edit-config>`)).toContain('<ok/>');
    expect(dataOf(await nc.call('2', '<get/>'))).toBe(SYS);
  });
});

describe('XPath filters: the device evaluates none, so it refuses them instead of ignoring them', () => {
  it('get, get-config and get-data answer operation-not-supported naming the expression', async () => {
    const { nc } = await session(await device());
    const requests = [
      '<get><filter type="xpath" select="/x:interfaces" xmlns:x="urn:x"/></get>',
      '<get-config><source><running/></source><filter type="xpath" select="/x:interfaces" xmlns:x="urn:x"/></get-config>',
      `<get-data xmlns="${NMDA}" xmlns:ds="${DS}"><datastore>ds:operational</datastore><xpath-filter xmlns:x="urn:x">/x:interfaces</xpath-filter></get-data>`,
    ];
    for (const [i, body] of requests.entries()) {
      const reply = await nc.call(String(i), body);
      expect(reply).not.toContain('<data');
      expect(reply).toContain('<error-type>protocol</error-type><error-tag>operation-not-supported</error-tag>');
      expect(reply).toContain('cannot apply &quot;/x:interfaces&quot;: use a subtree filter');
    }
  });

  it('a filter type that is neither subtree nor xpath is bad-attribute', async () => {
    const { nc } = await session(await device());
    const reply = await nc.call('1', '<get><filter type="regex">.*</filter></get>');
    expect(reply).toContain('<error-tag>bad-attribute</error-tag>');
    expect(reply).toContain('<bad-attribute>type</bad-attribute><bad-element>filter</bad-element>');
  });
});
