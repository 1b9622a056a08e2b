/**
 * Inbound email as SES receiving stores it (issue 13): the raw message in the county's encrypted
 * bucket, read and deleted here; and the MIME parse that finds its calendar part (postal-mime).
 * Locally the bucket is the emulator's (AWS_ENDPOINT_URL_S3, path-style).
 */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import PostalMime from 'postal-mime';

export interface MailBucket {
  /** The raw message, or undefined when it is gone (processed and deleted before). */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  remove(bucket: string, key: string): Promise<void>;
}

/** Largest raw message read: SES receiving stores up to 40 MB, a calendar reply is a few KB. */
export const MAX_INBOUND_BYTES = 1024 * 1024;

export const s3MailBucket = (client?: S3Client): MailBucket => {
  const s3 =
    client ??
    new S3Client({
      // The emulator serves buckets by path (no wildcard DNS on this machine); AWS by host.
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
    });
  return {
    async get(bucket, key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if ((out.ContentLength ?? 0) > MAX_INBOUND_BYTES) return new Uint8Array(MAX_INBOUND_BYTES + 1);
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async remove(bucket, key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
};

export interface ParsedMail {
  /** The text/calendar part (inline or attached), when there is one. */
  calendar?: string;
}

/** Finds the calendar part: a `text/calendar` body part or an `.ics` / `application/ics` attachment. */
export const parseInboundMail = async (raw: Uint8Array): Promise<ParsedMail> => {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'utf8' });
  const calendars = email.attachments.filter(
    (a) =>
      /^(text\/calendar|application\/ics)$/i.test(a.mimeType) ||
      (a.filename ?? '').toLowerCase().endsWith('.ics'),
  );
  // Google sends the reply twice (inline text/calendar and invite.ics): the part marked REPLY first.
  const part = calendars.find((a) => a.method === 'REPLY') ?? calendars[0];
  const content = part?.content;
  const calendar =
    content === undefined
      ? undefined
      : typeof content === 'string'
        ? content
        : Buffer.from(content as ArrayBuffer).toString('utf8');
  return calendar ? { calendar } : {};
};
