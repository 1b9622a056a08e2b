/** The simulation in `npm test`: the other worker's share of the pool (see pool-a.test.ts). */
import { expect, test } from 'vitest';
import { runPool } from './suite.ts';

test('the pool’s schedules this worker claims: every promise of docs/semantics.md holds', async () => {
  const totals = await runPool('b');
  // Something was exercised: emails went out (unless the other worker took every scenario).
  expect(totals.emails >= totals.schedules).toBe(true);
});
