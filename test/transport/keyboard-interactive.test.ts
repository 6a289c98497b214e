import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { AuthenticationError, ClientError, NetconfError } from '../../src/errors/index.js';
import type { KeyboardInteractivePrompt } from '../../src/transport/auth.js';
import { type SshChannel, type SshOptions, openSshChannel } from '../../src/transport/ssh-transport.js';
import { type RawServerOptions, type TestServer, rawSshServer, testKey } from './raw-server.js';

const PASSWORD = 'kbd-secret-4d7a';
const OTP = '913370';
const hostKey = testKey('ed25519');
const servers: TestServer[] = [];
const channels: SshChannel[] = [];

const passwordPrompt = { prompt: 'Password: ', echo: false };
const otpPrompt = { prompt: 'Verification code: ', echo: true };

async function device(keyboard: NonNullable<RawServerOptions['keyboard']>): Promise<TestServer> {
  const s = await rawSshServer({ hostKeys: [hostKey.private], keyboard });
  servers.push(s);
  return s;
}

function options(port: number, extra: Partial<SshOptions> = {}): SshOptions {
  return { host: '127.0.0.1', port, username: 'ops', password: PASSWORD, tryKeyboard: true, agent: false, insecureAcceptAnyHostKey: true, ...extra };
}

async function outcome(p: Promise<SshChannel>): Promise<NetconfError | null> {
  return p.then((c) => (channels.push(c), null), (err: unknown) => {
    expect(err).toBeInstanceOf(NetconfError);
    return err as NetconfError;
  });
}

/** Every view of an error: none may show the password or the code. */
function expectClean(err: NetconfError): void {
  for (const text of [err.message, String(err.stack), JSON.stringify(err.toJSON()), inspect(err, { depth: 8 })]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(OTP);
  }
}

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('keyboard-interactive: the password goes only to a password prompt with echo off', () => {
  it('answers a lone "Password:" prompt with echo off with the password', async () => {
    const server = await device({ rounds: [[passwordPrompt]], expect: [[PASSWORD]] });
    expect(await outcome(openSshChannel(options(server.port)))).toBeNull();
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [[PASSWORD]] }]);
  });

  it('password, then a one-time code from onKeyboardInteractive: the callback sees only the code prompt', async () => {
    const server = await device({ rounds: [[passwordPrompt], [otpPrompt]], expect: [[PASSWORD], [OTP]] });
    const asked: KeyboardInteractivePrompt[][] = [];
    const targets: string[] = [];
    const err = await outcome(openSshChannel(options(server.port, {
      onKeyboardInteractive: async (prompts, info) => {
        asked.push(prompts);
        targets.push(info.target);
        return [OTP];
      },
    })));
    expect(err).toBeNull();
    expect(asked).toEqual([[{ prompt: 'Verification code: ', echo: true }]]);
    expect(targets).toEqual([`127.0.0.1:${server.port}`]);
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [[PASSWORD], [OTP]] }]);
  });

  it('both prompts in one round: the password answers its own, the callback the other', async () => {
    const server = await device({ rounds: [[passwordPrompt, otpPrompt]], expect: [[PASSWORD, OTP]] });
    const err = await outcome(openSshChannel(options(server.port, { onKeyboardInteractive: () => [OTP] })));
    expect(err).toBeNull();
    expect(server.received[0]?.answers).toEqual([[PASSWORD, OTP]]);
  });

  it('a one-time code prompt without a callback fails AUTH_FAILED quoting the prompt, and no answer is sent to it', async () => {
    const server = await device({ rounds: [[passwordPrompt], [otpPrompt]], expect: [[PASSWORD], [OTP]] });
    const err = await outcome(openSshChannel(options(server.port)));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err!.code).toBe('AUTH_FAILED');
    expect(err!.message).toContain('"Verification code:"');
    expect(err!.message).toContain('onKeyboardInteractive');
    expectClean(err!);
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [[PASSWORD]] }]);
  });

  it.each([
    ['an echo-on prompt that mentions the password', { prompt: 'Password (shown as you type): ', echo: true }],
    ['an echo-off prompt that is not a password', { prompt: 'PIN: ', echo: false }],
    ['a "press enter" banner', { prompt: 'Press <enter> to accept the terms', echo: true }],
  ])('%s never gets the password: AUTH_FAILED naming it', async (_what, prompt) => {
    const server = await device({ rounds: [[prompt]], expect: [['x']] });
    const err = await outcome(openSshChannel(options(server.port)));
    expect(err?.code).toBe('AUTH_FAILED');
    expect(err!.message).toContain(`"${prompt.prompt.trim()}"`);
    expectClean(err!);
    expect(JSON.stringify(server.received)).not.toContain(PASSWORD);
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [] }]);
  });

  it('an echo-on prompt goes to the callback, never the password', async () => {
    const prompt = { prompt: 'Password (shown as you type): ', echo: true };
    const server = await device({ rounds: [[prompt]], expect: [['typed-by-callback']] });
    const err = await outcome(openSshChannel(options(server.port, { onKeyboardInteractive: () => ['typed-by-callback'] })));
    expect(err).toBeNull();
    expect(JSON.stringify(server.received)).not.toContain(PASSWORD);
  });

  it('a second password prompt (the first answer was refused) is not answered again', async () => {
    const server = await device({ rounds: [[passwordPrompt], [passwordPrompt]], expect: [[PASSWORD], [PASSWORD]] });
    const err = await outcome(openSshChannel(options(server.port)));
    expect(err?.code).toBe('AUTH_FAILED');
    expect(err!.message).toContain('asked for the password again');
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [[PASSWORD]] }]);
  });

  it('a callback that returns the wrong number of answers is the caller\'s mistake (INVALID_ARGUMENT)', async () => {
    const server = await device({ rounds: [[otpPrompt]], expect: [[OTP]] });
    const err = await outcome(openSshChannel(options(server.port, { onKeyboardInteractive: () => [OTP, OTP] })));
    expect(err).toBeInstanceOf(ClientError);
    expect(err!.code).toBe('INVALID_ARGUMENT');
    expect(server.received).toEqual([{ method: 'keyboard-interactive', answers: [] }]);
  });

  it('a callback that throws fails AUTH_FAILED with its error as the cause', async () => {
    const server = await device({ rounds: [[otpPrompt]], expect: [[OTP]] });
    const reason = new Error('operator cancelled');
    const err = await outcome(openSshChannel(options(server.port, { onKeyboardInteractive: () => Promise.reject(reason) })));
    expect(err?.code).toBe('AUTH_FAILED');
    expect(err!.cause).toBe(reason);
  });

  it('onKeyboardInteractive alone turns keyboard-interactive on (no tryKeyboard, no password)', async () => {
    const server = await device({ rounds: [[otpPrompt]], expect: [[OTP]] });
    const err = await outcome(openSshChannel(options(server.port, { password: undefined, tryKeyboard: false, onKeyboardInteractive: () => [OTP] })));
    expect(err).toBeNull();
  });

  it('without tryKeyboard or a callback, keyboard-interactive is not tried: AUTH_FAILED listing what was', async () => {
    const server = await device({ rounds: [[passwordPrompt]], expect: [[PASSWORD]] });
    const err = await outcome(openSshChannel(options(server.port, { tryKeyboard: false })));
    expect(err?.code).toBe('AUTH_FAILED');
    expect(err!.message).toContain('(tried: password)');
    expect(server.received).toEqual([]);
  });
});
