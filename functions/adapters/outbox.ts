/** Hands pending invitation emails to the mailer's queue: one message per invitation and sequence. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventTypes } from '../../events/contracts/common.ts';
import type { MailJob } from '../core/meeting.ts';

export interface Outbox {
  enqueue(jobs: MailJob[]): Promise<void>;
}

/** The same job always has the same id, so the mailer can tell a repeat from new work. */
export const mailJobEvent = (county: string, job: MailJob, now: Date) => ({
  specversion: '1.0',
  id: job.noticeId
    ? `mail.${job.caseId}.notice.${job.noticeId}`
    : `mail.${job.caseId}.${job.meetingId}.${job.inviteeId}.${job.sequence}`,
  source: `urn:sip:${county}:outbox`,
  type: eventTypes.invitationMail,
  time: now.toISOString(),
  subject: job.caseId,
  datacontenttype: 'application/json',
  data: job.noticeId
    ? { county, noticeId: job.noticeId, sequence: 0 }
    : { county, meetingId: job.meetingId, inviteeId: job.inviteeId, sequence: job.sequence },
});

export const sqsOutbox = (
  queueUrl: string,
  county: string,
  client = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
): Outbox => ({
  async enqueue(jobs) {
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((job, n) => ({
            Id: String(n),
            MessageBody: JSON.stringify(mailJobEvent(county, job, new Date())),
          })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        // Thrown, so SQS redelivers the triggering event and the still-pending jobs are enqueued again.
        throw new Error(
          `could not enqueue ${out.Failed.length} mail job(s): ${out.Failed.map((f) => f.Code).join(', ')}`,
        );
      }
    }
  },
});
