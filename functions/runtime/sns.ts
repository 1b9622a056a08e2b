/** SNS's envelope around a message delivered to SQS (off when raw message delivery is on): both are read. */
import * as z from 'zod/mini';

const snsEnvelope = z.object({ Type: z.string(), MessageId: z.string(), Message: z.string() });

export type Unwrapped =
  { ok: true; inner: unknown; snsMessageId?: string } | { ok: false; reason: string; eventId?: string };

export const unwrapSns = (body: string): Unwrapped => {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the message body is not valid JSON' };
  }
  const envelope = snsEnvelope.safeParse(outer);
  if (!envelope.success) return { ok: true, inner: outer };
  try {
    return { ok: true, inner: JSON.parse(envelope.data.Message), snsMessageId: envelope.data.MessageId };
  } catch {
    return { ok: false, reason: 'the SNS Message is not JSON', eventId: envelope.data.MessageId };
  }
};
