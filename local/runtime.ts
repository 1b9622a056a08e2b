/**
 * The embedded stack: the table and queues from lib/topology.ts, and one worker process per
 * consumer that gives its handler Lambda + SQS semantics (local/worker.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ConsumedType as EventType } from '../lib/topology.ts';
import { countyById } from '../lib/counties.ts';
import {
  type ConsumerSpec,
  consumers,
  dlqName,
  dlqRetentionDays,
  handlerEnvironment,
  inboundMail,
  inboundMailType,
  mailQueue,
  outbound as outboundSpec,
  historyExport,
  queueName,
  registeredSources,
  table,
  visibilityTimeoutSeconds,
} from '../lib/topology.ts';
import { CALLBACK_PATH } from '../functions/invitation-page/apply.ts';
import { type Endpoints, freePort, localAwsEnv, waitFor } from './emulators.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface QueuePair {
  url: string;
  dlqUrl: string;
  arn: string;
}

export interface LocalStack {
  county: string;
  endpoints: Endpoints & { invitations: string; oidc?: string };
  /** Where `npm run inbound` puts an email and whom it notifies, as SES receiving does (issue 13). */
  inbound: { bucket: string; prefix: string; topicArn: string };
  /** The outbound topic (SNS FIFO) and a FIFO queue subscribed to all of it (issue 14). */
  outbound: { topicArn: string; queueUrl: string };
  /** Where the KPI facts are exported (issue 15): `npm run report` reads them. */
  export: { bucket: string; prefix: string };
  /** The invitation links' key (tests build links with it). */
  linkKey: string;
  tables: string[];
  queues: Record<EventType, QueuePair>;
  /** Event types whose events wait in their queue because no consumer exists yet. */
  waitingTypes: EventType[];
  stop(): Promise<void>;
}

export interface WorkerSpec {
  eventType: string;
  handler: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  timeoutSeconds: number;
  visibilityTimeoutSeconds: number;
  pollers: number;
  sqsEndpoint: string;
  region: string;
}

const credentials = {
  accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID,
  secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY,
};
export const sqsClient = (endpoint: string) =>
  new SQSClient({ endpoint, region: localAwsEnv.AWS_REGION, credentials });
export const dynamoClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: localAwsEnv.AWS_REGION, credentials });
export const s3Client = (endpoint: string) =>
  new S3Client({ endpoint, region: localAwsEnv.AWS_REGION, credentials, forcePathStyle: true });
export const snsClient = (endpoint: string) =>
  new SNSClient({ endpoint, region: localAwsEnv.AWS_REGION, credentials });

/** A queue subscribed to a topic with raw delivery: the message arrives as published. */
const subscribeRaw = (sns: SNSClient, topicArn: string, queueArn: string) =>
  sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );

/**
 * The outbound topic on the emulator (SNS FIFO, as in AWS) and the local tap: a FIFO queue
 * subscribed to every outbound event, raw, so tools and tests read the stream upstream would see.
 */
const createOutbound = async (
  endpoints: Endpoints,
  county: string,
  prefix: string,
): Promise<LocalStack['outbound']> => {
  const sns = snsClient(endpoints.sns);
  const sqs = sqsClient(endpoints.sqs);
  try {
    const topic = await sns.send(
      new CreateTopicCommand({
        Name: `${prefix}${outboundSpec.topicName(county)}`,
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    const tap = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}${outboundSpec.localTapName(county)}`,
        Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(dlqRetentionDays * 86_400) },
      }),
    );
    const tapArn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: tap.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    if (!topic.TopicArn || !tap.QueueUrl || !tapArn.Attributes?.QueueArn)
      throw new Error('the emulator created no outbound topic or tap queue');
    await subscribeRaw(sns, topic.TopicArn, tapArn.Attributes.QueueArn);
    return { topicArn: topic.TopicArn, queueUrl: tap.QueueUrl };
  } finally {
    sns.destroy();
    sqs.destroy();
  }
};

/** SES receiving's bucket and topic on the emulator, the topic delivering raw to the inbound queue. */
const createInbound = async (
  endpoints: Endpoints,
  county: string,
  prefix: string,
  queueArn: string,
): Promise<LocalStack['inbound']> => {
  const s3 = s3Client(endpoints.s3);
  const sns = snsClient(endpoints.sns);
  try {
    const bucket = `${prefix}${inboundMail.localBucketName(county)}`.toLowerCase();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
    const topic = await sns.send(
      new CreateTopicCommand({ Name: `${prefix}${inboundMail.topicName(county)}` }),
    );
    if (!topic.TopicArn) throw new Error('the emulator created no inbound topic');
    await subscribeRaw(sns, topic.TopicArn, queueArn);
    return { bucket, prefix: inboundMail.prefix, topicArn: topic.TopicArn };
  } finally {
    s3.destroy();
    sns.destroy();
  }
};

export const createTable = async (db: DynamoDBClient, name: string): Promise<void> => {
  try {
    await db.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: table.partitionKey, AttributeType: 'S' },
          { AttributeName: table.sortKey, AttributeType: 'S' },
          { AttributeName: table.dueIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: table.dueIndex.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        // Outbound events are published from the table's stream, as in AWS (issue 14).
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        GlobalSecondaryIndexes: [
          {
            IndexName: table.dueIndex.name,
            KeySchema: [
              { AttributeName: table.dueIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: table.dueIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await db.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
};

export const createQueues = async (
  sqs: SQSClient,
  county: string,
  c: ConsumerSpec & { visibilityTimeoutSeconds: number },
  prefix = '',
): Promise<QueuePair> => {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${dlqName(county, c)}`,
      Attributes: { MessageRetentionPeriod: String(dlqRetentionDays * 86_400) },
    }),
  );
  const dlqArn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${queueName(county, c)}`,
      Attributes: {
        VisibilityTimeout: String(c.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: c.maxReceiveCount,
        }),
      },
    }),
  );
  const mainArn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: main.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!main.QueueUrl || !dlq.QueueUrl || !mainArn.Attributes?.QueueArn)
    throw new Error(`could not create queues for ${c.name}`);
  return { url: main.QueueUrl, dlqUrl: dlq.QueueUrl, arn: mainArn.Attributes.QueueArn };
};

/** A child process is ready when it says `polling`; anything else, or its exit, is a failure. */
const readyWhenPolling = (child: ChildProcess, name: string, logFile: string) =>
  new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'polling' ? resolve() : reject(new Error(`${name}: ${String(m)}`))));
    child.once('exit', (code) =>
      reject(new Error(`${name} exited (${code}) before polling; see ${logFile}`)),
    );
  });

export interface StartOptions {
  endpoints: Endpoints;
  county: string;
  /** Every handler log line (JSON) is appended here. */
  logFile: string;
  /** Overrides per consumer (tests use small timeouts and receive counts to exercise redrive quickly). */
  overrides?: Partial<Record<EventType, Partial<ConsumerSpec> & { visibilityTimeoutSeconds?: number }>>;
  /** Prepended to every table and queue name, so test files can share one set of emulators. */
  resourcePrefix?: string;
  /** Concurrent pollers per consumer, at most its maxConcurrency (default 2 on this small machine). */
  maxPollers?: number;
  /** How long an event waits for its prerequisite (default: the handlers' 15 minutes). */
  orderingWaitSeconds?: number;
  /** Start workers only for these event types (every queue is still created). Default: all. */
  only?: readonly EventType[];
  /** The invitation pages' port (default: any free one) and link key (default: a random one). */
  pagesPort?: number;
  linkKey?: string;
  /**
   * Sign-in before purpose, goal and questions (issue 13), with a local OpenID provider standing
   * in for the county's. Default: what the county's config says (`invitationPage.signIn`).
   */
  signIn?: boolean;
}

export const startLocalStack = async (opts: StartOptions): Promise<LocalStack> => {
  const county = countyById(opts.county);
  const db = dynamoClient(opts.endpoints.dynamodb);
  const sqs = sqsClient(opts.endpoints.sqs);
  const prefix = opts.resourcePrefix ?? '';
  const tableName = `${prefix}${table.name(county.id)}`;
  await createTable(db, tableName);

  const specs = consumers.map((c) => {
    const merged = { ...c, ...opts.overrides?.[c.eventType] };
    return {
      ...merged,
      visibilityTimeoutSeconds: merged.visibilityTimeoutSeconds ?? visibilityTimeoutSeconds(merged),
    };
  });
  const queues = {} as Record<EventType, QueuePair>;
  for (const c of specs) queues[c.eventType] = await createQueues(sqs, county.id, c, prefix);

  const mailQueueUrl = queues[mailQueue().eventType].url;
  const inbound = await createInbound(opts.endpoints, county.id, prefix, queues[inboundMailType].arn);
  const outbound = await createOutbound(opts.endpoints, county.id, prefix);
  const exportBucket = `${prefix}${historyExport.localBucketName(county.id)}`.toLowerCase();
  try {
    await s3Client(opts.endpoints.s3).send(new CreateBucketCommand({ Bucket: exportBucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  const streamArn = (await db.send(new DescribeTableCommand({ TableName: tableName }))).Table
    ?.LatestStreamArn;
  if (!streamArn)
    throw new Error(`table ${tableName} has no stream (was it created before streams were on?)`);
  const logFd = openSync(opts.logFile, 'a');
  const workers: ChildProcess[] = [];
  const env = {
    ...process.env,
    ...localAwsEnv,
    ...handlerEnvironment(county),
    TABLE_NAME: tableName,
    COUNTY_NAME: county.displayName,
    AWS_ENDPOINT_URL_DYNAMODB: opts.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: opts.endpoints.ses,
    AWS_ENDPOINT_URL_SQS: opts.endpoints.sqs,
    AWS_ENDPOINT_URL_S3: opts.endpoints.s3,
    AWS_ENDPOINT_URL_SNS: opts.endpoints.sns,
  };
  // The invitation pages (issue 13), and the key their links are signed with, shared with the mailer.
  const linkKey = opts.linkKey ?? randomBytes(32).toString('base64url');
  // Sign-in: the provider needs the pages' callback before the pages start, so both ports are picked first.
  const signIn = opts.signIn ?? county.invitationPage?.signIn === 'oidc';
  const pagesPort = opts.pagesPort ?? (signIn ? await freePort() : undefined);
  const oidc = signIn
    ? // Imported only then: oidc-provider warns on Node 20 at import, and most runs do not need it.
      await (
        await import('./oidc.ts')
      ).startOidcProvider(await freePort(), `http://127.0.0.1:${pagesPort}${CALLBACK_PATH}`)
    : undefined;
  const pagesProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'pages.ts')], {
    cwd: root,
    env: {
      ...env,
      MAIL_QUEUE_URL: mailQueueUrl,
      LINK_KEY: linkKey,
      REPLY_TO_ADDRESS: county.replyToAddress,
      ...(pagesPort !== undefined ? { PAGES_PORT: String(pagesPort) } : {}),
      ...(oidc ? { OIDC_ISSUER: oidc.issuer, OIDC_CLIENT_ID: oidc.clientId, OIDC_ALLOW_HTTP: 'true' } : {}),
      SIP_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  const pages = {
    url: await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the invitation pages did not start in 60 s')), 60_000);
      pagesProcess.once('message', (m: { url?: string; failed?: string }) => {
        clearTimeout(timer);
        if (m.url) resolve(m.url);
        else reject(new Error(`invitation pages: ${m.failed ?? 'no URL'}`));
      });
      pagesProcess.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the invitation pages exited (${code}) before serving; see ${opts.logFile}`));
      });
    }),
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (pagesProcess.exitCode !== null || pagesProcess.signalCode !== null) return resolve();
        pagesProcess.once('exit', () => resolve());
        pagesProcess.kill('SIGTERM');
        setTimeout(() => pagesProcess.kill('SIGKILL'), 5_000).unref();
      });
      await oidc?.stop();
    },
  };
  const ready: Promise<void>[] = [];
  for (const c of specs) {
    if (!c.handler) continue;
    if (opts.only && !opts.only.includes(c.eventType)) continue;
    const q = queues[c.eventType];
    const spec: WorkerSpec = {
      eventType: c.eventType,
      handler: c.handler,
      queueUrl: q.url,
      queueArn: q.arn,
      batchSize: c.batchSize,
      timeoutSeconds: c.timeoutSeconds,
      visibilityTimeoutSeconds: c.visibilityTimeoutSeconds,
      pollers: Math.max(1, Math.min(c.maxConcurrency, opts.maxPollers ?? 2)),
      sqsEndpoint: opts.endpoints.sqs,
      region: localAwsEnv.AWS_REGION,
    };
    const sources = registeredSources(county.publishers, c.eventType);
    const worker = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'worker.ts')], {
      cwd: root,
      env: {
        ...env,
        ...(c.waitsForPrerequisites ? { QUEUE_URL: q.url } : {}),
        ...(c.sendsMail ? { MAIL_QUEUE_URL: mailQueueUrl } : {}),
        ...(c.carriesLocationData ? { DLQ_URL: q.dlqUrl } : {}),
        ...(c.inboundMail ? { INBOUND_BUCKET: inbound.bucket } : {}),
        ...(c.mailer
          ? {
              SENDER_ADDRESS: county.senderAddress,
              REPLY_TO_ADDRESS: county.replyToAddress,
              CALENDAR_REPLY_ADDRESS: county.calendarReplyAddress,
              INVITATION_BASE_URL: pages.url,
              LINK_KEY: linkKey,
            }
          : {}),
        ...(c.waitSeconds !== undefined || opts.orderingWaitSeconds !== undefined
          ? { ORDERING_WAIT_SECONDS: String(c.waitSeconds ?? opts.orderingWaitSeconds) }
          : {}),
        // The sources the county's registered publishers must use (issue 14), as the stack sets them.
        ...(sources ? { REGISTERED_SOURCES: JSON.stringify(sources) } : {}),
        SIP_WORKER: JSON.stringify(spec),
        SIP_PARENT_PID: String(process.pid),
      },
      stdio: ['ignore', logFd, logFd, 'ipc'],
    });
    workers.push(worker);
    ready.push(readyWhenPolling(worker, `worker for ${c.name}`, opts.logFile));
  }
  // The outbound publisher on the table's stream (issue 14), like its event source mapping.
  const streamWorker = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'stream-worker.ts')], {
    cwd: root,
    env: {
      ...env,
      OUTBOUND_TOPIC_ARN: outbound.topicArn,
      // The family survey's printable link, signed when published (functions/outbound/).
      INVITATION_BASE_URL: pages.url,
      LINK_KEY: linkKey,
      SIP_STREAM_WORKER: JSON.stringify({
        handler: outboundSpec.handler,
        streamArn,
        dynamodbEndpoint: opts.endpoints.dynamodb,
        batchSize: outboundSpec.batchSize,
        timeoutSeconds: outboundSpec.timeoutSeconds,
        keeps: ['outbox', 'rejection'],
      }),
      SIP_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  workers.push(streamWorker);
  ready.push(readyWhenPolling(streamWorker, 'the outbound publisher', opts.logFile));
  // The KPI export on the same stream (issue 15): its own reader, as its own event source mapping.
  const exportWorker = spawn(process.execPath, ['--import', 'tsx', join(root, 'local', 'stream-worker.ts')], {
    cwd: root,
    env: {
      ...env,
      EXPORT_BUCKET: exportBucket,
      SIP_STREAM_WORKER: JSON.stringify({
        handler: historyExport.handler,
        streamArn,
        dynamodbEndpoint: opts.endpoints.dynamodb,
        batchSize: historyExport.batchSize,
        timeoutSeconds: historyExport.timeoutSeconds,
        keeps: [...historyExport.keeps],
      }),
      SIP_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  workers.push(exportWorker);
  ready.push(readyWhenPolling(exportWorker, 'the KPI export', opts.logFile));
  try {
    await waitFor('consumers', () => Promise.all(ready), 60_000);
  } catch (error) {
    for (const w of workers) w.kill('SIGKILL');
    await pages.stop();
    closeSync(logFd);
    throw error;
  }

  return {
    county: county.id,
    endpoints: { ...opts.endpoints, invitations: pages.url, ...(oidc ? { oidc: oidc.issuer } : {}) },
    inbound,
    outbound,
    export: { bucket: exportBucket, prefix: historyExport.prefix },
    linkKey,
    tables: [tableName],
    queues,
    waitingTypes: specs.filter((c) => !c.handler).map((c) => c.eventType),
    async stop() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.exitCode !== null || w.signalCode !== null) return resolve();
              w.once('exit', () => resolve());
              w.kill('SIGTERM');
              setTimeout(() => w.kill('SIGKILL'), 5_000).unref();
            }),
        ),
      );
      await pages.stop();
      closeSync(logFd);
      db.destroy();
      sqs.destroy();
    },
  };
};
