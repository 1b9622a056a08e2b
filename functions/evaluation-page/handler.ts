import { randomBytes } from 'node:crypto';
import { EntryStore } from '../adapters/entry-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { linkKeyFromEnv } from '../adapters/link-key.ts';
import { readEnv } from '../runtime/env.ts';
import { createEvaluationPageHandler } from './apply.ts';

const env = readEnv();
export const handler = createEvaluationPageHandler({
  county: env.county,
  store: new EntryStore(createDocumentClient(), env.tableName),
  linkKey: linkKeyFromEnv(),
  now: () => new Date(),
  nonce: () => randomBytes(16).toString('base64url'),
});
