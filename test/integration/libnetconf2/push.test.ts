import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstablishedSubscription, type SubscribedNotification, establishSubscription, get } from '../../../src/operations/index.js';
import { RpcError } from '../../../src/errors/index.js';
import { connect } from '../../../src/session/connect.js';
import type { Session } from '../../../src/session/session.js';
import { failure } from '../../support/failure.js';
import { type Libnetconf2Server, startLibnetconf2 } from '../../support/libnetconf2.js';

// YANG-Push (RFC 8641) against libnetconf2: its libyang validates our <establish-subscription>
// against subsets of the RFCs' modules (scripts/libnetconf2/yang/), and the server pushes
// periodic <push-update>s, each with its subscription's id and a count ("sub ID #N").
let server: Libnetconf2Server;
let session: Session;

beforeAll(async () => {
  server = await startLibnetconf2('push-server');
  session = await connect(server.login);
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
});

/** The description the server wrote into one push-update: "sub ID #N". */
function pushed(n: SubscribedNotification): string {
  expect(n.kind).toBe('push-update');
  const contents = (n as Extract<SubscribedNotification, { kind: 'push-update' }>).contents as {
    interfaces?: { interface?: { description?: string } };
  };
  return contents.interfaces?.interface?.description ?? '';
}

async function take(sub: EstablishedSubscription, count: number): Promise<string[]> {
  const seen: string[] = [];
  const it = sub[Symbol.asyncIterator]();
  while (seen.length < count) {
    const next = await it.next();
    if (next.done) break;
    seen.push(pushed(next.value));
  }
  return seen;
}

describe('YANG-Push against libnetconf2', () => {
  it('two subscriptions on one session, RPCs in between: each sees its own pushes, in order; delete ends one only', async () => {
    const a = await establishSubscription(session, { datastore: 'operational', periodMs: 100 });
    const b = await establishSubscription(session, { datastore: 'running', periodMs: 150 });
    expect(a.id).not.toBe(b.id);

    const [fromA, fromB] = await Promise.all([take(a, 4), take(b, 3), get(session), get(session)]);
    expect(fromA).toEqual([1, 2, 3, 4].map((n) => `sub ${a.id} #${n}`));
    expect(fromB).toEqual([1, 2, 3].map((n) => `sub ${b.id} #${n}`));

    await a.delete();
    expect(a.closed).toBe(true);
    // b goes on: its next pushes keep counting, and a's stop.
    const more = await take(b, 2);
    expect(more[1]).toMatch(new RegExp(`^sub ${b.id} #\\d+$`));
    expect(b.closed).toBe(false);
    await b.delete();
    await expect(get(session)).resolves.toBeDefined();
  });

  it('a deleted subscription: delete() again sends nothing, and the device refuses the id as no-such-subscription', async () => {
    const sub = await establishSubscription(session, { datastore: 'running', periodMs: 1000 });
    await sub.delete();
    expect(sub.closed).toBe(true);
    await expect(sub.delete()).resolves.toBeUndefined();
    const raw = `<delete-subscription xmlns="urn:ietf:params:xml:ns:yang:ietf-subscribed-notifications"><id>${sub.id}</id></delete-subscription>`;
    const err = await failure<RpcError>(session.rpc(raw));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.errors[0]?.appTag).toBe('ietf-subscribed-notifications:no-such-subscription');
    await expect(get(session)).resolves.toBeDefined();
  });
});
