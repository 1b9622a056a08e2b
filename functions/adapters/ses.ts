/** Sends a raw MIME message with SESv2, and sorts its failures into "try again" and "never". */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

export type SendResult = { kind: 'sent'; messageId: string } | { kind: 'rejected'; reason: string };

export interface MailSender {
  sendRaw(data: Uint8Array, tags: Record<string, string>): Promise<SendResult>;
}

/** SES refuses these for good: retrying the same message cannot succeed. */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException']);

export class MailThrottledError extends Error {
  override name = 'MailThrottledError';
}

export const sesSender = (
  configurationSetName: string | undefined,
  // The endpoint is passed on explicitly (empty in AWS), like the SQS client's.
  client = new SESv2Client({ endpoint: process.env.AWS_ENDPOINT_URL_SESV2 }),
): MailSender => ({
  async sendRaw(data, tags) {
    try {
      const out = await client.send(
        new SendEmailCommand({
          Content: { Raw: { Data: data } },
          ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
          EmailTags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return { kind: 'sent', messageId: out.MessageId ?? 'unknown' };
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      // The error's name only: SES's message can quote the recipient's address, which must not
      // reach a log line (and is not needed to act: the code says why).
      if (PERMANENT.has(e.name))
        return { kind: 'rejected', reason: `${e.name} (SES refused the message for good)` };
      if (
        e.name === 'TooManyRequestsException' ||
        e.name === 'LimitExceededException' ||
        /rate exceeded/i.test(e.message)
      ) {
        throw new MailThrottledError(`SES throttled the send (${e.name})`, { cause: error });
      }
      throw error;
    }
  },
});
