/**
 * Round trips per event, throughput through the local runtime against its direct-write floor, and a
 * burst of follow-ups. Runs on the embedded emulators; used by bench/run.ts.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { eventTypes } from '../events/contracts.ts';
import { keys } from '../functions/adapters/case-store.ts';
import { CaseReader } from '../functions/adapters/case-reader.ts';
import { createDocumentClient } from '../functions/adapters/dynamodb.ts';
import type { Outbox } from '../functions/adapters/outbox.ts';
import { mailJobEvent } from '../functions/adapters/outbox.ts';
import { sesSender } from '../functions/adapters/ses.ts';
import { createCaseCreatedHandler } from '../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../functions/consent-registered/apply.ts';
import { createCaseClosedHandler } from '../functions/case-closed/apply.ts';
import { createFollowupDueHandler } from '../functions/followup-due/apply.ts';
import { createInvitationRespondedHandler } from '../functions/invitation-responded/apply.ts';
import { createMailerHandler } from '../functions/mailer/apply.ts';
import { createPlanEstablishedHandler } from '../functions/plan-established/apply.ts';
import { createSummonsSentHandler } from '../functions/summons-sent/apply.ts';
import type { MailJob } from '../functions/core/meeting.ts';
import { countyById } from '../lib/counties.ts';
import { type Endpoints, localAwsEnv, waitFor } from '../local/emulators.ts';
import { createTable, dynamoClient, startLocalStack } from '../local/runtime.ts';
import { queueDepths } from '../local/inspect.ts';
import { projectRoot } from '../local/stack-file.ts';
import { lambdaContext as ctx, sqsRecord as record } from '../test/support/fixtures.ts';

const county = countyById('halland');
/** Concurrent pollers per consumer (each consumer's maxConcurrency is 5). */
const POLLERS = 5;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** 3. DynamoDB calls, consumed capacity and SES calls per event type for the normal scenario. */
export const roundTrips = async (endpoints: Endpoints) => {
  type Count = {
    dynamodb: number;
    rcu: number;
    wcu: number;
    ses: number;
    sqs: number;
    outbound: number;
    sns: number;
  };
  const zero = (): Count => ({ dynamodb: 0, rcu: 0, wcu: 0, ses: 0, sqs: 0, outbound: 0, sns: 0 });
  const counts = new Map<string, Count>();
  let current = '';
  const bump = (k: keyof Count, n = 1) => {
    const c = counts.get(current) ?? zero();
    c[k] += n;
    counts.set(current, c);
  };
  const db = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: localAwsEnv.AWS_REGION,
    credentials,
  });
  db.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      bump('dynamodb');
      // Outbound (issue 14): an OUTBOX item in the transaction is one stream record, published
      // by the publisher in PublishBatch calls of up to 10 events.
      // (Counted before the document client marshalls: plain values.)
      for (const t of (input.TransactItems as { Put?: { Item?: { pk?: unknown; events?: unknown } } }[]) ??
        []) {
        const item = t.Put?.Item;
        const pk = item?.pk;
        const plain = typeof pk === 'string' ? pk : (pk as { S?: string } | undefined)?.S;
        if (!plain?.startsWith('OUTBOX#')) continue;
        const events = item?.events;
        const n = Array.isArray(events)
          ? events.length
          : ((events as { L?: unknown[] } | undefined)?.L?.length ?? 0);
        bump('outbound', n);
        bump('sns', Math.ceil(n / 10));
      }
      const out = await next(args);
      const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of [cc ?? []].flat() as {
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
        CapacityUnits?: number;
      }[]) {
        bump('rcu', c.ReadCapacityUnits ?? 0);
        bump('wcu', c.WriteCapacityUnits ?? 0);
        if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined)
          bump('wcu', c.CapacityUnits ?? 0);
      }
      return out;
    },
    { step: 'initialize', name: 'count' },
  );
  const tableName = `bench-rt-${Date.now()}`;
  await createTable(db, tableName);
  const store = new CaseReader(createDocumentClient(db), tableName);
  const ses = new SESv2Client({ endpoint: endpoints.ses, region: localAwsEnv.AWS_REGION, credentials });
  ses.middlewareStack.add((next) => async (args) => (bump('ses'), next(args)), {
    step: 'initialize',
    name: 'count',
  });
  const jobs: MailJob[] = [];
  const outbox: Outbox = { enqueue: async (more) => (bump('sqs'), void jobs.push(...more)) };
  const deps = { county, store, now: () => new Date(), outbox };
  const handlers: Record<string, unknown> = {
    [eventTypes.caseCreated]: createCaseCreatedHandler(deps),
    [eventTypes.consentRegistered]: createConsentRegisteredHandler(deps),
    [eventTypes.summonsSent]: createSummonsSentHandler(deps),
    [eventTypes.invitationResponded]: createInvitationRespondedHandler(deps),
    [eventTypes.planEstablished]: createPlanEstablishedHandler(deps),
    [eventTypes.followupDue]: createFollowupDueHandler(deps),
    [eventTypes.caseClosed]: createCaseClosedHandler(deps),
  };
  const mailer = createMailerHandler({
    ...deps,
    sender: sesSender(undefined, ses),
    addresses: {
      from: { address: county.senderAddress },
      replyTo: { address: county.replyToAddress },
      calendarReply: { address: county.calendarReplyAddress },
      countyId: county.id,
      countyName: county.displayName,
    },
  });
  const dir = join(projectRoot, 'events', 'examples', 'normal');
  const perEvent: Record<
    string,
    {
      events: number;
      dynamodbCalls: number;
      rcu: number;
      wcu: number;
      sesCalls: number;
      sqsCalls: number;
      outbound: number;
      snsCalls: number;
    }
  > = {};
  const add = (type: string) => {
    const c = counts.get(type) ?? zero();
    const p = perEvent[type] ?? {
      events: 0,
      dynamodbCalls: 0,
      rcu: 0,
      wcu: 0,
      sesCalls: 0,
      sqsCalls: 0,
      outbound: 0,
      snsCalls: 0,
    };
    perEvent[type] = p;
    return { c, p };
  };
  const caseId = `bench-${Date.now()}`;
  for (const file of readdirSync(dir).sort()) {
    const event = { ...JSON.parse(readFileSync(join(dir, file), 'utf8')), subject: caseId };
    current = event.type;
    counts.delete(current);
    await (handlers[event.type] as (e: unknown, c: unknown) => Promise<unknown>)(
      { Records: [record(JSON.stringify(event))] },
      ctx(),
    );
    const { c, p } = add(event.type);
    p.events++;
    p.dynamodbCalls += c.dynamodb;
    p.rcu += c.rcu;
    p.wcu += c.wcu;
    p.sesCalls += c.ses;
    p.sqsCalls += c.sqs;
    p.outbound += c.outbound;
    p.snsCalls += c.sns;
    // The mailer sends what this event queued, one job at a time.
    for (const job of jobs.splice(0)) {
      current = eventTypes.invitationMail;
      counts.delete(current);
      await (mailer as unknown as (e: unknown, c: unknown) => Promise<unknown>)(
        { Records: [record(JSON.stringify(mailJobEvent(county.id, job, new Date())))] },
        ctx(),
      );
      const m = add(current);
      m.p.events++;
      m.p.dynamodbCalls += m.c.dynamodb;
      m.p.rcu += m.c.rcu;
      m.p.wcu += m.c.wcu;
      m.p.sesCalls += m.c.ses;
      m.p.sqsCalls += m.c.sqs;
      m.p.outbound += m.c.outbound;
      m.p.snsCalls += m.c.sns;
    }
  }
  db.destroy();
  ses.destroy();
  return Object.entries(perEvent).map(([type, p]) => ({
    type,
    events: p.events,
    dynamodbCallsPerEvent: +(p.dynamodbCalls / p.events).toFixed(2),
    rcuPerEvent: +(p.rcu / p.events).toFixed(2),
    wcuPerEvent: +(p.wcu / p.events).toFixed(2),
    sesCallsPerEvent: +(p.sesCalls / p.events).toFixed(2),
    sqsCallsPerEvent: +(p.sqsCalls / p.events).toFixed(2),
    outboundEventsPerEvent: +(p.outbound / p.events).toFixed(2),
    snsCallsPerEvent: +(p.snsCalls / p.events).toFixed(2),
  }));
};

/**
 * The outbound path's latency (issue 14) on the embedded stack: from the commit (the event's
 * `time`, the transaction's appliedAt) to its arrival on a subscribed queue (SQS SentTimestamp,
 * set when SNS delivered it): table stream → publisher → SNS FIFO → SQS.
 */
export const outboundLatency = async (endpoints: Endpoints, cases: number) => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'sip-bench-out-')), 'runtime.log');
  const stack = await startLocalStack({
    endpoints,
    county: county.id,
    logFile,
    resourcePrefix: `bench-out-${Date.now()}-`,
  });
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: localAwsEnv.AWS_REGION, credentials });
  try {
    const created = JSON.parse(
      readFileSync(join(projectRoot, 'events', 'examples', 'normal', '01-case-created.json'), 'utf8'),
    ) as Record<string, unknown>;
    const started = Date.now();
    for (let i = 0; i < cases; i++)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues[eventTypes.caseCreated].url,
          MessageBody: JSON.stringify({ ...created, id: `out-${i}`, subject: `out-case-${i}` }),
        }),
      );
    const latencies: number[] = [];
    const deadline = Date.now() + 120_000;
    while (latencies.length < cases && Date.now() < deadline) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.outbound.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      for (const m of got.Messages ?? []) {
        const e = JSON.parse(m.Body ?? '{}') as { time: string };
        latencies.push(Number(m.Attributes?.SentTimestamp) - Date.parse(e.time));
      }
      if (got.Messages?.length)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: stack.outbound.queueUrl,
            Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const q = (x: number) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))] ?? 0;
    return {
      cases,
      outboundEvents: latencies.length,
      commitToSubscriberP50Ms: q(0.5),
      commitToSubscriberP99Ms: q(0.99),
      allArrivedAfterMs: Date.now() - started,
    };
  } finally {
    sqs.destroy();
    await stack.stop();
  }
};

const caseEvents = (n: number) => {
  const dir = join(projectRoot, 'events', 'examples', 'normal');
  const [created, consentA, consentB] = [
    '01-case-created.json',
    '02-consent-guardian-a.json',
    '03-consent-guardian-b.json',
  ].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
  const out: { type: string; body: string; caseId: string; id: string }[] = [];
  for (let i = 0; i < n; i++) {
    const caseId = `tp-${i}`;
    for (const [k, e] of [created, consentA, consentB].entries()) {
      const id = `tp-${i}-${k}`;
      out.push({
        type: String(e?.type),
        caseId,
        id,
        body: JSON.stringify({ ...e, id, subject: caseId, time: new Date().toISOString() }),
      });
    }
  }
  return out;
};

const sendAll = async (
  sqs: SQSClient,
  urlOf: (type: string) => string,
  messages: { type: string; body: string }[],
) => {
  const byType = new Map<string, string[]>();
  for (const m of messages) byType.set(m.type, [...(byType.get(m.type) ?? []), m.body]);
  await Promise.all(
    [...byType].map(async ([type, bodies]) => {
      for (let i = 0; i < bodies.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: urlOf(type),
            Entries: bodies.slice(i, i + 10).map((MessageBody, n) => ({ Id: String(n), MessageBody })),
          }),
        );
      }
    }),
  );
};

/**
 * The DynamoDB calls the real handlers make for the events of case `tp-0`, by event id, as
 * factories that rewrite the case id (and table) for another case: the throughput floor replays
 * exactly these.
 */
const recordCalls = async (
  endpoints: Endpoints,
  events: { type: string; body: string; id: string }[],
  floorTable: string,
) => {
  const db = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: localAwsEnv.AWS_REGION,
    credentials,
  });
  const tableName = `bench-rec-${Date.now()}`;
  await createTable(db, tableName);
  const calls = new Map<string, ((caseId: string) => unknown)[]>();
  let current = '';
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? '';
      const json = JSON.stringify(args.input).replaceAll(tableName, floorTable);
      const Command = replayable[name];
      if (!Command) throw new Error(`the floor cannot replay ${name}`);
      calls.get(current)?.push((caseId) => {
        const input = JSON.parse(json.replace(/tp-0(?=[-#"])/g, caseId)) as never;
        return new Command(input);
      });
      return next(args);
    },
    { step: 'serialize', priority: 'high', name: 'record' },
  );
  const store = new CaseReader(createDocumentClient(db), tableName);
  const deps = { county, store, now: () => new Date() };
  const handlers: Record<string, (e: unknown, c: unknown) => Promise<unknown>> = {
    [eventTypes.caseCreated]: createCaseCreatedHandler(deps) as never,
    [eventTypes.consentRegistered]: createConsentRegisteredHandler(deps) as never,
  };
  for (const e of events) {
    current = e.id;
    calls.set(current, []);
    await handlers[e.type]?.({ Records: [record(e.body)] }, ctx());
  }
  db.destroy();
  return calls;
};

/** The document-client command behind each low-level call (the recorded input is unmarshalled). */
const replayable: Record<string, new (input: never) => unknown> = {
  QueryCommand,
  TransactWriteItemsCommand: TransactWriteCommand,
  GetItemCommand: GetCommand,
  PutItemCommand: PutCommand,
  UpdateItemCommand: UpdateCommand,
};

/** 4. Throughput of N cases' events (case + two consents) through the local runtime, and the direct-write floor. */
export const throughput = async (endpoints: Endpoints, cases: number, phased = false) => {
  const stack = await startLocalStack({
    endpoints,
    county: county.id,
    logFile: join(mkdtempSync(join(tmpdir(), 'sip-bench-')), 'runtime.log'),
    resourcePrefix: `tp${Date.now()}-`,
    maxPollers: POLLERS,
  });
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: localAwsEnv.AWS_REGION, credentials });
  const events = caseEvents(cases);
  const started = Date.now();
  // Cases first, then consents, as upstream would publish them; the consumers run concurrently.
  const urlOf = (type: string) => stack.queues[type as keyof typeof stack.queues].url;
  const drained = async () => {
    const d = await queueDepths(sqs, stack.queues);
    const busy = Object.values(d).reduce((n, x) => n + x.visible + x.inFlight + x.delayed, 0);
    if (busy > 0) throw new Error(`${busy} in flight`);
  };
  await sendAll(
    sqs,
    urlOf,
    events.filter((e) => e.type === eventTypes.caseCreated),
  );
  // Phased: the consents are published once every case is applied, so none has to wait for its case.
  if (phased) await waitFor('the cases to be applied', drained, 600_000, 200);
  await sendAll(
    sqs,
    urlOf,
    events.filter((e) => e.type !== eventTypes.caseCreated),
  );
  await waitFor(
    'the runtime to apply every event',
    async () => {
      const d = await queueDepths(sqs, stack.queues);
      const busy = Object.values(d).reduce((n, x) => n + x.visible + x.inFlight + x.delayed, 0);
      if (busy > 0) throw new Error(`${busy} in flight`);
    },
    600_000,
    200,
  );
  const seconds = (Date.now() - started) / 1000;
  const store = new CaseReader(createDocumentClient(dynamoClient(endpoints.dynamodb)), stack.tables[0] ?? '');
  const latencies: number[] = [];
  const timeline = new Map<string, number>();
  let applied = 0;
  for (let i = 0; i < cases; i++) {
    for (const h of await store.listHistory(`tp-${i}`)) {
      applied++;
      latencies.push(Date.parse(h.appliedAt) - Date.parse(h.occurredAt));
      if (process.env.BENCH_TIMELINE) {
        const sec = Math.floor((Date.parse(h.appliedAt) - started) / 1000);
        const key = `${h.eventType.split('.')[3]}@${sec}`;
        timeline.set(key, (timeline.get(key) ?? 0) + 1);
      }
    }
  }
  if (process.env.BENCH_TIMELINE) console.error([...timeline].sort().join(' '));
  await stack.stop();

  // The floor: the very DynamoDB calls the handlers make, issued directly by a plain loop (no SQS,
  // no Lambda runtime, no validation): recorded from the real handlers for one case, then replayed
  // for every case with its ids, in each case's order (their version conditions need it).
  const db = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: localAwsEnv.AWS_REGION,
    credentials,
  });
  const floorTable = `floor${Date.now()}`;
  await createTable(db, floorTable);
  const recorded = await recordCalls(endpoints, events.slice(0, 3), floorTable);
  const doc = createDocumentClient(db);
  const concurrency = POLLERS * 2; // the runtime's pollers on the two busy queues
  const floorStart = Date.now();
  const work = [...events];
  const previous = new Map<string, Promise<unknown>>();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let e = work.shift(); e; e = work.shift()) {
        const calls = recorded.get(e.id.replace(/^tp-\d+-/, 'tp-0-')) ?? [];
        const run = async () => {
          for (const call of calls) await doc.send(call(e.caseId) as never);
        };
        const done = (previous.get(e.caseId) ?? Promise.resolve()).then(run);
        previous.set(e.caseId, done);
        await done;
      }
    }),
  );
  const floorSeconds = (Date.now() - floorStart) / 1000;
  db.destroy();
  sqs.destroy();
  return {
    arrival: phased ? 'cases, then consents' : 'all at once',
    cases,
    events: events.length,
    applied,
    seconds: +seconds.toFixed(1),
    eventsPerSecond: +(events.length / seconds).toFixed(1),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    floorEventsPerSecond: +(events.length / floorSeconds).toFixed(1),
    ratioToFloor: +(events.length / seconds / (events.length / floorSeconds)).toFixed(2),
  };
};

/** 5. A burst of N follow-ups at once, for N cases with a plan: all processed, none duplicated, none lost. */
export const burst = async (endpoints: Endpoints, n: number) => {
  const stack = await startLocalStack({
    endpoints,
    county: county.id,
    logFile: join(mkdtempSync(join(tmpdir(), 'sip-burst-')), 'runtime.log'),
    resourcePrefix: `burst${Date.now()}-`,
    maxPollers: POLLERS,
  });
  const table = stack.tables[0] ?? '';
  const db = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: localAwsEnv.AWS_REGION,
    credentials,
  });
  // Seed N protected cases with an active plan (phone path: reminders are phone tasks). A case is
  // the fold of its history, so one template goes through the real handlers (the protected
  // example up to its plan) and its items are copied under N ids.
  const template = 'burst-template';
  const seedStore = new CaseReader(createDocumentClient(db), table);
  const seedDeps = {
    county,
    store: seedStore,
    now: () => new Date(),
    outbox: { enqueue: async () => undefined },
  };
  const seedHandlers: Record<string, unknown> = {
    [eventTypes.caseCreated]: createCaseCreatedHandler(seedDeps),
    [eventTypes.consentRegistered]: createConsentRegisteredHandler(seedDeps),
    [eventTypes.summonsSent]: createSummonsSentHandler(seedDeps),
    [eventTypes.planEstablished]: createPlanEstablishedHandler(seedDeps),
  };
  const protectedDir = join(projectRoot, 'events', 'examples', 'protected');
  for (const file of readdirSync(protectedDir).sort()) {
    const event = { ...JSON.parse(readFileSync(join(protectedDir, file), 'utf8')), subject: template };
    const handler = seedHandlers[event.type] as
      ((e: unknown, c: unknown) => Promise<{ batchItemFailures: unknown[] }>) | undefined;
    if (!handler) continue;
    const out = await handler({ Records: [record(JSON.stringify(event))] }, ctx());
    if (out.batchItemFailures.length > 0) throw new Error(`seeding the burst: ${file} failed`);
  }
  if ((await seedStore.loadCase(template)).case?.status !== 'plan-active')
    throw new Error('seeding the burst: the template case has no active plan');
  const templateItems = (
    await createDocumentClient(db).send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.case(template).pk },
      }),
    )
  ).Items as Record<string, unknown>[];
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++)
    for (const item of templateItems)
      items.push(
        JSON.parse(JSON.stringify(item).replaceAll(template, `burst-${i}`)) as Record<string, unknown>,
      );
  const doc = DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } });
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: localAwsEnv.AWS_REGION, credentials });
  const messages = Array.from({ length: n }, (_, i) => ({
    type: eventTypes.followupDue,
    body: JSON.stringify({
      specversion: '1.0',
      id: `burst-fu-${i}`,
      source: 'urn:bench',
      type: eventTypes.followupDue,
      time: new Date().toISOString(),
      subject: `burst-${i}`,
      datacontenttype: 'application/json',
      data: { county: county.id, followUpId: `fu-${i}`, dueOn: '2027-03-10' },
    }),
  }));
  const started = Date.now();
  await sendAll(sqs, () => stack.queues[eventTypes.followupDue].url, messages);
  await waitFor(
    'the burst to drain',
    async () => {
      const d = (await queueDepths(sqs, stack.queues))[eventTypes.followupDue];
      if (d.visible + d.inFlight + d.delayed > 0) throw new Error('busy');
    },
    1_800_000,
    500,
  );
  const seconds = (Date.now() - started) / 1000;
  // Count what was written: follow-up meetings and history entries, per case.
  let meetings = 0;
  let histories = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: ExclusiveStartKey as never,
        ProjectionExpression: 'sk',
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = item.sk?.S ?? '';
      if (sk.startsWith('CASE#MEETING#fu-') && !sk.includes('#INVITEE#')) meetings++;
      if (sk.startsWith('EVENT#burst-fu-')) histories++;
    }
    ExclusiveStartKey = page.LastEvaluatedKey as never;
  } while (ExclusiveStartKey);
  const dlq = (await queueDepths(sqs, stack.queues))[eventTypes.followupDue].dlq;
  await stack.stop();
  db.destroy();
  sqs.destroy();
  return {
    followUps: n,
    seconds: +seconds.toFixed(1),
    perSecond: +(n / seconds).toFixed(1),
    processed: histories,
    meetings,
    lost: n - histories,
    duplicated: meetings - histories,
    dlq,
  };
};
