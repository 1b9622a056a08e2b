/**
 * `npm run report -- --county halland [--from 2026-01-01 --to 2026-12-31]` (issue 15): the county
 * KPIs of a period, computed by DuckDB from the exported facts, written as a self-contained HTML
 * report with JSON and CSV beside it under `reports/`.
 *
 * Facts come from the local stack's export bucket (`.local/stack.json`, written by the stack's
 * export of the table's stream, as in AWS), from `--facts <glob>` (JSON lines files, e.g. a copy
 * of a county's bucket: `aws s3 sync s3://<ExportBucket>/facts/ facts/`), and/or `--generate <n>`
 * generated cases of the period (a demo, the bench). In AWS the scheduled report function runs
 * the same SQL on Athena (functions/report/).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { buildReport, renderReportCsv, renderReportHtml, type Report } from '../functions/core/kpi-report.ts';
import { toJsonLines } from '../functions/core/kpi-facts.ts';
import { type KpiResults, runKpis } from '../functions/report/kpis.ts';
import { countyById } from '../lib/counties.ts';
import { duckdbEngine } from './duckdb.ts';
import { generateCounty } from './kpi-generate.ts';
import { s3Client, sqsClient } from './runtime.ts';
import { projectRoot, readStackFile, type StackFile } from './stack-file.ts';

export interface ReportOptions {
  county: string;
  from: string;
  to: string;
  /** JSON lines files to read (a glob DuckDB understands). */
  facts?: string[];
  /** Read the local stack's export bucket. */
  stack?: Pick<StackFile, 'endpoints' | 'export'>;
  /** Add this many generated cases of the period. */
  generate?: number;
  /** Messages in DLQs now, by event type (the local stack's queues; pipeline health). */
  parked?: Record<string, number>;
  outDir?: string;
  now?: Date;
}

/** Copies the stack's exported facts into `dir`; returns how many objects. */
export const downloadFacts = async (
  stack: Pick<StackFile, 'endpoints' | 'export'>,
  dir: string,
): Promise<number> => {
  if (!stack.export)
    throw new Error('.local/stack.json has no export bucket; restart `npm start` with this version');
  const s3 = s3Client(stack.endpoints.s3);
  let token: string | undefined;
  let n = 0;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: stack.export.bucket,
        Prefix: stack.export.prefix,
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: stack.export.bucket, Key: o.Key }));
      writeFileSync(join(dir, `stack-${n++}.jsonl`), (await body.Body?.transformToString()) ?? '');
    }
    token = page.NextContinuationToken;
  } while (token);
  return n;
};

/** Waits until the stack's export holds `closed` case.closed facts (the demo's cases are done). */
export const waitForExport = async (
  stack: Pick<StackFile, 'endpoints' | 'export'>,
  closed: number,
  timeoutMs = 60_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dir = mkdtempSync(join(tmpdir(), 'sip-export-'));
    try {
      await downloadFacts(stack, dir);
      const text = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('');
      if ((text.match(/"eventType":"case\.closed"/g) ?? []).length >= closed) return;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (Date.now() > deadline) throw new Error('the KPI export did not catch up with the table in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** How many messages each queue's DLQ holds now (the local stack's queues). */
export const parkedNow = async (
  stack: Pick<StackFile, 'endpoints' | 'queues'>,
): Promise<Record<string, number>> => {
  const sqs = sqsClient(stack.endpoints.sqs);
  try {
    const out: Record<string, number> = {};
    for (const [type, q] of Object.entries(stack.queues)) {
      const a = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      out[type] = Number(a.Attributes?.ApproximateNumberOfMessages ?? 0);
    }
    return out;
  } finally {
    sqs.destroy();
  }
};

export interface Written {
  html: string;
  json: string;
  csv: string;
  report: Report;
  kpis: KpiResults;
  ms: number;
}

/** Computes the KPIs of the period and writes the three files; returns their paths. */
export const writeReport = async (o: ReportOptions): Promise<Written> => {
  const county = countyById(o.county);
  const params = { county: county.id, from: o.from, to: o.to, rules: county.rules };
  const work = mkdtempSync(join(tmpdir(), 'sip-report-'));
  try {
    const globs = [...(o.facts ?? [])];
    let files = 0;
    if (o.stack) files += await downloadFacts(o.stack, work);
    if (o.generate) {
      writeFileSync(
        join(work, 'generated.jsonl'),
        toJsonLines(generateCounty({ ...params, cases: o.generate }).facts),
      );
      files++;
    }
    if (files > 0) globs.push(join(work, '*.jsonl'));
    const engine = await duckdbEngine(globs.length > 0 ? globs : undefined);
    const started = performance.now();
    let kpis: KpiResults;
    try {
      kpis = await runKpis(engine, params);
    } finally {
      engine.close();
    }
    const ms = performance.now() - started;
    const report = buildReport(
      {
        county: county.id,
        countyName: county.displayName,
        from: o.from,
        to: o.to,
        generatedAt: (o.now ?? new Date()).toISOString(),
      },
      kpis,
      county.rules.meetingDeadlineDays === null
        ? { 'first-meeting': 'Länets rutin anger ingen tidsgräns för första mötet.' }
        : {},
      o.parked,
    );
    const out = o.outDir ?? join(projectRoot, 'reports');
    mkdirSync(out, { recursive: true });
    const base = join(out, `${county.id}-${o.from}_${o.to}`);
    const paths = { html: `${base}.html`, json: `${base}.json`, csv: `${base}.csv` };
    writeFileSync(paths.html, renderReportHtml(report));
    writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(paths.csv, renderReportCsv(report));
    return { ...paths, report, kpis, ms };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const main = async () => {
  const { values } = parseArgs({
    options: {
      county: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      facts: { type: 'string', multiple: true },
      generate: { type: 'string' },
      'no-stack': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const year = new Date().getUTCFullYear();
  const from = values.from ?? `${year}-01-01`;
  const to = values.to ?? `${year}-12-31`;
  if (!DATE.test(from) || !DATE.test(to)) throw new Error('--from and --to are dates: YYYY-MM-DD');
  const useStack = !values['no-stack'] && !values.facts;
  const stack = useStack ? readStackFile() : undefined;
  const county = values.county ?? stack?.county;
  if (!county) throw new Error('name the county: --county <id> (e.g. halland)');
  if (stack && stack.county !== county)
    throw new Error(
      `the local stack serves "${stack.county}", not "${county}"; pass --facts <glob> for another county's export`,
    );
  const generate = values.generate === undefined ? undefined : Number(values.generate);
  if (generate !== undefined && !(Number.isInteger(generate) && generate > 0))
    throw new Error('--generate takes a number of cases');
  const w = await writeReport({
    county,
    from,
    to,
    ...(values.facts ? { facts: values.facts } : {}),
    ...(stack ? { stack, parked: await parkedNow(stack) } : {}),
    ...(generate ? { generate } : {}),
    ...(values.out ? { outDir: values.out } : {}),
  });
  console.log(`Report for ${county}, ${from} – ${to} (${Math.round(w.ms)} ms in DuckDB):`);
  for (const p of [w.html, w.json, w.csv]) console.log(`  ${relative(process.cwd(), p)}`);
};

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`)
  main().catch((error: Error) => {
    console.error(`npm run report failed: ${error.message}`);
    process.exit(1);
  });
