/**
 * Sends a raw MIME message with SESv2, and sorts its failures by what they say about the message:
 * refused for good, certainly not sent (try again later), or unknown — SES may have it (a timeout,
 * a dropped connection, a 5xx): only its Send event can tell (docs/semantics.md, "in doubt").
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

export type SendResult = { kind: 'sent'; messageId: string } | { kind: 'rejected'; reason: string };

export interface MailSender {
  /**
   * `tags` become SES message tags, which SES repeats in every event it publishes about the
   * message (Send, Delivery, Bounce …): names and values of letters, digits, `_` and `-` only.
   */
  sendRaw(data: Uint8Array, tags: Record<string, string>): Promise<SendResult>;
}

/** SES refuses these for good: retrying the same message cannot succeed. */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException']);
/** SES answered, and did not take the message: it may be sent again later. */
const NOT_SENT = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'AccountSuspendedException',
  'SendingPausedException',
  'NotFoundException',
]);

/** The message certainly did not go out (SES throttled or paused us): the claim may be given back. */
export class MailNotSentError extends Error {
  override name = 'MailNotSentError';
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
      if (NOT_SENT.has(e.name) || /rate exceeded/i.test(e.message))
        throw new MailNotSentError(`SES did not take the message (${e.name})`, { cause: error });
      throw error; // unknown: SES may have the message
    }
  },
});
