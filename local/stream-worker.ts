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
  type Shard,
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
  /** The item types the event source mapping's filter keeps (new items only). */
  keeps: string[];
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
  r.eventName === 'INSERT' && spec.keeps.includes(String(r.dynamodb?.NewImage?.type?.S ?? ''));

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

  /** Every shard of the stream (DescribeStream pages by shard id). */
  const describe = async () => {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await streams.send(
        new DescribeStreamCommand({ StreamArn: spec.streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  };
  /** Per shard: where to read next, the last record handed over (to resume after an error), done. */
  const state = new Map<string, { iterator?: string; last?: string; done: boolean }>();
  const iteratorFor = async (shardId: string, last?: string) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: spec.streamArn,
          ShardId: shardId,
          ...(last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      )
    ).ShardIterator;
  log('INFO', 'reading the table stream', { streamArn: spec.streamArn });
  process.send?.('polling');
  while (!stopping) {
    let got = 0;
    try {
      const shards = await describe();
      const listed = new Set(shards.map((x) => x.ShardId));
      for (const shard of shards) {
        const id = shard.ShardId ?? '';
        const s = state.get(id) ?? { done: false };
        state.set(id, s);
        if (s.done) continue;
        // A child shard waits until its parent is read to the end, so a case's records stay in order.
        const parent = shard.ParentShardId;
        if (parent && listed.has(parent) && !state.get(parent)?.done) continue;
        try {
          s.iterator ??= await iteratorFor(id, s.last);
          if (!s.iterator) {
            s.done = true;
            continue;
          }
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: s.iterator, Limit: 1000 }));
          const records = page.Records ?? [];
          got += records.length;
          await deliver(records.filter(kept));
          if (stopping) return;
          s.last = records.at(-1)?.dynamodb?.SequenceNumber ?? s.last;
          s.iterator = page.NextShardIterator;
          if (!s.iterator) s.done = true; // a closed shard, read to its end
        } catch (error) {
          // An expired or trimmed iterator: resume after the last record handed over.
          log('WARN', 'reading a shard failed; resuming after its last record', {
            ...loggableError(error),
            shard: id,
          });
          s.iterator = undefined;
        }
      }
    } catch (error) {
      log('ERROR', 'describing the stream failed; trying again', loggableError(error));
      await sleep(1_000);
    }
    if (got === 0) await sleep(200);
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
