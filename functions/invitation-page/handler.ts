import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { sqsOutbox } from '../adapters/outbox.ts';
import { EntryStore } from '../adapters/entry-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { readEnv } from '../runtime/env.ts';
import { createInvitationPageHandler } from './apply.ts';

const env = readEnv();
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
  county: env.county,
  store: new EntryStore(createDocumentClient(), env.tableName),
  now: () => new Date(),
  linkKey: linkKeyFromEnv(),
  outbox: env.mailQueueUrl ? sqsOutbox(env.mailQueueUrl, env.county.id) : undefined,
  contact: process.env.REPLY_TO_ADDRESS ?? process.env.SENDER_ADDRESS ?? '',
  ...(signIn ? { signIn } : {}),
});
