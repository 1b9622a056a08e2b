/**
 * npm run bench — figures, not claims. Prints a table and writes bench/results.json.
 *  1. bundle size of every function, built with the stack's own esbuild options (lib/bundling.ts),
 *     split into AWS SDK and everything else (esbuild metafile);
 *  2. cold init: a fresh Node process importing each bundle, against the function's floor (a bundle
 *     built the same way that only imports and constructs the SDK clients it uses) and a
 *     hello-world handler; medians of alternating runs.
 *     Besides the ratio of the medians, the median of the per-run ratios (each run's function
 *     and floor are measured back to back), which slow drifts of a shared machine do not move.
 *  3–5. round trips per event, throughput and a burst through the local runtime (bench/load.ts);
 *  6. the simulation: schedules per minute in one and two processes, and the simulation part of
 *     npm test (bench/simulation.ts).
 * Options: --runs N (default 30), --only size,init,page,roundtrips,outbound,throughput,burst,report,sim.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { bundling, handlerEntry, projectRoot } from '../lib/bundling.ts';
import { countyById } from '../lib/counties.ts';
import { consumers, handlerEnvironment } from '../lib/topology.ts';
import { startEmulators } from '../local/emulators.ts';
import { burst, outboundLatency, roundTrips, throughput } from './load.ts';
import { pageInit, pageLoad } from './page.ts';
import { simulationFigures } from './simulation.ts';
import { reportTimes } from './report.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    cases: { type: 'string', default: '2000' },
    burst: { type: 'string', default: '10000' },
    only: { type: 'string' },
  },
});
const sections = new Set(
  (values.only ?? 'size,init,page,roundtrips,outbound,throughput,burst,report,sim').split(','),
);
const runs = Math.max(3, Number(values.runs));
const outDir = join(projectRoot, 'bench', 'out');
mkdirSync(outDir, { recursive: true });

// The SDK and what it brings: mnemonist and obliterator come with @aws-sdk/endpoint-cache (the
// DynamoDB client's endpoint discovery), and are in the floor bundle too.
const SDK =
  /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/lambda-invoke-store|fast-xml-parser|strnum|tslib|uuid|bowser|mnemonist|obliterator)\//;

const esbuildOptions = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: bundling.target,
  minify: bundling.minify,
  mainFields: [...bundling.mainFields],
  banner: { js: bundling.banner },
  metafile: true,
  logLevel: 'silent' as const,
};

const clientsOf = (handler: string): string[] => {
  const c = consumers.find((x) => x.handler === handler);
  const clients = ['dynamodb'];
  if (c?.waitsForPrerequisites || c?.sendsMail) clients.push('sqs');
  if (c?.mailer) clients.push('sesv2');
  if (c?.inboundMail) clients.push('s3');
  return clients;
};

const floorSource = (clients: string[]) =>
  [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    clients.includes('sqs') ? "import { SQSClient } from '@aws-sdk/client-sqs';" : '',
    clients.includes('sesv2') ? "import { SESv2Client } from '@aws-sdk/client-sesv2';" : '',
    clients.includes('s3') ? "import { S3Client } from '@aws-sdk/client-s3';" : '',
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    clients.includes('sqs') ? 'const sqs = new SQSClient({});' : '',
    clients.includes('sesv2') ? 'const ses = new SESv2Client({});' : '',
    clients.includes('s3') ? 'const s3 = new S3Client({});' : '',
    'export const handler = async () => [db, typeof sqs, typeof ses, typeof s3];',
  ].join('\n');

const sizes = (meta: Metafile) => {
  const out = Object.values(meta.outputs).find((o) => o.entryPoint);
  let sdk = 0;
  let ours = 0;
  for (const [path, input] of Object.entries(out?.inputs ?? {})) {
    if (SDK.test(path)) sdk += input.bytesInOutput;
    else ours += input.bytesInOutput;
  }
  return { total: out?.bytes ?? 0, sdk, nonSdk: ours };
};

const env = {
  ...process.env,
  ...handlerEnvironment(countyById('halland')),
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  SENDER_ADDRESS: 'sip@halland.example.se',
  REPLY_TO_ADDRESS: 'sip-svar@halland.example.se',
  CALENDAR_REPLY_ADDRESS: 'sip-kalender@halland.example.se',
  INBOUND_BUCKET: 'sip-halland-inbound',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Milliseconds from process start to the handler module being ready, measured inside the process. */
const initOnce = (file: string): number => {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t0 = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.timeOrigin + t0 > 0 ? (performance.now()).toFixed(3) : '0');`,
    ],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return Number(out.trim());
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

const main = async () => {
  const hello = join(outDir, 'hello.mjs');
  writeFileSync(hello, 'export const handler = async () => "hello";\n');
  const rows = [];
  for (const c of sections.has('size') || sections.has('init') ? consumers.filter((x) => x.handler) : []) {
    const handler = c.handler ?? '';
    const fnFile = join(outDir, `${handler}.mjs`);
    const floorFile = join(outDir, `${handler}.floor.mjs`);
    const fn = await build({ ...esbuildOptions, entryPoints: [handlerEntry(handler)], outfile: fnFile });
    const floor = await build({
      ...esbuildOptions,
      stdin: { contents: floorSource(clientsOf(handler)), resolveDir: projectRoot, loader: 'ts' },
      outfile: floorFile,
    });
    const t = { fn: [] as number[], floor: [] as number[], hello: [] as number[] };
    initOnce(fnFile); // warm the file cache
    for (let i = 0; i < runs; i++) {
      t.fn.push(initOnce(fnFile));
      t.floor.push(initOnce(floorFile));
      t.hello.push(initOnce(hello));
    }
    const fnSize = sizes(fn.metafile as Metafile);
    const floorSize = sizes(floor.metafile as Metafile);
    rows.push({
      function: handler,
      bundleKB: +(fnSize.total / 1024).toFixed(1),
      sdkKB: +(fnSize.sdk / 1024).toFixed(1),
      nonSdkKB: +(fnSize.nonSdk / 1024).toFixed(1),
      floorKB: +(floorSize.total / 1024).toFixed(1),
      initMs: +median(t.fn).toFixed(1),
      floorInitMs: +median(t.floor).toFixed(1),
      helloInitMs: +median(t.hello).toFixed(1),
      ratioToFloor: +(median(t.fn) / median(t.floor)).toFixed(2),
      pairedRatioToFloor: +median(t.fn.map((x, i) => x / (t.floor[i] ?? x))).toFixed(2),
      ratioToHello: +(median(t.fn) / median(t.hello)).toFixed(2),
      runs,
    });
  }
  console.table(rows);

  const load: Record<string, unknown> = {};
  if (sections.has('page')) {
    load.pageInit = await pageInit(outDir, runs);
    console.log('\nThe invitation page: module import alone, against its SDK floor (issue 13: ≤ 1.25):');
    console.table([load.pageInit]);
  }
  if (
    sections.has('roundtrips') ||
    sections.has('throughput') ||
    sections.has('burst') ||
    sections.has('outbound') ||
    sections.has('page')
  ) {
    const emulators = await startEmulators();
    try {
      if (sections.has('page')) {
        load.pageLoad = await pageLoad(emulators.endpoints);
        console.log('\nThe invitation page under load on the embedded stack:');
        console.table([load.pageLoad]);
      }
      if (sections.has('roundtrips')) {
        load.roundTrips = await roundTrips(emulators.endpoints);
        console.log(
          '\nRound trips per event (normal scenario, handlers in-process, counted with SDK middleware):',
        );
        console.table(load.roundTrips);
      }
      if (sections.has('outbound')) {
        load.outbound = await outboundLatency(emulators.endpoints, 200);
        console.log(
          '\nThe outbound path (issue 14): commit → stream → publisher → SNS FIFO → subscribed queue:',
        );
        console.table([load.outbound]);
      }
      if (sections.has('throughput')) {
        // Warm-up, not reported: DynamoDB Local's JVM compiles its hot paths during the first
        // thousands of requests, and whichever of runtime and floor ran first would pay for it.
        await throughput(emulators.endpoints, Math.min(500, Number(values.cases)));
        load.throughput = [
          await throughput(emulators.endpoints, Number(values.cases)),
          await throughput(emulators.endpoints, Number(values.cases), true),
        ];
        console.log('\nThroughput through the local runtime vs the direct-write floor:');
        console.table(load.throughput);
      }
      if (sections.has('burst')) {
        load.burst = await burst(emulators.endpoints, Number(values.burst));
        console.log('\nBurst of follow-ups:');
        console.table([load.burst]);
      }
    } finally {
      await emulators.stop();
    }
  }
  if (sections.has('report')) {
    load.report = await reportTimes([10_000, 100_000]);
    console.log(
      '\nThe county report on DuckDB (issue 15): the whole KPI SQL set over a year of generated cases:',
    );
    console.table(load.report);
  }
  if (sections.has('sim')) {
    load.simulation = await simulationFigures();
    console.log('\nThe deterministic simulation (schedules per minute; the simulation part of npm test):');
    console.table(load.simulation);
  }
  // A run of some sections keeps the figures of the others from the last full run.
  const resultsFile = join(projectRoot, 'bench', 'results.json');
  const previous = existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>)
    : {};
  const results = {
    ...previous,
    measuredAt: new Date().toISOString(),
    node: process.version,
    machine: `${process.platform}/${process.arch}`,
    note: 'Init = time from Node process start to the handler module being imported, in that process; medians of alternating runs.',
    ...(rows.length > 0 ? { functions: rows } : {}),
    ...load,
  };
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results.json');
};

await main();
