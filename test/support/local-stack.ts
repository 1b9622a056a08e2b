import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { caseStore } from '../../local/inspect.ts';
import { type StartOptions, sqsClient, startLocalStack } from '../../local/runtime.ts';
import { uniqueId } from './fixtures.ts';

/** The embedded stack (worker processes and all) under a unique resource prefix on the run's emulators. */
export const startTestStack = async (opts: Partial<StartOptions> = {}) => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'sip-it-')), 'runtime.log');
  const stack = await startLocalStack({
    endpoints: inject('endpoints'),
    county: 'halland',
    logFile,
    resourcePrefix: `${uniqueId('it')}-`,
    ...opts,
  });
  const sqs = sqsClient(stack.endpoints.sqs);
  return {
    stack,
    sqs,
    store: caseStore(stack.endpoints.dynamodb, stack.tables[0] ?? ''),
    logFile,
    log: () => readFileSync(logFile, 'utf8'),
    stop: async () => {
      await stack.stop();
      sqs.destroy();
    },
  };
};
