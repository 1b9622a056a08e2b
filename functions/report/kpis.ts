/**
 * The county KPIs (issue 15): the SQL in ./sql/ run on an engine — DuckDB over the JSON lines
 * locally, in tests and in the bench (local/report.ts), Amazon Athena in AWS (./handler.ts). The
 * same text for both; only the literals below are filled in, each validated first.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CountyRules } from '../core/county.ts';
import { FACT_COLUMNS } from '../core/kpi-facts.ts';

/** One row of a KPI query: a dimension, a count or a number of days, and its denominator. */
export interface KpiRow {
  dim: string;
  measure: 'count' | 'days';
  n: number | null;
  total: number | null;
}

export const KPI_QUERIES = [
  'started',
  'first-meeting',
  'meeting-length',
  'invitations',
  'participation',
  'plans',
  'follow-ups',
  'consent',
  'closing',
  'pipeline',
  'evaluation',
] as const;
export type KpiName = (typeof KPI_QUERIES)[number];
export type KpiResults = Record<KpiName, KpiRow[]>;

/** Runs one SQL statement and returns its rows as plain objects. */
export interface SqlEngine {
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface KpiParams {
  county: string;
  from: string;
  to: string;
  rules: Pick<CountyRules, 'meetingDeadlineDays' | 'meetingWeekdays' | 'maxMeetingMinutes'>;
}

/** Where the .sql files are: beside this module, or (in the Lambda bundle) KPI_SQL_DIR. */
const sqlDir = () => process.env.KPI_SQL_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'sql');

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The statement of one KPI with its literals filled in (each validated: no injection). */
export const kpiSql = (name: KpiName, p: KpiParams, dir = sqlDir()): string => {
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(p.county)) throw new Error(`not a county id: ${p.county}`);
  if (!DATE.test(p.from) || !DATE.test(p.to)) throw new Error('from and to must be YYYY-MM-DD dates');
  if (p.from > p.to) throw new Error(`from (${p.from}) is after to (${p.to})`);
  const ints = (xs: readonly number[]) => xs.map((x) => String(Math.trunc(Number(x)))).join(', ');
  const values: Record<string, string> = {
    columns: FACT_COLUMNS.map(([name]) => name).join(', '),
    county: p.county,
    from: p.from,
    to: p.to,
    // A county without a deadline (Haninge): nothing is "within" it; the report says so.
    deadlineDays: p.rules.meetingDeadlineDays === null ? 'NULL' : ints([p.rules.meetingDeadlineDays]),
    weekdays: ints(p.rules.meetingWeekdays),
    maxMinutes: ints([p.rules.maxMeetingMinutes]),
  };
  const fill = (text: string) =>
    text.replace(/\$\{(\w+)\}/g, (_, k: string) => {
      const v = values[k];
      if (v === undefined) throw new Error(`unknown placeholder \${${k}} in the KPI SQL`);
      return v;
    });
  const prelude = readFileSync(join(dir, '_prelude.sql'), 'utf8');
  const body = readFileSync(join(dir, `${name}.sql`), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n');
  return fill(`${prelude}\n${body}`);
};

const toNumber = (v: unknown): number | null =>
  v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : Number(v);

/** Every KPI of the period, from one engine. */
export const runKpis = async (engine: SqlEngine, p: KpiParams, dir?: string): Promise<KpiResults> => {
  const out = {} as KpiResults;
  for (const name of KPI_QUERIES) {
    const rows = await engine.query(kpiSql(name, p, dir));
    out[name] = rows
      .map((r) => ({
        dim: String(r.dim),
        measure: r.measure === 'days' ? ('days' as const) : ('count' as const),
        n: toNumber(r.n),
        total: toNumber(r.total),
      }))
      .filter(
        (r) => !(name === 'first-meeting' && r.dim === 'within-rule' && p.rules.meetingDeadlineDays === null),
      )
      .sort((a, b) => (a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0));
  }
  return out;
};
