/**
 * Exactly once under faults: a crash between the database write and the hand-off to the mailer,
 * SES throttling and a permanent SES rejection (injected with SDK middleware), and delivery
 * reports in SES's documented notification format.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mailJobEvent, type Outbox } from '../../functions/adapters/outbox.ts';
import { sesSender } from '../../functions/adapters/ses.ts';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { createConsentWithdrawnHandler } from '../../functions/consent-withdrawn/apply.ts';
import type { MailJob } from '../../functions/core/meeting.ts';
import { createMailEventsHandler } from '../../functions/mail-events/apply.ts';
import { createMailerHandler } from '../../functions/mailer/apply.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { localAwsEnv } from '../../local/emulators.ts';
import {
  freshCaseCreated,
  freshConsent,
  freshSummons,
  freshWithdrawal,
  gateOrDeadline,
  invokeBatch,
  sqsRecord,
  uniqueId,
} from '../support/fixtures.ts';
import { freshTable, injectFault } from '../support/dynamo.ts';
import { calendarOf, emailsFor } from '../support/mail.ts';

const county = countyById('halland');
let t: Awaited<ReturnType<typeof freshTable>>;
const run = invokeBatch;
const deps = () => ({ county, store: t.store, now: () => new Date() });

/** An outbox that keeps jobs in memory, and can fail its first hand-off like a crash would. */
const memoryOutbox = (failFirst = false) => {
  const jobs: MailJob[] = [];
  let failed = false;
  const outbox: Outbox = {
    async enqueue(more) {
      if (failFirst && !failed) {
        failed = true;
        throw new Error('crash after the database write, before the hand-off');
      }
      jobs.push(...more);
    },
  };
  return { outbox, jobs };
};

const sesClient = () =>
  new SESv2Client({
    endpoint: inject('endpoints').ses,
    region: localAwsEnv.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
const addresses = {
  from: { address: county.senderAddress },
  replyTo: { address: county.replyToAddress },
  calendarReply: { address: county.calendarReplyAddress },
  countyId: county.id,
  countyName: county.displayName,
};
const mailer = (client = sesClient()) =>
  createMailerHandler({ ...deps(), sender: sesSender(undefined, client), addresses });
const jobRecords = (jobs: MailJob[]) =>
  jobs.map((j) => sqsRecord(JSON.stringify(mailJobEvent(county.id, j, new Date()))));

const summonedCase = async (outbox: Outbox) => {
  const c = freshCaseCreated({ subject: uniqueId('case') });
  await run(createCaseCreatedHandler(deps()), [sqsRecord(JSON.stringify(c))]);
  await run(createConsentRegisteredHandler(deps()), [
    sqsRecord(JSON.stringify(freshConsent(c.subject, { data: { guardianCount: 1 } }))),
  ]);
  const summons = sqsRecord(JSON.stringify(freshSummons(c.subject)));
  const first = await run(createSummonsSentHandler({ ...deps(), outbox }), [summons]);
  return { caseId: c.subject, summons, first };
};

beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

describe('exactly-once invitations', () => {
  it('a crash after the write loses no invitation and sends none twice', async () => {
    const { outbox, jobs } = memoryOutbox(true);
    const { caseId, summons, first } = await summonedCase(outbox);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: summons.messageId }]); // SQS will redeliver
    expect(jobs).toEqual([]);
    expect((await t.store.loadCase(caseId)).invitations.map((i) => i.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);

    // The redelivery is a duplicate of an applied event: it hands the still-pending invitations over.
    const again = await run(createSummonsSentHandler({ ...deps(), outbox }), [summons]);
    expect(again.batchItemFailures).toEqual([]);
    expect(jobs).toHaveLength(3);

    // The mailer gets every job twice (at-least-once); each invitation is emailed once.
    const send = mailer();
    await run(send, jobRecords(jobs));
    await run(send, jobRecords(jobs));
    expect(await emailsFor(caseId)).toHaveLength(3);
    expect((await t.store.loadCase(caseId)).invitations.map((i) => i.status)).toEqual([
      'sent',
      'sent',
      'sent',
    ]);
  });

  it('upstream hears each invitation’s email was sent, numbered on the case’s sequence; a commit that read an older sequence reads again', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const stale = await t.store.loadCase(caseId);
    const send = mailer();
    await run(send, jobRecords(jobs));
    await run(send, jobRecords(jobs)); // at-least-once: told once all the same
    const events = await t.store.listOutbound(caseId);
    expect(events.map((e) => Number(e.sequence))).toEqual(events.map((_, i) => i + 1));
    const told = events.filter((e) => e.data.email !== undefined);
    expect(
      told.map((e) => [e.data.inviteeId, e.data.status, e.data.email, e.data.meetingSequence]).sort(),
    ).toEqual(stale.invitations.map((i) => [i.inviteeId, 'sent', 'invitation', 0]).sort());
    expect((await t.store.loadCase(caseId)).case?.outboundSeq).toBe(events.length);
    // A consumer that read the case before the sends would number its events on the old sequence:
    // its commit is refused and it reads again (functions/runtime/apply-event.ts, conflict).
    const outcome = await t.store.commit({
      writes: {
        case: stale.case as never,
        consents: [],
        meetings: [],
        plans: [],
        notices: [],
        due: [],
        deleteConsents: [],
        deletePlans: [],
        deleteDue: [],
      },
      expectedVersion: stale.case?.version,
      appliedAt: new Date().toISOString(),
      history: {
        eventId: uniqueId('evt'),
        eventType: 'test',
        outcome: 'applied',
        summary: '',
        version: 'v',
      } as never,
      outbound: [],
    });
    expect(outcome).toEqual({ kind: 'conflict' });
  });

  it('the invitations of one summons are sent in parallel, not one case-turn at a time', async () => {
    const { outbox, jobs } = memoryOutbox();
    await summonedCase(outbox);
    expect(jobs.length).toBeGreaterThan(1);
    // Each send waits until a second send is in flight at the same time, or until a deadline.
    // Run one at a time, no send ever sees another and the deadline ends each wait (most = 1);
    // run in parallel, the second send releases the first at once. No timing luck either way.
    let inFlight = 0;
    let most = 0;
    let release = () => {};
    const overlap = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const sender = {
      async sendRaw() {
        inFlight++;
        most = Math.max(most, inFlight);
        if (inFlight > 1) release();
        await gateOrDeadline(overlap, 15_000);
        inFlight--;
        sent.push('x');
        return { kind: 'sent' as const, messageId: uniqueId('ses') };
      },
    };
    const response = await run(createMailerHandler({ ...deps(), sender, addresses }), jobRecords(jobs));
    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(jobs.length);
    expect(most).toBeGreaterThan(1);
  }, 90_000);

  it('SES throttling is retried; the email goes out once', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const client = sesClient();
    let throttles = 1;
    client.middlewareStack.add(
      (next) => async (args) => {
        if (throttles-- > 0) {
          throw Object.assign(new Error('Maximum sending rate exceeded.'), {
            name: 'TooManyRequestsException',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttle-once' },
    );
    const records = jobRecords(jobs.slice(0, 1));
    const firstTry = await run(mailer(client), records);
    expect(firstTry.batchItemFailures).toHaveLength(1);
    expect((await t.store.loadCase(caseId)).invitations[0]?.status).toBe('pending'); // claim released
    const retry = await run(mailer(client), records);
    expect(retry.batchItemFailures).toEqual([]);
    expect(await emailsFor(caseId)).toHaveLength(1);
  });

  it('a permanent SES rejection marks the invitation failed with the reason, and is not retried', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const client = sesClient();
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(
          new Error(
            'Email address is not verified. The following identities failed: socialtjanst@kommun.example.se',
          ),
          { name: 'MessageRejected' },
        );
      },
      { step: 'initialize', name: 'reject-all' },
    );
    const response = await run(mailer(client), jobRecords(jobs.slice(0, 1)));
    expect(response.batchItemFailures).toEqual([]);
    const invitation = (await t.store.loadCase(caseId)).invitations.find(
      (i) => jobs[0] && 'inviteeId' in jobs[0] && i.inviteeId === jobs[0].inviteeId,
    );
    expect(invitation).toMatchObject({
      status: 'failed',
      failureReason: 'MessageRejected (SES refused the message for good)',
    });
    expect(await emailsFor(caseId)).toEqual([]);
  });
});

describe('a cancellation that meets its invitation being sent (issue 12)', () => {
  it('the cancellation job read before the invitation was claimed, and writes after it was sent: the CANCEL still goes out', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const job = jobs[0] as MailJob & { inviteeId: string };
    /** A gate the test opens; the store waits at it before the named call. */
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    };
    const paused = (name: 'claimDelivery' | 'closeWithoutEmail', g: ReturnType<typeof gate>) =>
      new Proxy(t.store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          if (prop !== name) return value.bind(target);
          return async (...args: unknown[]) => {
            await gateOrDeadline(g.opened, 20_000);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const requeued: string[] = [];
    const requeue = { send: async (body: string) => void requeued.push(body) };
    const mailerWith = (store: typeof t.store) =>
      createMailerHandler({
        ...deps(),
        store,
        sender: sesSender(undefined, sesClient()),
        addresses,
        requeue,
      });

    // R: the invitation's job reads the case, and stops before it claims the delivery.
    const beforeClaim = gate();
    const r = run(mailerWith(paused('claimDelivery', beforeClaim)), jobRecords([job]));
    // Consent is withdrawn meanwhile: the meeting is cancelled, a CANCEL (sequence 1) is owed.
    const cancels = memoryOutbox();
    const guardian = `${caseId}-guardian-a`;
    expect(
      (
        await run(createConsentWithdrawnHandler({ ...deps(), outbox: cancels.outbox }), [
          sqsRecord(JSON.stringify(freshWithdrawal(caseId, guardian))),
        ])
      ).batchItemFailures,
    ).toEqual([]);
    const cancelJob = cancels.jobs.find((j) => 'inviteeId' in j && j.inviteeId === job.inviteeId);
    expect(cancelJob).toBeDefined();
    // C: the cancellation's job reads (nothing sent yet, nothing claimed) and stops before it writes.
    const beforeClose = gate();
    const c = run(mailerWith(paused('closeWithoutEmail', beforeClose)), jobRecords([cancelJob as MailJob]));
    // R goes on: it claims, SES takes the invitation, R records it. Then C writes.
    beforeClaim.open();
    expect((await r).batchItemFailures).toEqual([]);
    beforeClose.open();
    expect((await c).batchItemFailures).toEqual([]);
    // C's "cancelled, nothing to send" must not hold: the invitation went out. It looks again and
    // sends the CANCEL.
    expect(requeued).toHaveLength(1);
    await run(mailerWith(t.store), [sqsRecord(requeued[0] as string)]);
    const mine = (await emailsFor(caseId)).filter((e) => calendarOf(e).uid.includes(`.${job.inviteeId}@`));
    expect(mine.map((e) => [calendarOf(e).method, calendarOf(e).sequence])).toEqual([
      ['REQUEST', 0],
      ['CANCEL', 1],
    ]);
  });
});

describe('SES events (event publishing → SNS → SQS): what SES says about each email', () => {
  /** The shape SES documents for event publishing, wrapped by SNS; `tags` are the email's own. */
  const report = (messageId: string, tags: Record<string, string>, ses: Record<string, unknown>) =>
    JSON.stringify({
      Type: 'Notification',
      MessageId: uniqueId('sns'),
      TopicArn: 'arn:aws:sns:eu-north-1:123456789012:sip-halland-mail-events',
      Message: JSON.stringify({
        ...ses,
        mail: {
          timestamp: '2026-11-23T08:00:00.000Z',
          source: 'sip@halland.example.se',
          messageId,
          destination: ['bup@region.example.se'],
          tags: {
            'ses:configuration-set': ['sip-halland'],
            ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]])),
          },
        },
      }),
      Timestamp: '2026-11-23T08:00:01.000Z',
    });
  /** The real sender (the SES emulator), remembering the tags of each email it sent. */
  const taggingSender = (fail?: () => Error | undefined) => {
    const sent: { messageId: string; tags: Record<string, string> }[] = [];
    const real = sesSender(undefined, sesClient());
    return {
      sent,
      sender: {
        async sendRaw(data: Uint8Array, tags: Record<string, string>) {
          const result = await real.sendRaw(data, tags);
          if (result.kind === 'sent') sent.push({ messageId: result.messageId, tags });
          const error = fail?.();
          if (error) throw error; // SES took it, and the answer was lost
          return result;
        },
      },
    };
  };
  const events = () => createMailEventsHandler({ store: t.store, county, now: () => new Date() });

  it('delivery, permanent bounce, complaint and SES’s own later rejection update the delivery; an email without our tags is rejected', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const { sender, sent } = taggingSender();
    await run(createMailerHandler({ ...deps(), sender, addresses }), jobRecords(jobs));
    const byInvitee = (id: string) => {
      const s = sent.find((x) => Buffer.from(x.tags.sipInvitee ?? '', 'base64url').toString() === id);
      if (!s) throw new Error(`nothing sent to ${id}`);
      return s;
    };
    const [a, b, c] = ['inv-bup', 'inv-soc', 'inv-skola'].map(byInvitee);
    const response = await run(events(), [
      sqsRecord(report(a!.messageId, a!.tags, { eventType: 'Delivery', delivery: { recipients: ['x'] } })),
      sqsRecord(
        report(b!.messageId, b!.tags, {
          eventType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: 'x' }],
          },
        }),
      ),
      sqsRecord(report(c!.messageId, c!.tags, { eventType: 'Reject', reject: { reason: 'Bad content' } })),
      sqsRecord(report('no-such-message', {}, { eventType: 'Delivery', delivery: {} })),
    ]);
    expect(response.batchItemFailures).toEqual([]);
    const status = async () =>
      Object.fromEntries((await t.store.loadCase(caseId)).invitations.map((i) => [i.inviteeId, i.status]));
    expect(await status()).toEqual({ 'inv-bup': 'delivered', 'inv-soc': 'bounced', 'inv-skola': 'failed' });
    await run(events(), [
      sqsRecord(
        report(a!.messageId, a!.tags, {
          eventType: 'Complaint',
          complaint: { complaintFeedbackType: 'abuse' },
        }),
      ),
    ]);
    expect((await status())['inv-bup']).toBe('complained');
    expect(
      (await t.rejections()).some(
        (r) => r.reason === "SES message no-such-message does not carry this system's tags",
      ),
    ).toBe(true);
  });

  it('the reports on one case’s emails in one batch take turns for its outbound sequence: one transaction each, not a race of all against all', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const { sender, sent } = taggingSender();
    await run(createMailerHandler({ ...deps(), sender, addresses }), jobRecords(jobs));
    expect(sent.length).toBeGreaterThan(2);
    let told = 0;
    injectFault(
      t.client,
      (name, input) => {
        // The outbox item of this case (marshalled or not, depending on the middleware's place).
        const items = (input as { TransactItems?: { Put?: { Item?: { caseId?: unknown } } }[] })
          .TransactItems;
        const ofCase = (v: unknown) => v === caseId || (v as { S?: string } | undefined)?.S === caseId;
        if (name === 'TransactWriteItemsCommand' && items?.some((i) => ofCase(i.Put?.Item?.caseId))) told++;
        return false;
      },
      () => new Error('never'),
    );
    const response = await run(
      events(),
      sent.map((s) => sqsRecord(report(s.messageId, s.tags, { eventType: 'Delivery', delivery: {} }))),
    );
    expect(response.batchItemFailures).toEqual([]);
    const events_ = await t.store.listOutbound(caseId);
    expect(events_.filter((e) => e.data.status === 'delivered')).toHaveLength(sent.length);
    expect(events_.map((e) => Number(e.sequence))).toEqual(events_.map((_, i) => i + 1));
    // Racing, the reports of one batch cost n + (n-1) + … transactions (each round lets one in).
    expect(told).toBe(sent.length);
  });

  it('a transient bounce changes nothing', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const { sender, sent } = taggingSender();
    await run(createMailerHandler({ ...deps(), sender, addresses }), jobRecords(jobs.slice(0, 1)));
    await run(events(), [
      sqsRecord(
        report(sent[0]?.messageId ?? '', sent[0]?.tags ?? {}, {
          eventType: 'Bounce',
          bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' },
        }),
      ),
    ]);
    expect((await t.store.loadCase(caseId)).invitations.filter((i) => i.status === 'sent')).toHaveLength(1);
  });

  it('an email in doubt (SES took it, the answer was lost) is settled by its Send event and never sent twice', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const { sender, sent } = taggingSender(() => timeout);
    const records = jobRecords(jobs.slice(0, 1));
    const first = await run(createMailerHandler({ ...deps(), sender, addresses }), records);
    expect(first.batchItemFailures).toHaveLength(1); // SQS will redeliver
    expect((await t.store.loadCase(caseId)).invitations[0]?.status).toBe('sending'); // in doubt
    // The redelivery (after the visibility timeout) waits: SES may have it.
    let requeued = 0;
    let delay = 0;
    const later = () => new Date(Date.now() + 61_000);
    const patient = createMailerHandler({
      ...deps(),
      now: later,
      sender,
      addresses,
      requeue: {
        send: async (_body, delaySeconds) => {
          requeued++;
          delay = delaySeconds;
        },
      },
    });
    expect(
      (
        await run(
          patient,
          records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } })),
        )
      ).batchItemFailures,
    ).toEqual([]);
    expect(requeued).toBe(1);
    // It looks again when the doubt window (10 minutes from the claim) is over, not every few
    // seconds until then (one Lambda invocation instead of ~70).
    expect(delay).toBeGreaterThan(530);
    expect(delay).toBeLessThanOrEqual(541);
    // SES's Send event, carrying the claim in its tags, settles it.
    const [s] = sent;
    await run(events(), [
      sqsRecord(report(s?.messageId ?? '', s?.tags ?? {}, { eventType: 'Send', send: {} })),
    ]);
    expect((await t.store.loadCase(caseId)).invitations[0]).toMatchObject({
      status: 'sent',
      sesMessageId: s?.messageId,
    });
    await run(patient, records);
    expect(await emailsFor(caseId)).toHaveLength(1);
  });

  it('a rejection that comes before its send is recorded waits, and comes back as SES sent it: the invitation ends failed', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const { sender, sent } = taggingSender(() => timeout); // SES took it; the answer was lost
    await run(createMailerHandler({ ...deps(), sender, addresses }), jobRecords(jobs.slice(0, 1)));
    const [s] = sent;
    const requeued: string[] = [];
    const waiting = createMailEventsHandler({
      store: t.store,
      county,
      now: () => new Date(),
      requeue: { send: async (body) => void requeued.push(body) },
    });
    // SES's Reject comes first: the send it is about still holds its claim.
    const reject = report(s?.messageId ?? '', s?.tags ?? {}, {
      eventType: 'Reject',
      reject: { reason: 'Bad content' },
    });
    expect((await run(waiting, [sqsRecord(reject)])).batchItemFailures).toEqual([]);
    expect(requeued).toHaveLength(1);
    // Put back as SES sent it, not as the parsed report (which is no SNS notification).
    expect(requeued[0]).toBe(reject);
    await run(events(), [
      sqsRecord(report(s?.messageId ?? '', s?.tags ?? {}, { eventType: 'Send', send: {} })),
    ]);
    await run(waiting, [sqsRecord(requeued[0] as string)]);
    expect((await t.store.loadCase(caseId)).invitations[0]?.status).toBe('failed');
    expect((await t.rejections()).filter((r) => r.reason.startsWith('not an SES event'))).toEqual([]);
  });

  it('an email in doubt with no Send event within the doubt window is sent again (the documented window)', async () => {
    const { outbox, jobs } = memoryOutbox();
    const { caseId } = await summonedCase(outbox);
    let lose = true;
    const { sender } = taggingSender(() =>
      lose ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : undefined,
    );
    const records = jobRecords(jobs.slice(0, 1));
    await run(createMailerHandler({ ...deps(), sender, addresses }), records);
    lose = false;
    const afterWindow = createMailerHandler({
      ...deps(),
      now: () => new Date(Date.now() + 11 * 60_000),
      sender,
      addresses,
    });
    expect(
      (
        await run(
          afterWindow,
          records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } })),
        )
      ).batchItemFailures,
    ).toEqual([]);
    expect((await t.store.loadCase(caseId)).invitations[0]?.status).toBe('sent');
    expect(await emailsFor(caseId)).toHaveLength(2);
  });
});
