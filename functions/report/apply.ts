/**
 * The monthly county report in AWS (issue 15): on the first of each month, last month's KPIs on
 * Athena (the same SQL as `npm run report`), the report written to the export bucket, and a
 * short-lived link emailed to the county's management address. The email carries no figure and
 * no personal data: a link to aggregates.
 */
import { buildReport, renderReportCsv, renderReportHtml } from '../core/kpi-report.ts';
import type { County } from '../core/county.ts';
import { addDays, stockholmDate } from '../core/dates.ts';
import { runKpis, type SqlEngine } from './kpis.ts';

export interface ReportDeps {
  county: County;
  engine: SqlEngine;
  reports: {
    put(key: string, body: string, contentType: string): Promise<void>;
    link(key: string, expiresInSeconds: number): Promise<string>;
  };
  mail: { send(to: string, subject: string, text: string): Promise<void> };
  recipient: string;
  prefix: string;
  /** Messages in each queue's DLQ now, by event type (pipeline health). */
  parked?: () => Promise<Record<string, number>>;
  now: () => Date;
  linkSeconds?: number;
}

/** The calendar month before `now` (Europe/Stockholm). */
export const previousMonth = (now: Date): { from: string; to: string; month: string } => {
  const today = stockholmDate(now);
  const to = addDays(`${today.slice(0, 7)}-01`, -1);
  return { from: `${to.slice(0, 7)}-01`, to, month: to.slice(0, 7) };
};

export const LINK_SECONDS = 12 * 3600;

export const writeMonthlyReport = async (
  deps: ReportDeps,
  period: { from: string; to: string; month: string } = previousMonth(deps.now()),
) => {
  const { county } = deps;
  const kpis = await runKpis(deps.engine, {
    county: county.id,
    from: period.from,
    to: period.to,
    rules: county.rules,
  });
  const report = buildReport(
    {
      county: county.id,
      countyName: county.displayName,
      from: period.from,
      to: period.to,
      generatedAt: deps.now().toISOString(),
    },
    kpis,
    county.rules.meetingDeadlineDays === null
      ? { 'first-meeting': 'Länets rutin anger ingen tidsgräns för första mötet.' }
      : {},
    (await deps.parked?.()) ?? {},
  );
  const base = `${deps.prefix}${county.id}-${period.month}`;
  await deps.reports.put(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  await deps.reports.put(`${base}.csv`, renderReportCsv(report), 'text/csv; charset=utf-8');
  await deps.reports.put(`${base}.html`, renderReportHtml(report), 'text/html; charset=utf-8');
  const seconds = deps.linkSeconds ?? LINK_SECONDS;
  const link = await deps.reports.link(`${base}.html`, seconds);
  await deps.mail.send(
    deps.recipient,
    `SIP-uppföljning ${county.displayName} ${period.month}`,
    [
      `Månadsrapporten för SIP i ${county.displayName}, ${period.from} – ${period.to}, är klar.`,
      '',
      `Öppna den här (länken gäller i högst ${Math.round(seconds / 3600)} timmar):`,
      link,
      '',
      'Rapporten innehåller bara summerade uppgifter; antal under 5 visas som <5.',
    ].join('\n'),
  );
  return { key: `${base}.html`, period };
};
