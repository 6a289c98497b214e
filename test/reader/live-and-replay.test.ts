import { describe, expect, it } from 'vitest';
import type { DeviceError, NetconfError } from '../../src/errors/index.js';
import { encodeMessage } from '../../src/framing/encoder.js';
import { replay } from '../../src/replay/replayer.js';
import { Session } from '../../src/session/session.js';
import { loadExpected, readCapture } from '../support/corpus.js';
import { fixture, fixtureNames } from '../support/fixtures.js';
import { BASE, ScriptedPeer, serverHello } from '../session/scripted-peer.js';

/**
 * Live sessions and replay read messages through the same reader, so every message of every
 * capture must have the same outcome both ways: the same items, field for field, and the same
 * failure (or none). Here each capture is written by a scripted device to a real Session, its
 * messages arriving as replies nobody asked for (reported, items streamed), and compared with
 * what replay() says of the same bytes.
 */

interface Outcome {
  items: unknown[];
  error: string | null;
}

function replayOutcomes(bytes: Buffer): Outcome[] {
  return replay(bytes).messages
    .filter((m) => m.root?.local !== 'hello')
    .map((m) => ({ items: m.items.map((i) => i.toJSON()), error: m.error?.code ?? null }));
}

/** What a live session read of the capture, and the code of the failure that closed it before the test did (null when none). */
async function liveOutcomes(bytes: Buffer, framing: string): Promise<{ outcomes: Outcome[]; closedWith: string | null }> {
  const outcomes: Outcome[] = [];
  let items: DeviceError[] = [];
  const end = (error: NetconfError | null) => {
    // A stray message is reported as PROTOCOL_ERROR (routing); a failure has its own code.
    outcomes.push({ items: items.map((i) => i.toJSON()), error: error && error.code !== 'PROTOCOL_ERROR' ? error.code : null });
    items = [];
  };
  const peer = new ScriptedPeer();
  const startsWithHello = replay(bytes).messages[0]?.root?.local === 'hello';
  let rest = bytes;
  // Chunked replies need a base:1.1 session; a capture's own hello negotiates what it had.
  const base = startsWithHello || framing.includes('chunked') ? 'both' : '1.0';
  const started = Session.start(peer.transport, { base, rpcTimeoutMs: 10_000 });
  await peer.waitForRequests(1);
  if (startsWithHello) {
    // The capture's own hello opens the session; the rest follows once listeners are on.
    const helloEnd = bytes.indexOf(']]>]]>') + 6;
    peer.sendRaw(bytes.subarray(0, helloEnd));
    rest = bytes.subarray(helloEnd);
  } else {
    peer.send(serverHello({ base }));
    if (framing === 'none') rest = encodeMessage(bytes, 'eom');
  }
  const session = await started;
  if (session.framingMode === 'chunked') peer.useChunked();
  session.on('item', (item) => items.push(item));
  session.on('protocolError', (e) => end(e));
  session.on('notification', () => end(null));
  let closedWith: string | null = null;
  session.on('close', (reason) => { closedWith = reason?.code ?? null; });
  peer.sendRaw(rest);
  // Let the session read the capture before any call exists (its message-ids must match none).
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  // A probe call after the capture: once it settles, every message before it has been read.
  // A capture whose framing breaks (a closing line after chunked replies) closes the session
  // instead, after every message before the break was read: replay sets that line aside.
  if (session.state === 'open') {
    const probe = session.rpc('<get/>');
    await peer.waitForRequests(2);
    peer.send(`<rpc-reply xmlns="${BASE}" message-id="${peer.idOf(1)}"><data/></rpc-reply>`);
    await Promise.allSettled([probe]);
  }
  session.destroy();
  return { outcomes, closedWith };
}

const expected = loadExpected();

describe('live and replay give the same message outcomes', () => {
  for (const [name, file] of Object.entries(expected)) {
    it(`corpus ${name}`, async () => {
      const bytes = readCapture(name);
      const replayed = replayOutcomes(bytes);
      // Both ways must find what expected.json lists, not merely agree (two empty lists would).
      expect(replayed).toHaveLength(file.messages.filter((m) => m.root !== 'hello').length);
      expect(replayed.flatMap((o) => o.items)).toHaveLength(file.entries.length);
      expect((await liveOutcomes(bytes, file.framing)).outcomes).toEqual(replayed);
    });
  }
  for (const name of fixtureNames().filter((n) => !n.endsWith('.json'))) {
    it(`fixture ${name}`, async () => {
      const bytes = fixture(name);
      const detected = replay(bytes).framing;
      const framing = detected === 'none' && bytes.subarray(0, 2).toString() === '\n#' ? 'chunked' : detected;
      const replayed = replayOutcomes(bytes);
      const { outcomes: live, closedWith } = await liveOutcomes(bytes, framing);
      expect(live).toEqual(replayed);
      // Not two empty lists: the fixture gave messages, or a stream failure that ended the session too.
      const streamError = replay(bytes).error?.code ?? null;
      expect(replayed.length > 0 || streamError !== null, 'messages or a stream failure').toBe(true);
      if (replayed.length === 0) expect(closedWith).toBe(streamError);
    });
  }
});
