/**
 * The monthly report function (functions/report/) and its Athena engine (functions/adapters/
 * athena.ts), with Athena's answers stubbed in the SDK's own shapes and the KPI SQL run by DuckDB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { athenaEngine } from '../../functions/adapters/athena.ts';
import { toJsonLines } from '../../functions/core/kpi-facts.ts';
import { previousMonth, writeMonthlyReport } from '../../functions/report/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { duckdbEngine } from '../../local/duckdb.ts';
import { generateCounty } from '../../local/kpi-generate.ts';

describe('the monthly report (issue 15)', () => {
  it('covers the calendar month before the run, in Swedish time', () => {
    expect(previousMonth(new Date('2027-01-01T06:00:00Z'))).toEqual({
      from: '2026-12-01',
      to: '2026-12-31',
      month: '2026-12',
    });
    // 23:30 UTC on 31 March is already 1 April in Stockholm: the report is March's.
    expect(previousMonth(new Date('2027-03-31T23:30:00Z')).month).toBe('2027-03');
  });

  it('writes HTML, JSON and CSV under reports/ and emails one link, without a figure or a name', async () => {
    const county = countyById('halland');
    const dir = mkdtempSync(join(tmpdir(), 'sip-month-'));
    const generated = generateCounty({
      county: 'halland',
      from: '2026-11-01',
      to: '2026-11-30',
      rules: county.rules,
      cases: 80,
    });
    writeFileSync(join(dir, 'facts.jsonl'), toJsonLines(generated.facts));
    const engine = await duckdbEngine(join(dir, '*.jsonl'));
    const put: string[] = [];
    const mails: { to: string; subject: string; text: string }[] = [];
    try {
      const written = await writeMonthlyReport({
        county: { id: county.id, displayName: county.displayName, rules: county.rules },
        engine,
        reports: {
          put: async (key) => void put.push(key),
          link: async (key, seconds) => `https://example.invalid/${key}?X-Amz-Expires=${seconds}`,
        },
        mail: { send: async (to, subject, text) => void mails.push({ to, subject, text }) },
        recipient: county.managementEmail,
        prefix: 'reports/',
        now: () => new Date('2026-12-01T06:00:00Z'),
      });
      expect(written.period).toEqual({ from: '2026-11-01', to: '2026-11-30', month: '2026-11' });
    } finally {
      engine.close();
    }
    expect(put.sort()).toEqual([
      'reports/halland-2026-11.csv',
      'reports/halland-2026-11.html',
      'reports/halland-2026-11.json',
    ]);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe(county.managementEmail);
    expect(mails[0]?.text).toContain(
      'https://example.invalid/reports/halland-2026-11.html?X-Amz-Expires=43200',
    );
    expect(mails[0]?.text.replace(/https:\S+/, '')).not.toMatch(/\d{2,}\s*(ärenden|cases)|@/);
  });
});

describe('the Athena engine', () => {
  it('waits for the query, skips the header row, follows NextToken and types numeric columns', async () => {
    const sent: string[] = [];
    let polls = 0;
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push(command.constructor.name);
        switch (command.constructor.name) {
          case 'StartQueryExecutionCommand':
            expect(command.input).toMatchObject({
              WorkGroup: 'sip-halland',
              QueryExecutionContext: { Database: 'sip_halland' },
            });
            return { QueryExecutionId: 'q-1' };
          case 'GetQueryExecutionCommand':
            return { QueryExecution: { Status: { State: polls++ < 1 ? 'RUNNING' : 'SUCCEEDED' } } };
          case 'GetQueryResultsCommand': {
            const meta = {
              ColumnInfo: [
                { Name: 'dim', Type: 'varchar' },
                { Name: 'n', Type: 'bigint' },
                { Name: 'total', Type: 'bigint' },
              ],
            };
            return command.input.NextToken === undefined
              ? {
                  ResultSet: {
                    ResultSetMetadata: meta,
                    Rows: [
                      { Data: [{ VarCharValue: 'dim' }, { VarCharValue: 'n' }, { VarCharValue: 'total' }] },
                      { Data: [{ VarCharValue: 'total' }, { VarCharValue: '12' }, { VarCharValue: '12' }] },
                    ],
                  },
                  NextToken: 'page-2',
                }
              : {
                  ResultSet: {
                    ResultSetMetadata: meta,
                    Rows: [{ Data: [{ VarCharValue: 'age:child' }, { VarCharValue: '7' }, {}] }],
                  },
                };
          }
          default:
            throw new Error(command.constructor.name);
        }
      },
    } as unknown as AthenaClient;
    const rows = await athenaEngine({ workGroup: 'sip-halland', database: 'sip_halland', client }).query(
      'SELECT 1',
    );
    expect(rows).toEqual([
      { dim: 'total', n: 12, total: 12 },
      { dim: 'age:child', n: 7, total: null },
    ]);
    expect(sent.filter((s) => s === 'GetQueryExecutionCommand')).toHaveLength(2);
  });

  it('reports a failed query with Athena’s reason (e.g. the workgroup’s scan limit)', async () => {
    const client = {
      send: async (command: { constructor: { name: string } }) =>
        command.constructor.name === 'StartQueryExecutionCommand'
          ? { QueryExecutionId: 'q-2' }
          : {
              QueryExecution: {
                Status: { State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' },
              },
            },
    } as unknown as AthenaClient;
    await expect(athenaEngine({ workGroup: 'w', database: 'd', client }).query('SELECT 1')).rejects.toThrow(
      /FAILED: Bytes scanned limit/,
    );
  });
});
