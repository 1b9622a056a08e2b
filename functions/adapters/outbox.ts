/** Hands emails still owed to the mailer's queue: one message per recipient and sequence. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventTypes } from '../../events/contracts/common.ts';
import { derivedId } from '../core/ids.ts';
import { isNoticeJob, type MailJob } from '../core/meeting.ts';

export interface Outbox {
  enqueue(jobs: MailJob[]): Promise<void>;
}

/**
 * The same job always has the same id (a hash of its parts: upstream ids may each be 64
 * characters, the id may be 128), so a repeat is told from new work.
 */
export const mailJobEvent = (county: string, job: MailJob, now: Date) => ({
  specversion: '1.0',
  id: isNoticeJob(job)
    ? derivedId('mail', job.caseId, 'notice', job.noticeId, job.recipient)
    : derivedId('mail', job.caseId, job.meetingId, job.inviteeId, String(job.sequence)),
  source: `urn:sip:${county}:outbox`,
  type: eventTypes.invitationMail,
  time: now.toISOString(),
  subject: job.caseId,
  datacontenttype: 'application/json',
  data: isNoticeJob(job)
    ? { county, noticeId: job.noticeId, recipient: job.recipient, sequence: 0 }
    : { county, meetingId: job.meetingId, inviteeId: job.inviteeId, sequence: job.sequence },
});

export const sqsOutbox = (
  queueUrl: string,
  county: string,
  client = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
  now: () => Date = () => new Date(),
): Outbox => ({
  async enqueue(jobs) {
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((job, n) => ({
            Id: String(n),
            MessageBody: JSON.stringify(mailJobEvent(county, job, now())),
          })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        // Thrown, so SQS redelivers the triggering event and the still-owed jobs are enqueued again.
        throw new Error(
          `could not enqueue ${out.Failed.length} mail job(s): ${out.Failed.map((f) => f.Code).join(', ')}`,
        );
      }
    }
  },
});
