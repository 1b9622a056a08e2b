import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { athenaEngine } from '../adapters/athena.ts';
import { readEnv } from '../runtime/env.ts';
import { writeMonthlyReport } from './apply.ts';
import { requiredEnv as required } from '../runtime/required-env.ts';

const env = readEnv();
const bucket = required('EXPORT_BUCKET');
const s3 = new S3Client({});
const ses = new SESv2Client({});
const sqs = new SQSClient({});
const dlqs = JSON.parse(process.env.DLQ_URLS ?? '{}') as Record<string, string>;

export const handler = async () => {
  const written = await writeMonthlyReport({
    county: env.county,
    engine: athenaEngine({ workGroup: required('ATHENA_WORKGROUP'), database: required('GLUE_DATABASE') }),
    reports: {
      async put(key, body, contentType) {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
        );
      },
      link: (key, expiresIn) =>
        getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }),
    },
    mail: {
      async send(to, subject, text) {
        await ses.send(
          new SendEmailCommand({
            FromEmailAddress: required('SENDER_ADDRESS'),
            Destination: { ToAddresses: [to] },
            Content: {
              Simple: {
                Subject: { Data: subject, Charset: 'UTF-8' },
                Body: { Text: { Data: text, Charset: 'UTF-8' } },
              },
            },
          }),
        );
      },
    },
    parked: async () => {
      const out: Record<string, number> = {};
      for (const [type, url] of Object.entries(dlqs)) {
        const a = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
        );
        out[type] = Number(a.Attributes?.ApproximateNumberOfMessages ?? 0);
      }
      return out;
    },
    recipient: required('REPORT_RECIPIENT'),
    prefix: required('REPORTS_PREFIX'),
    now: () => new Date(),
  });
  return { report: written.key, from: written.period.from, to: written.period.to };
};
