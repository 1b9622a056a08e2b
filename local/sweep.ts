/**
 * npm run sweep [-- --now 2027-03-03T06:00:00+01:00] — runs the daily sweep against the running
 * local stack: it asks for a visit of each case with something due; the sweep-visit worker does them.
 */
import { parseArgs } from 'node:util';
import { sqsVisitQueue } from '../functions/adapters/outbox.ts';
import { runSweep } from '../functions/sweep/apply.ts';
import { eventTypes } from '../events/contracts/common.ts';
import { caseStore, sweepOutcomes, waitUntilDrained } from './inspect.ts';
import { sqsClient } from './runtime.ts';
import { readStackFile } from './stack-file.ts';

const { values } = parseArgs({ options: { now: { type: 'string' } } });
try {
  const stack = readStackFile();
  const sqs = sqsClient(stack.endpoints.sqs);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not a date-time`);
  const store = caseStore(stack.endpoints.dynamodb, stack.tables[0] ?? '');
  const result = await runSweep({
    store,
    visits: sqsVisitQueue(
      stack.queues[eventTypes.sweepVisit as keyof typeof stack.queues].url,
      stack.county,
      sqs,
    ),
    now: () => now,
  });
  console.log(
    `sweep for ${result.days[0]} … ${result.days.at(-1)}: ${result.cases} case(s) with something due; a visit of each is queued`,
  );
  if (result.cases > 0) {
    await waitUntilDrained(sqs, stack.queues, stack.waitingTypes, 300_000);
    const o = await sweepOutcomes(store, result);
    console.log(
      `visits done: ${o.changed} changed (reminders, expiry), ${o.unchanged} with nothing new${o.pending ? `, ${o.pending} not done (see the sweep-visit queue and its DLQ)` : ''}`,
    );
  }
  sqs.destroy();
} catch (error) {
  console.error(`sweep failed: ${(error as Error).message}`);
  process.exit(1);
}
