/** npm run sweep [-- --now 2027-03-03T06:00:00+01:00] — runs the daily sweep against the running local stack. */
import { parseArgs } from 'node:util';
import { sqsOutbox } from '../functions/adapters/outbox.ts';
import { runSweep } from '../functions/sweep/apply.ts';
import { countyById } from '../lib/counties.ts';
import { mailQueue } from '../lib/topology.ts';
import { caseStore } from './inspect.ts';
import { sqsClient } from './runtime.ts';
import { readStackFile } from './stack-file.ts';

const { values } = parseArgs({ options: { now: { type: 'string' } } });
try {
  const stack = readStackFile();
  const county = countyById(stack.county);
  const sqs = sqsClient(stack.endpoints.sqs);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not a date-time`);
  const result = await runSweep({
    county: { id: county.id, displayName: county.displayName, rules: county.rules },
    store: caseStore(stack.endpoints.dynamodb, stack.tables[0] ?? ''),
    outbox: sqsOutbox(stack.queues[mailQueue().eventType as keyof typeof stack.queues].url, county.id, sqs),
    now: () => now,
  });
  console.log(
    `sweep for ${result.days[0]} … ${result.days.at(-1)}: ${result.cases} case(s) with something due, ${result.changed} changed (reminders, expiry)`,
  );
  sqs.destroy();
} catch (error) {
  console.error(`sweep failed: ${(error as Error).message}`);
  process.exit(1);
}
