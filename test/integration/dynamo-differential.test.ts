/**
 * The simulation's DynamoDB (test/simulation/dynamo.ts) against the real one: schedules of the
 * simulation are run with every DynamoDB operation recorded — the commands the real code sent,
 * in the order the simulated table applied them — and each is replayed on DynamoDB Local. Every
 * outcome must agree: the items a read returns (order and pages included), the error a write
 * fails with and a transaction's cancellation reasons; at the end, the whole table.
 */
import '../simulation/env.ts';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb.ts';
import { optionsOf, type Schedule, scheduleArb } from '../simulation/property.ts';
import type { OpRecord } from '../simulation/dynamo.ts';
import { type RunResult, runScenario } from '../simulation/run.ts';
import { buildScenario, type ScenarioParams, scenarioArb } from '../simulation/scenario.ts';
import { freshTable } from '../support/dynamo.ts';

const commands = {
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
} as const;

/** The same input, on another table. */
const onTable = (input: Record<string, unknown>, table: string): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...input };
  if ('TableName' in out) out.TableName = table;
  if (Array.isArray(out.TransactItems))
    out.TransactItems = (out.TransactItems as Record<string, Record<string, unknown>>[]).map((t) =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, TableName: table }])),
    );
  return out;
};

/** What a command's answer says, in the form the simulation records. */
const answerOf = (command: string, out: Record<string, unknown>): unknown => {
  switch (command) {
    case 'GetCommand':
      return { Item: out.Item };
    case 'QueryCommand':
      return { Items: out.Items, Count: out.Count, LastEvaluatedKey: out.LastEvaluatedKey };
    case 'UpdateCommand':
    case 'PutCommand':
    case 'DeleteCommand':
      return { Attributes: out.Attributes };
    default:
      return {};
  }
};
/** A canonical form: attribute order is not part of what DynamoDB promises. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
const clean = (v: unknown) => canonical(JSON.parse(JSON.stringify(v ?? {})));

const replay = async (doc: DynamoDBDocumentClient, table: string, log: OpRecord[]) => {
  const disagreements: string[] = [];
  for (const [n, op] of log.entries()) {
    const Command = commands[op.command as keyof typeof commands];
    if (!Command) throw new Error(`the differential test cannot replay ${op.command}`);
    let real: OpRecord['outcome'];
    try {
      // One of six command classes, each with its own input type: the recorded input is its own.
      const command = new Command(onTable(op.input, table) as never) as GetCommand;
      const out = (await doc.send(command)) as Record<string, unknown>;
      real = { ok: clean(answerOf(op.command, out)) };
    } catch (error) {
      const e = error as TransactionCanceledException;
      real = {
        error: e.name,
        ...(e.CancellationReasons ? { reasons: e.CancellationReasons.map((r) => r.Code ?? 'None') } : {}),
      };
    }
    const simulated =
      'ok' in op.outcome
        ? { ok: clean(answerOf(op.command, op.outcome.ok as Record<string, unknown>)) }
        : op.outcome;
    if (JSON.stringify(real) !== JSON.stringify(simulated))
      disagreements.push(
        `#${n} ${op.command}: DynamoDB Local ${JSON.stringify(real).slice(0, 300)} — simulation ${JSON.stringify(simulated).slice(0, 300)}`,
      );
  }
  return disagreements;
};

const scanAll = async (doc: DynamoDBDocumentClient, table: string) => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
const byKey = (items: Record<string, unknown>[]) => items.map((i) => JSON.stringify(canonical(i))).sort();

/** A run of a sampled schedule with every DynamoDB operation recorded. */
const recorded = async ([params, schedule]: [ScenarioParams, Schedule]) =>
  runScenario(buildScenario(params), schedule.tape, { ...optionsOf(schedule), recordDynamo: true });
const cancels = (log: OpRecord[]) => log.some((op) => 'error' in op.outcome && op.outcome.reasons);

describe('the simulated DynamoDB agrees with DynamoDB Local', async () => {
  // Schedules with faults (lost answers, retries, concurrent commits) exercise the conditions;
  // the sample (a fixed seed) takes the first two whose runs cancelled a transaction on a
  // condition and the first two others, of those with more than 50 operations (a short run,
  // such as a case nobody consented to, proves little).
  const candidates = fc
    .sample(fc.tuple(scenarioArb, scheduleArb), { seed: 20261201, numRuns: 60 })
    .filter(([, s]) => s.profile !== 'calm');
  const runs: RunResult[] = [];
  let withCancel = 0;
  for (const c of candidates) {
    if (runs.length === 4) break;
    const run = await recorded(c);
    if (run.dynamo.log.length <= 50) continue;
    const cancelled = cancels(run.dynamo.log);
    if (cancelled && withCancel < 2) {
      withCancel++;
      runs.push(run);
    } else if (!cancelled && runs.length - withCancel < 2) runs.push(run);
  }

  it.each(runs.map((r, i) => [i, r] as const))(
    'schedule %i: every operation has the same outcome, and the table ends the same',
    async (_i, run) => {
      const log = run.dynamo.log;
      expect(log.length).toBeGreaterThan(50);
      // A fresh table per schedule: the items of one run must not meet another's.
      const t = await freshTable();
      try {
        const doc = createDocumentClient(t.client);
        expect(await replay(doc, t.tableName, log)).toEqual([]);
        expect(byKey(await scanAll(doc, t.tableName))).toEqual(
          byKey(run.dynamo.all() as Record<string, unknown>[]),
        );
      } finally {
        await t.drop();
      }
    },
    120_000,
  );

  it('the sample includes failed conditions and cancelled transactions (a sample without them proves less)', () => {
    const logs = runs.map((r) => r.dynamo.log);
    expect(logs.flat().length).toBeGreaterThan(500);
    expect(logs.flat().some((op) => 'error' in op.outcome)).toBe(true);
    expect(logs.filter(cancels)).toHaveLength(2);
  });
});
