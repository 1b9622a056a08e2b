/**
 * A generated county history whose KPIs are known by construction (issue 15): each case is
 * drawn from a seeded generator, written as the history entries the consumers would store, and
 * tallied as it is drawn — the tallies are the expected report, computed without the SQL. The
 * correctness test (test/integration/report.test.ts) runs the SQL over the facts of these
 * entries and compares every figure; the bench times the same over 10,000 and 100,000 cases;
 * the demo (`npm start`) adds a generated month so the charts have something to show.
 */
import { QUESTIONS } from '../functions/core/evaluation.ts';
import { addDays } from '../functions/core/dates.ts';
import {
  type Fact,
  factOfDeviation,
  factOfRejection,
  factsOfEvaluation,
  factsOfHistory,
  type HistoryInput,
} from '../functions/core/kpi-facts.ts';
import type { KpiParams } from '../functions/report/kpis.ts';

/** Expected figures: `dim` → [n, total] per KPI (the same shape the SQL returns). */
export type Expected = Record<string, Record<string, [number | null, number | null]>>;

const PRINCIPALS = [
  ['region', 'psychiatry'],
  ['region', 'primary-care'],
  ['municipality', 'social-services'],
  ['municipality', 'school'],
] as const;
const AGES = ['child', 'young-adult', 'adult'] as const;
const PARTICIPATION = ['took-part', 'took-part-partly', 'represented', 'did-not-take-part'] as const;
const CLOSE = ['need-met', 'no-joint-need', 'coordination-works'] as const;
const REJECTIONS = [
  ['data.startsAt: Invalid ISO datetime', 'urn:se:halland:journal:bup-system'],
  ['the message body is not valid JSON', 'urn:se:halland:case:social-system'],
] as const;

/** A small, seeded PRNG (mulberry32): the same seed, the same county. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const dayDiff = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const weekday = (d: string) => ((new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
const at = (day: string, hour = 10) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Nearest-rank percentile (docs/kpis.md): the smallest value with rank ≥ ⌈p·n⌉. */
export const nearestRank = (values: number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] ?? null;
};

export interface Generated {
  facts: Fact[];
  expected: Expected;
  cases: number;
}

/**
 * `cases` cases of `county`, created on days spread over [from, to] (and nothing outside it, so
 * every figure of the period is the whole generated set).
 */
export const generateCounty = (p: KpiParams & { cases: number; seed?: number }): Generated => {
  const rnd = prng(p.seed ?? 4711);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const span = dayDiff(p.from, p.to);
  const inRange = (d: string) => d >= p.from && d <= p.to;
  const facts: Fact[] = [];
  const tally: Record<string, Record<string, [number, number]>> = {};
  const add = (kpi: string, dim: string, n: number, total = 0) => {
    const row = ((tally[kpi] ??= {})[dim] ??= [0, 0]);
    row[0] += n;
    row[1] += total;
  };
  const days: number[] = [];
  let within = 0;
  const openStarted: string[] = [];
  const plansInRange: string[] = [];
  const closedReasons: string[] = [];
  let seq = 0;
  const history = (
    caseId: string,
    eventType: string,
    occurredAt: string,
    data: unknown,
    outcome = 'applied',
  ) =>
    facts.push(
      ...factsOfHistory(p.county, {
        caseId,
        eventId: `gen-${caseId}-${seq++}`,
        eventType: `se.sip.${eventType}.v1`,
        occurredAt,
        outcome,
        data,
      } satisfies HistoryInput),
    );

  for (let i = 0; i < p.cases; i++) {
    const caseId = `gen-${p.county}-${i}`;
    // Created inside the period, but meetings and follow-ups may fall after it: the figures
    // below count only what the definitions count for the period.
    const created = addDays(p.from, Math.floor(rnd() * (span + 1)));
    const need = addDays(created, -Math.floor(rnd() * 10));
    const isProtected = i % 29 === 7;
    const [principal, orgType] = pick(PRINCIPALS);
    const ageGroup = pick(AGES);
    history(caseId, 'case.created', at(created, 8), {
      county: p.county,
      initiator: { principal, organisationType: orgType, unitId: 'u' },
      ageGroup,
      needDiscoveredOn: need,
      protectedIdentity: isProtected,
    });
    if (isProtected) {
      // Its summons was flagged: a deviation, and it counts only in the total.
      facts.push(
        factOfDeviation(p.county, { eventId: `gen-${caseId}-dev`, caseId, recordedAt: at(created, 9) }),
      );
      add('pipeline', 'deviations', 1);
      history(caseId, 'summons.sent', at(created, 9), {
        county: p.county,
        meetingId: 'm1',
        startsAt: `${addDays(created, 3)}T09:00`,
        durationMinutes: 60,
        protectedIdentity: true,
        invitees: [{ inviteeId: 'a', organisationType: 'school', hasOngoingIntervention: true }],
      });
      continue;
    }
    openStarted.push(created);
    add('started', `initiator:${principal}/${orgType}`, 1);
    add('started', `age:${ageGroup}`, 1);
    add('started', `month:${created.slice(0, 7)}`, 1);

    // Consent: a few refuse (the SIP does not start), the rest give it for a year or less.
    const refuses = rnd() < 0.08;
    const consentDay = addDays(created, 1);
    const validUntil = addDays(consentDay, rnd() < 0.1 ? Math.floor(rnd() * 20) : 365);
    history(caseId, 'consent.registered', at(consentDay), {
      county: p.county,
      decision: refuses ? 'refused' : 'given',
      givenBy: refuses
        ? [{ partyId: 'g1', role: 'guardian' }]
        : [
            { partyId: 'g1', role: 'guardian' },
            { partyId: 'g2', role: 'guardian' },
          ],
      validUntil,
    });
    if (refuses) {
      if (inRange(consentDay)) add('consent', 'refused', 1);
      continue;
    }

    // The first meeting: d days after the need was discovered; a reschedule sometimes moves it.
    const d = 5 + Math.floor(rnd() * 40);
    let startDay = addDays(need, d);
    const duration = pick([60, 90, 120, 150]);
    const invitees = [
      { inviteeId: 'bup', organisationType: 'psychiatry', hasOngoingIntervention: true },
      { inviteeId: 'soc', organisationType: 'social-services', hasOngoingIntervention: rnd() < 0.7 },
      { inviteeId: 'skola', organisationType: 'school' },
    ];
    const summonsDay = addDays(created, 2);
    history(caseId, 'summons.sent', at(summonsDay), {
      county: p.county,
      meetingId: 'm1',
      startsAt: `${startDay}T09:00`,
      durationMinutes: duration,
      protectedIdentity: false,
      invitees,
    });
    if (rnd() < 0.15) {
      // Rescheduled one day later: the meeting is what the latest summons says.
      startDay = addDays(startDay, 1);
      history(caseId, 'summons.sent', at(addDays(summonsDay, 1)), {
        county: p.county,
        meetingId: 'm1',
        startsAt: `${startDay}T10:00`,
        durationMinutes: duration,
        protectedIdentity: false,
        invitees,
      });
    }
    days.push(dayDiff(need, startDay));
    if (
      p.rules.meetingDeadlineDays !== null &&
      dayDiff(need, startDay) <= p.rules.meetingDeadlineDays &&
      p.rules.meetingWeekdays.includes(weekday(startDay))
    )
      within++;
    const meetingInRange = inRange(startDay);
    add(
      'meeting-length',
      'within-max',
      meetingInRange && duration <= p.rules.maxMeetingMinutes ? 1 : 0,
      meetingInRange ? 1 : 0,
    );

    // Answers: before the meeting, on its day, or none; obliged units come, send a substitute, or not.
    for (const inv of invitees) {
      const r = rnd();
      const answerDay = r < 0.6 ? addDays(startDay, -2) : r < 0.75 ? startDay : undefined;
      const response = answerDay
        ? pick(['received', 'accepted', 'substitute', 'declined'] as const)
        : undefined;
      if (answerDay && response)
        history(caseId, 'invitation.responded', at(answerDay, 7), {
          county: p.county,
          meetingId: 'm1',
          inviteeId: inv.inviteeId,
          response,
        });
      if (meetingInRange) {
        add('invitations', 'answered-before', answerDay !== undefined && answerDay < startDay ? 1 : 0, 1);
        if (inv.hasOngoingIntervention === true)
          add(
            'invitations',
            'obliged-attending',
            response === 'accepted' || response === 'substitute' ? 1 : 0,
            1,
          );
      }
    }

    // Withdrawn before the meeting: no plan.
    if (rnd() < 0.06) {
      const w = addDays(startDay, -1);
      history(caseId, 'consent.withdrawn', at(w), { county: p.county });
      if (inRange(w)) add('consent', 'withdrawn', 1);
      // A consent that had lapsed before it was withdrawn did expire (a withdrawal dated before
      // the consent was registered ends nothing).
      if (inRange(validUntil) && !(w >= consentDay && w <= validUntil)) add('consent', 'expired', 1);
      continue;
    }

    // The plan, on the meeting's day; its follow-up 60–120 days later.
    const participation = pick(PARTICIPATION);
    const due = addDays(startDay, 60 + Math.floor(rnd() * 60));
    history(caseId, 'plan.established', at(startDay, 12), {
      county: p.county,
      planId: 'p1',
      participation,
      nextFollowUp: { followUpId: 'f1', dueOn: due },
    });
    if (inRange(startDay)) {
      plansInRange.push(caseId);
      add('participation', `participation:${participation}`, 1);
      add('plans', 'with-follow-up', 1, 1);
    }
    // The meeting evaluated (issue 15): some units, the child, the guardians, each on a scale.
    const answer = (respondent: 'unit' | 'child' | 'guardian', slot: string) => {
      const answeredOn = addDays(startDay, 1 + Math.floor(rnd() * 5));
      const scores = Object.fromEntries(QUESTIONS[respondent].map((q) => [q.id, 1 + Math.floor(rnd() * 5)]));
      facts.push(
        ...factsOfEvaluation(p.county, { id: `gen-${caseId}-${slot}`, respondent, scores, answeredOn }),
      );
      if (inRange(answeredOn))
        for (const [q, s] of Object.entries(scores))
          add('evaluation', `${respondent}:${q}`, s >= 4 ? 1 : 0, 1);
    };
    for (const inv of invitees) if (rnd() < 0.6) answer('unit', `unit-${inv.inviteeId}`);
    if (ageGroup !== 'adult' && rnd() < 0.4) answer('child', 'child');
    if (rnd() < 0.5) answer('guardian', 'guardian-1');

    // The follow-up: held (a revised plan) within 14 days, late, or not at all.
    const f = rnd();
    const heldOn =
      f < 0.5 ? addDays(due, Math.floor(rnd() * 29) - 14) : f < 0.7 ? addDays(due, 20) : undefined;
    if (heldOn) {
      const revisedDue = addDays(heldOn, 180);
      history(caseId, 'plan.established', at(heldOn, 12), {
        county: p.county,
        planId: 'p2',
        participation,
        nextFollowUp: { followUpId: 'f2', dueOn: revisedDue },
      });
      if (inRange(heldOn)) {
        plansInRange.push(caseId);
        add('participation', `participation:${participation}`, 1);
        add('plans', 'with-follow-up', 1, 1);
      }
      if (inRange(revisedDue)) add('follow-ups', 'held-within-14-days', 0, 1);
    }
    if (inRange(due))
      add('follow-ups', 'held-within-14-days', heldOn && Math.abs(dayDiff(due, heldOn)) <= 14 ? 1 : 0, 1);

    // Closed with a reason, or left open; an open one whose consent lapsed in the period expired.
    let closedOn: string | undefined;
    if (rnd() < 0.3) {
      closedOn = addDays(heldOn ?? startDay, 5);
      const reason = pick(CLOSE);
      history(caseId, 'case.closed', at(closedOn, 15), { county: p.county, reason });
      if (inRange(closedOn)) closedReasons.push(reason);
    }
    if (inRange(validUntil) && (closedOn === undefined || closedOn > validUntil))
      add('consent', 'expired', 1);
  }

  // Rejections (the queue's checks): by reason and by source.
  const rejections = Math.max(1, Math.floor(p.cases / 20));
  for (let r = 0; r < rejections; r++) {
    const [reason, source] = REJECTIONS[r % REJECTIONS.length] as (typeof REJECTIONS)[number];
    const day = addDays(p.from, r % (span + 1));
    facts.push(
      factOfRejection(p.county, {
        messageId: `gen-msg-${r}`,
        queueEventType: 'se.sip.summons.sent.v1',
        reason,
        rejectedAt: at(day, 11),
        source,
      }),
    );
  }

  // The figures, in the SQL's shape.
  const expected: Expected = {};
  const put = (kpi: string, dim: string, n: number | null, total: number | null) => {
    (expected[kpi] ??= {})[dim] = [n, total];
  };
  put('started', 'total', openStarted.length, openStarted.length);
  for (const [dim, [n]] of Object.entries(tally.started ?? {})) put('started', dim, n, openStarted.length);
  const sorted = days;
  put('first-meeting', 'cases', sorted.length, sorted.length);
  put('first-meeting', 'median-days', nearestRank(sorted, 0.5), sorted.length);
  put('first-meeting', 'p90-days', nearestRank(sorted, 0.9), sorted.length);
  if (p.rules.meetingDeadlineDays !== null) put('first-meeting', 'within-rule', within, sorted.length);
  for (const kpi of ['meeting-length', 'invitations', 'plans', 'follow-ups', 'evaluation'])
    for (const [dim, [n, total]] of Object.entries(tally[kpi] ?? {})) put(kpi, dim, n, total);
  for (const [dim, [n]] of Object.entries(tally.participation ?? {}))
    put('participation', dim, n, plansInRange.length);
  for (const dim of ['refused', 'withdrawn', 'expired'])
    put('consent', dim, tally.consent?.[dim]?.[0] ?? 0, null);
  const reasons = new Map<string, number>();
  for (const r of closedReasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  for (const [r, n] of reasons) put('closing', `reason:${r}`, n, closedReasons.length);
  // Pipeline: rejections by reason category and by source, and deviations.
  const byReason = new Map<string, number>();
  const bySource = new Map<string, number>();
  for (let r = 0; r < rejections; r++) {
    const [reason, source] = REJECTIONS[r % REJECTIONS.length] as (typeof REJECTIONS)[number];
    const key = reason.split(/[;(]/)[0]?.trim() ?? '';
    byReason.set(key, (byReason.get(key) ?? 0) + 1);
    bySource.set(source, (bySource.get(source) ?? 0) + 1);
  }
  for (const [k, n] of byReason) put('pipeline', `reason:${k}`, n, null);
  for (const [k, n] of bySource) put('pipeline', `source:${k}`, n, null);
  put('pipeline', 'deviations', tally.pipeline?.deviations?.[0] ?? 0, null);
  return { facts, expected, cases: p.cases };
};
