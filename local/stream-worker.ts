/**
 * The outbound publisher's "Lambda + DynamoDB Streams event source mapping" (issue 14), in its own
 * process: reads the table's stream on DynamoDB Local shard by shard (a parent before its
 * children), keeps the records the mapping's filter keeps (new `outbox` items and rejections),
 * hands the handler up to batchSize of them in stream order, and — like Lambda with
 * ReportBatchItemFailures — retries from the first record the handler reports (or from the batch's
 * start when it throws) until it succeeds: a record is never skipped.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loggableError } from '../functions/runtime/observability.ts';
import { endWithParent } from './child.ts';
import { localAwsEnv } from './emulators.ts';

export interface StreamWorkerSpec {
  handler: string;
  streamArn: string;
  dynamodbEndpoint: string;
  batchSize: number;
  timeoutSeconds: number;
}

const spec = JSON.parse(process.env.SIP_STREAM_WORKER ?? '{}') as StreamWorkerSpec;
const parentPid = Number(process.env.SIP_PARENT_PID);
let stopping = false;

const log = (level: string, message: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'local-runtime', source: 'table-stream', ...extra })}\n`,
  );

/** The event source mapping's filter criteria (lib/sip-stack.ts). */
const kept = (r: _Record): boolean =>
  r.eventName === 'INSERT' && ['outbox', 'rejection'].includes(String(r.dynamodb?.NewImage?.type?.S ?? ''));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const main = async () => {
  const mod = (await import(`../functions/${spec.handler}/handler.ts`)) as {
    handler: (e: DynamoDBStreamEvent, c: Context) => Promise<DynamoDBBatchResponse>;
  };
  const streams = new DynamoDBStreamsClient({
    endpoint: spec.dynamodbEndpoint,
    region: localAwsEnv.AWS_REGION,
    credentials: {
      accessKeyId: localAwsEnv.AWS_ACCESS_KEY_ID,
      secretAccessKey: localAwsEnv.AWS_SECRET_ACCESS_KEY,
    },
  });

  /** Invokes until the handler has taken every record; returns when it has. */
  const deliver = async (records: _Record[]) => {
    let pending = records;
    let attempt = 0;
    while (pending.length > 0 && !stopping) {
      const batch = pending.slice(0, spec.batchSize);
      let failedAt: number;
      try {
        const result = await mod.handler({ Records: batch as unknown as DynamoDBStreamEvent['Records'] }, {
          awsRequestId: randomUUID(),
          getRemainingTimeInMillis: () => spec.timeoutSeconds * 1000,
        } as Context);
        const first = result?.batchItemFailures?.[0]?.itemIdentifier;
        failedAt = first === undefined ? -1 : batch.findIndex((r) => r.dynamodb?.SequenceNumber === first);
        if (first !== undefined && failedAt < 0) failedAt = 0;
      } catch (error) {
        log('ERROR', 'invocation failed; the batch is retried', {
          ...loggableError(error),
          batch: batch.length,
        });
        failedAt = 0;
      }
      if (failedAt < 0) {
        pending = pending.slice(batch.length);
        attempt = 0;
      } else {
        pending = pending.slice(failedAt);
        attempt++;
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  };

  const describe = async () =>
    (await streams.send(new DescribeStreamCommand({ StreamArn: spec.streamArn }))).StreamDescription
      ?.Shards ?? [];
  const iterators = new Map<string, string | undefined>();
  const finished = new Set<string>();
  log('INFO', 'reading the table stream', { streamArn: spec.streamArn });
  process.send?.('polling');
  while (!stopping) {
    try {
      for (const shard of await describe()) {
        const id = shard.ShardId ?? '';
        if (finished.has(id) || iterators.has(id)) continue;
        // A child shard waits for its parent, so a case's records stay in order.
        if (shard.ParentShardId && !finished.has(shard.ParentShardId) && iterators.has(shard.ParentShardId))
          continue;
        const it = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: spec.streamArn,
            ShardId: id,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        iterators.set(id, it.ShardIterator);
      }
      let got = 0;
      for (const [id, iterator] of iterators) {
        if (!iterator) {
          iterators.delete(id);
          finished.add(id);
          continue;
        }
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = (page.Records ?? []).filter(kept);
        got += page.Records?.length ?? 0;
        await deliver(records);
        iterators.set(id, page.NextShardIterator);
      }
      if (got === 0) await sleep(200);
    } catch (error) {
      log('ERROR', 'reading the stream failed; trying again', loggableError(error));
      await sleep(1_000);
    }
  }
};

endWithParent(() => {
  stopping = true;
  setTimeout(() => process.exit(0), 200).unref();
}, parentPid);

main().catch((error: Error) => {
  log('ERROR', 'stream worker failed to start', { errorMessage: error.message, stack: error.stack });
  process.send?.(`failed: ${error.message}`);
  process.exit(1);
});
