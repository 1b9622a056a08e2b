/** Shared test fixtures: example events, SQS records, a Lambda context, unique ids. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { projectRoot } from '../../local/stack-file.ts';

export const examplesDir = join(projectRoot, 'events', 'examples');

export const loadExample = <T = Record<string, unknown>>(scenario: 'normal' | 'protected', file: string): T =>
  JSON.parse(readFileSync(join(examplesDir, scenario, file), 'utf8')) as T;

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

type Json = Record<string, unknown>;

/** A CloudEvent as tests build it: loosely typed so tests can also break it. */
export type TestEvent = Json & { id: string; type: string; subject: string; time: string; data: Json };

/** An example event of the normal scenario for `caseId`, with a fresh event id and the overrides applied. */
const fromExample = (
  file: string,
  caseId: string,
  overrides: { data?: Json } & Json,
  dataDefaults: Json = {},
): TestEvent => {
  const base = loadExample<TestEvent>('normal', file);
  const { data, ...rest } = overrides;
  return {
    ...base,
    id: uniqueId('evt'),
    subject: caseId,
    ...rest,
    data: { ...base.data, ...dataDefaults, ...data },
  };
};

/** The normal scenario's case event with fresh ids, so tests never collide. */
export const freshCaseCreated = (overrides: { data?: Json } & Json = {}): TestEvent =>
  fromExample('01-case-created.json', uniqueId('case'), overrides);

export const sqsRecord = (body: string, overrides: Partial<SQSRecord> = {}): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: randomUUID(),
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-north-1:000000000000:test',
  awsRegion: 'eu-north-1',
  ...overrides,
});

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-north-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Waits for `gate`, or at most `ms` (the way out when what should open it never happens). */
export const gateOrDeadline = async (gate: Promise<void>, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gate, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
};

/** Polls until `probe` returns a value that passes `accept`, or fails with the last value seen. */
export const eventually = async <T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
};

/** A consent event for `caseId` (the normal scenario's first guardian's, with fresh ids). */
export const freshConsent = (caseId: string, overrides: { data?: Json } & Json = {}): TestEvent =>
  fromExample('02-consent-guardian-a.json', caseId, overrides, {
    consentId: `consent-${caseId}`,
    givenBy: [{ partyId: `${caseId}-guardian-a`, role: 'guardian' }],
  });

export const freshWithdrawal = (
  caseId: string,
  partyId: string,
  role = 'guardian',
  consentId = `consent-${caseId}`,
): TestEvent => ({
  specversion: '1.0',
  id: uniqueId('evt'),
  source: 'urn:se:halland:journal:bup-system',
  type: 'se.sip.consent.withdrawn.v1',
  time: '2026-11-25T10:00:00+01:00',
  subject: caseId,
  datacontenttype: 'application/json',
  data: { county: 'halland', consentId, withdrawnBy: { partyId, role } },
});

/** The normal scenario's summons for `caseId`, with fresh ids. */
export const freshSummons = (caseId: string, overrides: { data?: Json } & Json = {}): TestEvent =>
  fromExample('04-summons-sent.json', caseId, overrides, { meetingId: `meeting-${caseId}` });

type BatchHandler = (e: { Records: SQSRecord[] }, c: Context) => Promise<unknown>;

/** Invokes a handler like Lambda + SQS: a thrown error (Powertools throws when every record failed) fails the whole batch. */
export const invokeBatch = async (handler: unknown, records: SQSRecord[]): Promise<SQSBatchResponse> => {
  try {
    return (await (handler as BatchHandler)({ Records: records }, lambdaContext())) as SQSBatchResponse;
  } catch {
    return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
};
