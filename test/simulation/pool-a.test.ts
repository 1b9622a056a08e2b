/**
 * The simulation in `npm test`: 2,002 schedules on two workers (one per core). This file and
 * pool-b.test.ts share the pool of test/simulation/suite.ts (two fixed seeds' 230 scenarios,
 * 1,840 schedules) scenario by scenario; regressions.test.ts runs 136 more and platform.test.ts
 * 26 (the drain check's 24, the determinism check's 2). Every schedule is checked by the oracle
 * (test/simulation/oracle.ts). `npm run simulate -- --minutes 30` soaks fresh seeds;
 * `SIM_SEED=<n>` tries another seed here.
 */
import { expect, test } from 'vitest';
import { runPool } from './suite.ts';

test('the pool’s schedules this worker claims: every promise of docs/semantics.md holds', async () => {
  const totals = await runPool('a');
  // Something was exercised: emails went out (unless the other worker took every scenario).
  expect(totals.emails >= totals.schedules).toBe(true);
});
