/**
 * The invitation page's figures (issue 13): its cold init against its SDK floor, timing the module
 * import alone (not Node's own start, which would dilute the ratio); render latency p50/p99 under
 * load on the embedded stack (real emulators); bytes per page.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry, projectRoot, splitBuildOptions } from '../lib/bundling.ts';
import { countyById } from '../lib/counties.ts';
import { handlerEnvironment } from '../lib/topology.ts';
import type { Endpoints } from '../local/emulators.ts';
import { publishScenario, sesEmails } from '../local/inspect.ts';
import { sqsClient, startLocalStack } from '../local/runtime.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

const floorSource = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
  "import { SQSClient } from '@aws-sdk/client-sqs';",
  'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
  'const sqs = new SQSClient({});',
  'export const handler = async () => [db, sqs];',
].join('\n');

/** Milliseconds the `import()` of a bundle takes in a fresh process (Node's own start excluded). */
const importOnce = (file: string): number =>
  Number(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t0 = performance.now(); await import(${JSON.stringify(file)}); console.log((performance.now() - t0).toFixed(3));`,
      ],
      {
        env: {
          ...process.env,
          ...handlerEnvironment(countyById('halland')),
          AWS_REGION: 'eu-north-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          LINK_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:link',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim(),
  );

/**
 * The page and its floor, both built as the stack builds the page (lib/bundling.ts
 * `splitBuildOptions`: code splitting, so a view loads one file and an answer's pipeline and the
 * SDK's lazy parts stay in chunks).
 */
export const pageInit = async (outDir: string, runs: number) => {
  const fnDir = join(outDir, 'invitation-page');
  const floorDir = join(outDir, 'invitation-page.floor');
  mkdirSync(floorDir, { recursive: true });
  const floorEntry = join(floorDir, 'floor.ts');
  writeFileSync(floorEntry, floorSource);
  await build(splitBuildOptions(handlerEntry('invitation-page'), fnDir));
  await build(splitBuildOptions(floorEntry, floorDir));
  const fnFile = join(fnDir, 'index.mjs');
  const floorFile = join(floorDir, 'index.mjs');
  importOnce(fnFile);
  const fn: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    fn.push(importOnce(fnFile));
    floor.push(importOnce(floorFile));
  }
  return {
    function: 'invitation-page',
    importMs: +median(fn).toFixed(1),
    floorImportMs: +median(floor).toFixed(1),
    ratioToFloor: +(median(fn) / median(floor)).toFixed(2),
    pairedRatioToFloor: +median(fn.map((x, i) => x / (floor[i] ?? x))).toFixed(2),
    runs,
  };
};

/** GETs of one invitation page on the embedded stack, `concurrency` at a time. */
export const pageLoad = async (endpoints: Endpoints, requests = 2000, concurrency = 8) => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'sip-bench-page-')), 'runtime.log');
  const stack = await startLocalStack({
    endpoints,
    county: 'halland',
    logFile,
    resourcePrefix: `bench-page-${Date.now()}-`,
  });
  const sqs = sqsClient(endpoints.sqs);
  try {
    const caseId = `case-bench-${Date.now()}`;
    const dir = mkdtempSync(join(tmpdir(), 'sip-bench-events-'));
    const day = new Date(Date.now() + 14 * 86_400_000);
    while ([0, 6].includes(day.getUTCDay())) day.setUTCDate(day.getUTCDate() + 1);
    for (const file of [
      '01-case-created.json',
      '02-consent-guardian-a.json',
      '03-consent-guardian-b.json',
      '04-summons-sent.json',
    ])
      writeFileSync(
        join(dir, file),
        readFileSync(join(projectRoot, 'events', 'examples', 'normal', file), 'utf8')
          .replaceAll('case-hl-1001', caseId)
          .replace(/"evt-normal-(\d+)"/, `"evt-${caseId}-$1"`)
          .replace(/"startsAt": "[^"]+"/, `"startsAt": "${day.toISOString().slice(0, 10)}T09:00"`),
      );
    await publishScenario(sqs, stack, dir);
    let link: string | undefined;
    for (let i = 0; i < 200 && !link; i++) {
      const email = (await sesEmails(endpoints.ses)).find(
        (e) =>
          e.subject.includes(`${caseId})`) && e.destination.to.includes('socialtjanst@kommun.example.se'),
      );
      link = /href="(http:\/\/127\.0\.0\.1:\d+\/i\/[^"]+)"/.exec(email?.body.html ?? '')?.[1];
      if (!link) await new Promise((r) => setTimeout(r, 100));
    }
    if (!link) throw new Error('no invitation email with a page link arrived');
    const latencies: number[] = [];
    let bytes = 0;
    let next = 0;
    const worker = async () => {
      while (next < requests) {
        next++;
        const t0 = performance.now();
        const res = await fetch(link as string);
        const body = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`the page answered ${res.status}`);
        bytes = Buffer.byteLength(body);
      }
    };
    for (let i = 0; i < 50; i++) await (await fetch(link)).text(); // warm-up, not counted
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    return {
      requests,
      concurrency,
      p50Ms: +quantile(latencies, 0.5).toFixed(1),
      p99Ms: +quantile(latencies, 0.99).toFixed(1),
      perSecond: Math.round(requests / seconds),
      pageBytes: bytes,
      note: 'each GET reads the case partition and writes an access entry (DynamoDB Local)',
    };
  } finally {
    sqs.destroy();
    await stack.stop();
  }
};
