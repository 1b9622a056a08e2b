/**
 * se.sip.case.created.v1 end to end: published to the real SQS emulator, consumed by the worker
 * process with Lambda + SQS semantics, stored in DynamoDB Local.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../../events/contracts.ts';
import { publishScenario, queueDepths, recentRejections, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { dynamoClient } from '../../local/runtime.ts';
import { eventually, examplesDir, freshCaseCreated } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => t?.stop());

const type = eventTypes.caseCreated;
const rejections = () => recentRejections(t.store);

describe('case.created through the local runtime', () => {
  it('walks both example cases through their whole life, in order, with nothing in a DLQ', async () => {
    const sent = [
      ...(await publishScenario(t.sqs, t.stack, `${examplesDir}/normal`)),
      ...(await publishScenario(t.sqs, t.stack, `${examplesDir}/protected`)),
    ];
    expect(sent).toHaveLength(16);
    for (const caseId of ['case-hl-1001', 'case-hl-2001']) {
      expect(await t.store.getCase(caseId)).toMatchObject({
        status: 'closed',
        closeReason: 'need-met',
        consentStatus: 'complete',
      });
      expect(await t.store.listHistory(caseId)).toHaveLength(8);
    }
    expect((await t.store.getCase('case-hl-2001'))?.protectedIdentity).toBe(true);
    const depths = await queueDepths(t.sqs, t.stack.queues);
    expect(Object.values(depths).every((d) => d.dlq === 0 && d.visible === 0)).toBe(true);
    expect(
      (await rejections()).filter((r) => r.caseId === 'case-hl-1001' || r.caseId === 'case-hl-2001'),
    ).toEqual([]);
  });

  it('the same case event published three times stores one case and one history entry', async () => {
    const event = freshCaseCreated();
    for (let i = 0; i < 3; i++) await publishBody(t.sqs, t.stack.queues, JSON.stringify(event), type);
    await waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes);
    expect(await t.store.listHistory(event.subject)).toHaveLength(1);
    expect(await t.store.getCase(event.subject)).toMatchObject({ version: 1, createdByEventId: event.id });
    expect(t.log()).toContain(`"outcome":"duplicate"`);
  });

  it('malformed events become rejections with reasons, the rest is applied, nothing is lost', async () => {
    const good = [freshCaseCreated(), freshCaseCreated()];
    const { id: _id, ...noId } = freshCaseCreated();
    const malformed = [
      'this is not json',
      JSON.stringify({ ...freshCaseCreated(), type: 'se.sip.nothing.v1' }),
      JSON.stringify(noId),
      JSON.stringify(freshCaseCreated({ data: { ageGroup: 7 } })),
    ];
    const before = (await rejections()).length;
    const ids: string[] = [];
    for (const body of [
      malformed[0],
      JSON.stringify(good[0]),
      ...malformed.slice(1),
      JSON.stringify(good[1]),
    ]) {
      ids.push(await publishBody(t.sqs, t.stack.queues, body ?? '', type));
    }
    await waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes);
    for (const g of good) expect(await t.store.getCase(g.subject)).toBeDefined();
    const stored = await rejections();
    expect(stored.length - before).toBe(4);
    const mine = stored.filter((r) => ids.includes(r.messageId)).map((r) => r.reason);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not valid JSON/),
        expect.stringMatching(/unknown event type "se.sip.nothing.v1"/),
        expect.stringMatching(/^id: Invalid input/),
        expect.stringMatching(/^data.ageGroup: Invalid option/),
      ]),
    );
    expect((await queueDepths(t.sqs, t.stack.queues))[type].dlq).toBe(0);
  });

  it('a message whose handler keeps failing is redelivered and parked in the DLQ after maxReceiveCount', async () => {
    const failing = await startTestStack({
      overrides: { [type]: { maxReceiveCount: 2, visibilityTimeoutSeconds: 1 } },
      only: [type],
    });
    try {
      // Without its table every write fails: a transient error from the handler's point of view.
      const db = dynamoClient(failing.stack.endpoints.dynamodb);
      await db.send(new DeleteTableCommand({ TableName: failing.stack.tables[0] }));
      db.destroy();
      const event = freshCaseCreated();
      await publishBody(failing.sqs, failing.stack.queues, JSON.stringify(event), type);
      await eventually(
        () => queueDepths(failing.sqs, failing.stack.queues),
        (d) => d[type].dlq === 1 && d[type].visible + d[type].inFlight === 0,
        { timeoutMs: 45_000 },
      );
      const parked = await failing.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: failing.stack.queues[type].dlqUrl, MaxNumberOfMessages: 1 }),
      );
      expect(JSON.parse(parked.Messages?.[0]?.Body ?? '{}').id).toBe(event.id);
      expect(failing.log()).toContain('"outcome":"retry"');
      expect(failing.log()).toContain('"receiveCount":"2"');
    } finally {
      await failing.stop();
    }
  }, 120_000);
});
