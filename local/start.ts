/**
 * npm start [-- --no-demo] [--county <id>]
 * Starts the emulators and the embedded stack, publishes the example scenarios and prints what
 * happened; stays up until Ctrl-C or SIGTERM, then stops everything it started.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLocalCounty } from '../lib/counties.ts';
import { JavaMissingError, startEmulators } from './emulators.ts';
import { caseStore, publishScenario, waitUntilDrained } from './inspect.ts';
import { sqsClient, startLocalStack } from './runtime.ts';
import { localDir, logFileRelative, projectRoot, stackFile, writeStackFile } from './stack-file.ts';
import { renderSummary } from './summary.ts';
import { parkedNow, waitForExport, writeReport } from './report.ts';

/** The demo report's months (the example cases') and how many generated cases join them. */
const DEMO_REPORT = { from: '2026-11-01', to: '2027-03-31', generated: 300 } as const;

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
    // The county report (issue 15): the two cases as the export has them, and a generated set
    // of cases over the same months so the charts have something to show.
    await waitForExport(stack, cases.length);
    const report = await writeReport({
      county,
      from: DEMO_REPORT.from,
      to: DEMO_REPORT.to,
      stack,
      parked: await parkedNow(stack),
      generate: DEMO_REPORT.generated,
    });
    console.log(
      `County report, ${DEMO_REPORT.from} – ${DEMO_REPORT.to} (the two example cases and ${DEMO_REPORT.generated} generated ones; ${Math.round(report.ms)} ms in DuckDB): ${relative(projectRoot, report.html)} (and .json, .csv)\n`,
    );
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
