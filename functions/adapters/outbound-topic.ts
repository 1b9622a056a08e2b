/**
 * The outbound fan-out (issue 14): an SNS FIFO topic. Each case's events are one message group
 * (ordered), each event's id its deduplication id (a retried publish within SNS's five-minute
 * window is delivered once). Message attributes carry what subscribers filter on.
 */
import { type MessageAttributeValue, PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { type OutboundEvent, outboundTypes } from '../core/outbound.ts';

export interface OutboundTopic {
  /** Publishes in order; throws unless every event was accepted. */
  publish(events: OutboundEvent[]): Promise<void>;
}

/** The message group: the case (its order), or the rejected event's publisher when there is no case. */
export const messageGroup = (e: OutboundEvent): string =>
  e.subject ?? `rejected:${String((e.data as { source?: unknown }).source ?? 'unknown')}`.slice(0, 128);

/**
 * What a subscription's filter policy can match: `type`, `county` and, on a rejection, `publisher`
 * (the rejected event's `source`), so each publisher subscribes to its own rejections.
 */
export const messageAttributes = (e: OutboundEvent): Record<string, MessageAttributeValue> => {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const data = e.data as { county?: unknown; source?: unknown };
  return {
    type: text(e.type),
    ...(typeof data.county === 'string' ? { county: text(data.county) } : {}),
    ...(e.type === outboundTypes.eventRejected && typeof data.source === 'string' && data.source
      ? { publisher: text(data.source) }
      : {}),
  };
};

export const snsOutboundTopic = (
  topicArn: string,
  client = new SNSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SNS }),
): OutboundTopic => ({
  publish: async (events) => {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await client.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: batch.map((e, n) => ({
            Id: String(n),
            Message: JSON.stringify(e),
            MessageGroupId: messageGroup(e),
            MessageDeduplicationId: e.id,
            MessageAttributes: messageAttributes(e),
          })),
        }),
      );
      if (out.Failed && out.Failed.length > 0)
        throw new Error(
          `the outbound topic refused ${out.Failed.length} event(s): ${out.Failed.map((f) => f.Code).join(', ')}`,
        );
    }
  },
});
