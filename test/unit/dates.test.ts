import { describe, expect, it } from 'vitest';
import { stockholmDate, stockholmOffsetAt, stockholmOffsetHours } from '../../functions/core/dates.ts';

/** What ICU's tzdata says, the reference the arithmetic must agree with. */
const zone = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Stockholm',
  timeZoneName: 'shortOffset',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const intlOffset = (ms: number): number => {
  const name = zone.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return Number(/GMT\+(\d)/.exec(name)?.[1]);
};
const intlDate = (ms: number): string => {
  const parts = Object.fromEntries(zone.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
};

const HOUR = 3_600_000;

describe('Stockholm time without Intl (CET/CEST by the EU rule)', () => {
  it('agrees with the tzdata every hour around each clock change, 1996–2040', () => {
    for (let year = 1996; year <= 2040; year++) {
      for (const month of [2, 9]) {
        const lastDay = new Date(Date.UTC(year, month + 1, 0));
        const sunday = Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay());
        for (let ms = sunday - 48 * HOUR; ms <= sunday + 48 * HOUR; ms += HOUR / 2) {
          expect(stockholmOffsetAt(ms), new Date(ms).toISOString()).toBe(intlOffset(ms));
          expect(stockholmDate(new Date(ms)), new Date(ms).toISOString()).toBe(intlDate(ms));
        }
        // The instant itself and the millisecond before.
        expect(stockholmOffsetAt(sunday + HOUR)).toBe(intlOffset(sunday + HOUR));
        expect(stockholmOffsetAt(sunday + HOUR - 1)).toBe(intlOffset(sunday + HOUR - 1));
      }
    }
  });

  it('agrees with the tzdata on the date and offset at 00:30, 12:00 and 23:30 UTC of every day, 2020–2040', () => {
    for (let day = Date.UTC(2020, 0, 1); day < Date.UTC(2041, 0, 1); day += 24 * HOUR) {
      for (const ms of [day + HOUR / 2, day + 12 * HOUR, day + 23.5 * HOUR]) {
        expect(stockholmDate(new Date(ms))).toBe(intlDate(ms));
      }
      const iso = new Date(day).toISOString().slice(0, 10);
      expect(stockholmOffsetHours(iso), iso).toBe(intlOffset(day + 12 * HOUR));
    }
  });

  it('the date turns at local midnight: 22:59 UTC in summer is still the same day, 23:00 is the next', () => {
    expect(stockholmDate(new Date('2026-06-30T21:59:59Z'))).toBe('2026-06-30');
    expect(stockholmDate(new Date('2026-06-30T22:00:00Z'))).toBe('2026-07-01');
    expect(stockholmDate(new Date('2026-12-31T22:59:59Z'))).toBe('2026-12-31');
    expect(stockholmDate(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });
});
