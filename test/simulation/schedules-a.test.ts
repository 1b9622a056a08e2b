/**
 * The simulation in `npm test`: 2,002 schedules over two workers (one per core) — this file's
 * 720 (its seed's scenarios are the heavier), schedules-b.test.ts's 1,120, regressions.test.ts's
 * 136, platform.test.ts's 26 (the drain check's 24, the determinism check's 2) — every
 * schedule checked by the oracle (test/simulation/oracle.ts). Fixed seeds keep CI reproducible;
 * `npm run simulate -- --minutes 30` soaks fresh ones, `SIM_SEED=<n>` tries another one here.
 */
import { expect, test } from 'vitest';
import { runSchedules } from './suite.ts';

test('720 schedules (seed 20261201): every promise of docs/semantics.md holds', async () => {
  const totals = await runSchedules(20261201, 90, 8);
  expect(totals.schedules).toBe(720);
  // Something was exercised: emails went out.
  expect(totals.emails).toBeGreaterThan(720);
});
