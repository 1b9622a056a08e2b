/**
 * The mailer: sends one invitation email (or its cancellation), or one notice, per job, exactly
 * once per sequence. A claim on the outbox item guards the SES call, which itself is not idempotent.
 */
import { type InvitationMail, invitationMailContract } from '../../events/contracts/invitation-mail.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import {
  buildInvitationMessage,
  buildNoticeMessage,
  type MailAddresses,
} from '../adapters/invitation-mail.ts';
import { MailThrottledError, type MailSender } from '../adapters/ses.ts';
import { checkCounty } from '../core/case.ts';
import type { County } from '../core/county.ts';
import type { Invitation, Notice } from '../core/meeting.ts';
import { createSqsHandler, type Outcome } from '../runtime/consumer.ts';
import { createMetrics, logger, MetricUnit } from '../runtime/observability.ts';

export interface MailerDeps {
  county: County;
  store: CaseStore;
  sender: MailSender;
  addresses: MailAddresses;
  now: () => Date;
  /** A claim older than this was left by a mailer that died mid-send. */
  claimTimeoutSeconds?: number;
}

const failureMetrics = createMetrics({ eventType: 'se.sip.invitation.mail.v1' });

export const sendMail = async (job: InvitationMail, deps: MailerDeps): Promise<Outcome> => {
  const wrongCounty = checkCounty(deps.county, job.data.county);
  if (wrongCounty) return { kind: 'rejected', reason: wrongCounty };
  const { meetingId, inviteeId, noticeId, sequence } = job.data;
  const loaded = await deps.store.loadCase(job.subject);
  const meeting = meetingId ? loaded.meetings.get(meetingId) : undefined;
  const item: Invitation | Notice | undefined = noticeId
    ? loaded.notices.find((n) => n.noticeId === noticeId)
    : loaded.invitations.find((i) => i.meetingId === meetingId && i.inviteeId === inviteeId);
  if (!loaded.case || !item || (!noticeId && !meeting)) {
    return {
      kind: 'rejected',
      reason: `no ${noticeId ? `notice ${noticeId}` : `invitation ${inviteeId} for meeting ${meetingId}`} in case ${job.subject}`,
    };
  }
  // Defence in depth: the protected path never creates email items, and never sends one.
  if (loaded.case.protectedIdentity || item.channel !== 'email' || !item.email) {
    return { kind: 'rejected', reason: `${noticeId ?? inviteeId} is not on the email path; nothing sent` };
  }
  if (item.sequence > sequence) return { kind: 'duplicate' }; // a newer job supersedes this one
  if (item.status !== 'pending' && item.status !== 'sending') return { kind: 'duplicate' };

  const now = deps.now();
  const stale = new Date(now.getTime() - (deps.claimTimeoutSeconds ?? 120) * 1000).toISOString();
  if (!(await deps.store.claimInvitation(item, sequence, now.toISOString(), stale))) {
    // Another delivery holds the claim. Its own message comes back if it dies, and then takes the
    // stale claim over, so this copy can be acknowledged.
    return { kind: 'duplicate' };
  }

  const message =
    'noticeId' in item
      ? await buildNoticeMessage(item, deps.addresses, now)
      : await buildInvitationMessage(meeting as NonNullable<typeof meeting>, item, deps.addresses, now);
  let result: Awaited<ReturnType<MailSender['sendRaw']>>;
  try {
    result = await deps.sender.sendRaw(message, {
      county: deps.county.id,
      kind: 'noticeId' in item ? item.kind : item.action,
    });
  } catch (error) {
    if (error instanceof MailThrottledError) await deps.store.releaseInvitation(item, sequence);
    throw error; // SQS redelivers after the visibility timeout: the backoff
  }
  if (result.kind === 'rejected') {
    await deps.store.recordSend(
      item,
      sequence,
      { status: 'failed', failureReason: result.reason },
      now.toISOString(),
    );
    failureMetrics.addMetric('InvitationsFailed', MetricUnit.Count, 1);
    failureMetrics.publishStoredMetrics();
    logger.error('email permanently rejected by SES', {
      caseId: job.subject,
      item: noticeId ?? inviteeId,
      reason: result.reason,
    });
    return { kind: 'applied' };
  }
  const cancel = !('noticeId' in item) && item.action === 'cancel';
  await deps.store.recordSend(
    item,
    sequence,
    { status: cancel ? 'cancelled' : 'sent', sesMessageId: result.messageId },
    now.toISOString(),
  );
  return { kind: 'applied' };
};

export const createMailerHandler = (deps: MailerDeps) =>
  createSqsHandler({
    eventType: invitationMailContract.type,
    schema: invitationMailContract.schema,
    concurrentPerCase: true, // each job claims its own invitation item
    store: deps.store,
    now: deps.now,
    apply: (job) => sendMail(job, deps),
  });
