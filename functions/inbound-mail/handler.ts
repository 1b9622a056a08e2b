import { s3MailBucket } from '../adapters/inbound-mail.ts';
import { productionDeps } from '../runtime/deps.ts';
import { createInboundMailHandler } from './apply.ts';

const deps = productionDeps();
export const handler = createInboundMailHandler({
  ...deps,
  bucket: s3MailBucket(),
  expectedBucket: process.env.INBOUND_BUCKET,
});
