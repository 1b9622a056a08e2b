/**
 * The simulation in `npm test`, second half (another seed), and determinism: the same scenario
 * and tape give the same run, operation for operation.
 */
import * as fc from 'fast-check';
import { expect, test } from 'vitest';
import { optionsOf, scheduleArb } from './property.ts';
import { runScenario } from './run.ts';
import { buildScenario, scenarioArb } from './scenario.ts';
import { runSchedules } from './suite.ts';
import { World } from './world.ts';

test('1,200 schedules (seed 1963577928): every promise of docs/semantics.md holds', async () => {
  const totals = await runSchedules(1963577928, 150, 8);
  expect(totals.schedules).toBe(1200);
  expect(totals.emails).toBeGreaterThan(1000);
});

test(`the handlers reach their next call within World.HOPS (${World.HOPS}) promise hops of a step`, async () => {
  const samples = fc.sample(fc.tuple(scenarioArb, scheduleArb), { seed: 8, numRuns: 24 });
  let steps = 0;
  for (const [params, schedule] of samples) {
    const run = await runScenario(buildScenario(params), schedule.tape, {
      ...optionsOf(schedule),
      verifyDrain: true,
    });
    steps += run.world.steps;
  }
  expect(steps).toBeGreaterThan(2_000);
});

test('a schedule replays exactly: same scenario and tape, same table, mailbox and steps', async () => {
  const [[params, schedule]] = fc.sample(fc.tuple(scenarioArb, scheduleArb), { seed: 7, numRuns: 1 }) as [
    [Parameters<typeof buildScenario>[0], { profile: string; tape: number[] }],
  ];
  const scenario = buildScenario(params);
  const fingerprint = async () => {
    const run = await runScenario(scenario, schedule.tape, optionsOf({ ...schedule, profile: 'heavy' }));
    return {
      steps: run.world.steps,
      tapeUsed: run.tapeUsed,
      items: JSON.stringify(run.dynamo.all()),
      // Message-IDs and MIME boundaries are random by design (RFC 5322 uniqueness): masked.
      mailbox: run.cloud.ses.mailbox.map((m) =>
        `${m.acceptedAt} ${m.raw}`.replace(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
          'uuid',
        ),
      ),
    };
  };
  const [a, b] = [await fingerprint(), await fingerprint()];
  expect(a.steps).toBeGreaterThan(100);
  expect(b).toEqual(a);
});
