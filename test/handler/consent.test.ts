import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { countyById } from '../../lib/counties.ts';
import {
  freshCaseCreated,
  freshConsent,
  gateOrDeadline,
  lambdaContext,
  sqsRecord,
} from '../support/fixtures.ts';
import { freshTable } from '../support/dynamo.ts';

let t: Awaited<ReturnType<typeof freshTable>>;
const deps = () => ({ county: countyById('halland'), store: t.store, now: () => new Date() });
const run = (h: ReturnType<typeof createConsentRegisteredHandler>, records: SQSRecord[]) =>
  h({ Records: records }, lambdaContext()) as Promise<SQSBatchResponse>;

const guardians = (caseId: string) => [
  freshConsent(caseId, { data: { guardianCount: 2 } }),
  freshConsent(caseId, {
    data: { guardianCount: 2, givenBy: [{ partyId: `${caseId}-guardian-b`, role: 'guardian' }] },
  }),
];

/**
 * The store with its commits counted by outcome. With `together` = n, the first n case loads each
 * wait (up to a deadline) until all n have read, so n concurrent invocations surely read the same
 * version: the race is made to happen, not hoped for.
 */
const countCommits = ({ together = 0 } = {}) => {
  const outcomes: string[] = [];
  const store = Object.create(t.store) as typeof t.store;
  let loads = 0;
  let allRead = () => {};
  const gate = new Promise<void>((resolve) => (allRead = resolve));
  store.loadCase = async (caseId) => {
    const loaded = await t.store.loadCase(caseId);
    if (loads < together) {
      if (++loads === together) allRead();
      await gateOrDeadline(gate, 10_000);
    }
    return loaded;
  };
  store.commit = async (change) => {
    const result = await t.store.commit(change);
    outcomes.push(result.kind);
    return result;
  };
  return {
    deps: { ...deps(), store },
    conflicts: () => outcomes.filter((k) => k === 'conflict').length,
    applied: () => outcomes.filter((k) => k === 'applied').length,
  };
};

beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

describe('consent.registered handler', () => {
  it('two guardians’ consents in two concurrent invocations race on the case version; both are applied, neither lost', async () => {
    const c = freshCaseCreated();
    await run(createCaseCreatedHandler(deps()), [sqsRecord(JSON.stringify(c))]);
    const [a, b] = guardians(c.subject);
    // Two Lambda environments: both read version 1, one commit loses the version check and retries.
    const commits = countCommits({ together: 2 });
    const responses = await Promise.all([
      run(createConsentRegisteredHandler(commits.deps), [sqsRecord(JSON.stringify(a))]),
      run(createConsentRegisteredHandler(commits.deps), [sqsRecord(JSON.stringify(b))]),
    ]);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(commits.conflicts()).toBe(1);
    expect(commits.applied()).toBe(2);
    const loaded = await t.store.loadCase(c.subject);
    expect(loaded.case).toMatchObject({ status: 'consented', consentStatus: 'complete', version: 3 });
    expect([...loaded.consents.values()][0]?.parties).toHaveLength(2);
  });

  it('two events of one case in one batch take turns (no version conflict); other cases run alongside', async () => {
    const c = freshCaseCreated();
    const other = freshCaseCreated();
    const created = createCaseCreatedHandler(deps());
    await run(created, [sqsRecord(JSON.stringify(c)), sqsRecord(JSON.stringify(other))]);
    const commits = countCommits();
    const [a, b] = guardians(c.subject);
    const [oa, ob] = guardians(other.subject);
    const response = await run(createConsentRegisteredHandler(commits.deps), [
      sqsRecord(JSON.stringify(a)),
      sqsRecord(JSON.stringify(oa)),
      sqsRecord(JSON.stringify(b)),
      sqsRecord(JSON.stringify(ob)),
    ]);
    expect(response.batchItemFailures).toEqual([]);
    expect(commits.conflicts()).toBe(0);
    expect(commits.applied()).toBe(4);
    for (const id of [c.subject, other.subject]) {
      expect((await t.store.loadCase(id)).case).toMatchObject({ consentStatus: 'complete', version: 3 });
    }
  });

  it('a record that fails does not hold back the next record of its case', async () => {
    const c = freshCaseCreated();
    await run(createCaseCreatedHandler(deps()), [sqsRecord(JSON.stringify(c))]);
    const [a, b] = guardians(c.subject);
    const store = Object.create(t.store) as typeof t.store;
    let calls = 0;
    store.commit = async (change) => {
      calls++;
      if (calls === 1) throw new Error('injected: the first commit fails');
      return t.store.commit(change);
    };
    const first = sqsRecord(JSON.stringify(a));
    const response = await run(createConsentRegisteredHandler({ ...deps(), store }), [
      first,
      sqsRecord(JSON.stringify(b)),
    ]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    expect((await t.store.loadCase(c.subject)).case).toMatchObject({ consentStatus: 'partial', version: 2 });
  });

  it('without a queue to wait on, a consent for an unknown case is rejected with the reason', async () => {
    const orphan = freshConsent('case-nobody-knows');
    const record = sqsRecord(JSON.stringify(orphan));
    expect(await run(createConsentRegisteredHandler(deps()), [record])).toEqual({ batchItemFailures: [] });
    const rejection = (await t.rejections()).find((r) => r.messageId === record.messageId);
    expect(rejection?.reason).toMatch(
      /^case case-nobody-knows has not been created yet; gave up after waiting/,
    );
  });
});
