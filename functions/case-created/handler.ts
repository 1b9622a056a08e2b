import { CaseStore } from '../adapters/case-store.ts';
import { createDocumentClient } from '../adapters/dynamodb.ts';
import { readEnv } from '../runtime/env.ts';
import { createCaseCreatedHandler } from './apply.ts';

const env = readEnv();

export const handler = createCaseCreatedHandler({
  county: env.county,
  store: new CaseStore(createDocumentClient(), env.tableName),
  now: () => new Date(),
});
