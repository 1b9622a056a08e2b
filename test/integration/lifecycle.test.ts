/**
 * The rest of the case's life through the local runtime: response, plan, the daily sweep with a
 * fake clock (follow-up reminders, consent reminder and expiry), upstream's own follow-up event,
 * closing. Reminders go out once each, and never to a closed case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsVisitQueue } from '../../functions/adapters/outbox.ts';
import { eventTypes } from '../../events/contracts/common.ts';
import { runSweep } from '../../functions/sweep/apply.ts';
import { noticeView } from '../../functions/core/meeting.ts';
import { countyById } from '../../lib/counties.ts';
import { recentRejections, sweepOutcomes, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { type TestEvent, examplesDir, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { emailsFor } from '../support/mail.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => t?.stop());

const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);
/** A scenario's example events for a fresh case id, by file-name prefix (01 … 08). */
const scenario = (name: 'normal' | 'protected', caseId: string) =>
  Object.fromEntries(
    readdirSync(join(examplesDir, name))
      .sort()
      .map((f) => {
        const e = JSON.parse(readFileSync(join(examplesDir, name, f), 'utf8')) as TestEvent;
        return [f.slice(0, 2), { ...e, id: `${e.id}-${caseId}`, subject: caseId }];
      }),
  ) as Record<string, TestEvent>;
const publishInOrder = async (...events: TestEvent[]) => {
  for (const e of events) {
    await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
    await settle();
  }
};
/** The sweep asks for visits; the sweep-visit worker does them; then what they did. */
const sweep = async (now: string) => {
  const county = countyById('halland');
  const result = await runSweep({
    store: t.store,
    visits: sqsVisitQueue(t.stack.queues[eventTypes.sweepVisit].url, county.id, t.sqs),
    now: () => new Date(now),
  });
  await settle();
  return { cases: result.cases, ...(await sweepOutcomes(t.store, result)) };
};

describe('the whole life of a case', () => {
  it('normal: response, plan, follow-up reminded once (sweep and upstream), consent reminder and expiry, closing', async () => {
    const caseId = uniqueId('case');
    const e = scenario('normal', caseId);
    await publishInOrder(e['01']!, e['02']!, e['03']!, e['04']!, e['05']!, e['06']!);
    const loaded = await t.store.loadCase(caseId);
    expect(loaded.case).toMatchObject({ status: 'plan-active', planId: 'plan-case-hl-1001-1' });
    expect(loaded.invitations.find((i) => i.inviteeId === 'inv-soc')?.response).toBe('accepted');
    // The summons; and, the meeting held, the evaluation to each unit and the family survey
    // page to the organiser (issue 15).
    const sent = await emailsFor(caseId);
    const evaluation = sent.filter((m) => /Hur gick SIP-mötet|How did SIP meeting/.test(m.subject));
    const family = sent.filter((m) => /Enkät till barnet/.test(m.subject));
    expect(sent.length - evaluation.length - family.length).toBe(3);
    expect(evaluation.map((m) => m.destination.to.join()).sort()).toEqual([
      'bup@region.example.se',
      'elevhalsan@skola.example.org',
      'socialtjanst@kommun.example.se',
    ]);
    expect(family.map((m) => m.destination.to.join())).toEqual(['sip-bup@region.example.se']);

    // The sweep a week before the follow-up reminds everyone; again the same day reminds no one twice.
    expect((await sweep('2027-03-03T06:00:00+01:00')).changed).toBe(1);
    const reminders = (await emailsFor(caseId)).filter((m) => /uppföljning|follow-up/.test(m.subject));
    expect(reminders.map((m) => m.destination.to.join()).sort()).toEqual([
      'bup@region.example.se',
      'elevhalsan@skola.example.org',
      'samordnare@kommun.example.se',
      'socialtjanst@kommun.example.se',
    ]);
    // The same morning again: the same visit (a duplicate), nothing more.
    await sweep('2027-03-03T06:00:00+01:00');
    expect(await emailsFor(caseId)).toHaveLength(sent.length + reminders.length);
    // Upstream's own follow-up event gives the time the sweep did not know: one update each, to
    // that time; the same event again (a new id, nothing new) changes nothing.
    await publishInOrder(e['07']!);
    const followUpMails = async () =>
      (await emailsFor(caseId)).filter((m) => /uppföljning|follow-up/.test(m.subject));
    const updates = (await followUpMails()).filter((m) => /^(Ändrad tid\/plats|Updated): /.test(m.subject));
    expect(updates.map((m) => m.destination.to.join()).sort()).toEqual(
      reminders.map((m) => m.destination.to.join()).sort(),
    );
    expect(updates.every((m) => /13:00–14:00/.test(m.subject))).toBe(true);
    await publishInOrder({ ...e['07']!, id: uniqueId('evt') });
    expect(await followUpMails()).toHaveLength(8);

    // The consent lapses late in the plan: a reminder to the coordinator, then it is marked expired.
    expect((await sweep('2027-10-21T06:00:00+02:00')).changed).toBe(1);
    expect(
      (await emailsFor(caseId)).filter((m) => m.subject.startsWith('Samtycket går snart ut')),
    ).toHaveLength(1);
    expect((await sweep('2027-11-21T06:00:00+01:00')).changed).toBe(1);
    expect((await t.store.loadCase(caseId)).case?.consentStatus).toBe('expired');
    const afterExpiry = (await emailsFor(caseId)).length;
    await sweep('2027-11-21T06:00:00+01:00');
    expect(await emailsFor(caseId)).toHaveLength(afterExpiry);

    // Closing: everyone involved is told once; afterwards nothing more is sent.
    await publishInOrder({ ...e['08']!, time: '2027-11-25T10:00:00+01:00' });
    const closedMails = (await emailsFor(caseId)).filter((m) => /avslutat|is closed/.test(m.subject));
    expect(closedMails.map((m) => m.destination.to.join()).sort()).toEqual([
      'bup@region.example.se',
      'elevhalsan@skola.example.org',
      'samordnare@kommun.example.se',
      'socialtjanst@kommun.example.se',
    ]);
    const total = (await emailsFor(caseId)).length;
    const later = {
      ...e['07']!,
      id: uniqueId('evt'),
      time: '2027-11-26T10:00:00+01:00', // after the close (an older one would count in its place)
      data: { ...e['07']!.data, followUpId: 'followup-after-close', dueOn: '2028-01-10' },
    };
    await publishInOrder(later, { ...e['08']!, id: uniqueId('evt'), time: '2027-11-26T11:00:00+01:00' });
    expect(await sweep('2028-01-10T06:00:00+01:00')).toMatchObject({ cases: 0, changed: 0 });
    expect((await emailsFor(caseId)).length).toBe(total);
    const reasons = (await recentRejections(t.store)).filter((r) => r.caseId === caseId).map((r) => r.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        `case ${caseId} is closed; no follow-up reminders`,
        `case ${caseId} is already closed (need-met)`,
      ]),
    );
  }, 120_000); // two years of a case: sweeps, reminders, expiry, closing (about 15 s alone)

  it('protected: the same life on the phone path — phone tasks and notices in the coordinator’s system, never an email', async () => {
    const caseId = uniqueId('case');
    const e = scenario('protected', caseId);
    await publishInOrder(e['01']!, e['02']!, e['03']!, e['04']!, e['05']!, e['06']!);
    expect((await sweep('2027-03-03T06:00:00+01:00')).changed).toBe(1);
    const followUps = (await t.store.loadCase(caseId)).invitations.filter(
      (i) => i.meetingId === 'followup-case-hl-2001-1',
    );
    expect(followUps.length).toBeGreaterThan(0);
    expect(followUps.every((i) => i.channel === 'phone' && i.status === 'to-call')).toBe(true);
    await sweep('2027-10-21T06:00:00+02:00');
    await publishInOrder({ ...e['08']!, time: '2027-10-25T10:00:00+02:00' });
    const loaded = await t.store.loadCase(caseId);
    expect(loaded.case).toMatchObject({ status: 'closed', protectedIdentity: true });
    expect(
      [...loaded.notices.values()].map((n) => [n.kind, noticeView(true, n, loaded.deliveries).channel]),
    ).toEqual(
      expect.arrayContaining([
        ['consent-expiring', 'system'],
        ['case-closed', 'system'],
      ]),
    );
    expect(await emailsFor(caseId)).toEqual([]);
  });
});
