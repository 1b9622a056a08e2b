/**
 * Delivery reports: SES (configuration set event destination) → SNS → SQS → here. Bounces,
 * complaints and deliveries update the invitation they concern. Only the fields we use are read;
 * the recipients' addresses in the report are never logged or stored.
 */
import * as z from 'zod/mini';
import { formatIssues } from '../../events/parse.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import type { InvitationStatus } from '../core/meeting.ts';
import { createSqsHandler, type Outcome, type Parsed } from '../runtime/consumer.ts';

const sesEvent = z.object({
  eventType: z.optional(z.string()),
  notificationType: z.optional(z.string()),
  mail: z.object({ messageId: z.string() }),
  bounce: z.optional(z.object({ bounceType: z.string(), bounceSubType: z.optional(z.string()) })),
  complaint: z.optional(z.object({ complaintFeedbackType: z.optional(z.string()) })),
});
const snsEnvelope = z.object({ Type: z.string(), MessageId: z.string(), Message: z.string() });

export interface MailEvent {
  /** The SNS message id. */
  id: string;
  /** SES's message id of the email. */
  subject: string;
  kind: string;
  bounceType?: string;
  detail: string;
}

export const parseMailEvent = (body: string): Parsed<MailEvent> => {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the message body is not valid JSON' };
  }
  // SNS wraps the SES event unless raw message delivery is on; accept both.
  const envelope = snsEnvelope.safeParse(outer);
  let inner: unknown = outer;
  if (envelope.success) {
    try {
      inner = JSON.parse(envelope.data.Message);
    } catch {
      return { ok: false, reason: 'the SNS Message is not JSON', eventId: envelope.data.MessageId };
    }
  }
  const event = sesEvent.safeParse(inner);
  if (!event.success) return { ok: false, reason: `not an SES event: ${formatIssues(event.error.issues)}` };
  const e = event.data;
  const kind = e.eventType ?? e.notificationType ?? 'unknown';
  return {
    ok: true,
    event: {
      id: envelope.success ? envelope.data.MessageId : `${e.mail.messageId}.${kind}`,
      subject: e.mail.messageId,
      kind,
      bounceType: e.bounce?.bounceType,
      detail: [kind, e.bounce?.bounceType, e.bounce?.bounceSubType, e.complaint?.complaintFeedbackType]
        .filter(Boolean)
        .join(' / '),
    },
  };
};

const transitions: Record<string, { to: InvitationStatus; from: InvitationStatus[] }> = {
  Delivery: { to: 'delivered', from: ['sent'] },
  PermanentBounce: { to: 'bounced', from: ['sent', 'delivered'] },
  Complaint: { to: 'complained', from: ['sent', 'delivered'] },
};

export const applyMailEvent = async (e: MailEvent, store: CaseStore, now: () => Date): Promise<Outcome> => {
  const key = e.kind === 'Bounce' ? (e.bounceType === 'Permanent' ? 'PermanentBounce' : null) : e.kind;
  const transition = key ? transitions[key] : undefined;
  if (!transition) return { kind: 'duplicate' }; // transient bounces, sends, opens …: nothing to record
  const invitation = await store.invitationForMessage(e.subject);
  if (!invitation) return { kind: 'rejected', reason: `no invitation was sent as SES message ${e.subject}` };
  const moved = await store.updateDeliveryStatus(
    invitation,
    transition.to,
    transition.from,
    e.detail,
    now().toISOString(),
  );
  return moved ? { kind: 'applied' } : { kind: 'duplicate' };
};

export const createMailEventsHandler = (deps: { store: CaseStore; now: () => Date }) =>
  createSqsHandler({
    eventType: 'aws.ses.event',
    parse: parseMailEvent,
    store: deps.store,
    now: deps.now,
    apply: (e: MailEvent) => applyMailEvent(e, deps.store, deps.now),
  });
