import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, session, startDevice } from './raw-client.js';

afterEach(cleanup);

const SN = 'urn:ietf:params:xml:ns:yang:ietf-subscribed-notifications';
const YP = 'urn:ietf:params:xml:ns:yang:ietf-yang-push';
const DS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';
const SYS = '<system xmlns="urn:x"><host-name>r1</host-name></system>';
const NTP = '<ntp xmlns="urn:x"><server>10.0.0.1</server></ntp>';

const establish = (inner: string) => `<establish-subscription xmlns="${SN}" xmlns:yp="${YP}" xmlns:ds="${DS}">${inner}</establish-subscription>`;
const onChange = '<yp:datastore>ds:running</yp:datastore><yp:on-change><yp:sync-on-start>false</yp:sync-on-start></yp:on-change>';

describe('subscription filters', () => {
  it('XPath filters, stream or datastore, are refused as filter-unsupported naming the expression; nothing is subscribed', async () => {
    const device = await startDevice({ datastores: { running: SYS } });
    const { nc } = await session(device);
    for (const filter of ['<stream-xpath-filter xmlns:x="urn:x">/x:event</stream-xpath-filter>', `<yp:datastore-xpath-filter xmlns:x="urn:x">/x:event</yp:datastore-xpath-filter>${onChange}`]) {
      const reply = await nc.call('1', establish(filter));
      expect(reply).toContain('<error-tag>invalid-value</error-tag>');
      expect(reply).toContain('<error-app-tag>ietf-subscribed-notifications:filter-unsupported</error-app-tag>');
      expect(reply).toContain('cannot apply &quot;/x:event&quot;');
    }
    expect(device.dynamicSubscriptions).toEqual([]);
  });

  it('modify-subscription with an XPath filter is refused too, and the subscription keeps its own filter', async () => {
    const device = await startDevice({ datastores: { running: SYS } });
    const { nc } = await session(device);
    expect(await nc.call('1', establish(`<yp:datastore-subtree-filter><system xmlns="urn:x"/></yp:datastore-subtree-filter>${onChange}`))).toContain('<id');
    const reply = await nc.call('2', `<modify-subscription xmlns="${SN}" xmlns:yp="${YP}"><id>1</id><yp:datastore-xpath-filter>/ntp</yp:datastore-xpath-filter></modify-subscription>`);
    expect(reply).toContain('ietf-subscribed-notifications:filter-unsupported');
    // A push of the change would come before this reply (see the next test).
    expect(await nc.call('3', `<edit-config><target><running/></target><config>${NTP}</config></edit-config>`)).toContain('<ok/>');
  });

  it('modify-subscription applies a new datastore subtree filter', async () => {
    const device = await startDevice({ datastores: { running: SYS } });
    const { nc } = await session(device);
    expect(await nc.call('1', establish(`<yp:datastore-subtree-filter><system xmlns="urn:x"/></yp:datastore-subtree-filter>${onChange}`))).toContain('<id');
    expect(await nc.call('2', `<modify-subscription xmlns="${SN}" xmlns:yp="${YP}"><id>1</id><yp:datastore-subtree-filter><ntp xmlns="urn:x"/></yp:datastore-subtree-filter></modify-subscription>`)).toContain('<ok/>');
    nc.rpc('3', `<edit-config><target><running/></target><config>${NTP}</config></edit-config>`);
    const [first, second] = [await nc.next(), await nc.next()];
    expect(first).toContain('<target>/ntp</target>'); // the change is pushed as it is made, before the reply
    expect(second).toContain('<ok/>');
  });

  it('a stream subtree filter picks events by their element; a filter prefix declared on the rpc is understood', async () => {
    const device = await startDevice();
    const { nc } = await session(device);
    const reply = await nc.call('1', `<establish-subscription xmlns="${SN}" xmlns:x="urn:x"><stream-subtree-filter><x:link-up/></stream-subtree-filter><stream>NETCONF</stream></establish-subscription>`);
    expect(reply).toContain('<id');
    device.notify('<link-down xmlns="urn:x"/>');
    device.notify('<link-up xmlns="urn:x"><if>e1</if></link-up>');
    // Sent in order: link-up first means link-down was never sent.
    expect(await nc.next()).toContain('<link-up xmlns="urn:x"><if>e1</if></link-up>');
  });
});
