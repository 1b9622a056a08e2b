/**
 * Calendar replies (issue 13), a primary adapter beside the consumers: SES receiving stores an
 * email sent to the county's calendar reply address in the encrypted bucket and notifies SNS →
 * SQS → here. The reply's meaning is decided in functions/core/calendar-reply.ts; an answer is
 * applied as an `se.sip.invitation.responded.v1` event through the same pipeline as upstream's
 * and the page's (same idempotency: one event id per received email; same order: the time SES
 * received it). A reply to an older SEQUENCE is recorded in the case's reply log and ignored;
 * anything else that is not an answer is a stored rejection with its reason. The stored email is
 * deleted once handled (a rejected one stays for an operator until the bucket's 7-day expiry).
 * Addresses, names and the email's text are never logged, and no rejection quotes them.
 */
import * as z from 'zod/mini';
import { invitationRespondedContract } from '../../events/contracts/invitation-responded.ts';
import { eventTypes } from '../../events/contracts/types.ts';
import { formatIssues } from '../../events/parse.ts';
import { inboundMailType } from '../../lib/topology.ts';
import type { LoadedCase } from '../adapters/case-store.ts';
import type { EntryStore } from '../adapters/entry-store.ts';
import { type MailBucket, MAX_INBOUND_BYTES, parseInboundMail } from '../adapters/inbound-mail.ts';
import type { Outbox } from '../adapters/outbox.ts';
import {
  decideReply,
  MAX_UID_CASES,
  readCalendarReply,
  type UidCandidate,
  uidCandidates,
} from '../core/calendar-reply.ts';
import type { County } from '../core/county.ts';
import { FoldMemo } from '../core/fold.ts';
import { derivedId, hashOf } from '../core/ids.ts';
import type { Invitee, Meeting } from '../core/meeting.ts';
import { applyEvent } from '../runtime/apply-event.ts';
import { createSqsHandler, type Outcome, type Parsed } from '../runtime/consumer.ts';
import { logger } from '../runtime/observability.ts';
import { unwrapSns } from '../runtime/sns.ts';

export { inboundMailType };

const verdict = z.optional(z.object({ status: z.string() }));
const sesReceived = z.object({
  notificationType: z.literal('Received'),
  mail: z.object({ messageId: z.string().check(z.minLength(1)), timestamp: z.string() }),
  receipt: z.object({
    action: z.object({
      type: z.literal('S3'),
      bucketName: z.string().check(z.minLength(1)),
      objectKey: z.string().check(z.minLength(1)),
    }),
    spamVerdict: verdict,
    virusVerdict: verdict,
  }),
});

export interface InboundMail {
  /** SES's message id of the received email: the reply's identity (one event per email). */
  id: string;
  subject: string;
  receivedAt: string;
  bucket: string;
  key: string;
  virus?: string;
}

export const parseInboundNotification = (body: string): Parsed<InboundMail> => {
  // Raw message delivery is on in the stack; an SNS envelope is read all the same.
  const unwrapped = unwrapSns(body);
  if (!unwrapped.ok) return unwrapped;
  const n = sesReceived.safeParse(unwrapped.inner);
  if (!n.success)
    return {
      ok: false,
      reason: `not an SES receipt notification with an S3 action: ${formatIssues(n.error.issues)}`,
    };
  const { mail, receipt } = n.data;
  return {
    ok: true,
    event: {
      id: mail.messageId,
      subject: mail.messageId,
      receivedAt: mail.timestamp,
      bucket: receipt.action.bucketName,
      key: receipt.action.objectKey,
      ...(receipt.virusVerdict ? { virus: receipt.virusVerdict.status } : {}),
    },
  };
};

export interface InboundDeps {
  county: County;
  store: Pick<
    EntryStore,
    'loadCase' | 'commit' | 'fenceDeliveries' | 'rewriteHistoryData' | 'recordRejection' | 'recordReply'
  >;
  bucket: MailBucket;
  /** The only bucket a notification may name (the stack's; `INBOUND_BUCKET`). */
  expectedBucket?: string;
  now: () => Date;
  outbox?: Outbox;
}

const found = (loaded: LoadedCase, c: UidCandidate): { meeting: Meeting; invitee: Invitee } | undefined => {
  const meeting = loaded.meetings.get(c.meetingId);
  const invitee = meeting?.invitees.find((i) => i.inviteeId === c.inviteeId);
  return meeting && invitee ? { meeting, invitee } : undefined;
};

export const createInboundMailApply = (deps: InboundDeps) => {
  const memo = new FoldMemo();

  /** The case and invitation the UID names: at most MAX_UID_CASES reads, whatever the UID. */
  const locate = async (uid: string) => {
    const candidates = uidCandidates(uid, deps.county.id);
    if ('reason' in candidates) return { reason: candidates.reason };
    const caseIds = [...new Set(candidates.map((c) => c.caseId))].slice(0, MAX_UID_CASES);
    for (const caseId of caseIds) {
      const loaded = await deps.store.loadCase(caseId, { history: false });
      if (!loaded.case) continue;
      for (const c of candidates.filter((x) => x.caseId === caseId)) {
        const hit = found(loaded, c);
        if (hit) return { loaded, ...hit };
      }
    }
    return { reason: 'the UID names no invitation of this system' };
  };

  const handle = async (mail: InboundMail): Promise<Outcome> => {
    if (deps.expectedBucket && mail.bucket !== deps.expectedBucket)
      return { kind: 'rejected', reason: 'the notification names a bucket other than the inbound bucket' };
    if (mail.virus === 'FAIL') return { kind: 'rejected', reason: 'SES’s virus scan failed the email' };
    const raw = await deps.bucket.get(mail.bucket, mail.key);
    if (raw === undefined) return { kind: 'duplicate' }; // handled before, and deleted
    if (raw.byteLength > MAX_INBOUND_BYTES)
      return { kind: 'rejected', reason: `the email is larger than ${MAX_INBOUND_BYTES} bytes` };
    // DMARC is not checked: Google Calendar sends its users' replies through its own servers, so a
    // genuine reply may fail it. What counts is that the reply names one of our invitations.
    const parsed = await parseInboundMail(raw);
    if (!parsed.calendar)
      return {
        kind: 'rejected',
        reason:
          'the email has no calendar part: not a calendar reply (ordinary replies go to the organiser’s Reply-To)',
      };
    const read = readCalendarReply(parsed.calendar);
    if (!read.ok) return { kind: 'rejected', reason: read.reason };
    const where = await locate(read.reply.uid);
    if ('reason' in where) return { kind: 'rejected', reason: where.reason ?? '' };
    const { loaded, meeting, invitee } = where;
    const caseId = meeting.caseId;
    const decision = decideReply(read.reply, meeting, invitee, loaded.case?.protectedIdentity === true);
    const entry = {
      caseId,
      meetingId: meeting.meetingId,
      inviteeId: invitee.inviteeId,
      mail: hashOf(mail.id),
      sequence: read.reply.sequence,
      receivedAt: mail.receivedAt,
    };
    if (decision.kind === 'reject') return { kind: 'rejected', reason: decision.reason };
    if (decision.kind === 'stale') {
      await deps.store.recordReply({ ...entry, outcome: 'ignored', detail: decision.reason });
      await deps.bucket.remove(mail.bucket, mail.key);
      return { kind: 'superseded' };
    }
    const data =
      decision.kind === 'proposal'
        ? {
            county: deps.county.id,
            meetingId: meeting.meetingId,
            inviteeId: invitee.inviteeId,
            response: 'substitute-proposed' as const,
            substitute: decision.substitute,
          }
        : { county: deps.county.id, ...decision.data };
    const partstat = decision.kind === 'proposal' ? 'ACCEPTED (not invited)' : decision.partstat;
    const event = invitationRespondedContract.schema.safeParse({
      specversion: '1.0',
      id: derivedId('calendar', mail.id),
      source: `urn:se:${deps.county.id}:sip:calendar-reply`,
      type: eventTypes.invitationResponded,
      // When SES received it: a reply's own DTSTAMP is the sender's clock.
      time: new Date(mail.receivedAt).toISOString(),
      subject: caseId,
      datacontenttype: 'application/json',
      data,
    });
    if (!event.success)
      return {
        kind: 'rejected',
        reason: `the reply does not make a valid answer: ${formatIssues(event.error.issues)}`,
      };
    const outcome = await applyEvent(
      { county: deps.county, store: deps.store, now: deps.now, outbox: deps.outbox, foldMemo: memo },
      event.data,
    );
    if (outcome.kind === 'deferred')
      return { kind: 'rejected', reason: `the answer could not be applied: ${outcome.reason}` };
    await deps.store.recordReply({
      ...entry,
      outcome: outcome.kind === 'rejected' ? 'rejected' : 'applied',
      detail:
        outcome.kind === 'rejected'
          ? outcome.reason
          : `${partstat} → ${data.response} (event ${event.data.id})`,
    });
    logger.info('calendar reply', { caseId, outcome: outcome.kind, partstat });
    if (outcome.kind !== 'rejected') await deps.bucket.remove(mail.bucket, mail.key);
    return outcome;
  };
  return handle;
};

export const createInboundMailHandler = (deps: InboundDeps) =>
  createSqsHandler<never, InboundMail>({
    eventType: inboundMailType,
    parse: parseInboundNotification,
    store: deps.store,
    now: deps.now,
    apply: createInboundMailApply(deps),
  });
