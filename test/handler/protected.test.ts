/**
 * A protected event that fails or waits must not keep its payload alive: every copy our code puts
 * on a queue (deferral, retry, the DLQ) is the sanitised one, and the original is acknowledged.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Requeue } from '../../functions/adapters/requeue.ts';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { PROTECTED_MAX_ATTEMPTS } from '../../functions/runtime/consumer.ts';
import { countyById } from '../../lib/counties.ts';
import {
  freshCaseCreated,
  freshConsent,
  freshSummons,
  invokeBatch,
  lambdaContext,
  sqsRecord,
  uniqueId,
} from '../support/fixtures.ts';
import { freshTable } from '../support/dynamo.ts';
import { newMarkers, plantInSummons } from '../support/markers.ts';

let t: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

const capture = () => {
  const sent: { body: string; delay: number; attributes: Record<string, string> }[] = [];
  const queue: Requeue = {
    async send(body, delay, attributes) {
      sent.push({ body, delay, attributes });
    },
  };
  return { sent, queue };
};
type Handler = (
  e: { Records: SQSRecord[] },
  c: ReturnType<typeof lambdaContext>,
) => Promise<SQSBatchResponse>;

describe('protected events that wait or fail', () => {
  it('a protected summons waiting for its case waits as a sanitised copy', async () => {
    const { all, mark } = newMarkers();
    const requeue = capture();
    const handler = createSummonsSentHandler({
      county: countyById('halland'),
      store: t.store,
      now: () => new Date(),
      requeue: requeue.queue,
    }) as unknown as Handler;
    const event = plantInSummons(freshSummons(uniqueId('case'), { data: { protectedIdentity: true } }), mark);
    const response = await handler({ Records: [sqsRecord(JSON.stringify(event))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(requeue.sent).toHaveLength(1);
    for (const m of all) expect(requeue.sent[0]?.body.toLowerCase()).not.toContain(m.toLowerCase());
    expect(JSON.parse(requeue.sent[0]?.body ?? '{}').data.meetingId).toBe(event.data.meetingId);
  });

  it('a protected summons that keeps failing is retried, then parked, as a sanitised copy; the original is acknowledged', async () => {
    const { all, mark } = newMarkers();
    const requeue = capture();
    const park = capture();
    const broken = Object.create(t.store) as typeof t.store;
    broken.loadCase = async () => {
      throw Object.assign(new Error('DynamoDB is unavailable'), { name: 'InternalServerError' });
    };
    const handler = createSummonsSentHandler({
      county: countyById('halland'),
      store: broken,
      now: () => new Date(),
      requeue: requeue.queue,
      park: park.queue,
    }) as unknown as Handler;
    const event = plantInSummons(freshSummons(uniqueId('case'), { data: { protectedIdentity: true } }), mark);
    let record = sqsRecord(JSON.stringify(event));
    for (let attempt = 1; attempt <= PROTECTED_MAX_ATTEMPTS; attempt++) {
      expect((await handler({ Records: [record] }, lambdaContext())).batchItemFailures).toEqual([]);
      const copy = requeue.sent.at(-1);
      if (attempt < PROTECTED_MAX_ATTEMPTS) {
        expect(copy?.attributes.sipAttempts).toBe(String(attempt + 1));
        record = sqsRecord(copy?.body ?? '', {
          messageAttributes: {
            sipAttempts: {
              stringValue: copy?.attributes.sipAttempts,
              dataType: 'Number',
              stringListValues: [],
              binaryListValues: [],
            },
          },
        });
      }
    }
    expect(requeue.sent).toHaveLength(PROTECTED_MAX_ATTEMPTS - 1);
    expect(park.sent).toHaveLength(1);
    for (const copy of [...requeue.sent, ...park.sent]) {
      for (const m of all) expect(copy.body.toLowerCase()).not.toContain(m.toLowerCase());
    }
  });

  it('an unflagged summons of a case already protected, failing after the read, is retried as a sanitised copy (issue 12)', async () => {
    const deps = { county: countyById('halland'), store: t.store, now: () => new Date() };
    const c = freshCaseCreated({ data: { protectedIdentity: true } });
    await invokeBatch(createCaseCreatedHandler(deps), [sqsRecord(JSON.stringify(c))]);
    await invokeBatch(createConsentRegisteredHandler(deps), [
      sqsRecord(JSON.stringify(freshConsent(c.subject, { data: { guardianCount: 1 } }))),
    ]);
    expect((await t.store.loadCase(c.subject)).case?.protectedIdentity).toBe(true);
    const { all, mark } = newMarkers();
    const requeue = capture();
    // The read succeeds (the case is protected); every write fails after it.
    const broken = Object.create(t.store) as typeof t.store;
    broken.commit = async () => {
      throw Object.assign(new Error('DynamoDB is unavailable'), { name: 'InternalServerError' });
    };
    const handler = createSummonsSentHandler({
      ...deps,
      store: broken,
      requeue: requeue.queue,
    }) as unknown as Handler;
    const event = plantInSummons(freshSummons(c.subject), mark); // not flagged itself
    expect(
      (await handler({ Records: [sqsRecord(JSON.stringify(event))] }, lambdaContext())).batchItemFailures,
    ).toEqual([]);
    expect(requeue.sent).toHaveLength(1);
    for (const m of all) expect(requeue.sent[0]?.body.toLowerCase()).not.toContain(m.toLowerCase());
  });

  it('a flagged summons that must wait for consent protects the case at once, so a later unflagged summons is never emailed (seed 004, issue 12)', async () => {
    const deps = { county: countyById('halland'), store: t.store, now: () => new Date() };
    const c = freshCaseCreated();
    await invokeBatch(createCaseCreatedHandler(deps), [sqsRecord(JSON.stringify(c))]);
    // One guardian of two: consent is not complete, every summons waits.
    const consentA = freshConsent(c.subject);
    await invokeBatch(createConsentRegisteredHandler(deps), [sqsRecord(JSON.stringify(consentA))]);
    const { all, mark } = newMarkers();
    const requeue = capture();
    const summons = createSummonsSentHandler({ ...deps, requeue: requeue.queue }) as unknown as Handler;
    const flagged = plantInSummons(freshSummons(c.subject, { data: { protectedIdentity: true } }), mark);
    await summons({ Records: [sqsRecord(JSON.stringify(flagged))] }, lambdaContext());
    expect(requeue.sent).toHaveLength(1); // it waits ...
    const waiting = await t.store.loadCase(c.subject);
    expect(waiting.case?.protectedIdentity).toBe(true); // ... and the case is protected meanwhile
    expect(waiting.history.map((h) => h.eventType)).toContain('se.sip.case.protection.changed.v1');
    // Upstream flags only the first summons; the second one for another meeting is not flagged.
    const second = plantInSummons(
      freshSummons(c.subject, { id: uniqueId('evt'), data: { meetingId: `${c.subject}-m2` } }),
      mark,
    );
    await summons({ Records: [sqsRecord(JSON.stringify(second))] }, lambdaContext());
    expect(requeue.sent).toHaveLength(2);
    // The second guardian consents; both summonses come back (the flagged one as its sanitised copy).
    const consentB = {
      ...consentA,
      id: uniqueId('evt'),
      data: { ...consentA.data, givenBy: [{ partyId: `${c.subject}-guardian-b`, role: 'guardian' }] },
    };
    await invokeBatch(createConsentRegisteredHandler(deps), [sqsRecord(JSON.stringify(consentB))]);
    const retried = requeue.sent.map((s) => sqsRecord(s.body));
    const applied = createSummonsSentHandler(deps) as unknown as Handler;
    expect((await applied({ Records: retried }, lambdaContext())).batchItemFailures).toEqual([]);
    const after = await t.store.loadCase(c.subject);
    expect(after.meetings.size).toBe(2);
    for (const m of after.meetings.values()) for (const i of m.invitees) expect(i.email).toBeUndefined();
    const stored = JSON.stringify(after, (_k, v: unknown) => (v instanceof Map ? [...v.values()] : v));
    for (const m of all) expect(stored.toLowerCase()).not.toContain(m.toLowerCase());
  });
});
