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

/**
 * A consent handler whose deferred copies are kept (body and attributes) and whose case loads are
 * counted, on a clock the test moves; `again` delivers a copy as SQS would.
 */
const waitingHarness = (start: string) => {
  const sent: { body: string; attributes: Record<string, string> }[] = [];
  const requeue = {
    async send(body: string, _delay: number, attributes: Record<string, string>) {
      sent.push({ body, attributes });
    },
  };
  const store = Object.create(t.store) as typeof t.store;
  const counted = { loads: 0, now: new Date(start) };
  store.loadCase = async (caseId, opts) => {
    counted.loads++;
    return t.store.loadCase(caseId, opts);
  };
  const handler = createConsentRegisteredHandler({ ...deps(), store, now: () => counted.now, requeue });
  const again = (body: string, attributes: Record<string, string>) =>
    sqsRecord(body, {
      messageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [
          k,
          { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
    });
  return { sent, handler, again, counted };
};

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

  it('a waiting event reads only the case item while nothing changed; a new event or a morning (06:00 Stockholm) makes it read and fold again (issue 12)', async () => {
    const created = freshCaseCreated();
    const consent = freshConsent(created.subject);
    // 05:58 in Stockholm (UTC+1 in December): the morning's events fall due at 06:00.
    const { sent, handler, again: deliver, counted } = waitingHarness('2026-12-02T04:58:00Z');
    const again = (copy: { body: string; attributes: Record<string, string> }) =>
      deliver(copy.body, copy.attributes);
    // The first look reads the case (there is none) and waits, noting what it saw.
    await run(handler, [sqsRecord(JSON.stringify(consent))]);
    expect(counted.loads).toBe(1);
    expect(sent[0]?.attributes).toMatchObject({
      sipWaitKey: 'none',
      sipWaitReason: expect.stringMatching(/has not been created yet/),
    });
    // Nothing changed: the next look reads the case item alone and waits for the same thing.
    counted.now = new Date('2026-12-02T04:58:02Z');
    await run(handler, [again(sent[0] as (typeof sent)[number])]);
    expect(counted.loads).toBe(1);
    expect(sent[1]?.attributes).toMatchObject({
      sipWaitKey: 'none',
      sipWaitReason: sent[0]?.attributes.sipWaitReason,
      sipDeferrals: '2',
    });
    // 06:00 passed since the last look (something may have fallen due): the whole path again.
    counted.now = new Date('2026-12-02T05:00:30Z');
    await run(handler, [again(sent[1] as (typeof sent)[number])]);
    expect(counted.loads).toBe(2);
    // The case arrives: its version is new, so the next look folds, and the consent is applied.
    await run(createCaseCreatedHandler(deps()), [sqsRecord(JSON.stringify(created))]);
    counted.now = new Date('2026-12-02T05:00:40Z');
    await run(handler, [again(sent[2] as (typeof sent)[number])]);
    expect(counted.loads).toBe(3);
    expect(sent).toHaveLength(3);
    expect((await t.store.loadCase(created.subject)).case).toMatchObject({ consentStatus: 'partial' });
  });

  it('a look that finds nothing new puts the copy back as it came, unparsed; forged ids or a wait that is up take the whole path (issue 12)', async () => {
    const consent = freshConsent(`case-${crypto.randomUUID().slice(0, 8)}`);
    const { sent, handler, again, counted } = waitingHarness('2026-12-02T08:00:00Z');
    await run(handler, [sqsRecord(JSON.stringify(consent))]);
    const first = sent[0] as (typeof sent)[number];
    expect(first.attributes).toMatchObject({ sipWaitCase: consent.subject, sipWaitEvent: consent.id });
    // Nothing changed: the body is not even read (this one would not parse), and goes back as it came.
    counted.now = new Date('2026-12-02T08:00:02Z');
    await run(handler, [again('not json', first.attributes)]);
    expect(counted.loads).toBe(1);
    expect(sent[1]?.body).toBe('not json');
    // Ids its contract would refuse (they would be logged): the whole path, which rejects the body.
    const forged = { ...first.attributes, sipWaitCase: 'case-191212121212' };
    const forgedRecord = again('not json', forged);
    await run(handler, [forgedRecord]);
    expect(sent).toHaveLength(2);
    const rejected = (await t.rejections()).find((r) => r.messageId === forgedRecord.messageId);
    expect(rejected?.reason).toMatch(/JSON/i);
    expect(rejected?.caseId).toBeUndefined();
    // Its wait is up: the whole path decides how it ends (rejected, with how long it waited).
    counted.now = new Date('2026-12-02T08:15:01Z');
    const lastRecord = again(first.body, {
      ...first.attributes,
      sipLastSeen: String(counted.now.getTime() - 5_000),
    });
    await run(handler, [lastRecord]);
    expect(counted.loads).toBe(2);
    const gaveUp = (await t.rejections()).find((r) => r.messageId === lastRecord.messageId);
    expect(gaveUp?.reason).toMatch(/has not been created yet; gave up after waiting 90\d s/);
  });
});
