/**
 * The outbound publisher (issue 14): what it takes from the table's stream, in which order, and
 * what it does when the topic refuses.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { messageAttributes, messageGroup } from '../../functions/adapters/outbound-topic.ts';
import { outboundEvents, outboundTypes, type OutboundEvent } from '../../functions/core/outbound.ts';
import { readLinkToken } from '../../functions/core/invitation-link.ts';
import { createOutboundHandler, eventsOfRecord, fromUpstream } from '../../functions/outbound/apply.ts';
import { consumers, upstreamTypes } from '../../lib/topology.ts';

const record = (seq: string, item: Record<string, unknown>, eventName = 'INSERT'): DynamoDBRecord => ({
  eventName: eventName as DynamoDBRecord['eventName'],
  dynamodb: {
    SequenceNumber: seq,
    NewImage: marshall(item, { removeUndefinedValues: true }) as never,
  },
});

const outbox = (caseId: string, from: number, n: number) => ({
  pk: `OUTBOX#${caseId}`,
  sk: String(from).padStart(12, '0'),
  type: 'outbox',
  caseId,
  events: outboundEvents(
    'halland',
    caseId,
    from - 1,
    Array.from({ length: n }, () => ({
      type: outboundTypes.caseStatusChanged,
      data: { county: 'halland', caseId, status: 'summoned' },
    })),
    '2026-12-01T10:00:00.000Z',
  ),
});

/** One commit's outbox item with a held meeting's family survey (after a status change, if asked). */
const familySurveyOutbox = (withStatus: boolean) => ({
  ...outbox('case-1', 1, 0),
  events: outboundEvents(
    'halland',
    'case-1',
    0,
    [
      ...(withStatus
        ? [
            {
              type: outboundTypes.caseStatusChanged,
              data: { county: 'halland', caseId: 'case-1', status: 'plan-active' },
            },
          ]
        : []),
      {
        type: outboundTypes.familySurveyReady,
        data: { county: 'halland', caseId: 'case-1', meetingId: 'm-1', validUntil: '2027-01-08' },
      },
    ],
    '2026-12-01T10:00:00.000Z',
  ),
});

const rejection = {
  pk: 'REJECTIONS#2026-12-01',
  sk: 'msg-1',
  type: 'rejection',
  messageId: 'msg-1',
  day: '2026-12-01',
  queueEventType: 'se.sip.summons.sent.v1',
  reason: 'data.meetingId: Invalid input',
  rejectedAt: '2026-12-01T10:00:00.000Z',
  eventId: 'evt-9',
  caseId: 'case-1',
  source: 'urn:se:halland:journal:bup-system',
};

const topic = (failOn?: (events: OutboundEvent[]) => boolean) => {
  const published: OutboundEvent[] = [];
  return {
    published,
    topic: {
      async publish(events: OutboundEvent[]) {
        if (failOn?.(events)) throw new Error('SNS said no');
        published.push(...events);
      },
    },
  };
};

describe('the outbound publisher', () => {
  it('tells upstream only of rejections on the queues upstream publishes to (the topology’s list)', () => {
    for (const c of consumers)
      expect(fromUpstream(c.eventType), c.eventType).toBe(upstreamTypes().includes(c.eventType));
    const inbound = { ...rejection, queueEventType: 'aws.ses.inbound', reason: 'not a calendar reply' };
    expect(eventsOfRecord('halland', record('5', inbound))).toEqual([]);
  });

  it('publishes a new outbox item’s events and a stored rejection; nothing else of the stream', () => {
    expect(eventsOfRecord('halland', record('1', outbox('case-1', 1, 2))).map((e) => e.sequence)).toEqual([
      '000000000001',
      '000000000002',
    ]);
    const [rejected] = eventsOfRecord('halland', record('2', rejection));
    expect(rejected).toMatchObject({
      type: outboundTypes.eventRejected,
      subject: 'case-1',
      data: {
        county: 'halland',
        eventId: 'evt-9',
        eventType: 'se.sip.summons.sent.v1',
        source: 'urn:se:halland:journal:bup-system',
        reason: 'data.meetingId: Invalid input',
      },
    });
    // A rewrite of the same rejection (a retried write) and any other item are not new events.
    expect(eventsOfRecord('halland', record('3', rejection, 'MODIFY'))).toEqual([]);
    expect(eventsOfRecord('halland', record('4', { pk: 'CASE#case-1', sk: 'CASE', type: 'case' }))).toEqual(
      [],
    );
  });

  it('routes a rejection to its publisher: message attribute `publisher` is the rejected event’s source', () => {
    const [rejected] = eventsOfRecord('halland', record('2', rejection));
    expect(messageAttributes(rejected as OutboundEvent)).toEqual({
      type: { DataType: 'String', StringValue: outboundTypes.eventRejected },
      county: { DataType: 'String', StringValue: 'halland' },
      publisher: { DataType: 'String', StringValue: 'urn:se:halland:journal:bup-system' },
    });
    const [status] = eventsOfRecord('halland', record('1', outbox('case-1', 1, 1)));
    expect(messageGroup(status as OutboundEvent)).toBe('case-1');
    expect(messageAttributes(status as OutboundEvent)).not.toHaveProperty('publisher');
  });

  it('stops at the first record the topic refuses and reports it, so nothing after it overtakes it', async () => {
    const t = topic((events) => events.some((e) => e.subject === 'case-2'));
    const handler = createOutboundHandler({ county: 'halland', topic: t.topic });
    const result = await handler({
      Records: [
        record('10', outbox('case-1', 1, 1)),
        record('11', outbox('case-2', 1, 1)),
        record('12', outbox('case-1', 2, 1)),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }] });
    expect(t.published.map((e) => `${e.subject}#${e.sequence}`)).toEqual(['case-1#000000000001']);
  });

  it('publishes a whole batch in stream order when the topic takes it', async () => {
    const t = topic();
    const handler = createOutboundHandler({ county: 'halland', topic: t.topic });
    const result = await handler({
      Records: [
        record('10', outbox('case-1', 1, 2)),
        record('11', rejection),
        record('12', outbox('case-1', 3, 1)),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(t.published.map((e) => e.sequence ?? 'rejected')).toEqual([
      '000000000001',
      '000000000002',
      'rejected',
      '000000000003',
    ]);
  });

  it('signs the family survey’s printable link when it publishes it; the outbox item holds none (issue 15)', async () => {
    const item = familySurveyOutbox(true);
    expect(JSON.stringify(item)).not.toContain('/p/');
    const key = 'k'.repeat(40);
    const t = topic();
    const handler = createOutboundHandler({
      county: 'halland',
      topic: t.topic,
      familyLinks: { baseUrl: 'https://pages.example.se/', key: async () => key },
    });
    expect(await handler({ Records: [record('10', item)] })).toEqual({ batchItemFailures: [] });
    const [status, ready] = t.published;
    expect(status?.data).not.toHaveProperty('printUrl');
    const url = String(ready?.data.printUrl);
    const m = /^https:\/\/pages\.example\.se\/p\/([^/]+)$/.exec(url);
    expect(m, url).not.toBeNull();
    // The token is the organiser's printable page's: genuine for this case and meeting, purpose family.
    expect(readLinkToken(key, m?.[1] ?? '', 'family')).toEqual({
      genuine: true,
      ref: { caseId: 'case-1', meetingId: 'm-1', inviteeId: 'family' },
    });
    expect(readLinkToken(key, m?.[1] ?? '', 'link').genuine).toBe(false);
    // Without the pages (no base URL configured) the event goes out without the link.
    const bare = topic();
    await createOutboundHandler({ county: 'halland', topic: bare.topic })({ Records: [record('10', item)] });
    expect(bare.published[1]?.data).not.toHaveProperty('printUrl');
  });

  it('a link key it cannot read fails the record (retried from it), never publishes the event without its link', async () => {
    const item = familySurveyOutbox(false);
    const t = topic();
    const handler = createOutboundHandler({
      county: 'halland',
      topic: t.topic,
      familyLinks: {
        baseUrl: 'https://pages.example.se',
        key: async () => {
          throw new Error('the link key secret could not be read (503)');
        },
      },
    });
    expect(await handler({ Records: [record('7', item)] })).toEqual({
      batchItemFailures: [{ itemIdentifier: '7' }],
    });
    expect(t.published).toEqual([]);
  });
});
