/**
 * Feeds a raw email through the same path as SES receiving (issue 13): the message is stored as
 * an object in the inbound bucket and SES's "Received" notification (its documented shape, with
 * the S3 action) is published to the inbound topic, which delivers it to the inbound-mail queue.
 * Used by `npm run inbound` and the tests.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { s3Client, snsClient } from './runtime.ts';

export interface InboundTarget {
  endpoints: { s3: string; sns: string };
  inbound: { bucket: string; prefix: string; topicArn: string };
}

export const feedInboundEmail = async (
  target: InboundTarget,
  raw: Uint8Array | string,
  opts: { recipient?: string; now?: Date; dmarc?: 'PASS' | 'FAIL' | 'GRAY'; messageId?: string } = {},
): Promise<{ messageId: string; key: string }> => {
  // SES names each received email once; the same id again is the same email delivered twice.
  const messageId = opts.messageId ?? randomUUID().replace(/-/g, '');
  const key = `${target.inbound.prefix}${messageId}`;
  const s3 = s3Client(target.endpoints.s3);
  const sns = snsClient(target.endpoints.sns);
  try {
    await s3.send(new PutObjectCommand({ Bucket: target.inbound.bucket, Key: key, Body: raw }));
    const timestamp = (opts.now ?? new Date()).toISOString();
    // https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
    const notification = {
      notificationType: 'Received',
      mail: {
        timestamp,
        source: 'sender@example.invalid',
        messageId,
        destination: opts.recipient ? [opts.recipient] : [],
      },
      receipt: {
        timestamp,
        processingTimeMillis: 1,
        recipients: opts.recipient ? [opts.recipient] : [],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'PASS' },
        dmarcVerdict: { status: opts.dmarc ?? 'PASS' },
        action: {
          type: 'S3',
          topicArn: target.inbound.topicArn,
          bucketName: target.inbound.bucket,
          objectKey: key,
        },
      },
    };
    await sns.send(
      new PublishCommand({ TopicArn: target.inbound.topicArn, Message: JSON.stringify(notification) }),
    );
    return { messageId, key };
  } finally {
    s3.destroy();
    sns.destroy();
  }
};
