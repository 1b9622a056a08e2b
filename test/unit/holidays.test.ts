/**
 * Swedish public holidays (lag 1989:253; functions/core/holidays.ts): a meeting on one is flagged
 * in every county (seed 002 Halland, domain.md step 4). The swedish-holidays package, which the
 * functions no longer bundle, is the oracle for every day of three centuries.
 */
import { isPublicHoliday } from 'swedish-holidays';
import { describe, expect, it } from 'vitest';
import { isSwedishPublicHoliday } from '../../functions/core/holidays.ts';

const DAY = 86_400_000;

describe('Swedish public holidays (lag 1989:253, seed 002)', () => {
  it('agrees with the swedish-holidays package on every day from 1900 to 2200', () => {
    const differ: string[] = [];
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2200, 11, 31); t += DAY) {
      const date = new Date(t).toISOString().slice(0, 10);
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      if (isSwedishPublicHoliday(date) !== isPublicHoliday(new Date(y, m - 1, d, 12))) differ.push(date);
    }
    expect(differ).toEqual([]);
  });

  it('names the days of 2026 the law names, and no eve', () => {
    const red = (date: string) => isSwedishPublicHoliday(date);
    for (const date of [
      '2026-01-01', // Nyårsdagen
      '2026-01-06', // Trettondedag jul
      '2026-04-03', // Långfredagen
      '2026-04-05', // Påskdagen
      '2026-04-06', // Annandag påsk
      '2026-05-01', // Första maj
      '2026-05-14', // Kristi himmelsfärdsdag
      '2026-05-24', // Pingstdagen
      '2026-06-06', // Sveriges nationaldag
      '2026-06-20', // Midsommardagen
      '2026-10-31', // Alla helgons dag
      '2026-12-25', // Juldagen
      '2026-12-26', // Annandag jul
      '2026-12-06', // a Sunday
    ])
      expect(red(date), date).toBe(true);
    for (const date of ['2026-06-19', '2026-12-24', '2026-12-31', '2026-04-04', '2026-04-30', '2026-12-01'])
      expect(red(date), date).toBe(false);
  });
});
