import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { sqsOutbox } from '../adapters/outbox.ts';
import { EntryStore } from '../adapters/entry-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { requiredEnv } from '../runtime/required-env.ts';
import { createInvitationPageHandler } from './apply.ts';

// Not readEnv(): it parses the county's rules with zod, which only an answer needs (apply.ts).
const countyId = requiredEnv('COUNTY_ID');
const tableName = requiredEnv('TABLE_NAME');
const mailQueueUrl = process.env.MAIL_QUEUE_URL || undefined;
// The county's sign-in (lib/counties.ts `invitationPage`), when it requires one. Imported only
// then: a county without sign-in does not load the OpenID client at cold start.
const issuer = process.env.OIDC_ISSUER;
const clientId = process.env.OIDC_CLIENT_ID;
const signIn =
  issuer && clientId
    ? (await import('../adapters/oidc.ts')).oidcSignIn(issuer, clientId, {
        allowHttp: process.env.OIDC_ALLOW_HTTP === 'true',
      })
    : undefined;
export const handler = createInvitationPageHandler({
  county: { id: countyId, displayName: process.env.COUNTY_NAME ?? countyId },
  rules: async () => (await import('../runtime/env.ts')).readEnv().county.rules,
  store: new EntryStore(createDocumentClient(), tableName),
  now: () => new Date(),
  linkKey: linkKeyFromEnv(),
  outbox: mailQueueUrl ? sqsOutbox(mailQueueUrl, countyId) : undefined,
  contact: process.env.REPLY_TO_ADDRESS ?? process.env.SENDER_ADDRESS ?? '',
  ...(signIn ? { signIn } : {}),
});
