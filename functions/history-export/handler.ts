import { s3FactStore } from '../adapters/fact-store.ts';
import { createHistoryExportHandler } from './apply.ts';
import { requiredEnv as required } from '../runtime/required-env.ts';

export const handler = createHistoryExportHandler({
  county: required('COUNTY_ID'),
  store: s3FactStore(required('EXPORT_BUCKET')),
});
