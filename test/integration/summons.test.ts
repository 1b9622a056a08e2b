/** The summons end to end: rules, outbox, mailer, SES emulator, calendar invitations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import {
  type TestEvent,
  eventually,
  freshCaseCreated,
  freshConsent,
  freshSummons,
  freshWithdrawal,
  uniqueId,
} from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { calendarOf, emailsFor } from '../support/mail.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => t?.stop());

const publish = async (...events: TestEvent[]) => {
  for (const e of events) await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
};
const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 30_000);
const consentedCase = async () => {
  const c = freshCaseCreated({ subject: uniqueId('case') });
  await publish(c, freshConsent(c.subject, { data: { guardianCount: 1 } }));
  await settle();
  return c.subject;
};

describe('summons through the local runtime', () => {
  it('emails each invitee exactly once with a valid calendar invitation, even when published three times', async () => {
    const caseId = await consentedCase();
    const summons = freshSummons(caseId);
    await publish(summons, summons, summons);
    await settle();
    const emails = await eventually(
      () => emailsFor(caseId),
      (e) => e.length >= 3,
    );
    await settle();
    expect((await emailsFor(caseId)).length).toBe(3);
    expect(emails.map((e) => e.destination.to.join()).sort()).toEqual([
      'bup@region.example.se',
      'elevhalsan@skola.example.org',
      'socialtjanst@kommun.example.se',
    ]);
    const english = emails.find((e) => e.destination.to.includes('elevhalsan@skola.example.org'));
    expect(english?.subject).toBe(
      `Invitation to a SIP meeting Wednesday 9 December 2026, 09:00–10:30 (case ${caseId})`,
    );
    for (const email of emails) {
      const cal = calendarOf(email);
      expect(cal).toMatchObject({ method: 'REQUEST', sequence: 0, tz: 'Europe/Stockholm' });
      expect(cal.start.toISOString()).toBe('2026-12-09T08:00:00.000Z'); // 09:00 CET
      expect(cal.uid).toMatch(new RegExp(`^${caseId}\\.meeting-${caseId}\\.inv-\\w+@halland\\.sip$`));
      expect(cal.attendees).toEqual(email.destination.to);
      expect(`${email.subject}${email.body.text}${email.body.html}`).not.toMatch(
        /Samordna stödet|skolgången|Vilket stöd/,
      );
    }
    const loaded = await t.store.loadCase(caseId);
    expect(loaded.case?.status).toBe('summoned');
    expect(loaded.invitations.map((i) => i.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('a rescheduled summons updates each invitation (same UID, SEQUENCE + 1); a withdrawal cancels', async () => {
    const caseId = await consentedCase();
    await publish(freshSummons(caseId));
    await settle();
    const first = await eventually(
      () => emailsFor(caseId),
      (e) => e.length === 3,
    );
    // A later version of the summons (its own, later time): the meeting moves.
    await publish(
      freshSummons(caseId, { time: '2026-11-23T10:00:00+01:00', data: { startsAt: '2026-12-11T13:00' } }),
    );
    await settle();
    const afterMove = await eventually(
      () => emailsFor(caseId),
      (e) => e.length === 6,
    );
    const updates = afterMove.filter((e) => !first.some((f) => f.at === e.at && f.subject === e.subject));
    expect(
      updates.every((e) => e.subject.startsWith('Ändrad tid/plats') || e.subject.startsWith('Updated')),
    ).toBe(true);
    for (const u of updates) {
      const cal = calendarOf(u);
      const before = calendarOf(first.find((f) => f.destination.to.join() === u.destination.to.join())!);
      expect(cal.uid).toBe(before.uid);
      expect(cal.sequence).toBe(1);
      expect(cal.start.toISOString()).toBe('2026-12-11T12:00:00.000Z');
    }

    await publish(freshWithdrawal(caseId, `${caseId}-guardian-a`));
    await settle();
    const all = await eventually(
      () => emailsFor(caseId),
      (e) => e.length === 9,
    );
    const cancels = all.filter((e) => /^(Inställt|Cancelled)/.test(e.subject));
    expect(cancels).toHaveLength(3);
    for (const c of cancels) expect(calendarOf(c)).toMatchObject({ method: 'CANCEL', sequence: 2 });
    expect((await t.store.loadCase(caseId)).invitations.map((i) => i.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });

  it('a summons that leaves out the municipality is rejected, and nothing is sent', async () => {
    const caseId = await consentedCase();
    const base = freshSummons(caseId);
    const onlyRegion = (base.data.invitees as { principal: string }[]).filter(
      (i) => i.principal === 'region',
    );
    await publish(freshSummons(caseId, { data: { invitees: onlyRegion } }));
    await settle();
    expect(await emailsFor(caseId)).toEqual([]);
    expect((await t.store.loadCase(caseId)).case?.status).toBe('consented');
  });

  it('a protected case gets phone tasks and no email', async () => {
    const c = freshCaseCreated({ subject: uniqueId('case'), data: { protectedIdentity: true } });
    await publish(c, freshConsent(c.subject, { data: { guardianCount: 1 } }), freshSummons(c.subject));
    await settle();
    const loaded = await t.store.loadCase(c.subject);
    expect(loaded.case?.status).toBe('summoned');
    expect(loaded.invitations.map((i) => [i.channel, i.status])).toEqual([
      ['phone', 'to-call'],
      ['phone', 'to-call'],
      ['phone', 'to-call'],
    ]);
    expect(await emailsFor(c.subject)).toEqual([]);
  });
});
