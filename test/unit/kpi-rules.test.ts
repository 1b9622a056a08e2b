/** The KPI export's facts, the SQL's literals and the report's suppression (issue 15). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACT_COLUMNS, factsOfHistory, reasonCode, toJsonLines } from '../../functions/core/kpi-facts.ts';
import { buildReport, renderReportCsv, renderReportHtml } from '../../functions/core/kpi-report.ts';
import { kpiSql } from '../../functions/report/kpis.ts';
import { countyById } from '../../lib/counties.ts';
import { examplesDir } from '../support/fixtures.ts';

const example = (file: string) =>
  JSON.parse(readFileSync(join(examplesDir, 'normal', file), 'utf8')) as {
    id: string;
    type: string;
    time: string;
    subject: string;
    data: unknown;
  };
const asHistory = (e: ReturnType<typeof example>) => ({
  caseId: e.subject,
  eventId: e.id,
  eventType: e.type,
  occurredAt: e.time,
  outcome: 'applied',
  data: e.data,
});

describe('KPI facts (functions/core/kpi-facts.ts)', () => {
  it('a summons (seed 002: place, purpose, questions, names, addresses) yields codes and dates only, one row per invitee', () => {
    const facts = factsOfHistory('halland', asHistory(example('04-summons-sent.json')));
    expect(facts.map((f) => f.kind)).toEqual(['event', 'invitee', 'invitee', 'invitee']);
    expect(facts[0]).toMatchObject({
      eventType: 'summons.sent',
      meetingId: 'meeting-case-hl-1001-1',
      startsAt: '2026-12-09T09:00',
      startDay: '2026-12-09',
      startWeekday: 3,
      durationMinutes: 90,
      protected: false,
    });
    expect(facts.map((f) => f.obliged)).toEqual([null, true, true, false]);
    const text = toJsonLines(facts);
    expect(text).not.toMatch(/@|Ätran|Samordna|Skolgång|Vilket stöd|BUP Halland|\+46/);
  });

  it('every row carries every column, in the order the Glue table declares', () => {
    for (const file of [
      '01-case-created.json',
      '02-consent-guardian-a.json',
      '06-plan-established.json',
      '08-case-closed.json',
    ])
      for (const f of factsOfHistory('halland', asHistory(example(file))))
        expect(Object.keys(f)).toEqual(FACT_COLUMNS.map(([name]) => name));
  });

  it('the case, the plan (seed 002: participation, next follow-up), consent and closing reason', () => {
    const [created] = factsOfHistory('halland', asHistory(example('01-case-created.json')));
    expect(created).toMatchObject({
      initiatorPrincipal: 'region',
      ageGroup: 'child',
      needDiscoveredOn: expect.any(String),
    });
    const [plan] = factsOfHistory('halland', asHistory(example('06-plan-established.json')));
    expect(plan).toMatchObject({
      participation: expect.any(String),
      followUpDueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const [closed] = factsOfHistory('halland', asHistory(example('08-case-closed.json')));
    expect(closed?.closeReason).toBe('need-met');
    const [consent] = factsOfHistory('halland', asHistory(example('02-consent-guardian-a.json')));
    expect(consent?.consentsGiven).toBeGreaterThan(0);
  });

  it('a code that is not a code (free text where a code belongs) is not exported', () => {
    const [f] = factsOfHistory('halland', {
      caseId: 'c',
      eventId: 'e',
      eventType: 'se.sip.case.closed.v1',
      occurredAt: '2026-12-01T10:00:00Z',
      outcome: 'applied',
      data: { reason: 'Eva Svensson flyttade till Ätran' },
    });
    expect(f?.closeReason).toBeNull();
  });

  it('a rejection reason becomes a countable category without ids or quoted values', () => {
    expect(reasonCode('rejected: case abc-123 does not exist')).toBe('case … does not exist');
    expect(reasonCode('source "urn:x" is not registered for t (registered: a)')).toBe(
      'source … is not registered for t',
    );
    expect(reasonCode('data.startsAt: Invalid input; data.x: y')).toBe('data.startsAt: Invalid input');
  });
});

describe('KPI SQL literals (functions/report/kpis.ts)', () => {
  const rules = countyById('halland').rules;
  it('fills the county’s rules and the period into every query', () => {
    const sql = kpiSql('first-meeting', { county: 'halland', from: '2026-01-01', to: '2026-12-31', rules });
    expect(sql).toContain("county = 'halland'");
    expect(sql).toContain('days <= 30');
    expect(sql).not.toMatch(/\$\{/);
  });
  it('refuses anything but a county id and dates (no SQL injection through the CLI or the schedule)', () => {
    expect(() =>
      kpiSql('started', { county: "x' OR 1=1 --", from: '2026-01-01', to: '2026-12-31', rules }),
    ).toThrow(/county/);
    expect(() =>
      kpiSql('started', { county: 'halland', from: "2026-01-01' --", to: '2026-12-31', rules }),
    ).toThrow(/dates/);
    expect(() =>
      kpiSql('started', { county: 'halland', from: '2026-12-31', to: '2026-01-01', rules }),
    ).toThrow(/after/);
  });
  it('a county without a deadline (seed 001, Haninge) compares with NULL: nothing is within it', () => {
    const sql = kpiSql('first-meeting', {
      county: 'stockholm',
      from: '2026-01-01',
      to: '2026-12-31',
      rules: countyById('stockholm').rules,
    });
    expect(sql).toContain('days <= NULL');
  });
});

describe('small-number suppression (functions/core/kpi-report.ts)', () => {
  const meta = {
    county: 'halland',
    countyName: 'Halland',
    from: '2026-01-01',
    to: '2026-01-31',
    generatedAt: '2026-02-01T06:00:00Z',
  };
  const report = buildReport(meta, {
    started: [
      { dim: 'total', measure: 'count', n: 7, total: 7 },
      { dim: 'age:child', measure: 'count', n: 3, total: 6 },
      { dim: 'age:adult', measure: 'count', n: 3, total: 6 },
      { dim: 'month:2026-01', measure: 'count', n: 6, total: 6 },
    ],
    'first-meeting': [
      { dim: 'median-days', measure: 'days', n: 12, total: 4 },
      { dim: 'cases', measure: 'count', n: 4, total: 4 },
    ],
    plans: [{ dim: 'with-follow-up', measure: 'count', n: 0, total: 9 }],
  });
  const rows = (id: string) => report.sections.find((s) => s.id === id)?.rows ?? [];

  it('shows a count of 1–4 as "<5", and no share built on it', () => {
    expect(rows('started').find((r) => r.dim === 'age:child')).toMatchObject({ n: '<5', share: null });
    expect(rows('started').find((r) => r.dim === 'month:2026-01')).toMatchObject({
      n: 6,
      total: 6,
      share: 100,
    });
  });
  it('shows no median over fewer than 5 cases', () => {
    expect(rows('first-meeting').find((r) => r.dim === 'median-days')?.n).toBeNull();
  });
  it('a zero is a zero (it singles no one out)', () => {
    expect(rows('plans')[0]).toMatchObject({ n: 0, total: 9, share: 0 });
  });
  it('the total comes first', () => {
    expect(rows('started')[0]?.dim).toBe('total');
  });
  it('hides a second cell when one hidden cell would follow from the total, and a count whose complement is 1–4', () => {
    const r = buildReport(meta, {
      closing: [
        { dim: 'reason:need-met', measure: 'count', n: 3, total: 33 },
        { dim: 'reason:no-joint-need', measure: 'count', n: 10, total: 33 },
        { dim: 'reason:coordination-works', measure: 'count', n: 20, total: 33 },
      ],
      'meeting-length': [{ dim: 'within-max', measure: 'count', n: 96, total: 100 }],
      plans: [{ dim: 'with-follow-up', measure: 'count', n: 90, total: 100 }],
    });
    const of = (id: string, dim: string) =>
      r.sections.find((s) => s.id === id)?.rows.find((x) => x.dim === dim);
    expect(of('closing', 'reason:need-met')?.n).toBe('<5');
    expect(of('closing', 'reason:no-joint-need')).toMatchObject({ n: null, share: null }); // else 33 − 10 − 20 = 3
    expect(of('closing', 'reason:coordination-works')?.n).toBe(20);
    expect(of('meeting-length', 'within-max')).toMatchObject({ n: null, share: null }); // else 4 are over
    expect(of('plans', 'with-follow-up')).toMatchObject({ n: 90, share: 90 });
  });

  it('no figure of 1–4 appears in the HTML tables or the CSV', () => {
    const html = renderReportHtml(report);
    expect(html).not.toMatch(/<td>[1-4]<\/td>/);
    expect(html).toContain('&lt;5');
    const csv = renderReportCsv(report);
    for (const line of csv.trim().split('\r\n').slice(1)) expect(line.split(',')[3]).not.toMatch(/^[1-4]$/);
  });
});
