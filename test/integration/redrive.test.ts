/**
 * The operator's redrive script against the SQS emulator. fauxqs has no StartMessageMoveTask, so the
 * test answers that one call with SDK middleware and checks it asks for the right DLQ.
 */
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { redrive } from '../../lib/redrive.ts';
import { consumers, dlqName, queueName } from '../../lib/topology.ts';
import { sqsClient } from '../../local/runtime.ts';
import { uniqueId } from '../support/fixtures.ts';

describe('npm run redrive', () => {
  it('starts a move task for each non-empty DLQ of the county, back to its source queue', async () => {
    const sqs = sqsClient(inject('endpoints').sqs);
    const prefix = `${uniqueId('rd')}-`;
    const urls = new Map<string, string>();
    for (const c of consumers) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `${prefix}${dlqName('halland', c)}` }),
      );
      await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}${queueName('halland', c)}` }));
      urls.set(c.eventType, QueueUrl ?? '');
    }
    await sqs.send(
      new SendMessageCommand({ QueueUrl: urls.get('se.sip.summons.sent.v1'), MessageBody: '{}' }),
    );
    const started: Record<string, unknown>[] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'StartMessageMoveTaskCommand') return next(args);
        started.push(args.input as Record<string, unknown>);
        return { output: { TaskHandle: 'task-1', $metadata: {} }, response: {} } as never;
      },
      { step: 'initialize', name: 'move-task' },
    );
    const results = await redrive(sqs, 'halland', { prefix });
    expect(started).toHaveLength(1);
    expect(String(started[0]?.SourceArn)).toMatch(/sip-halland-summons-sent-dlq$/);
    expect(String(started[0]?.DestinationArn)).toMatch(/sip-halland-summons-sent$/);
    expect(results.filter((r) => r.taskHandle)).toEqual([
      { dlq: `${prefix}sip-halland-summons-sent-dlq`, waiting: 1, taskHandle: 'task-1' },
    ]);
    await expect(redrive(sqs, 'halland', { type: 'se.sip.nope.v1', prefix })).rejects.toThrow(
      /unknown event type se.sip.nope.v1/,
    );
    sqs.destroy();
  });
});
