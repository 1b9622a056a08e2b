import { defineConfig } from 'vitest/config';

/**
 * The simulation on its own: its two files run in parallel, one per core, after the other tests
 * (which start emulators) are done. test/simulation/env.ts sets the Lambdas' environment.
 */
export default defineConfig({
  test: {
    include: ['test/simulation/**/*.test.ts'],
    testTimeout: 180_000,
    maxWorkers: 2,
    // Two workers on two cores: V8's parallel GC threads would take turns on the other worker's
    // core; one GC thread each is ~6% faster (paired runs of two simulations side by side).
    execArgv: ['--single-threaded-gc'],
    env: {
      AWS_REGION: 'eu-north-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
