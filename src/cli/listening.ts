/** What `serve` and `fake` share: the port they listen on, and how long they run. */
import { type Server, type Socket, connect as tcpConnect, createServer } from 'node:net';
import { CliError, usageError } from './args.js';

/** `--port N`: 1-65535, or undefined for a free port. */
export function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`--port must be 1-65535, not "${value}"`);
  return port;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** 127.0.0.1:`port` relayed to the device (FakeDevice picks its own port). */
export function forward(port: number, to: number): Promise<Server> {
  const server = createServer((client: Socket) => {
    const device = tcpConnect(to, '127.0.0.1');
    client.pipe(device).pipe(client);
    client.on('error', () => device.destroy());
    device.on('error', () => client.destroy());
    client.on('close', () => device.destroy());
    device.on('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`, false)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
