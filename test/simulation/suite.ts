/**
 * What the simulation test files share: fixed seeds (so CI is reproducible; `npm run simulate`
 * soaks fresh ones), `SIM_SEED=<n>` to try another one under vitest, and the pool the two
 * schedule files share.
 *
 * The pool: both files (one per core) walk the same scenarios in the same order, and each runs
 * only those it claims first (an exclusive create of a file named after the scenario, in a
 * directory test/simulation/pool-setup.ts makes for the run). So the cores share the work scenario by
 * scenario and end together however long each scenario takes (one in 140 takes 15 % of its seed),
 * and the set of schedules checked is the same in every run. A file run alone claims them all.
 */
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { expect, inject } from 'vitest';
import type {} from './pool-setup.ts';
import { describeFailure, newTotals, simulationProperty, type Totals } from './property.ts';

/** The pool's seeds: scenarios of 8 schedules each (1,840 schedules, with regressions and platform 2,002). */
export const POOL = [
  { seed: 20261201, scenarios: 90 },
  { seed: 1963577928, scenarios: 140 },
] as const;
export const SCHEDULES_PER_SCENARIO = 8;
export const POOL_SCHEDULES = POOL.reduce((n, p) => n + p.scenarios * SCHEDULES_PER_SCENARIO, 0);

/** True for the one caller that claims this scenario first (always true without a pool directory). */
const claim = (dir: string | undefined, name: string): boolean => {
  if (!dir) return true;
  try {
    closeSync(openSync(join(dir, name), 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
};

const runSeed = async (
  seed: number,
  scenarios: number,
  totals: Totals,
  take: (index: number) => boolean,
): Promise<void> => {
  let index = 0;
  const started = performance.now();
  const [before, scenariosBefore] = [totals.schedules, totals.scenarios];
  // No shrinking in CI: the report's replay line shrinks it on a laptop.
  const result = await fc.check(
    simulationProperty(SCHEDULES_PER_SCENARIO, totals, () => take(index++)),
    {
      seed,
      numRuns: scenarios,
      endOnFailure: true,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `simulation seed ${seed}: ${totals.schedules - before} schedules of ${totals.scenarios - scenariosBefore} scenarios (this worker's share) in ${seconds.toFixed(1)} s; so far here ${totals.emails} emails, ${totals.explainedDuplicates} duplicate(s) in the doubt window, ${totals.gaveUp} event(s) gave up waiting`,
  );
  if (result.failed) expect.fail(describeFailure(result, SCHEDULES_PER_SCENARIO));
};

/**
 * Runs this worker's share of the pool and returns what it ran. The worker that finishes last
 * (or alone) also checks that the two shares add up to the whole pool: nothing was skipped.
 */
export const runPool = async (worker: string): Promise<Totals> => {
  const dir = inject('simPoolDir') as string | undefined;
  // SIM_SEED=<n>: the same number of scenarios from another seed, shared the same way.
  const pool =
    process.env.SIM_SEED !== undefined
      ? [{ seed: Number(process.env.SIM_SEED), scenarios: POOL_SCHEDULES / SCHEDULES_PER_SCENARIO }]
      : POOL;
  const totals = newTotals();
  for (const { seed, scenarios } of pool)
    await runSeed(seed, scenarios, totals, (i) => claim(dir, `${seed}-${i}`));
  if (dir) {
    writeFileSync(join(dir, `done-${worker}`), String(totals.schedules));
    const done = ['a', 'b'].map((w) => join(dir, `done-${w}`));
    if (done.every((f) => existsSync(f)))
      expect(done.reduce((n, f) => n + Number(readFileSync(f, 'utf8')), 0)).toBe(POOL_SCHEDULES);
  }
  if (!dir || totals.schedules === POOL_SCHEDULES) expect(totals.schedules).toBe(POOL_SCHEDULES);
  return totals;
};
