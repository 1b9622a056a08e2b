/**
 * npm start [-- --no-demo] [--county <id>]
 * Starts the emulators and the embedded stack, publishes the example scenarios and prints what
 * happened; stays up until Ctrl-C or SIGTERM, then stops everything it started.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLocalCounty } from '../lib/counties.ts';
import { JavaMissingError, startEmulators } from './emulators.ts';
import { caseStore, publishScenario, waitUntilDrained } from './inspect.ts';
import { sqsClient, startLocalStack } from './runtime.ts';
import { localDir, logFileRelative, projectRoot, stackFile, writeStackFile } from './stack-file.ts';
import { renderSummary } from './summary.ts';

const { values } = parseArgs({
  options: {
    'no-demo': { type: 'boolean', default: false },
    county: { type: 'string', default: defaultLocalCounty },
    // Sign-in before purpose, goal and questions, with a local OpenID provider (issue 13).
    'sign-in': { type: 'boolean' },
  },
});
const county = values.county ?? defaultLocalCounty;
const logFile = join(projectRoot, logFileRelative);

const main = async () => {
  writeStackFile({
    county,
    endpoints: { dynamodb: '', sqs: '', ses: '', s3: '', sns: '' },
    tables: [],
    queues: {} as never,
    log: logFileRelative,
    ready: false,
    pid: process.pid,
    waitingTypes: [],
    sesInbox: '',
  });
  writeFileSync(logFile, '');
  console.log('Starting DynamoDB Local, the SQS emulator (fauxqs) and the SES emulator (aws-ses-v2-local)…');
  const emulators = await startEmulators();
  const running: { stack?: Awaited<ReturnType<typeof startLocalStack>> } = {};
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the consumers and emulators…`);
    try {
      const current = JSON.parse(readFileSync(stackFile, 'utf8'));
      writeStackFile({ ...current, ready: false });
    } catch {}
    await running.stack?.stop();
    await emulators.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const stack = await startLocalStack({
    endpoints: emulators.endpoints,
    county,
    logFile,
    ...(values['sign-in'] !== undefined ? { signIn: values['sign-in'] } : {}),
  });
  running.stack = stack;
  writeStackFile({
    county,
    endpoints: stack.endpoints,
    tables: stack.tables,
    queues: Object.fromEntries(
      Object.entries(stack.queues).map(([t, q]) => [t, { url: q.url, dlqUrl: q.dlqUrl }]),
    ) as never,
    log: logFileRelative,
    ready: true,
    pid: process.pid,
    waitingTypes: stack.waitingTypes,
    inbound: stack.inbound,
    outbound: stack.outbound,
    export: stack.export,
    sesInbox: `${stack.endpoints.ses}/`,
  });
  console.log(
    `Local stack for county "${county}" is up; ${stackFile.replace(`${projectRoot}/`, '')} written, handler logs in ${logFileRelative}.`,
  );

  if (!values['no-demo']) {
    const sqs = sqsClient(stack.endpoints.sqs);
    const cases = [];
    for (const scenario of ['normal', 'protected']) {
      const dir = join(projectRoot, 'events', 'examples', scenario);
      // One event at a time, each settled before the next, so the summary tells the case's life in order.
      const sent = await publishScenario(sqs, stack, dir);
      console.log(`Published the ${scenario} scenario: ${sent.length} events, one after the other.`);
      const first = JSON.parse(readFileSync(sent[0]?.file ?? '', 'utf8')) as { subject: string };
      cases.push({ scenario, caseId: first.subject });
    }
    await waitUntilDrained(sqs, stack.queues, stack.waitingTypes);
    const store = caseStore(stack.endpoints.dynamodb, stack.tables[0] ?? '');
    console.log(`\n${await renderSummary(stack, sqs, store, cases)}\n`);
  }
  console.log(
    `Ready. Publish your own events with: npm run publish -- <file|dir>. Ctrl-C stops. (${localDir.replace(`${projectRoot}/`, '')})`,
  );
};

main().catch((error: Error) => {
  console.error(
    error instanceof JavaMissingError ? error.message : `npm start failed: ${error.stack ?? error.message}`,
  );
  process.exit(1);
});
