/**
 * DynamoDB throttling and transient errors, injected with SDK middleware: the failed records come
 * back (as SQS would redeliver them) and the case ends exactly as without faults — no state lost,
 * nothing applied twice, every invitation handed to the mailer.
 */
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox } from '../../functions/adapters/outbox.ts';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import type { MailJob } from '../../functions/core/meeting.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { countyById } from '../../lib/counties.ts';
import {
  freshCaseCreated,
  freshConsent,
  freshSummons,
  invokeBatch,
  sqsRecord,
  uniqueId,
} from '../support/fixtures.ts';
import { freshTable, injectFault } from '../support/dynamo.ts';

let t: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

/** Invokes like Lambda + SQS: records reported as failed (or a thrown batch) come back, until none fail. */
const deliverUntilDone = async (handler: unknown, records: SQSRecord[], maxRounds = 10) => {
  let pending = records;
  let rounds = 0;
  while (pending.length > 0 && rounds++ < maxRounds) {
    const failed = (await invokeBatch(handler, pending)).batchItemFailures.map((f) => f.itemIdentifier);
    pending = pending.filter((r) => failed.includes(r.messageId));
  }
  return rounds;
};

describe('DynamoDB faults', () => {
  it('throttling on writes and a transient error on reads: the same end state, applied once', async () => {
    let writeFaults = 3;
    let readFaults = 2;
    injectFault(
      t.client,
      (name) =>
        (name === 'TransactWriteItemsCommand' && writeFaults-- > 0) ||
        (name === 'QueryCommand' && readFaults-- > 0),
      () =>
        writeFaults >= 0
          ? new ProvisionedThroughputExceededException({
              message: 'Rate of requests exceeds the allowed throughput.',
              $metadata: {},
            })
          : new InternalServerError({ message: 'Internal server error', $metadata: {} }),
    );
    const jobs: MailJob[] = [];
    const outbox: Outbox = { enqueue: async (more) => void jobs.push(...more) };
    const deps = { county: countyById('halland'), store: t.store, now: () => new Date(), outbox };
    const c = freshCaseCreated({ subject: uniqueId('case') });
    const consentA = freshConsent(c.subject, { data: { guardianCount: 2 } });
    const consentB = freshConsent(c.subject, {
      data: { guardianCount: 2, givenBy: [{ partyId: `${c.subject}-guardian-b`, role: 'guardian' }] },
    });
    const summons = freshSummons(c.subject);

    const rounds = [
      await deliverUntilDone(createCaseCreatedHandler(deps), [sqsRecord(JSON.stringify(c))]),
      await deliverUntilDone(createConsentRegisteredHandler(deps), [
        sqsRecord(JSON.stringify(consentA)),
        sqsRecord(JSON.stringify(consentB)),
      ]),
      await deliverUntilDone(createSummonsSentHandler(deps), [
        sqsRecord(JSON.stringify(summons)),
        sqsRecord(JSON.stringify(summons)),
      ]),
    ];
    expect(rounds.some((r) => r > 1)).toBe(true); // the faults did bite
    const loaded = await t.store.loadCase(c.subject);
    expect(loaded.case).toMatchObject({ status: 'summoned', consentStatus: 'complete', version: 4 });
    expect(await t.store.listHistory(c.subject)).toHaveLength(4);
    expect(loaded.invitations.map((i) => i.status)).toEqual(['pending', 'pending', 'pending']);
    expect(new Set(jobs.map((j) => ('inviteeId' in j ? j.inviteeId : '')))).toEqual(
      new Set(['inv-bup', 'inv-soc', 'inv-skola']),
    );
  });
});
