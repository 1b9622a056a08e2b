import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { oidcSignIn } from '../adapters/oidc.ts';
import { sqsOutbox } from '../adapters/outbox.ts';
import { CaseStore } from '../adapters/case-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { readEnv } from '../runtime/env.ts';
import { createInvitationPageHandler } from './apply.ts';

const env = readEnv();
export const handler = createInvitationPageHandler({
  county: env.county,
  store: new CaseStore(createDocumentClient(), env.tableName),
  now: () => new Date(),
  linkKey: linkKeyFromEnv(),
  outbox: env.mailQueueUrl ? sqsOutbox(env.mailQueueUrl, env.county.id) : undefined,
  contact: process.env.REPLY_TO_ADDRESS ?? process.env.SENDER_ADDRESS ?? '',
  // The county's sign-in (lib/counties.ts `invitationPage`), when it requires one.
  ...(process.env.OIDC_ISSUER && process.env.OIDC_CLIENT_ID
    ? {
        signIn: oidcSignIn(process.env.OIDC_ISSUER, process.env.OIDC_CLIENT_ID, {
          allowHttp: process.env.OIDC_ALLOW_HTTP === 'true',
        }),
      }
    : {}),
});
