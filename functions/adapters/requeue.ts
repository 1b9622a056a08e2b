import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Puts a copy of a message back on the consumer's own queue, visible after a delay. */
export interface Requeue {
  send(body: string, delaySeconds: number, attributes: Record<string, string>): Promise<void>;
}

export const sqsRequeue = (
  queueUrl: string,
  // The endpoint is passed on explicitly: SQS otherwise takes the host from the queue URL.
  client = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
): Requeue => ({
  async send(body, delaySeconds, attributes) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        DelaySeconds: delaySeconds,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [
            k,
            { DataType: /^-?\d+(\.\d+)?$/.test(v) ? 'Number' : 'String', StringValue: v },
          ]),
        ),
      }),
    );
  },
});
