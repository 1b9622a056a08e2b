/**
 * The mailer: brings one recipient up to date — the invitation (or its update or cancellation)
 * the case owes them now, or one notice — exactly once per sequence (docs/semantics.md, "Email").
 *
 * SES has no idempotency key, so every send is guarded by a claim on the recipient's delivery
 * item: only the claimer calls SES, and it records the outcome under the same claim. A send whose
 * outcome is unknown (SES timed out, the Lambda died after calling it) leaves its claim in place:
 * the email is *in doubt*. SES's own Send event, tagged with the claim, settles it (mail-events);
 * only if none arrives within the doubt window is the email sent again.
 */
import { type InvitationMail, invitationMailContract } from '../../events/contracts/invitation-mail.ts';
import type { DeliveryRef, LoadedCase } from '../adapters/case-store.ts';
import type { DeliveryStore } from '../adapters/delivery-store.ts';
import {
  buildInvitationMessage,
  buildNoticeMessage,
  type MailAddresses,
} from '../adapters/invitation-mail.ts';
import { mailTags } from '../adapters/mail-tags.ts';
import type { Requeue } from '../adapters/requeue.ts';
import { MailNotSentError, type MailSender } from '../adapters/ses.ts';
import { checkCounty } from '../core/case.ts';
import type { County } from '../core/county.ts';
import type { Letter } from '../core/email.ts';
import { hashOf } from '../core/ids.ts';
import {
  DEFAULT_CLAIM_LEASE_SECONDS,
  type Delivery,
  deliveryKey,
  isDone,
  letterDigest,
  type Meeting,
  owed,
} from '../core/meeting.ts';
import type { LinkKey } from '../adapters/link-key.ts';
import { familyPrintPath, linkToken } from '../core/invitation-link.ts';
import { type EmailStatus, emailStatusChange } from '../core/outbound.ts';
import { createSqsHandler, type Outcome, type RecordContext } from '../runtime/consumer.ts';
import { createMetrics, logger, MetricUnit } from '../runtime/observability.ts';

export interface MailerDeps {
  county: County;
  store: DeliveryStore;
  sender: MailSender;
  addresses: MailAddresses;
  now: () => Date;
  /** Where a job that must wait (another send in progress, an email in doubt) is put back. */
  requeue?: Requeue;
  orderingWaitSeconds?: number;
  /** A claim younger than this belongs to a send that may still be running (its Lambda's timeout, with margin). */
  claimLeaseSeconds?: number;
  /** How long an email in doubt waits for SES's Send event before it is sent again. */
  sendDoubtSeconds?: number;
  /** Each invitation carries its invitee's personal page link (issue 13) when set. */
  invitationLinks?: { baseUrl: string; key: LinkKey };
}

/** SES publishes its Send event within seconds; ten minutes leaves room for a slow event path. */
export const DEFAULT_SEND_DOUBT_SECONDS = 600;

const failureMetrics = createMetrics({ eventType: 'se.sip.invitation.mail.v1' });

interface Target {
  ref: DeliveryRef;
  sequence: number;
  action: 'request' | 'cancel';
  address?: string;
  /** What the email says, built under the claim. */
  build: (delivery: Delivery | undefined, now: Date, to: string) => Promise<Uint8Array>;
  kind: string;
  void?: boolean;
  /** What an invitation email would show its recipient (none for a notice: each is sent once). */
  digest?: (to: string) => string;
}

/** What the job is about, as the case stands now; or why there is nothing to send. */
const targetOf = (job: InvitationMail, loaded: LoadedCase, deps: MailerDeps): Target | string => {
  const d = job.data;
  const c = loaded.case;
  if (!c) return `case ${job.subject} does not exist`;
  if (d.noticeId !== undefined && d.recipient !== undefined) {
    const notice = loaded.notices.get(d.noticeId);
    const recipient = notice?.recipients.find((r) => r.key === d.recipient);
    if (!notice || !recipient) return `no notice ${d.noticeId} to ${d.recipient} in case ${job.subject}`;
    const to = recipient.to;
    const meeting = to.kind === 'coordinator' ? undefined : loaded.meetings.get(to.meetingId);
    const invitee =
      to.kind === 'invitee' ? meeting?.invitees.find((i) => i.inviteeId === to.inviteeId) : undefined;
    const address =
      to.kind === 'coordinator'
        ? c.coordinator?.email
        : to.kind === 'organiser'
          ? meeting?.organiser.contactEmail
          : invitee?.email;
    const locale = invitee?.locale ?? 'sv';
    return {
      ref: { caseId: c.caseId, noticeId: notice.noticeId, recipient: recipient.key },
      sequence: 0,
      action: 'request',
      ...(address ? { address } : {}),
      ...(notice.void ? { void: true } : {}),
      kind: notice.kind,
      build: async (_delivery, now, address) => {
        // The evaluation's page for a unit, the family survey's printable page for the organiser.
        const links = deps.invitationLinks;
        const base = links?.baseUrl.replace(/\/$/, '');
        const meetingId = notice.params.meetingId ?? '';
        const link =
          links && notice.kind === 'meeting-evaluation' && to.kind === 'invitee'
            ? `${base}/e/${linkToken(await links.key(), { caseId: c.caseId, meetingId, inviteeId: to.inviteeId }, 'evaluation')}`
            : links && notice.kind === 'family-survey'
              ? `${base}${familyPrintPath(await links.key(), c.caseId, meetingId)}`
              : undefined;
        return buildNoticeMessage(
          link ? { ...notice, params: { ...notice.params, link } } : notice,
          { address, locale },
          deps.addresses,
          now,
        );
      },
    };
  }
  const meeting = d.meetingId ? loaded.meetings.get(d.meetingId) : undefined;
  const invitee = meeting?.invitees.find((i) => i.inviteeId === d.inviteeId);
  if (!meeting || !invitee)
    return `no invitation ${d.inviteeId} for meeting ${d.meetingId} in case ${job.subject}`;
  const { action, sequence } = owed(meeting, invitee);
  const letter = (delivery: Delivery | undefined, to: string, act: 'request' | 'cancel'): Letter => ({
    caseId: c.caseId,
    meetingId: meeting.meetingId,
    inviteeId: invitee.inviteeId,
    ...(invitee.unitName !== undefined ? { unitName: invitee.unitName } : {}),
    email: to,
    locale: invitee.locale ?? 'sv',
    action: act,
    sequence,
    // The words say "changed" only to an address that had this calendar entry before.
    update: delivery?.sentAction === 'request' && delivery.sentTo === to,
  });
  return {
    ref: { caseId: c.caseId, meetingId: meeting.meetingId, inviteeId: invitee.inviteeId },
    sequence,
    action,
    ...(invitee.email ? { address: invitee.email } : {}),
    kind: action,
    digest: (to) => letterDigest(meeting, invitee, action, to),
    build: async (delivery, now, to) => {
      const links = deps.invitationLinks;
      // The page is for a SIP meeting's invitees; a cancellation and a follow-up reminder need none.
      const link =
        links && action === 'request' && (meeting.kind ?? 'sip') === 'sip'
          ? `${links.baseUrl.replace(/\/$/, '')}/i/${linkToken(await links.key(), {
              caseId: c.caseId,
              meetingId: meeting.meetingId,
              inviteeId: invitee.inviteeId,
            })}`
          : undefined;
      return buildInvitationMessage(
        action === 'cancel' ? ({ ...meeting, status: 'cancelled' } as Meeting) : meeting,
        { ...letter(delivery, to, action), ...(link ? { link } : {}) },
        deps.addresses,
        now,
      );
    },
  };
};

export const sendMail = async (
  job: InvitationMail,
  deps: MailerDeps,
  ctx: RecordContext,
): Promise<Outcome> => {
  const wrongCounty = checkCounty(deps.county, job.data.county);
  if (wrongCounty) return { kind: 'rejected', reason: wrongCounty };
  const loaded = await deps.store.loadCase(job.subject, { history: false });
  const target = targetOf(job, loaded, deps);
  if (typeof target === 'string') return { kind: 'rejected', reason: target };
  const { ref, sequence } = target;
  // A newer change has its own job: this one is outdated.
  if (job.data.sequence < sequence) return { kind: 'superseded' };
  const delivery = loaded.deliveries.get(deliveryKey(ref));
  if (job.data.sequence > sequence || isDone(delivery, sequence)) return { kind: 'duplicate' };
  const now = deps.now();
  const iso = now.toISOString();
  const lease = (deps.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS) * 1000;
  const doubt = (deps.sendDoubtSeconds ?? DEFAULT_SEND_DOUBT_SECONDS) * 1000;
  /** A claim older than this is given up or taken over: its sender is gone and SES never confirmed it. */
  const takeOver = new Date(now.getTime() - doubt).toISOString();

  // Nothing about a protected case ever reaches SES (docs/protected-identity.md). Nothing will be
  // sent, so a claim only has to outlive its sender (the lease), not the doubt window.
  if (loaded.case?.protectedIdentity || !target.address || target.void) {
    const status = target.void ? 'void' : 'withheld';
    const gone = new Date(now.getTime() - lease).toISOString();
    return (await deps.store.closeWithoutEmail(ref, sequence, status, iso, gone))
      ? { kind: 'applied' }
      : { kind: 'deferred', reason: 'a send of this email holds its claim; looking again shortly' };
  }
  if (delivery?.fenced) return { kind: 'deferred', reason: 'the case is becoming protected' };
  if (delivery?.claimToken && delivery.claimedAt) {
    const claimed = Date.parse(delivery.claimedAt);
    // A send in progress usually ends within a second: look again soon (backoff). An email in
    // doubt is settled by SES's Send event without this job, which only matters if none comes:
    // look again when the doubt window is over.
    if (claimed > now.getTime() - lease)
      return { kind: 'deferred', reason: 'another send of this email is in progress' };
    if (claimed > now.getTime() - doubt)
      return {
        kind: 'deferred',
        reason: 'an earlier send may have reached SES; waiting for SES to confirm it',
        retryAfterSeconds: Math.ceil((claimed + doubt - now.getTime()) / 1000) + 1,
      };
  }
  // A cancellation owed to someone who was never sent anything needs no email.
  if (target.action === 'cancel' && !delivery?.attempted) {
    return (await deps.store.closeWithoutEmail(ref, sequence, 'cancelled', iso, takeOver))
      ? { kind: 'applied' }
      : { kind: 'deferred', reason: 'the email changed hands; looking again shortly' };
  }
  // A cancellation goes to the address that has the calendar entry.
  const to = target.action === 'cancel' ? (delivery?.sentTo ?? target.address) : target.address;
  // The recipient already has exactly this (a change undone before it was sent): no email.
  const digest = target.digest?.(to);
  if (
    digest &&
    delivery?.sentTo === to &&
    delivery.sentDigest === digest &&
    delivery.sentAction === 'request'
  ) {
    return (await deps.store.markUnchanged(ref, sequence, to, digest, iso, takeOver))
      ? { kind: 'applied' }
      : { kind: 'deferred', reason: 'the email changed hands; looking again shortly' };
  }
  const token = hashOf(ctx.messageId, String(ctx.receiveCount));
  // A notice has no digest (each is sent once); '-' keeps the claim's shape the same.
  const claim = { token, at: iso, sequence, action: target.action, to, digest: digest ?? '-' };
  if (!(await deps.store.claimDelivery(ref, claim, takeOver)))
    return { kind: 'deferred', reason: 'the email changed hands; looking again shortly' };

  const send = async (data: Uint8Array, action: 'request' | 'cancel', step: 'current' | 'previous') => {
    try {
      return await deps.sender.sendRaw(
        data,
        mailTags({ ref, sequence, action, token, step }, deps.county.id, target.kind),
      );
    } catch (error) {
      // Certainly not sent: give the claim back. Anything else leaves it (the email is in doubt).
      if (error instanceof MailNotSentError) await deps.store.releaseDelivery(ref, token);
      throw error; // SQS redelivers after the visibility timeout: the backoff
    }
  };

  // The invitee's address changed since their calendar got the invitation: the old address is
  // told the meeting is off for it, then the new one is invited.
  const previous =
    target.action === 'request' &&
    delivery?.sentAction === 'request' &&
    delivery.sentTo &&
    delivery.sentTo !== to
      ? delivery.sentTo
      : undefined;
  if (previous && 'meetingId' in ref) {
    const meeting = loaded.meetings.get(ref.meetingId) as Meeting;
    const invitee = meeting.invitees.find((i) => i.inviteeId === ref.inviteeId);
    const cancel = await buildInvitationMessage(
      { ...meeting, status: 'cancelled' },
      {
        caseId: ref.caseId,
        meetingId: ref.meetingId,
        inviteeId: ref.inviteeId,
        email: previous,
        locale: invitee?.locale ?? 'sv',
        action: 'cancel',
        sequence,
      },
      deps.addresses,
      now,
    );
    const result = await send(cancel, 'cancel', 'previous');
    if (result.kind === 'sent') await deps.store.recordPreviousCancelled(ref, token, iso);
  }

  const result = await send(await target.build(delivery, now, to), target.action, 'current');
  // Upstream hears what became of an invitation's email (issue 14); a notice's is ours alone.
  const tell = (status: EmailStatus) =>
    'meetingId' in ref
      ? emailStatusChange(deps.county.id, ref, status, { meetingSequence: sequence, action: target.action })
      : undefined;
  if (result.kind === 'rejected') {
    // The alarm's metric first: a crash after it sends it again (harmless); a crash between the
    // record and a later metric would leave a failure no alarm ever heard of.
    failureMetrics.addMetric('InvitationsFailed', MetricUnit.Count, 1);
    failureMetrics.publishStoredMetrics();
    logger.error('email permanently rejected by SES', { caseId: job.subject, reason: result.reason });
    await deps.store.recordDelivery(
      ref,
      token,
      { status: 'failed', sequence, failureReason: result.reason },
      iso,
      tell('failed'),
    );
    return { kind: 'applied' };
  }
  const recorded = await deps.store.recordDelivery(
    ref,
    token,
    {
      status: target.action === 'cancel' ? 'cancelled' : 'sent',
      sequence,
      action: target.action,
      to,
      sesMessageId: result.messageId,
      ...(digest ? { digest } : {}),
    },
    iso,
    tell('sent'),
  );
  if (!recorded) logger.warn('a send finished after its claim was taken over', { caseId: job.subject });
  return { kind: 'applied' };
};

export const createMailerHandler = (deps: MailerDeps) =>
  createSqsHandler({
    eventType: invitationMailContract.type,
    schema: invitationMailContract.schema,
    concurrentPerCase: true, // each job claims its own delivery item
    neverGivesUp: true, // a job given up is an email lost
    store: deps.store,
    now: deps.now,
    requeue: deps.requeue,
    orderingWaitSeconds: deps.orderingWaitSeconds,
    apply: (job, ctx) => sendMail(job, deps, ctx),
  });
