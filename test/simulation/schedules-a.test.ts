/**
 * The simulation in `npm test`: 2,002 schedules over two workers (one per core) — this file's
 * 960, schedules-b.test.ts's 920 and the determinism check, regressions.test.ts's 120 — every
 * schedule checked by the oracle (test/simulation/oracle.ts). Fixed seeds keep CI reproducible;
 * `npm run simulate -- --minutes 30` soaks fresh ones, `SIM_SEED=<n>` tries another one here.
 */
import { expect, test } from 'vitest';
import { runSchedules } from './suite.ts';

test('960 schedules (seed 20261201): every promise of docs/semantics.md holds', async () => {
  const totals = await runSchedules(20261201, 120, 8);
  expect(totals.schedules).toBe(960);
  // Something was exercised: emails went out.
  expect(totals.emails).toBeGreaterThan(960);
});
