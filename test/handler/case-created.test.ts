import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { freshTable, injectFault } from '../support/dynamo.ts';
import { freshCaseCreated, lambdaContext, sqsRecord } from '../support/fixtures.ts';

let t: Awaited<ReturnType<typeof freshTable>>;
let handler: ReturnType<typeof createCaseCreatedHandler>;

const invoke = (records: SQSRecord[]) =>
  handler({ Records: records }, lambdaContext()) as Promise<SQSBatchResponse>;

beforeAll(async () => {
  t = await freshTable();
  handler = createCaseCreatedHandler({
    county: countyById('halland'),
    store: t.store,
    now: () => new Date(),
  });
});
afterAll(async () => t.drop());

describe('case.created handler', () => {
  it('stores the case and one history entry in one transaction', async () => {
    const event = freshCaseCreated();
    expect(await invoke([sqsRecord(JSON.stringify(event))])).toEqual({ batchItemFailures: [] });
    expect(await t.store.getCase(event.subject)).toMatchObject({
      caseId: event.subject,
      status: 'awaiting-consent',
      version: 1,
    });
    expect(await t.store.listHistory(event.subject)).toHaveLength(1);
  });

  it('is idempotent on the CloudEvents id: three deliveries, one case, one history entry', async () => {
    const event = freshCaseCreated();
    const body = JSON.stringify(event);
    const response = await invoke([sqsRecord(body), sqsRecord(body), sqsRecord(body)]);
    expect(response.batchItemFailures).toEqual([]);
    await invoke([sqsRecord(body)]);
    expect(await t.store.listHistory(event.subject)).toHaveLength(1);
    expect((await t.store.getCase(event.subject))?.version).toBe(1);
  });

  it('a second creation of the same case under another event id is a newer version of its details; an older one does not change them (docs/semantics.md)', async () => {
    const first = freshCaseCreated();
    const newer = {
      ...first,
      id: `${first.id}-newer`,
      time: '2026-11-20T09:00:00+01:00',
      data: { ...first.data, ageGroup: 'adult' },
    };
    const older = {
      ...first,
      id: `${first.id}-older`,
      time: '2026-11-20T07:00:00+01:00',
      data: { ...first.data, ageGroup: 'young-adult' },
    };
    for (const e of [first, newer, older])
      expect(await invoke([sqsRecord(JSON.stringify(e))])).toEqual({ batchItemFailures: [] });
    const loaded = await t.store.loadCase(first.subject);
    expect(loaded.case).toMatchObject({ ageGroup: 'adult', createdByEventId: older.id });
    expect(loaded.history.map((h) => [h.eventId, h.outcome]).sort()).toEqual(
      [
        [first.id, 'applied'],
        [newer.id, 'applied'],
        [older.id, 'applied'], // the earliest creation: it names when and by which event the case began
      ].sort(),
    );
  });

  it('stores malformed events as rejections with reasons and applies the rest of the batch', async () => {
    const good = freshCaseCreated();
    const { id: _missing, ...withoutId } = freshCaseCreated();
    const bad = {
      badJson: sqsRecord('{"specversion":"1.0", "id": '),
      unknownType: sqsRecord(JSON.stringify({ ...freshCaseCreated(), type: 'se.sip.unknown.v1' })),
      missingId: sqsRecord(JSON.stringify(withoutId)),
      wrongType: sqsRecord(JSON.stringify(freshCaseCreated({ data: { protectedIdentity: 'no' } }))),
      ruleBroken: sqsRecord(JSON.stringify(freshCaseCreated({ data: { county: 'varmland' } }))),
    };
    const goodRecord = sqsRecord(JSON.stringify(good));
    const response = await invoke([
      bad.badJson,
      bad.unknownType,
      goodRecord,
      bad.missingId,
      bad.wrongType,
      bad.ruleBroken,
    ]);
    expect(response.batchItemFailures).toEqual([]);
    expect(await t.store.getCase(good.subject)).toBeDefined();

    const rejections = await t.rejections();
    const reasonOf = (r: SQSRecord) => rejections.find((x) => x.messageId === r.messageId);
    expect(reasonOf(bad.badJson)).toMatchObject({ reason: expect.stringMatching(/not valid JSON/) });
    expect(reasonOf(bad.badJson)).not.toHaveProperty('eventId');
    expect(reasonOf(bad.unknownType)).toMatchObject({
      reason: expect.stringMatching(/unknown event type "se.sip.unknown.v1"/),
      eventId: expect.any(String),
    });
    expect(reasonOf(bad.missingId)).toMatchObject({ reason: expect.stringMatching(/^id: Invalid input/) });
    expect(reasonOf(bad.wrongType)).toMatchObject({
      reason: 'data.protectedIdentity: Invalid input: expected boolean, received string',
    });
    expect(reasonOf(bad.ruleBroken)).toMatchObject({
      reason: expect.stringMatching(/this stack serves "halland"/),
    });
    for (const r of Object.values(bad)) {
      const stored = reasonOf(r);
      expect(stored?.queueEventType).toBe('se.sip.case.created.v1');
      // No payload is copied into a rejection: only ids, the reason and when.
      expect(Object.keys(stored ?? {}).sort()).toEqual(
        expect.arrayContaining(['day', 'messageId', 'queueEventType', 'reason', 'rejectedAt']),
      );
      expect(JSON.stringify(stored)).not.toMatch(/unit-bup-h01|needDiscoveredOn|psychiatry/);
    }
  });

  it('reports a transient DynamoDB failure as a batch item failure, and applies the other records', async () => {
    const failing = freshCaseCreated();
    const passing = freshCaseCreated();
    const local = await freshTable();
    injectFault(
      local.client,
      (name, input) =>
        name === 'TransactWriteItemsCommand' && JSON.stringify(input).includes(failing.subject),
      () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }),
    );
    const faulty = createCaseCreatedHandler({
      county: countyById('halland'),
      store: local.store,
      now: () => new Date(),
    });
    const failingRecord = sqsRecord(JSON.stringify(failing));
    const response = (await faulty(
      { Records: [failingRecord, sqsRecord(JSON.stringify(passing))] },
      lambdaContext(),
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failingRecord.messageId }]);
    expect(await local.store.getCase(failing.subject)).toBeUndefined();
    expect(await local.store.getCase(passing.subject)).toBeDefined();
    expect(await local.rejections()).toEqual([]);
    await local.drop();
  });
});

describe('registered publishers (issue 14)', () => {
  it('rejects an event whose source is not the one its publisher is registered with, and says so', async () => {
    process.env.REGISTERED_SOURCES = JSON.stringify(['urn:se:halland:journal:bup-system']);
    let registered: ReturnType<typeof createCaseCreatedHandler>;
    try {
      registered = createCaseCreatedHandler({
        county: countyById('halland'),
        store: t.store,
        now: () => new Date(),
      });
    } finally {
      delete process.env.REGISTERED_SOURCES;
    }
    const run = (records: SQSRecord[]) =>
      registered({ Records: records }, lambdaContext()) as Promise<SQSBatchResponse>;
    const stranger = freshCaseCreated({ source: 'urn:se:halland:kommun:someone-else' });
    const known = freshCaseCreated({ source: 'urn:se:halland:journal:bup-system' });
    const stray = sqsRecord(JSON.stringify(stranger));
    expect(await run([stray, sqsRecord(JSON.stringify(known))])).toEqual({ batchItemFailures: [] });
    expect(await t.store.getCase(stranger.subject)).toBeUndefined();
    expect(await t.store.getCase(known.subject)).toMatchObject({ status: 'awaiting-consent' });
    const rejection = (await t.rejections()).find((r) => r.messageId === stray.messageId);
    expect(rejection).toMatchObject({
      eventId: stranger.id,
      source: 'urn:se:halland:kommun:someone-else',
      reason:
        'source "urn:se:halland:kommun:someone-else" is not registered for se.sip.case.created.v1 in this county (registered: urn:se:halland:journal:bup-system)',
    });
  });
});
