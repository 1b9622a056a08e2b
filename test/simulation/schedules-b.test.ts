/** The simulation in `npm test`, second half (another seed); see schedules-a.test.ts. */
import { expect, test } from 'vitest';
import { runSchedules } from './suite.ts';

test('1,120 schedules (seed 1963577928): every promise of docs/semantics.md holds', async () => {
  const totals = await runSchedules(1963577928, 140, 8);
  expect(totals.schedules).toBe(1120);
  expect(totals.emails).toBeGreaterThan(1000);
});
