import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { freshCaseCreated, freshConsent, lambdaContext, sqsRecord } from '../support/fixtures.ts';
import { freshTable } from '../support/dynamo.ts';

let t: Awaited<ReturnType<typeof freshTable>>;
const deps = () => ({ county: countyById('halland'), store: t.store, now: () => new Date() });
const run = (h: ReturnType<typeof createConsentRegisteredHandler>, records: SQSRecord[]) =>
  h({ Records: records }, lambdaContext()) as Promise<SQSBatchResponse>;

beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

describe('consent.registered handler', () => {
  it('two guardians’ consents in one batch race on the case version; both are applied, neither lost', async () => {
    const c = freshCaseCreated();
    await run(createCaseCreatedHandler(deps()), [sqsRecord(JSON.stringify(c))]);
    const a = freshConsent(c.subject, { data: { guardianCount: 2 } });
    const b = freshConsent(c.subject, {
      data: { guardianCount: 2, givenBy: [{ partyId: `${c.subject}-guardian-b`, role: 'guardian' }] },
    });
    // Powertools processes a batch's records in parallel: both read version 1, one commit loses.
    const response = await run(createConsentRegisteredHandler(deps()), [
      sqsRecord(JSON.stringify(a)),
      sqsRecord(JSON.stringify(b)),
    ]);
    expect(response.batchItemFailures).toEqual([]);
    const loaded = await t.store.loadCase(c.subject);
    expect(loaded.case).toMatchObject({ status: 'consented', consentStatus: 'complete', version: 3 });
    expect([...loaded.consents.values()][0]?.parties).toHaveLength(2);
  });

  it('without a queue to wait on, a consent for an unknown case is rejected with the reason', async () => {
    const orphan = freshConsent('case-nobody-knows');
    const record = sqsRecord(JSON.stringify(orphan));
    expect(await run(createConsentRegisteredHandler(deps()), [record])).toEqual({ batchItemFailures: [] });
    const rejection = (await t.store.listRejections(new Date().toISOString().slice(0, 10))).find(
      (r) => r.messageId === record.messageId,
    );
    expect(rejection?.reason).toMatch(
      /^case case-nobody-knows has not been created yet; gave up after waiting/,
    );
  });
});
