import { s3MailBucket } from '../adapters/inbound-mail.ts';
import { EntryStore } from '../adapters/entry-store.ts';
import { depsWithStore } from '../runtime/base-deps.ts';
import { createInboundMailHandler } from './apply.ts';

const deps = depsWithStore((db, table) => new EntryStore(db, table));
export const handler = createInboundMailHandler({
  ...deps,
  bucket: s3MailBucket(),
  expectedBucket: process.env.INBOUND_BUCKET,
});
