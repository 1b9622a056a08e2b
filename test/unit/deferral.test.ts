/** How often an event that waits for its prerequisite looks again (functions/runtime/consumer.ts). */
import { describe, expect, it } from 'vitest';
import { deferralSeconds } from '../../functions/runtime/consumer.ts';

const looksOver = (seconds: number) => {
  let waited = 0;
  let looks = 0;
  while (waited < seconds) {
    waited += Math.max(1, Math.ceil(deferralSeconds(waited, looks)));
    looks++;
  }
  return looks;
};

describe('deferral backoff (domain.md: events may arrive in any order)', () => {
  it('looks often in the first minute, when a prerequisite usually arrives', () => {
    expect([0, 1, 3, 7, 15].map((w, d) => deferralSeconds(w, d))).toEqual([1, 2, 4, 8, 8]);
  });

  it('after a minute, is at most a quarter of its wait late, and at most a minute', () => {
    for (const waited of [60, 100, 240, 600, 899]) {
      expect(deferralSeconds(waited, 20)).toBeLessThanOrEqual(Math.max(8, waited / 4));
      expect(deferralSeconds(waited, 20)).toBeLessThanOrEqual(60);
    }
  });

  it('a full 15-minute wait costs about 27 looks, not 110', () => {
    expect(looksOver(900)).toBeLessThanOrEqual(30);
    expect(looksOver(60)).toBeGreaterThanOrEqual(10);
  });
});
