/** Meeting evaluation (issue 15, seeds 000 and 001): who is asked, what counts as an answer, the family link. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkEvaluation,
  evaluationRecipients,
  familyCode,
  QUESTIONS,
  tookPart,
} from '../../functions/core/evaluation.ts';
import type { Invitee, Meeting } from '../../functions/core/meeting.ts';
import { countyById } from '../../lib/counties.ts';
import { examplesDir } from '../support/fixtures.ts';
import { fold } from '../support/fold.ts';

const events = (scenario: string, upTo: string) =>
  readdirSync(join(examplesDir, scenario))
    .filter((f) => f.endsWith('.json') && f.slice(0, 2) <= upTo)
    .sort()
    .map((f) => JSON.parse(readFileSync(join(examplesDir, scenario, f), 'utf8')));

const halland = countyById('halland');

describe('meeting evaluation (seed 000 Gävleborg: "Rapportera genomfört möte", "Dela ut enkät")', () => {
  it('a held meeting (its plan established) asks each unit that took part, and gives the organiser the family survey', () => {
    const s = fold(halland, events('normal', '06'));
    const evaluation = [...s.notices.values()].find((n) => n.kind === 'meeting-evaluation');
    const family = [...s.notices.values()].find((n) => n.kind === 'family-survey');
    expect(evaluation?.params).toEqual({ meetingId: 'meeting-case-hl-1001-1' });
    expect(evaluation?.recipients.map((r) => r.to)).toEqual(
      ['inv-bup', 'inv-soc', 'inv-skola'].map((inviteeId) => ({
        kind: 'invitee',
        meetingId: 'meeting-case-hl-1001-1',
        inviteeId,
      })),
    );
    expect(family?.recipients.map((r) => r.to)).toEqual([
      { kind: 'organiser', meetingId: 'meeting-case-hl-1001-1' },
    ]);
  });

  it('before the plan, nothing is asked; a revised plan for the same meeting asks no one again', () => {
    expect([...fold(halland, events('normal', '05')).notices.values()].map((n) => n.kind)).not.toContain(
      'meeting-evaluation',
    );
    const all = events('normal', '06');
    const plan = all.at(-1);
    const revised = { ...plan, id: 'evt-normal-06b', time: '2026-12-10T09:00:00+01:00' };
    const s = fold(halland, [...all, revised]);
    expect([...s.notices.values()].filter((n) => n.kind === 'meeting-evaluation')).toHaveLength(1);
  });

  it('a protected case (seed 004) emails no evaluation and no survey page: the notices have no recipients', () => {
    const s = fold(halland, events('protected', '06'));
    const kinds = [...s.notices.values()].filter(
      (n) => n.kind === 'meeting-evaluation' || n.kind === 'family-survey',
    );
    expect(kinds).toHaveLength(2);
    for (const n of kinds) expect(n.recipients).toEqual([]);
  });

  it('a unit that declined, was replaced by a substitute or removed did not take part; the substitute did', () => {
    const base = { inviteeId: 'a', email: 'a@x.se' } as Invitee;
    expect(tookPart(base)).toBe(true);
    expect(
      tookPart({ ...base, response: { value: 'declined', version: 'v', eventId: 'e' } } as Invitee),
    ).toBe(false);
    expect(tookPart({ ...base, substitutedBy: 'sub-1' } as Invitee)).toBe(false);
    expect(tookPart({ ...base, removed: true } as Invitee)).toBe(false);
    const m = {
      status: 'held',
      invitees: [
        base,
        { ...base, inviteeId: 'b', substitutedBy: 's' },
        { inviteeId: 's', email: 's@x.se', substituteFor: 'b' },
      ],
    } as unknown as Meeting;
    expect(evaluationRecipients(m).map((i) => i.inviteeId)).toEqual(['a', 's']);
    expect(evaluationRecipients({ ...m, status: 'cancelled' })).toEqual([]);
  });

  it('an answer is every question on the 1–5 scale; no free text is read', () => {
    const all = Object.fromEntries(QUESTIONS.unit.map((q) => [q.id, '4']));
    expect(checkEvaluation('unit', { ...all, comment: 'Eva Svensson' })).toEqual({
      ok: true,
      scores: Object.fromEntries(QUESTIONS.unit.map((q) => [q.id, 4])),
    });
    expect(checkEvaluation('unit', { ...all, 'purpose-clear': '6' })).toEqual({
      ok: false,
      missing: ['purpose-clear'],
    });
    expect(checkEvaluation('child', {})).toEqual({ ok: false, missing: QUESTIONS.child.map((q) => q.id) });
    expect(QUESTIONS.unit.length).toBeGreaterThanOrEqual(3);
    expect(QUESTIONS.unit.length).toBeLessThanOrEqual(5);
  });

  it('the family survey’s short link is 12 unambiguous characters, the same for a meeting, different for another', () => {
    const a = familyCode('key', 'case-1', 'm-1');
    expect(a).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    expect(familyCode('key', 'case-1', 'm-1')).toBe(a);
    expect(familyCode('key', 'case-1', 'm-2')).not.toBe(a);
    expect(familyCode('other', 'case-1', 'm-1')).not.toBe(a);
  });
});
