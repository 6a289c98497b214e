import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// A request's XML is checked before the CLI connects: a typo costs no login. The "device" is a
// TCP listener that counts connections and drops each one, so a command that did connect
// would show in the count (and fail on the dropped connection instead).

const dir = mkdtempSync(path.join(tmpdir(), 'nk-check-'));
let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((socket: Socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  connections = 0;
});

const cli = (args: string[]) => runCli(args);

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

const target = () => ['--host', '127.0.0.1', '--port', String(port), '--username', 'netconf', '--host-key', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'];
const inventory = () => file('inventory.json', JSON.stringify([{ name: 'r1', host: '127.0.0.1', port, username: 'netconf', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]));

describe('the CLI checks a request\'s XML before it connects', () => {
  it('a well-formed request does connect (the count sees it): the check below is not vacuous', async () => {
    const r = await cli(['rpc', ...target(), '<get-config><source><running/></source></get-config>']);
    expect(r.status).toBe(3);
    expect(connections).toBe(1);
  });

  const cases: [string, () => string[], RegExp][] = [
    ['rpc, an unclosed element', () => ['rpc', ...target(), '<get-config><source><running/></source>'], /The request/],
    ['rpc --file, a mismatched end tag', () => ['rpc', ...target(), '--file', file('bad-rpc.xml', '<get><filter></get>')], /The request/],
    ['get-config --filter, an undeclared prefix', () => ['get-config', ...target(), '--filter', '<if:interfaces/>'], /The filter/],
    ['edit-config, a DOCTYPE', () => ['edit-config', ...target(), file('bad-edit.xml', '<!DOCTYPE x [<!ENTITY e "x">]><config>&e;</config>')], /The config/],
    ['load of an .xml change, an unclosed element', () => ['load', ...target(), file('bad-load.xml', '<configuration><system>')], /The config/],
    ['fleet rpc', () => ['fleet', 'rpc', '--inventory', inventory(), '<get-config><source><running/></source>'], /The request/],
    ['fleet get-config --filter', () => ['fleet', 'get-config', '--inventory', inventory(), '--filter', '<a></b>'], /The filter/],
    ['fleet commit of an .xml change', () => ['fleet', 'commit', file('bad-change.xml', '<configuration><system></configuration>'), '--inventory', inventory()], /The config/],
  ];

  for (const [name, args, what] of cases) {
    it(`${name}: INVALID_ARGUMENT in one line, exit 2, no connection opened`, async () => {
      const r = await cli(args());
      expect(r.stderr).toMatch(/^netconfkit: INVALID_ARGUMENT: .+\n$/);
      expect(r.stderr).toMatch(what);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(connections).toBe(0);
    });
  }
});
