/**
 * The county report's time on DuckDB (issue 15): generated counties of 10,000 and 100,000 cases
 * (local/kpi-generate.ts, a year's cases), their facts written as JSON lines like the export
 * writes them, then the whole KPI SQL set run by DuckDB as `npm run report` runs it. Generation
 * and file writing are timed apart from the query.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonLines } from '../functions/core/kpi-facts.ts';
import { KPI_QUERIES, kpiSql } from '../functions/report/kpis.ts';
import { countyById } from '../lib/counties.ts';
import { duckdbEngine } from '../local/duckdb.ts';
import { generateCounty } from '../local/kpi-generate.ts';

export interface ReportFigure {
  cases: number;
  facts: number;
  factsMB: number;
  generateMs: number;
  /** Reading the JSON lines into DuckDB's table, once. */
  loadMs: number;
  /** The ten KPI queries. */
  queryMs: number;
  /** The slowest of the KPI queries, by name. */
  slowest: string;
}

export const reportTimes = async (sizes: number[]): Promise<ReportFigure[]> => {
  const county = countyById('halland');
  const params = { county: county.id, from: '2026-01-01', to: '2026-12-31', rules: county.rules };
  const out: ReportFigure[] = [];
  for (const cases of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'sip-bench-report-'));
    try {
      const t0 = performance.now();
      const { facts } = generateCounty({ ...params, cases });
      // Many objects, as the export writes one per stream batch (100 records).
      for (let i = 0, n = 0; i < facts.length; i += 5_000, n++)
        writeFileSync(join(dir, `part-${n}.jsonl`), toJsonLines(facts.slice(i, i + 5_000)));
      const generateMs = performance.now() - t0;
      const bytes =
        facts.length > 0
          ? Math.round(
              statSync(join(dir, 'part-0.jsonl')).size * (facts.length / Math.min(5_000, facts.length)),
            )
          : 0;
      const t2 = performance.now();
      const engine = await duckdbEngine(join(dir, '*.jsonl'));
      const loadMs = performance.now() - t2;
      // Each query timed on its own (runKpis runs the same statements one after another).
      const timed: Record<string, number> = {};
      const t1 = performance.now();
      for (const name of KPI_QUERIES) {
        const s = performance.now();
        await engine.query(kpiSql(name, params));
        timed[name] = performance.now() - s;
      }
      const queryMs = performance.now() - t1;
      engine.close();
      const slowest = Object.entries(timed).sort((a, b) => b[1] - a[1])[0];
      out.push({
        cases,
        facts: facts.length,
        factsMB: Math.round((bytes / 1024 / 1024) * 10) / 10,
        generateMs: Math.round(generateMs),
        loadMs: Math.round(loadMs),
        queryMs: Math.round(queryMs),
        slowest: slowest ? `${slowest[0]} ${Math.round(slowest[1])} ms` : '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
};
