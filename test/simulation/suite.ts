/**
 * What the simulation test files share: a fixed seed (so CI is reproducible; `npm run simulate`
 * soaks fresh ones), and `SIM_SEED=<n>` to try another one under vitest.
 */
import * as fc from 'fast-check';
import { expect } from 'vitest';
import { describeFailure, newTotals, simulationProperty, type Totals } from './property.ts';

export const runSchedules = async (
  defaultSeed: number,
  scenarios: number,
  schedulesPer: number,
): Promise<Totals> => {
  const seed = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : defaultSeed;
  const totals = newTotals();
  const started = performance.now();
  // No shrinking in CI: the report's replay line shrinks it on a laptop.
  const result = await fc.check(simulationProperty(schedulesPer, totals), {
    seed,
    numRuns: scenarios,
    endOnFailure: true,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `simulation seed ${seed}: ${totals.schedules} schedules of ${totals.scenarios} scenarios in ${seconds.toFixed(1)} s; ${totals.emails} emails, ${totals.explainedDuplicates} duplicate(s) in the doubt window, ${totals.gaveUp} event(s) gave up waiting`,
  );
  if (result.failed) expect.fail(describeFailure(result, schedulesPer));
  return totals;
};
