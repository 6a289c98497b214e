import { createHmac, timingSafeEqual } from 'node:crypto';
import type net from 'node:net';
import { ConnectionError } from '../errors/classes.js';

/**
 * What a Junos device says before SSH starts on an outbound-ssh connection (Juniper's
 * "initiation sequence"): `MSG-ID: DEVICE-CONN-INFO`, `MSG-VER: V1`, `DEVICE-ID: …` and, when
 * a secret is configured on the device, `HOST-KEY: …` and `HMAC: …`, each line ended by CRLF.
 */
export interface OutboundSshPreamble {
  deviceId: string;
  version: string;
  /** The host key as announced (`ssh-ed25519 AAAA…` or the bare base64), or null. */
  hostKey: string | null;
  /** The public key blob of `hostKey`, or null. */
  hostKeyBlob: Buffer | null;
  /** The HMAC as sent (hex), or null. */
  hmac: string | null;
}

/** A preamble is a few short lines: more than this is not one. */
const MAX_PREAMBLE_BYTES = 8 * 1024;
/**
 * Without a HOST-KEY line the preamble has no last line: once DEVICE-ID is read, it ends at the
 * device's SSH identification line, or after this long with nothing more.
 */
const QUIET_END_MS = 300;

/**
 * Reads what a device sends before SSH on `socket`: the outbound-ssh preamble (resolves with
 * it) or nothing (the first bytes are SSH's own `SSH-` line: resolves null). Whatever follows
 * the preamble is put back on the socket for SSH to read. A malformed preamble is
 * CALL_HOME_REJECTED.
 */
export function readOutboundPreamble(socket: net.Socket, label: string): Promise<OutboundSshPreamble | null> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const fields = new Map<string, string>();
    let quiet: NodeJS.Timeout | undefined;
    const done = (result: OutboundSshPreamble | null | Error, rest: Buffer) => {
      clearTimeout(quiet);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const rejected = (why: string) => new ConnectionError('CALL_HOME_REJECTED', `${label} sent a malformed outbound-ssh preamble: ${why}`);
    const finish = (rest: Buffer) => {
      if (fields.size === 0) return done(null, rest);
      const checked = preambleOf(fields);
      done(typeof checked === 'string' ? rejected(checked) : checked, rest);
    };
    const onEnd = () => done(new ConnectionError('CONNECTION_LOST', `${label} closed the connection before SSH started`), Buffer.alloc(0));
    const onData = (chunk: Buffer) => {
      clearTimeout(quiet);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.subarray(0, 4).toString('latin1') === 'SSH-') return finish(buffered);
        const eol = buffered.indexOf(0x0a);
        if (eol < 0) break;
        const line = buffered.subarray(0, eol).toString('utf8').replace(/\r$/, '');
        buffered = buffered.subarray(eol + 1);
        const colon = line.indexOf(':');
        if (colon <= 0) return done(rejected(`a line without "NAME:" (${JSON.stringify(line.slice(0, 40))})`), Buffer.alloc(0));
        const name = line.slice(0, colon).trim().toUpperCase();
        // Juniper's own example shows `DEVICE-ID: : <id>`: a stray colon is read past.
        const value = line.slice(colon + 1).trim().replace(/^:\s*/, '');
        fields.set(name, value);
        if (name === 'HMAC') return finish(buffered);
      }
      if (buffered.length + [...fields.values()].join('').length > MAX_PREAMBLE_BYTES) return done(rejected(`more than ${MAX_PREAMBLE_BYTES} bytes`), Buffer.alloc(0));
      if (fields.has('DEVICE-ID') && !fields.has('HOST-KEY') && buffered.length === 0) quiet = setTimeout(() => finish(buffered), QUIET_END_MS);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    // A listener's sockets start paused.
    socket.resume();
  });
}

function preambleOf(fields: Map<string, string>): OutboundSshPreamble | string {
  if (fields.get('MSG-ID') !== 'DEVICE-CONN-INFO') return `MSG-ID is ${JSON.stringify(fields.get('MSG-ID') ?? null)}, not DEVICE-CONN-INFO`;
  const version = fields.get('MSG-VER') ?? '';
  if (version !== 'V1') return `MSG-VER ${JSON.stringify(version)} is not V1`;
  const deviceId = fields.get('DEVICE-ID') ?? '';
  if (deviceId === '') return 'no DEVICE-ID';
  const hostKey = fields.get('HOST-KEY') ?? null;
  const hmac = fields.get('HMAC') ?? null;
  if ((hostKey === null) !== (hmac === null)) return 'HOST-KEY and HMAC come together';
  let hostKeyBlob: Buffer | null = null;
  if (hostKey !== null) {
    const words = hostKey.split(/\s+/);
    const base64 = words.length > 1 ? words[1]! : words[0]!;
    hostKeyBlob = Buffer.from(base64, 'base64');
    if (hostKeyBlob.length < 8) return 'HOST-KEY is not a public key';
  }
  return { deviceId, version, hostKey, hostKeyBlob, hmac };
}

/**
 * Whether the preamble's HMAC is HMAC-SHA1, keyed by the shared secret, over the announced
 * host key (as sent, hex-encoded), compared in constant time.
 */
export function checkPreambleHmac(preamble: OutboundSshPreamble, secret: string): boolean {
  if (preamble.hostKey === null || preamble.hmac === null) return false;
  const expected = createHmac('sha1', secret).update(preamble.hostKey).digest();
  const given = Buffer.from(preamble.hmac.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
