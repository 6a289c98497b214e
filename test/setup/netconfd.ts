/**
 * Vitest global setup: a real NETCONF server for the integration tests.
 *
 * Runs `scripts/netconfd.sh start` (installs the Debian packages on the first run, then starts
 * netconfd behind a private sshd on 127.0.0.1), reads its peer.json and provides it to tests as
 * `inject('netconfPeer')` (type: PeerInfo in ./peer-info.ts). If the peer cannot be started the
 * run fails with the script's output. Teardown stops the pair only if this setup started it; a
 * peer that was already running is left running (fast local re-runs).
 *
 * Needs root (apt-get, useradd, sshd): CI runs as root. Settings: NETCONFKIT_PEER_PORT,
 * NETCONFKIT_PEER_DIR (passed through to the script).
 */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { peerStateDir, readPeerInfo } from './peer-info.js';
import { runPeerScript } from './peer-script.js';

/** The first run installs openssh-server, netconfd, python3-ncclient, ... with apt-get. */
const START_TIMEOUT_MS = 15 * 60_000;

function say(line: string): void {
  process.stderr.write(`[netconfkit-peer setup] ${line}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const status = await runPeerScript('status', { timeoutMs: 30_000 });
  const wasRunning = status.code === 0;
  say(
    wasRunning
      ? 'NETCONF peer already running: checking it (it will be left running)'
      : 'starting the NETCONF peer (netconfd + sshd on 127.0.0.1; the first run installs Debian packages)',
  );

  const start = await runPeerScript('start', { timeoutMs: START_TIMEOUT_MS, echo: process.stderr });
  if (start.code !== 0) {
    const why = start.timedOut ? `timed out after ${START_TIMEOUT_MS / 1000} s` : `exit status ${start.code}`;
    throw new Error(`scripts/netconfd.sh start failed (${why}):\n${start.output}`);
  }

  const file = join(peerStateDir(), 'peer.json');
  let peer;
  try {
    peer = readPeerInfo(file);
  } catch (err) {
    throw new Error(`NETCONF peer started but ${file} is unusable: ${(err as Error).message}\n${start.output}`);
  }
  project.provide('netconfPeer', peer);
  say(`NETCONF peer ready at ${peer.host}:${peer.port} after ${secs()}`);

  return async () => {
    if (wasRunning) {
      say('leaving the NETCONF peer running (it was running before this test run)');
      return;
    }
    const stop = await runPeerScript('stop', { timeoutMs: 60_000 });
    if (stop.code === 0) {
      say('NETCONF peer stopped');
    } else {
      say(`stopping the NETCONF peer failed (exit status ${stop.code}):\n${stop.output}`);
    }
  };
}
