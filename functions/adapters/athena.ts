/**
 * The county KPIs' engine in AWS (issue 15): Amazon Athena over the Glue table of exported facts,
 * in the county's workgroup (its result location, encryption and bytes-scanned limit are the
 * workgroup's, enforced). The same SQL as DuckDB locally (functions/report/sql/).
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { SqlEngine } from '../report/kpis.ts';

const NUMERIC = new Set([
  'bigint',
  'integer',
  'int',
  'smallint',
  'tinyint',
  'double',
  'float',
  'real',
  'decimal',
]);

export const athenaEngine = (opts: {
  workGroup: string;
  database: string;
  client?: AthenaClient;
  /** How long one query may take before the report gives up (the function's timeout is longer). */
  timeoutMs?: number;
}): SqlEngine => {
  const athena = opts.client ?? new AthenaClient({});
  return {
    async query(sql) {
      const started = await athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: opts.workGroup,
          QueryExecutionContext: { Database: opts.database },
        }),
      );
      const id = started.QueryExecutionId;
      if (!id) throw new Error('Athena started no query');
      const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
      for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
        const { QueryExecution: q } = await athena.send(
          new GetQueryExecutionCommand({ QueryExecutionId: id }),
        );
        const state = q?.Status?.State;
        if (state === 'SUCCEEDED') break;
        if (state === 'FAILED' || state === 'CANCELLED')
          throw new Error(
            `Athena query ${id} ${state}: ${q?.Status?.StateChangeReason ?? 'no reason given'}`,
          );
        if (Date.now() > deadline) throw new Error(`Athena query ${id} did not finish in time`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const rows: Record<string, unknown>[] = [];
      let columns: { name: string; numeric: boolean }[] = [];
      let token: string | undefined;
      let first = true;
      do {
        const page = await athena.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
        );
        if (first)
          columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
            name: c.Name ?? '',
            numeric: NUMERIC.has((c.Type ?? '').toLowerCase()),
          }));
        const data = page.ResultSet?.Rows ?? [];
        // The first row of the first page is the header.
        for (const row of first ? data.slice(1) : data)
          rows.push(
            Object.fromEntries(
              columns.map((c, i) => {
                const v = row.Data?.[i]?.VarCharValue;
                return [c.name, v === undefined ? null : c.numeric ? Number(v) : v];
              }),
            ),
          );
        first = false;
        token = page.NextToken;
      } while (token);
      return rows;
    },
  };
};
