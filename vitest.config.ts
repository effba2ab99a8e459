import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // isolated-vm needs it, in every process that loads the sandbox.
    execArgv: ['--no-node-snapshot'],
    maxWorkers: 2,
    testTimeout: 60_000,
    // vitest 5 races each expect.poll callback against this timeout (vitest 4 let the last one finish):
    // a poll that runs the CLI or asks the stack takes seconds on a busy machine, not the 1 s default.
    expect: { poll: { timeout: 30_000, interval: 200 } },
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
