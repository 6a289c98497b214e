import { configDefaults, defineConfig } from 'vitest/config';

// Tests that need the real netconfd (started by the global set-up) form their own project,
// so a unit-only run never starts a server.
const PEER_TESTS = ['test/peer/**/*.test.ts', 'test/integration/netconfd/**/*.test.ts'];
// Tests that need a real redis-server (the BullMQ queue) likewise.
const REDIS_TESTS = ['test/fleet/**/*.redis.test.ts'];
// Tests that start their own OpenSSH servers (Debian's sshd, temporary users): they need root.
const SSHD_TESTS = ['test/transport/jump-hosts.test.ts', 'test/cli/ssh.test.ts'];
// The npm package as users install it (npm pack, fresh projects, publint, attw): needs the
// built dist/ and npm's registry or cache, so it is apart from the unit tests.
const PACKAGE_TESTS = ['test/package/**/*.test.ts'];
// Tests against the libnetconf2 test servers (scripts/libnetconf2/, built by the global set-up).
const LIBNETCONF2_TESTS = ['test/integration/libnetconf2/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...PEER_TESTS, ...REDIS_TESTS, ...PACKAGE_TESTS, ...SSHD_TESTS, ...LIBNETCONF2_TESTS] } },
      // One file at a time: the restart test stops and starts the shared server.
      { extends: true, test: { name: 'peer', include: PEER_TESTS, globalSetup: ['test/setup/netconfd.ts'], fileParallelism: false } },
      { extends: true, test: { name: 'package', include: PACKAGE_TESTS } },
      { extends: true, test: { name: 'sshd', include: SSHD_TESTS } },
      { extends: true, test: { name: 'libnetconf2', include: LIBNETCONF2_TESTS, globalSetup: ['test/setup/libnetconf2.ts'] } },
      { extends: true, test: { name: 'redis', include: REDIS_TESTS, globalSetup: ['test/fleet/setup-redis.ts'] } },
    ],
  },
});
