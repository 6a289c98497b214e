import { afterEach } from 'vitest';
import { connect } from '../../src/session/connect.js';
import type { Session } from '../../src/session/session.js';
import type { PeerInfo } from '../setup/peer-info.js';

/** Opens sessions to the netconfd peer; every session a test opened is closed after it. */
export function peerSessions(peer: PeerInfo): () => Promise<Session> {
  const sessions: Session[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });
  return async () => {
    const s = await connect({ host: peer.host, port: peer.port, username: peer.username, password: peer.password, knownHosts: peer.knownHosts });
    sessions.push(s);
    return s;
  };
}
