import net from 'node:net';
import ssh2, { type AuthContext, type Connection } from 'ssh2';
import { expect } from 'vitest';

// ssh2 is CommonJS; Node's ESM loader sees its names only on the default export.
const { Server, utils } = ssh2;

/** How the raw server treats each step of a client's set-up. */
export interface RawServerOptions {
  /** Private host keys (PEM/OpenSSH strings); a server may offer several types. */
  hostKeys: string[];
  /** 'accept' any user and password; 'stall' never answers; 'reject' refuses every method. */
  auth?: 'accept' | 'stall' | 'reject';
  /** 'accept' the netconf subsystem (and exec) and stay silent; 'stall' never answers the request. */
  request?: 'accept' | 'stall';
  /**
   * Offer only keyboard-interactive: send these rounds of prompts, one after the other, and
   * accept when every answer equals `expect` (same shape). Every attempt goes to `received`.
   */
  keyboard?: { rounds: { prompt: string; echo: boolean }[][]; expect: string[][] };
}

/** One authentication attempt as the raw server received it. */
export interface ReceivedAuth {
  method: string;
  password?: string;
  /** keyboard-interactive: the answers to each round, in order. */
  answers?: string[][];
}

export interface TestServer {
  readonly port: number;
  /** What the server has seen, in order: 'connection', 'authentication', 'request'. */
  readonly events: string[];
  /** Connections the server still holds open. */
  readonly open: number;
  /** Authentication attempts, as received (raw server only). */
  readonly received: ReceivedAuth[];
  /** Resolves once every connection the server accepted has closed (fails after `ms`). */
  drained(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** An ssh2 Server on 127.0.0.1 that does only what it is told: no NETCONF, no hello. */
export async function rawSshServer(options: RawServerOptions): Promise<TestServer> {
  const conns = new Set<Connection>();
  const events: string[] = [];
  const received: ReceivedAuth[] = [];
  const server = new Server({ hostKeys: options.hostKeys }, (conn) => {
    events.push('connection');
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    // A client that gives up mid-way resets the socket: expected here.
    conn.on('error', () => {});
    conn.on('authentication', (ctx) => {
      events.push('authentication');
      if (options.auth === 'stall') return;
      if (options.keyboard) return keyboard(ctx, options.keyboard, received);
      if (options.auth === 'reject') return ctx.reject(['password']);
      if (ctx.method === 'none') return ctx.reject(['password', 'publickey']);
      ctx.accept();
    });
    conn.on('session', (accept) => {
      const session = accept();
      session.on('subsystem', (acceptSub) => {
        events.push('request');
        if (options.request !== 'stall') acceptSub?.();
      });
      session.on('exec', (acceptExec) => {
        events.push('request');
        if (options.request !== 'stall') acceptExec?.();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    events,
    received,
    get open() {
      return conns.size;
    },
    drained: (ms) => expect.poll(() => conns.size, { timeout: ms }).toBe(0),
    async close() {
      for (const c of conns) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A TCP listener that accepts and never says a word (not even the SSH version line), nor
 * closes its side when the client closes its own: only a client that destroys its socket
 * is rid of it.
 */
export async function silentServer(): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const events: string[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    events.push('connection');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    events,
    received: [],
    get open() {
      return sockets.size;
    },
    drained: (ms) => expect.poll(() => sockets.size, { timeout: ms }).toBe(0),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Only keyboard-interactive, round after round; records what the client sent. */
function keyboard(ctx: AuthContext, script: NonNullable<RawServerOptions['keyboard']>, received: ReceivedAuth[]): void {
  if (ctx.method === 'password') received.push({ method: 'password', password: ctx.password });
  else if (ctx.method !== 'none' && ctx.method !== 'keyboard-interactive') received.push({ method: ctx.method });
  if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
  const attempt: ReceivedAuth = { method: 'keyboard-interactive', answers: [] };
  received.push(attempt);
  const round = (i: number): void => {
    if (i === script.rounds.length) {
      const ok = JSON.stringify(attempt.answers) === JSON.stringify(script.expect);
      return ok ? ctx.accept() : ctx.reject(['keyboard-interactive']);
    }
    ctx.prompt(script.rounds[i]!, (answers) => {
      attempt.answers!.push(answers);
      round(i + 1);
    });
  };
  round(0);
}

/** TCP sockets open in this process, the test servers' own included. */
export function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** Waits until this process holds no more sockets than `baseline` plus the server's own side. */
export async function clientSocketClosed(server: TestServer, baseline: number): Promise<void> {
  await expect.poll(() => tcpSockets() - server.open <= baseline, { timeout: 2_000 }).toBe(true);
}

export interface TestKey {
  /** Private key, for the server's hostKeys. */
  private: string;
  /** `type base64` as a known_hosts line carries it after the host names. */
  known: string;
  type: string;
}

/** A host key of the given type, retried past ssh2's occasional unreadable key (mscdex/ssh2#1390). */
export function testKey(type: 'rsa' | 'ed25519' | 'ecdsa'): TestKey {
  for (;;) {
    const pair = type === 'rsa'
      ? utils.generateKeyPairSync('rsa', { bits: 2048 })
      : type === 'ecdsa' ? utils.generateKeyPairSync('ecdsa', { bits: 256 }) : utils.generateKeyPairSync('ed25519');
    const pub = utils.parseKey(pair.public);
    if (pub instanceof Error || utils.parseKey(pair.private) instanceof Error) continue;
    return { private: pair.private, known: `${pub.type} ${pub.getPublicSSH().toString('base64')}`, type: pub.type };
  }
}
