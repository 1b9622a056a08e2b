import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * One core starts on the pool (test/simulation/suite.ts) while the other runs the short files
 * first, then joins it: the two pool files share its scenarios as they go, so both cores end
 * together. (Without an order, a fresh clone, with no timings cached, may leave a short file for
 * last, alone on one core.)
 */
const ORDER = ['pool-a', 'regressions', 'platform', 'pool-b'];
const rank = (spec: TestSpecification) => {
  const i = ORDER.findIndex((name) => spec.moduleId.endsWith(`/${name}.test.ts`));
  return i === -1 ? ORDER.length : i;
};
class PoolFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * The simulation on its own: its files run in parallel, one per core, after the other tests
 * (which start emulators) are done. test/simulation/env.ts sets the Lambdas' environment.
 */
export default defineConfig({
  test: {
    include: ['test/simulation/**/*.test.ts'],
    // The pool's directory (test/simulation/suite.ts).
    globalSetup: ['test/simulation/pool-setup.ts'],
    testTimeout: 180_000,
    maxWorkers: 2,
    // The files share one module graph per worker (each builds its own worlds and handlers): the
    // handlers, rules and SDK are imported once per core, not once per file.
    isolate: false,
    sequence: { sequencer: PoolFirst },
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
