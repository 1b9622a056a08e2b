/**
 * The county report (issue 15): every figure against a generated county whose KPIs are known by
 * construction (local/kpi-generate.ts), on DuckDB over the JSON lines the export writes; and the
 * local stack's export of the example cases' history (the table's stream → S3 on the emulator →
 * the same SQL).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shown, SUPPRESS_BELOW } from '../../functions/core/kpi-report.ts';
import { generateCounty } from '../../local/kpi-generate.ts';
import { publishScenario, waitUntilDrained } from '../../local/inspect.ts';
import { parkedNow, writeReport } from '../../local/report.ts';
import { s3Client } from '../../local/runtime.ts';
import { countyById } from '../../lib/counties.ts';
import { eventually, examplesDir } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

const suppressed = (v: number | null): Shown => (v === null ? null : v > 0 && v < SUPPRESS_BELOW ? '<5' : v);

describe.each([
  ['halland', 320], // seed 002: 30 days, at most two hours
  ['gavleborg', 260], // seed 000: a Friday within three weeks
  ['stockholm', 240], // seed 001 (Haninge): no deadline
])(
  'the report of a generated county (%s, %i cases): every figure is the one known by construction',
  (id, cases) => {
    const county = countyById(id);
    const period = { county: id, from: '2026-01-01', to: '2026-06-30' };
    const generated = generateCounty({ ...period, rules: county.rules, cases });
    let written: Awaited<ReturnType<typeof writeReport>>;
    beforeAll(async () => {
      written = await writeReport({
        ...period,
        generate: cases,
        outDir: mkdtempSync(join(tmpdir(), 'sip-report-')),
      });
    });

    it('the SQL on DuckDB computes exactly the expected rows of every KPI', () => {
      for (const [kpi, rows] of Object.entries(written.kpis)) {
        const got = Object.fromEntries(rows.map((r) => [r.dim, [r.n, r.total]]));
        expect(got, kpi).toEqual(generated.expected[kpi] ?? {});
      }
    });

    it('the report shows each figure, suppressed below 5, with its share — or hides it to protect another', () => {
      for (const section of written.report.sections)
        for (const row of section.rows) {
          const [n, total] = generated.expected[section.id]?.[row.dim] ?? [null, null];
          const days = row.dim === 'median-days' || row.dim === 'p90-days';
          const what = `${section.id} ${row.dim} ${n} ${total}`;
          expect(row.total, what).toEqual(suppressed(total));
          if (days) {
            expect(row.n, what).toEqual((total ?? 0) >= (row.dim === 'p90-days' ? 10 : 5) ? n : null);
            continue;
          }
          // Hidden to protect another cell (secondary suppression): only a figure of 5 or more.
          if (row.n === null && n !== null && n >= 5) {
            expect(row.share, what).toBeNull();
            continue;
          }
          expect(row.n, what).toEqual(suppressed(n));
          if (n !== null && total !== null && total >= 5 && (n === 0 || n >= 5))
            expect(row.share, what).toBeCloseTo((100 * n) / total, 1);
          else expect(row.share, what).toBeNull();
        }
      // Whatever was hidden, no hidden count follows from the others.
      for (const section of written.report.sections) {
        for (const row of section.rows) {
          const [n, total] = generated.expected[section.id]?.[row.dim] ?? [null, null];
          if (
            typeof row.n === 'number' &&
            n !== null &&
            total !== null &&
            !row.dim.includes(':') &&
            row.dim !== 'total'
          )
            expect(
              total - n === 0 || total - n >= 5,
              `${section.id} ${row.dim}: complement ${total - n}`,
            ).toBe(true);
        }
        const groups = new Map<string, typeof section.rows>();
        for (const row of section.rows)
          if (row.dim.includes(':') && typeof row.total === 'number')
            groups.set(`${row.dim.split(':')[0]}|${row.total}`, [
              ...(groups.get(`${row.dim.split(':')[0]}|${row.total}`) ?? []),
              row,
            ]);
        for (const [key, rows] of groups) {
          const hidden = rows.filter((r) => typeof r.n !== 'number');
          const sum = rows.reduce((s, r) => s + (generated.expected[section.id]?.[r.dim]?.[0] ?? 0), 0);
          if (sum === Number(key.split('|')[1]))
            expect(hidden.length === 1, `${section.id} ${key}: one hidden cell`).toBe(false);
        }
      }
    });

    it('counts a protected case in no row (the total less the breakdown would count them)', () => {
      const started = Object.fromEntries(written.kpis.started.map((r) => [r.dim, r.n ?? 0]));
      const byAge = Object.entries(started)
        .filter(([d]) => d.startsWith('age:'))
        .reduce((s, [, n]) => s + n, 0);
      const protectedCases = Math.floor((cases - 8) / 29) + 1; // i % 29 === 7
      expect(started.total).toBe(cases - protectedCases);
      expect(byAge).toBe(cases - protectedCases);
    });

    it('writes HTML, JSON and CSV that agree', () => {
      const json = JSON.parse(readFileSync(written.json, 'utf8'));
      expect(json).toEqual(JSON.parse(JSON.stringify(written.report)));
      const csv = readFileSync(written.csv, 'utf8').trim().split('\r\n');
      expect(csv).toHaveLength(1 + written.report.sections.reduce((s, x) => s + x.rows.length, 0));
      const html = readFileSync(written.html, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toMatch(/<script|<link|src="http/); // self-contained
      expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(8);
    });
  },
);

describe('the local stack exports the history the report reads (the table’s stream → S3 → DuckDB)', () => {
  let t: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    t = await startTestStack();
    await publishScenario(t.sqs, t.stack, join(examplesDir, 'normal'));
    await publishScenario(t.sqs, t.stack, join(examplesDir, 'protected'));
    await waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes);
  }, 180_000);
  afterAll(async () => t?.stop());

  const exported = async () => {
    const s3 = s3Client(t.stack.endpoints.s3);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: t.stack.export.bucket, Prefix: 'facts/' }),
    );
    const texts = await Promise.all(
      (listed.Contents ?? []).map(async (o) =>
        (
          await s3.send(new GetObjectCommand({ Bucket: t.stack.export.bucket, Key: o.Key }))
        ).Body?.transformToString(),
      ),
    );
    return texts.join('');
  };

  it('exports both cases’ entries, with no place, text, name, address or phone number', async () => {
    const text = await eventually(
      exported,
      (x) => (x.match(/"eventType":"case.closed"/g) ?? []).length >= 2,
      { timeoutMs: 60_000 },
    );
    expect(text).toContain('"caseId":"case-hl-1001"');
    expect(text).toContain('"caseId":"case-hl-2001"');
    expect(text).not.toMatch(/@|Ätran|Samordna|Vilket stöd|BUP Halland|\+46|Konferensrum/);
  });

  it('the report counts the normal case, not the protected one, and shows its figures as "<5"', async () => {
    await eventually(exported, (x) => (x.match(/"eventType":"case.closed"/g) ?? []).length >= 2, {
      timeoutMs: 60_000,
    });
    const w = await writeReport({
      county: 'halland',
      from: '2026-11-01',
      to: '2027-12-31',
      stack: { ...t.stack, export: t.stack.export } as never,
      parked: await parkedNow(t.stack as never),
      outDir: mkdtempSync(join(tmpdir(), 'sip-report-')),
    });
    const started = Object.fromEntries(w.kpis.started.map((r) => [r.dim, r.n]));
    expect(started.total).toBe(1);
    expect(started['age:child']).toBe(1);
    expect(w.kpis.closing.find((r) => r.dim === 'reason:need-met')?.n).toBe(1);
    // Pipeline health reads the DLQs as they are now: every queue, nothing parked.
    const parked = w.report.sections
      .find((s) => s.id === 'pipeline')
      ?.rows.filter((r) => r.dim.startsWith('parked:'));
    expect(parked?.map((r) => r.dim)).toContain('parked:se.sip.case.created.v1');
    expect(parked?.every((r) => r.n === 0)).toBe(true);
    const section = w.report.sections.find((s) => s.id === 'started');
    expect(section?.rows.find((r) => r.dim === 'total')?.n).toBe('<5');
  });
});
