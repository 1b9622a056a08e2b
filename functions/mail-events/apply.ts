/**
 * SES's events about our emails: SES (configuration set event destination) → SNS → SQS → here.
 * Each email carries tags naming its delivery (adapters/mail-tags.ts). A Send event settles an
 * email in doubt; deliveries, bounces, complaints and rejections update the delivery they concern.
 * Only the fields we use are read; the recipients' addresses in a report are never logged or stored.
 */
import * as z from 'zod/mini';
import { formatIssues } from '../../events/parse.ts';
import type { DeliveryStore } from '../adapters/delivery-store.ts';
import { type MailTags, readMailTags } from '../adapters/mail-tags.ts';
import type { Requeue } from '../adapters/requeue.ts';
import { type Delivery, isDone } from '../core/meeting.ts';
import { type EmailStatus, emailStatusChange, type OutboundChange } from '../core/outbound.ts';
import { createSqsHandler, type Outcome, type Parsed } from '../runtime/consumer.ts';
import { createMetrics, logger, MetricUnit } from '../runtime/observability.ts';
import { unwrapSns } from '../runtime/sns.ts';

const sesEvent = z.object({
  eventType: z.optional(z.string()),
  notificationType: z.optional(z.string()),
  mail: z.object({
    messageId: z.string(),
    tags: z.optional(z.record(z.string(), z.optional(z.array(z.string())))),
  }),
  bounce: z.optional(z.object({ bounceType: z.string(), bounceSubType: z.optional(z.string()) })),
  complaint: z.optional(z.object({ complaintFeedbackType: z.optional(z.string()) })),
  reject: z.optional(z.object({ reason: z.optional(z.string()) })),
});

export interface MailEvent {
  /** The SNS message id. */
  id: string;
  /** SES's message id of the email. */
  subject: string;
  kind: string;
  bounceType?: string;
  detail: string;
  /** What the email was (our tags on it), when it carries them. */
  tags?: MailTags;
}

export const parseMailEvent = (body: string): Parsed<MailEvent> => {
  // SNS wraps the SES event unless raw message delivery is on; accept both.
  const unwrapped = unwrapSns(body);
  if (!unwrapped.ok) return unwrapped;
  const event = sesEvent.safeParse(unwrapped.inner);
  if (!event.success) return { ok: false, reason: `not an SES event: ${formatIssues(event.error.issues)}` };
  const e = event.data;
  const kind = e.eventType ?? e.notificationType ?? 'unknown';
  const tags = readMailTags(e.mail.tags);
  return {
    ok: true,
    event: {
      id: unwrapped.snsMessageId ?? `${e.mail.messageId}.${kind}`,
      subject: e.mail.messageId,
      kind,
      bounceType: e.bounce?.bounceType,
      // Codes only: SES's diagnostic text can quote the recipient.
      detail: [kind, e.bounce?.bounceType, e.bounce?.bounceSubType, e.complaint?.complaintFeedbackType]
        .filter(Boolean)
        .join(' / '),
      ...(tags ? { tags } : {}),
    },
  };
};

type Status = NonNullable<Delivery['status']>;
const transitions: Record<string, { to: EmailStatus & Status; from: Status[] }> = {
  Delivery: { to: 'delivered', from: ['sent'] },
  PermanentBounce: { to: 'bounced', from: ['sent', 'delivered'] },
  Complaint: { to: 'complained', from: ['sent', 'delivered'] },
  // SES accepted the call, then refused the message (e.g. a virus scan): it never went out.
  Reject: { to: 'failed', from: ['sent', 'delivered'] },
};

const failureMetrics = createMetrics({ eventType: 'aws.ses.event' });

export const applyMailEvent = async (
  e: MailEvent,
  store: Pick<
    DeliveryStore,
    'confirmSend' | 'recordPreviousCancelled' | 'getDelivery' | 'updateDeliveryStatus'
  >,
  now: () => Date,
  county: string,
): Promise<Outcome> => {
  const t = e.tags;
  const iso = now().toISOString();
  // Upstream hears what became of an invitation's email (issue 14); a notice's is ours alone.
  const tell = (status: EmailStatus): OutboundChange | undefined =>
    t && 'meetingId' in t.ref
      ? emailStatusChange(county, t.ref, status, { meetingSequence: t.sequence, action: t.action })
      : undefined;
  if (e.kind === 'Send') {
    if (!t) return { kind: 'duplicate' }; // not one of ours to settle
    if (t.step === 'previous') {
      return (await store.recordPreviousCancelled(t.ref, t.token, iso))
        ? { kind: 'applied' }
        : { kind: 'duplicate' };
    }
    // An email in doubt is settled: SES has it.
    if (
      await store.confirmSend(
        t.ref,
        t.token,
        { sequence: t.sequence, action: t.action, sesMessageId: e.subject },
        iso,
        tell('sent'),
      )
    )
      return { kind: 'applied' };
    const d = await store.getDelivery(t.ref);
    if (d?.sesMessageId !== e.subject && isDone(d, t.sequence) && d?.sentSequence === t.sequence) {
      // The doubt window passed before this Send event arrived, and the email went out again.
      failureMetrics.addMetric('DuplicateSendsDetected', MetricUnit.Count, 1);
      failureMetrics.publishStoredMetrics();
      logger.warn('an email in doubt was sent twice', { caseId: t.ref.caseId });
    }
    return { kind: 'duplicate' };
  }
  const key = e.kind === 'Bounce' ? (e.bounceType === 'Permanent' ? 'PermanentBounce' : null) : e.kind;
  const transition = key ? transitions[key] : undefined;
  if (!transition) return { kind: 'duplicate' }; // transient bounces, opens …: nothing to record
  if (!t) return { kind: 'rejected', reason: `SES message ${e.subject} does not carry this system's tags` };
  if (t.step === 'previous') return { kind: 'duplicate' }; // a report on an old address's cancellation
  const alarm = () => {
    failureMetrics.addMetric('InvitationsFailed', MetricUnit.Count, 1);
    failureMetrics.publishStoredMetrics();
    logger.error('email rejected by SES after it was accepted', { caseId: t.ref.caseId, detail: e.detail });
  };
  const status = transition.to;
  if (
    await store.updateDeliveryStatus(t.ref, e.subject, status, transition.from, e.detail, iso, tell(status))
  ) {
    if (transition.to === 'failed') alarm();
    return { kind: 'applied' };
  }
  const d = await store.getDelivery(t.ref);
  // The report came before the send was recorded (the sender still holds its claim): wait for it.
  if (d?.claimToken === t.token)
    return { kind: 'deferred', reason: 'the send this report is about is not recorded yet' };
  // The send was recorded between the update and this read (SES's Send event settled it, or
  // the sender recorded it): the update applies now. Found by the simulation (a Reject lost).
  if (d?.sesMessageId === e.subject && d.status !== undefined && transition.from.includes(d.status))
    return {
      kind: 'deferred',
      reason: 'the send this report is about was recorded just now',
      retryAfterSeconds: 1,
    };
  // Recorded already: a redelivery, perhaps after a crash that came before the alarm. An alarm
  // counts at least once: a second count is harmless, a missing one is not.
  if (transition.to === 'failed' && d?.status === 'failed' && d.sesMessageId === e.subject) alarm();
  return { kind: 'duplicate' };
};

export const createMailEventsHandler = (deps: {
  store: DeliveryStore;
  county: { id: string };
  now: () => Date;
  requeue?: Requeue;
  orderingWaitSeconds?: number;
}) =>
  createSqsHandler({
    eventType: 'aws.ses.event',
    parse: parseMailEvent,
    store: deps.store,
    now: deps.now,
    requeue: deps.requeue,
    orderingWaitSeconds: deps.orderingWaitSeconds,
    // Reports about one case's emails each touch their own delivery.
    concurrentPerCase: true,
    neverGivesUp: true, // a report given up is an email's outcome lost
    // A report that waits for its send to be recorded goes back as SES sent it (the parsed form
    // is not an SNS notification; put back, it was rejected as "not an SES event" and lost).
    requeueAs: 'received',
    apply: (e: MailEvent) => applyMailEvent(e, deps.store, deps.now, deps.county.id),
  });
