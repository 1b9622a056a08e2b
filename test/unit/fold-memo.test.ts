/**
 * The fold's memo (functions/core/fold.ts, FoldMemo) is an optimisation only: a fold that goes on
 * from where an earlier fold of the same case stood must give exactly what the fold from nothing
 * gives — state, every event's outcome, the state without the newcomer. Tried on the simulation's
 * case histories (every event type, both scenarios, protection at any point), each arriving in a
 * random order, with clocks that move on, stand still or lag behind the events, folds repeated
 * (a deferred event comes again) and some folds of the history alone (apply-event's second fold).
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { FoldEvent } from '../../functions/core/case-state.ts';
import { FoldMemo, foldCase, type FoldResult, projectEvent, stateKey } from '../../functions/core/fold.ts';
import { countyById } from '../../lib/counties.ts';
import { freshCaseCreated, freshConsent, freshSummons, type TestEvent } from '../support/fixtures.ts';
import { buildScenario, scenarioArb } from '../simulation/scenario.ts';

const HOUR = 3_600_000;

const outcomesKey = (r: FoldResult) => JSON.stringify([...r.outcomes].sort(([a], [b]) => (a < b ? -1 : 1)));

const clockAt = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000000Z ~`;

describe('the fold memo gives what the fold from nothing gives', () => {
  test('any arrival order, clock and repeat, over generated case histories', () => {
    let resumed = 0;
    let folds = 0;
    fc.assert(
      fc.property(scenarioArb, fc.infiniteStream(fc.nat()), fc.boolean(), (params, choices, clocked) => {
        const scenario = buildScenario(params);
        const county = countyById(scenario.county);
        const next = (n: number) => (choices.next().value as number) % n;
        for (const c of scenario.cases) {
          const events: FoldEvent[] = c.events
            .filter((e) => e.wellFormed && typeof e.body !== 'string')
            .map((e) => {
              const body = e.body as {
                id: string;
                type: string;
                time: string;
                subject: string;
                data: unknown;
              };
              return { ...projectEvent(county, body, false), publishAt: e.publishAt } as FoldEvent & {
                publishAt: number;
              };
            });
          // Arrival: mostly in publishing order, now and then one overtakes others.
          const arrival = [...events];
          for (let i = arrival.length - 1; i > 0; i--)
            if (next(4) === 0) {
              const j = next(i + 1);
              [arrival[i], arrival[j]] = [arrival[j] as FoldEvent, arrival[i] as FoldEvent];
            }
          const memo = new FoldMemo();
          const counted = () => (resumed += memo.resumed);
          const logged: FoldEvent[] = [];
          let now = Date.parse(events[0]?.time ?? '2026-11-20T07:00:00Z');
          for (const event of arrival) {
            // The clock: at or after the event (by minutes, or days), or (now and then) a month behind.
            now =
              Math.max(now, Date.parse(event.time)) + (next(5) === 0 ? next(96) * HOUR : next(60) * 60_000);
            const clock = clocked ? clockAt(next(10) === 0 ? now - 30 * 24 * HOUR : now) : undefined;
            const repeats = next(6) === 0 ? 2 : 1; // a deferred event comes again
            for (let r = 0; r < repeats; r++) {
              const all = [...logged, event];
              const withMemo = foldCase(county, all, clock, { without: event.id, memo });
              folds++;
              const fresh = foldCase(county, all, clock, { without: event.id });
              expect(stateKey(withMemo.state)).toBe(stateKey(fresh.state));
              expect(outcomesKey(withMemo)).toBe(outcomesKey(fresh));
              expect(withMemo.withoutState === undefined).toBe(fresh.withoutState === undefined);
              if (fresh.withoutState && withMemo.withoutState)
                expect(stateKey(withMemo.withoutState)).toBe(stateKey(fresh.withoutState));
            }
            if (next(4) === 0 && logged.length > 0) {
              const alone = foldCase(county, logged, clock, { memo });
              expect(stateKey(alone.state)).toBe(stateKey(foldCase(county, logged, clock).state));
            }
            // Kept in the history (applied, rejected or superseded) unless it was deferred.
            if (next(8) !== 0) logged.push(event);
          }
          counted();
        }
      }),
      { numRuns: 60, seed: 20261202 },
    );
    // The memo was used, not merely missed: most folds went on from a remembered one.
    expect(resumed / folds).toBeGreaterThan(0.35);
  });

  test('a remembered fold is not used under a clock earlier than its events (what fell due by them)', () => {
    const county = countyById('halland');
    const caseEvent = freshCaseCreated({ time: '2026-11-20T08:00:00+01:00' });
    const caseId = caseEvent.subject;
    const validUntil = { validUntil: '2026-12-10' };
    const fold = (e: TestEvent) => projectEvent(county, e, false);
    const events = [
      caseEvent,
      freshConsent(caseId, { time: '2026-11-21T08:00:00+01:00', data: validUntil }),
      freshConsent(caseId, {
        time: '2026-11-21T09:00:00+01:00',
        data: { ...validUntil, givenBy: [{ partyId: `${caseId}-guardian-b`, role: 'guardian' }] },
      }),
      // Any event after the expiry (an answer for a meeting the case does not have).
      { ...freshSummons(caseId), type: 'se.sip.invitation.responded.v1', time: '2026-12-20T08:00:00+01:00' },
    ].map(fold);
    const later = fold({
      ...freshSummons(caseId),
      type: 'se.sip.invitation.responded.v1',
      time: '2026-12-21T08:00:00+01:00',
    });
    const memo = new FoldMemo();
    // Folded once by 20 December: the consent expired on the 11th, in the remembered fold.
    const first = foldCase(county, events, clockAt(Date.parse('2026-12-20T12:00:00Z')), { memo });
    expect([...first.state.consents.values()].map((c) => c.status)).toContain('expired');
    // Then a clock of 5 December: nothing had expired by then.
    const early = clockAt(Date.parse('2026-12-05T12:00:00Z'));
    const withMemo = foldCase(county, [...events, later], early, { without: later.id, memo });
    const fresh = foldCase(county, [...events, later], early, { without: later.id });
    expect(stateKey(withMemo.state)).toBe(stateKey(fresh.state));
    expect(memo.resumed).toBe(0);
  });

  test('it forgets the least recently used case beyond its capacity', () => {
    const memo = new FoldMemo(2);
    const county = countyById('halland');
    const created = (caseId: string): FoldEvent =>
      projectEvent(
        county,
        {
          id: `e-${caseId}`,
          type: 'se.sip.case.created.v1',
          time: '2026-11-20T08:00:00+01:00',
          subject: caseId,
          data: {},
        },
        false,
      );
    for (const id of ['a', 'b', 'c']) foldCase(county, [created(id)], undefined, { memo });
    expect(memo.size).toBe(2);
  });
});
