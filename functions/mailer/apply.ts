/**
 * The mailer: sends one invitation email (or its cancellation) per job, exactly once per
 * sequence. A claim on the invitation item guards the SES call, which itself is not idempotent.
 */
import type { InvitationMail } from '../../events/contracts.ts';
import { buildInvitationMessage, type MailAddresses } from '../adapters/invitation-mail.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import { MailThrottledError, type MailSender } from '../adapters/ses.ts';
import { checkCounty } from '../core/case.ts';
import type { County } from '../core/county.ts';
import { createSqsHandler, type Outcome } from '../runtime/consumer.ts';
import { logger, createMetrics, MetricUnit } from '../runtime/observability.ts';

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

export const sendInvitation = async (job: InvitationMail, deps: MailerDeps): Promise<Outcome> => {
  const wrongCounty = checkCounty(deps.county, job.data.county);
  if (wrongCounty) return { kind: 'rejected', reason: wrongCounty };
  const loaded = await deps.store.loadCase(job.subject);
  const meeting = loaded.meetings.get(job.data.meetingId);
  const invitation = loaded.invitations.find(
    (i) => i.meetingId === job.data.meetingId && i.inviteeId === job.data.inviteeId,
  );
  if (!loaded.case || !meeting || !invitation) {
    return {
      kind: 'rejected',
      reason: `no invitation ${job.data.inviteeId} for meeting ${job.data.meetingId} of case ${job.subject}`,
    };
  }
  // Defence in depth: the protected path never creates email invitations, and never sends one.
  if (loaded.case.protectedIdentity || invitation.channel !== 'email' || !invitation.email) {
    return {
      kind: 'rejected',
      reason: `invitation ${invitation.inviteeId} is not on the email path; nothing sent`,
    };
  }
  if (invitation.sequence > job.data.sequence) return { kind: 'duplicate' }; // a newer job supersedes this one
  if (
    invitation.sentSequence !== undefined &&
    invitation.sentSequence >= job.data.sequence &&
    invitation.status !== 'pending' &&
    invitation.status !== 'sending'
  ) {
    return { kind: 'duplicate' };
  }
  if (invitation.status !== 'pending' && invitation.status !== 'sending') return { kind: 'duplicate' };

  const now = deps.now();
  const stale = new Date(now.getTime() - (deps.claimTimeoutSeconds ?? 120) * 1000).toISOString();
  if (!(await deps.store.claimInvitation(invitation, job.data.sequence, now.toISOString(), stale))) {
    // Another delivery holds the claim. Its own message comes back if it dies, and then takes the
    // stale claim over, so this copy can be acknowledged.
    return { kind: 'duplicate' };
  }

  const message = await buildInvitationMessage(meeting, invitation, deps.addresses, now);
  let result: Awaited<ReturnType<MailSender['sendRaw']>>;
  try {
    result = await deps.sender.sendRaw(message, { county: deps.county.id, kind: invitation.action });
  } catch (error) {
    if (error instanceof MailThrottledError)
      await deps.store.releaseInvitation(invitation, job.data.sequence);
    throw error; // SQS redelivers after the visibility timeout: the backoff
  }
  if (result.kind === 'rejected') {
    await deps.store.recordSend(
      invitation,
      job.data.sequence,
      { status: 'failed', failureReason: result.reason },
      now.toISOString(),
    );
    failureMetrics.addMetric('InvitationsFailed', MetricUnit.Count, 1);
    failureMetrics.publishStoredMetrics();
    logger.error('invitation permanently rejected by SES', {
      caseId: job.subject,
      meetingId: meeting.meetingId,
      inviteeId: invitation.inviteeId,
      reason: result.reason,
    });
    return { kind: 'applied' };
  }
  await deps.store.recordSend(
    invitation,
    job.data.sequence,
    { status: invitation.action === 'cancel' ? 'cancelled' : 'sent', sesMessageId: result.messageId },
    now.toISOString(),
  );
  return { kind: 'applied' };
};

export const createMailerHandler = (deps: MailerDeps) =>
  createSqsHandler({
    eventType: 'se.sip.invitation.mail.v1',
    store: deps.store,
    now: deps.now,
    apply: (job) => sendInvitation(job, deps),
  });
