/**
 * One consumer's "Lambda + event source mapping", in its own process like a Lambda runtime:
 * polls the queue (sqs-consumer), hands the handler an SQSEvent of up to batchSize records,
 * deletes only the records not reported in batchItemFailures, and leaves a whole batch to
 * come back after the visibility timeout when the handler throws or runs past its timeout.
 * SQS itself (fauxqs) counts receives and moves a message to the DLQ after maxReceiveCount.
 */
import { randomUUID } from 'node:crypto';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSHandler } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { loggableError } from '../functions/runtime/observability.ts';
import { endWithParent } from './child.ts';
import type { WorkerSpec } from './runtime.ts';

const spec = JSON.parse(process.env.SIP_WORKER ?? '{}') as WorkerSpec;
const parentPid = Number(process.env.SIP_PARENT_PID);

const log = (level: string, message: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'local-runtime', eventType: spec.eventType, ...extra })}\n`,
  );

const toRecord = (m: Message): SQSEvent['Records'][number] => ({
  messageId: m.MessageId ?? '',
  receiptHandle: m.ReceiptHandle ?? '',
  body: m.Body ?? '',
  attributes: {
    ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: m.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  },
  messageAttributes: Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
      name,
      {
        stringValue: a.StringValue,
        dataType: a.DataType ?? 'String',
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  ),
  md5OfBody: m.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: spec.queueArn,
  awsRegion: spec.region,
});

const lambdaContext = (deadline: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `local-${spec.handler}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${spec.region}:000000000000:function:local-${spec.handler}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/local-${spec.handler}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

class LambdaTimeout extends Error {}

const main = async () => {
  const mod = (await import(`../functions/${spec.handler}/handler.ts`)) as { handler: SQSHandler };
  const invoke = async (messages: Message[]): Promise<Message[]> => {
    const timeoutMs = spec.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = (await Promise.race([
        (mod.handler as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse | undefined>)(
          { Records: messages.map(toRecord) },
          lambdaContext(deadline),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LambdaTimeout(`Task timed out after ${spec.timeoutSeconds} seconds`)),
            timeoutMs,
          );
        }),
      ])) as SQSBatchResponse | undefined;
      const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      if (failed.size > 0)
        log('WARN', 'batch item failures', { failed: failed.size, batch: messages.length });
      return messages.filter((m) => !failed.has(m.MessageId ?? ''));
    } catch (error) {
      // Like Lambda: an error or a timeout fails the whole batch; SQS redelivers it later.
      log('ERROR', 'invocation failed; the whole batch returns to the queue', {
        ...loggableError(error),
        batch: messages.length,
      });
      return [];
    } finally {
      clearTimeout(timer);
    }
  };

  const sqs = new SQSClient({ endpoint: spec.sqsEndpoint, region: spec.region });
  const pollers = Array.from({ length: spec.pollers }, () =>
    Consumer.create({
      queueUrl: spec.queueUrl,
      sqs,
      useQueueUrlAsEndpoint: false,
      batchSize: spec.batchSize,
      // Long polling like the Lambda event source (20 s): idle consumers cost next to nothing.
      waitTimeSeconds: 20,
      pollingWaitTimeMs: 0,
      attributeNames: ['All' as never],
      messageSystemAttributeNames: ['All'],
      messageAttributeNames: ['All'],
      handleMessageBatch: invoke,
    }),
  );
  for (const p of pollers) {
    p.on('error', (error) => log('ERROR', 'poller error', { errorMessage: error.message }));
    p.on('processing_error', (error) => log('ERROR', 'processing error', { errorMessage: error.message }));
    p.start();
  }
  log('INFO', 'polling', { queueUrl: spec.queueUrl, pollers: spec.pollers, batchSize: spec.batchSize });
  process.send?.('polling');

  const stop = () => {
    for (const p of pollers) p.stop();
    setTimeout(() => process.exit(0), 200).unref();
  };
  endWithParent(stop, parentPid);
};

main().catch((error: Error) => {
  log('ERROR', 'worker failed to start', { errorMessage: error.message, stack: error.stack });
  process.send?.(`failed: ${error.message}`);
  process.exit(1);
});
