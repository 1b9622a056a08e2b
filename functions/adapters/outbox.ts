/** Hands emails still owed to the mailer's queue: one message per recipient and sequence. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventTypes } from '../../events/contracts/types.ts';
import { stockholmMorning } from '../core/dates.ts';
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

/** Sends CloudEvents to one queue, ten at a time; a failed entry fails the whole call (the caller's retry sends again). */
const sendAll = async (client: SQSClient, queueUrl: string, bodies: string[], what: string) => {
  for (let i = 0; i < bodies.length; i += 10) {
    const batch = bodies.slice(i, i + 10);
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((body, n) => ({ Id: String(n), MessageBody: body })),
      }),
    );
    if (out.Failed && out.Failed.length > 0) {
      // Thrown, so SQS redelivers the triggering event and the still-owed messages are sent again.
      throw new Error(
        `could not enqueue ${out.Failed.length} ${what}: ${out.Failed.map((f) => f.Code).join(', ')}`,
      );
    }
  }
};

export const sqsOutbox = (
  queueUrl: string,
  county: string,
  client = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
  now: () => Date = () => new Date(),
): Outbox => ({
  enqueue: (jobs) =>
    sendAll(
      client,
      queueUrl,
      jobs.map((job) => JSON.stringify(mailJobEvent(county, job, now()))),
      'mail job(s)',
    ),
});

/** The daily sweep's visits (functions/sweep/): one per case with something due. */
export interface VisitQueue {
  enqueue(visits: { caseId: string; day: string }[]): Promise<void>;
}

/**
 * One visit of a case per day: the id is derived from the case and the day, so a sweep run twice
 * (or retried) asks for the same visit and the second is a duplicate. Its time is the day's
 * morning, the clock the visit moves the case to.
 */
export const sweepVisitEvent = (county: string, caseId: string, day: string) => ({
  specversion: '1.0',
  id: derivedId('sweep', caseId, day),
  source: `urn:sip:${county}:sweep`,
  type: eventTypes.sweepVisit,
  time: stockholmMorning(day),
  subject: caseId,
  datacontenttype: 'application/json',
  data: { county },
});

export const sqsVisitQueue = (
  queueUrl: string,
  county: string,
  client = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
): VisitQueue => ({
  enqueue: (visits) =>
    sendAll(
      client,
      queueUrl,
      visits.map((v) => JSON.stringify(sweepVisitEvent(county, v.caseId, v.day))),
      'sweep visit(s)',
    ),
});
