/** Consent through the local runtime: rules, ordering and duplicates against the real emulators. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../../events/contracts.ts';
import { queueDepths, recentRejections, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import {
  type TestEvent,
  eventually,
  freshCaseCreated,
  freshConsent,
  freshWithdrawal,
  uniqueId,
} from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  // Case and consent go to different workers, so a consent often runs first and waits for its case.
  // The wait is long here so that a slow machine never turns that wait into a rejection.
  t = await startTestStack({ orderingWaitSeconds: 120 });
});
afterAll(async () => t?.stop());

type Event = TestEvent;
const publish = async (...events: Event[]) => {
  for (const e of events) await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
};
const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 30_000);
const newCase = (data: Record<string, unknown> = {}) => freshCaseCreated({ subject: uniqueId('case'), data });
const rejectionsFor = async (caseId: string) =>
  (await recentRejections(t.store)).filter((r) => r.caseId === caseId);
const state = async (caseId: string) => {
  const loaded = await t.store.loadCase(caseId);
  return { case: loaded.case, consent: [...loaded.consents.values()][0] };
};

describe('consent through the local runtime', () => {
  it('two guardians: the first leaves it partial, the second completes it', async () => {
    const c = newCase();
    await publish(c, freshConsent(c.subject, { data: { guardianCount: 2 } }));
    await settle();
    expect(await state(c.subject)).toMatchObject({
      case: { status: 'awaiting-consent', consentStatus: 'partial' },
    });
    await publish(
      freshConsent(c.subject, {
        data: {
          guardianCount: 2,
          method: 'oral',
          givenBy: [{ partyId: `${c.subject}-guardian-b`, role: 'guardian' }],
        },
      }),
    );
    await settle();
    const s = await state(c.subject);
    expect(s.case).toMatchObject({ status: 'consented', consentStatus: 'complete', version: 3 });
    expect(s.consent?.parties.map((p) => p.method)).toEqual(['written', 'oral']);
    expect(await t.store.listHistory(c.subject)).toHaveLength(3);
  });

  it('a mature child alone', async () => {
    const c = newCase();
    await publish(
      c,
      freshConsent(c.subject, { data: { givenBy: [{ partyId: 'kid-1', role: 'mature-child' }] } }),
    );
    await settle();
    expect((await state(c.subject)).case).toMatchObject({ status: 'consented' });
  });

  it('a legal representative for an adult', async () => {
    const c = newCase({ ageGroup: 'adult' });
    await publish(
      c,
      freshConsent(c.subject, {
        data: { guardianCount: undefined, givenBy: [{ partyId: 'god-man-1', role: 'legal-representative' }] },
      }),
    );
    await settle();
    expect((await state(c.subject)).case).toMatchObject({ status: 'consented', consentStatus: 'complete' });
  });

  it('a refusal is recorded and the case stops', async () => {
    const c = newCase();
    await publish(c, freshConsent(c.subject, { data: { decision: 'refused', guardianCount: 2 } }));
    await settle();
    expect(await state(c.subject)).toMatchObject({
      case: { status: 'stopped', stopReason: 'consent-refused' },
      consent: { status: 'refused' },
    });
  });

  it('a validity longer than the county allows is rejected with a reason', async () => {
    const c = newCase();
    await publish(c, freshConsent(c.subject, { data: { guardianCount: 1, validUntil: '2027-12-31' } }));
    await settle();
    expect((await state(c.subject)).case?.status).toBe('awaiting-consent');
    expect((await rejectionsFor(c.subject)).map((r) => r.reason)).toEqual([
      'consent would be valid for 406 days; in Halland consent is valid for at most 365 days (seed 002); register it with a shorter validity',
    ]);
  });

  it('withdrawal stops the case at once', async () => {
    const c = newCase();
    await publish(c, freshConsent(c.subject, { data: { guardianCount: 1 } }));
    await settle();
    await publish(freshWithdrawal(c.subject, `${c.subject}-guardian-a`));
    await settle();
    expect(await state(c.subject)).toMatchObject({
      case: { status: 'stopped', stopReason: 'consent-withdrawn', consentStatus: 'withdrawn' },
      consent: { status: 'withdrawn' },
    });
  });

  it('a consent that arrives before its case waits, and is applied when the case arrives', async () => {
    const c = newCase();
    const consent = freshConsent(c.subject, { data: { guardianCount: 1 } });
    await publish(consent);
    await eventually(
      async () => t.log(),
      (log) => log.split('\n').some((l) => l.includes(consent.id) && l.includes('"outcome":"deferred"')),
    );
    await publish(c);
    await settle();
    expect((await state(c.subject)).case).toMatchObject({ status: 'consented' });
    expect(await rejectionsFor(c.subject)).toEqual([]);
  });

  it('a consent whose case never arrives is rejected with a clear reason, not parked in a DLQ', async () => {
    // Its own stack with a short wait (and only the consent worker), so giving up is observable.
    const short = await startTestStack({ orderingWaitSeconds: 4, only: [eventTypes.consentRegistered] });
    try {
      const orphan = uniqueId('case');
      const consent = freshConsent(orphan, { data: { guardianCount: 1 } });
      await publishBody(short.sqs, short.stack.queues, JSON.stringify(consent), eventTypes.consentRegistered);
      const rejections = async () => (await recentRejections(short.store)).filter((r) => r.caseId === orphan);
      const [rejection] = await eventually(rejections, (r) => r.length === 1, { timeoutMs: 45_000 });
      expect(rejection?.reason).toMatch(
        new RegExp(
          `^case ${orphan} has not been created yet; gave up after waiting \\d+ s \\(at most 4 s\\)`,
        ),
      );
      const depths = await queueDepths(short.sqs, short.stack.queues);
      expect(depths[eventTypes.consentRegistered].dlq).toBe(0);
    } finally {
      await short.stop();
    }
  }, 120_000);

  it('the same consent event three times changes the case once', async () => {
    const c = newCase();
    await publish(c);
    await settle();
    const consent = freshConsent(c.subject, { data: { guardianCount: 2 } });
    await publish(consent, consent, consent);
    await settle();
    const s = await state(c.subject);
    expect(s.case).toMatchObject({ version: 2, consentStatus: 'partial' });
    expect(s.consent?.parties).toHaveLength(1);
    expect(await t.store.listHistory(c.subject)).toHaveLength(2);
    expect(await rejectionsFor(c.subject)).toEqual([]);
  });
});
