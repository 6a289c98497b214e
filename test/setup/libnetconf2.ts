/**
 * Vitest global setup of the `libnetconf2` project: builds netconfkit's libnetconf2 test
 * servers (scripts/libnetconf2.sh build: installs libnetconf2-dev and friends with apt-get on
 * the first run, then compiles scripts/libnetconf2/*-server.c). Tests start the servers they
 * need with test/support/libnetconf2.ts. A failed build fails the run with the script's output.
 */
import { spawnSync } from 'node:child_process';
import { LIBNETCONF2_SCRIPT } from '../support/libnetconf2.js';

export default function setup(): void {
  const run = spawnSync('bash', [LIBNETCONF2_SCRIPT, 'build'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (run.status !== 0) {
    throw new Error(`scripts/libnetconf2.sh build failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}${run.stdout}`);
  }
}
