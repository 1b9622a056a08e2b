/** How often an event that waits for its prerequisite looks again (functions/runtime/consumer.ts). */
import { describe, expect, it } from 'vitest';
import { createSqsHandler, deferralSeconds } from '../../functions/runtime/consumer.ts';
import { lambdaContext, sqsRecord } from '../support/fixtures.ts';

const looksOver = (seconds: number) => {
  let waited = 0;
  let looks = 0;
  while (waited < seconds) {
    waited += Math.max(1, Math.ceil(deferralSeconds(waited, looks)));
    looks++;
  }
  return looks;
};

describe('deferral backoff (domain.md: events may arrive in any order)', () => {
  it('looks often in the first minute, when a prerequisite usually arrives', () => {
    expect([0, 1, 3, 7, 15].map((w, d) => deferralSeconds(w, d))).toEqual([1, 2, 4, 8, 8]);
  });

  it('after a minute, is at most half as late as it waited, and at most two minutes', () => {
    for (const waited of [60, 100, 240, 600, 899]) {
      expect(deferralSeconds(waited, 20)).toBeLessThanOrEqual(Math.max(8, waited / 2));
      expect(deferralSeconds(waited, 20)).toBeLessThanOrEqual(120);
    }
  });

  it('a full 15-minute wait costs about 19 looks, not 110', () => {
    expect(looksOver(900)).toBeLessThanOrEqual(20);
    expect(looksOver(60)).toBeGreaterThanOrEqual(10);
  });
});

describe('what this system sends itself never gives up waiting (seed 777: an email lost after six doubt windows)', () => {
  const waitedTwoMinutes = (body: string) =>
    sqsRecord(body, {
      messageAttributes: {
        sipFirstSeen: { stringValue: String(Date.now() - 120_000), dataType: 'Number' },
        sipLastSeen: { stringValue: String(Date.now() - 5_000), dataType: 'Number' },
      },
    });
  const consumer = (neverGivesUp: boolean) => {
    const rejections: string[] = [];
    const requeued: string[] = [];
    const handler = createSqsHandler<never, { id: string; subject: string }>({
      eventType: 'se.sip.invitation.mail.v1',
      parse: (body) => ({ ok: true, event: JSON.parse(body) as { id: string; subject: string } }),
      registeredSources: null,
      store: {
        async recordRejection(r) {
          rejections.push(r.reason);
        },
      },
      requeue: {
        async send(body) {
          requeued.push(body);
        },
      },
      orderingWaitSeconds: 60,
      neverGivesUp,
      apply: async () => ({ kind: 'deferred', reason: 'an earlier send may have reached SES' }),
    });
    return { handler, rejections, requeued };
  };

  it('past its wait, an upstream event is rejected with the reason; a mail job fails instead (retried, then parked)', async () => {
    const body = JSON.stringify({ id: 'mail.1', subject: 'case-1' });
    const upstream = consumer(false);
    const record = waitedTwoMinutes(body);
    expect(await upstream.handler({ Records: [record] }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(upstream.rejections).toEqual([expect.stringMatching(/gave up after waiting 120 s/)]);
    // In a batch with a record that is applied, it is the one failure reported; alone, the whole
    // batch fails (Powertools throws), which SQS treats the same way.
    const own = consumer(true);
    const again = waitedTwoMinutes(body);
    await expect(own.handler({ Records: [again] }, lambdaContext())).rejects.toThrow(/failed processing/);
    const fresh = sqsRecord(JSON.stringify({ id: 'mail.2', subject: 'case-2' }));
    expect(await own.handler({ Records: [waitedTwoMinutes(body), fresh] }, lambdaContext())).toMatchObject({
      batchItemFailures: [{ itemIdentifier: expect.any(String) }],
    });
    expect(own.rejections).toEqual([]);
    // Only the fresh one waits on (its copy put back); the one past its wait is not.
    expect(own.requeued.map((b) => (JSON.parse(b) as { id: string }).id)).toEqual(['mail.2']);
  });
});
