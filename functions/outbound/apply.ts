/**
 * The outbound publisher (issue 14): reads what the table committed — the table's stream — and
 * publishes it. An `OUTBOX#` item holds one commit's events (written in the commit's transaction);
 * a stored rejection (the queue's checks) becomes one `event.rejected`. Records are handled in
 * stream order; the first that fails is reported, so Lambda retries from it and nothing after it
 * overtakes it (per-case order). Nothing else in the stream is read: no payload is logged.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LinkKey } from '../adapters/link-key.ts';
import type { OutboundTopic } from '../adapters/outbound-topic.ts';
import { familyPrintPath } from '../core/invitation-link.ts';
import { type OutboundEvent, outboundTypes, rejectionEvent } from '../core/outbound.ts';
import { loggableError, logger } from '../runtime/observability.ts';

/**
 * The queues upstream publishes to (lib/topology.ts `upstreamTypes`, which a test compares): ours
 * are `se.sip.*` except the mail jobs and sweep visits; SES's are `aws.*`. Spelled out here so
 * the publisher's bundle carries no contract.
 */
const INTERNAL = new Set(['se.sip.invitation.mail.v1', 'se.sip.sweep.v1']);
export const fromUpstream = (type: unknown): boolean =>
  typeof type === 'string' && type.startsWith('se.sip.') && !INTERNAL.has(type);

export interface OutboundDeps {
  county: string;
  topic: OutboundTopic;
  /**
   * The pages' base URL and the links' key: a `family-survey.ready` event gets its printable
   * page's link here, when it is published — the table (and the outbox item) never holds it.
   */
  familyLinks?: { baseUrl: string; key: LinkKey };
}

type Image = Parameters<typeof unmarshall>[0];

/** The outbound events a stream record stands for: none for anything but a new outbox item or rejection. */
export const eventsOfRecord = (county: string, record: DynamoDBRecord): OutboundEvent[] => {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return [];
  const item = unmarshall(record.dynamodb.NewImage as unknown as Image) as Record<string, unknown>;
  if (item.type === 'outbox' && Array.isArray(item.events)) return item.events as OutboundEvent[];
  // Rejections of what upstream publishes: the internal queues' (mail jobs, sweep visits, SES
  // reports, inbound mail) are the operators' business, and their reasons may quote an email.
  if (item.type === 'rejection' && typeof item.messageId === 'string' && fromUpstream(item.queueEventType)) {
    const text = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : undefined);
    const eventId = text('eventId');
    const source = text('source');
    const caseId = text('caseId');
    return [
      rejectionEvent(county, item.messageId, {
        county,
        ...(eventId ? { eventId } : {}),
        eventType: text('queueEventType') ?? 'unknown',
        ...(source ? { source } : {}),
        ...(caseId ? { caseId } : {}),
        reason: text('reason') ?? '',
        rejectedAt: text('rejectedAt') ?? new Date(0).toISOString(),
      }),
    ];
  }
  return [];
};

/** `family-survey.ready` with its printable page's link (`printUrl`); other events as they are. */
export const withPrintLinks = async (
  events: OutboundEvent[],
  links: OutboundDeps['familyLinks'],
): Promise<OutboundEvent[]> => {
  if (!links || !events.some((e) => e.type === outboundTypes.familySurveyReady)) return events;
  const key = await links.key();
  const base = links.baseUrl.replace(/\/$/, '');
  return events.map((e) =>
    e.type === outboundTypes.familySurveyReady
      ? {
          ...e,
          data: {
            ...e.data,
            printUrl: `${base}${familyPrintPath(key, String(e.data.caseId), String(e.data.meetingId))}`,
          },
        }
      : e,
  );
};

export const createOutboundHandler =
  (deps: OutboundDeps) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    let published = 0;
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        const events = await withPrintLinks(eventsOfRecord(deps.county, record), deps.familyLinks);
        if (events.length > 0) await deps.topic.publish(events);
        published += events.length;
      } catch (error) {
        logger.error('outbound publish failed; retried from this record', {
          ...loggableError(error),
          sequenceNumber,
        });
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    if (published > 0) logger.info('outbound events published', { count: published });
    return { batchItemFailures: [] };
  };
