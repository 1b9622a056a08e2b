/**
 * The embedded engine of the county KPIs (issue 15): DuckDB, in process, over the same JSON lines
 * the export writes to S3 in AWS — a `facts` view with the columns the Glue table declares
 * (functions/core/kpi-facts.ts), so the SQL in functions/report/sql/ reads the same table on both.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { FACT_COLUMNS } from '../functions/core/kpi-facts.ts';
import type { SqlEngine } from '../functions/report/kpis.ts';

const duckType = { string: 'VARCHAR', int: 'BIGINT', boolean: 'BOOLEAN' } as const;

/**
 * An engine whose `facts` are the JSON lines files matching `globs` (or none: an empty table),
 * read once into DuckDB's columnar table (the ten KPI queries then scan columns, not JSON).
 */
export const duckdbEngine = async (
  globs: string | readonly string[] | undefined,
): Promise<SqlEngine & { close(): void }> => {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const columns = FACT_COLUMNS.map(([name, type]) => `"${name}": '${duckType[type]}'`).join(', ');
  const list = typeof globs === 'string' ? [globs] : (globs ?? []);
  if (list.length > 0) {
    const paths = list.map((g) => `'${g.replace(/'/g, "''")}'`).join(', ');
    await db.run(
      `CREATE TABLE facts AS SELECT * FROM read_json([${paths}], format = 'newline_delimited', hive_partitioning = false, columns = {${columns}})`,
    );
  } else {
    await db.run(
      `CREATE TABLE facts (${FACT_COLUMNS.map(([name, type]) => `"${name}" ${duckType[type]}`).join(', ')})`,
    );
  }
  return {
    async query(sql) {
      const reader = await db.runAndReadAll(sql);
      return reader.getRowObjects() as Record<string, unknown>[];
    },
    close() {
      db.closeSync();
      instance.closeSync();
    },
  };
};
