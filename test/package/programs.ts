// What the consumer projects of consumer.test.ts hold: small programs written the way a user
// would write them, through the public API only. Kept short so a change of the public surface
// is a small change here.

/**
 * One run through the root entry, netconfkit/testing, netconfkit/fleet and netconfkit/bullmq. The same source is compiled as .mts and
 * .cts (node16) and as .ts (bundler); it prints one JSON line of findings, each `true` or a code.
 */
export const SCENARIO = `import { createRequire } from 'node:module';
import path from 'node:path';
import * as nk from 'netconfkit';
import { HostKeyError, NetconfError, connect, getConfig } from 'netconfkit';
import { createNetconfWorker } from 'netconfkit/bullmq';
import { CircuitBreakers } from 'netconfkit/fleet';
import { FakeDevice } from 'netconfkit/testing';

const format = typeof require === 'function' ? 'cjs' : 'esm';

async function main(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { format };
  const device = await FakeDevice.start({ rules: [{ match: 'get-config', reply: '<data><system xmlns="urn:example"><host-name>r1</host-name></system></data>' }] });
  const reach = { host: device.host, port: device.port, username: 'netconf', password: 'netconf', hostKey: device.hostKeyFingerprint };
  try {
    const session = await connect(reach);
    const reply = await getConfig(session, 'running');
    out.getConfig = reply.data.includes('<host-name>r1</host-name>');
    await session.close();

    const refused: unknown = await connect({ ...reach, hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).catch((err: unknown) => err);
    out.hostKeyError = refused instanceof HostKeyError && refused.code;
    const revived = NetconfError.fromJSON(JSON.parse(JSON.stringify(refused)));
    out.fromJSON = revived instanceof HostKeyError && revived.code;
    // The library's other copy (CJS from ESM, ESM from CJS): its errors are ours too.
    const other: typeof nk = format === 'esm' ? createRequire(path.resolve('x.js'))('netconfkit') : await import('netconfkit');
    out.otherCopy = other.NetconfError !== NetconfError && other.NetconfError.fromJSON(revived.toJSON()) instanceof HostKeyError;
    // Breakers made by the other copy are breakers here too (the worker keeps them).
    const otherFleet: { CircuitBreakers: typeof CircuitBreakers } = format === 'esm' ? createRequire(path.resolve('x.js'))('netconfkit/fleet') : await import('netconfkit/fleet');
    out.breakersOtherCopy = otherFleet.CircuitBreakers !== CircuitBreakers && new otherFleet.CircuitBreakers() instanceof CircuitBreakers;

    // netconfkit/bullmq must use the breakers it is given: netconfkit/fleet's CircuitBreakers is its class too.
    class Spy extends CircuitBreakers {
      used = false;
      override get(name: string) {
        this.used = true;
        return super.get(name);
      }
    }
    const breakers = new Spy();
    const worker = createNetconfWorker({
      connection: { host: '127.0.0.1', port: 1, lazyConnect: true }, queueName: 'consumer', breakers,
      worker: { autorun: false },
      credentials: () => ({ password: 'netconf', hostKey: device.hostKeyFingerprint }),
      operations: { hostName: async (s) => (await getConfig(s, 'running')).data },
    });
    worker.on('error', () => {});
    // One job run by hand (no Redis): BullMQ's own call into the processor.
    const job = { id: '1', attemptsMade: 0, attemptsStarted: 1, data: { operation: 'hostName', device: { name: 'r1', host: device.host, port: device.port, username: 'netconf' } } };
    const result = await (worker as unknown as { callProcessJob(job: unknown, token: string): Promise<{ ok: boolean }> }).callProcessJob(job, 'token');
    out.worker = result.ok && breakers.used;
  } finally {
    await device.close();
  }
  return out;
}

// Exits: the worker's Redis connection (nothing listens there) would keep it alive.
main().then((out) => {
  console.log(JSON.stringify(out));
  process.exit(0);
}, (err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

/** What every run of SCENARIO must print, but for `format`. */
export const SCENARIO_FINDINGS = { getConfig: true, hostKeyError: 'HOST_KEY_MISMATCH', fromJSON: 'HOST_KEY_MISMATCH', otherCopy: true, breakersOtherCopy: true, worker: true };

/** Imports every subpath (`netconfkit`, `netconfkit/bullmq`, …), so each one's types are checked. */
export function subpathImports(specifiers: readonly string[]): string {
  const lines = specifiers.map((s, i) => `import * as m${i} from '${s}';`);
  return `${lines.join('\n')}\nexport const modules: object[] = [${specifiers.map((_, i) => `m${i}`).join(', ')}];\n`;
}

/** Loads every subpath both ways and prints its export names, per format. */
export function subpathLoader(specifiers: readonly string[]): string {
  return `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
const out = {};
for (const s of ${JSON.stringify(specifiers)}) out[s] = { esm: names(await import(s)), cjs: names(require(s)) };
console.log(JSON.stringify(out));
`;
}

/**
 * Rebuilds an error from JSON after a bundler tree-shook the package: the subclass must come
 * back although only NetconfError is imported ("sideEffects": false must not drop the revivers).
 */
export const TREE_SHAKEN = `import { NetconfError } from 'netconfkit';
const e = NetconfError.fromJSON({ name: 'HostKeyError', code: 'HOST_KEY_MISMATCH', message: 'm', fingerprint: 'SHA256:x' });
console.log(JSON.stringify(e.toJSON()));
`;

// A strict project as a user sets one up: no skipLibCheck, only @types/node.
const STRICT = { strict: true, target: 'es2022', types: ['node'], skipLibCheck: false };

export const TSCONFIG_NODE16 = { compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16', outDir: 'out' } };
export const TSCONFIG_BUNDLER = { compilerOptions: { ...STRICT, module: 'preserve', moduleResolution: 'bundler', noEmit: true } };
