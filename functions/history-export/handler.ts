import { s3FactStore } from '../adapters/fact-store.ts';
import { createHistoryExportHandler } from './apply.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; the stack (lib/) or local runtime sets it`);
  return value;
};

export const handler = createHistoryExportHandler({
  county: required('COUNTY_ID'),
  store: s3FactStore(required('EXPORT_BUCKET')),
});
