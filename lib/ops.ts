/**
 * npm run ops -- <command> [options] — what an operator looks at (issue 14), against the local
 * stack (`.local/stack.json`, the default) or a deployed county (`--county <id>`: its stack's
 * outputs, with the operator's AWS credentials).
 *
 *   case <caseId>                                    state, consents, meetings, invitations, plan, history
 *   rejections [--since <YYYY-MM-DD>] [--source <uri>]   rejected events (default: the last 7 days)
 *   dlq <event type>                                 how many are parked, and a sanitised view (ids only)
 *   redrive [--type <event type>]                    parked messages back to their source queue
 *   outbound [--follow]                              the outbound events as they come
 *
 * Output is a readable table; `--json` prints JSON instead. Never prints a parked message's data:
 * a DLQ message shows its id, type, source and case id (each only if well-formed). Outbound
 * events are printed as published (ids, codes, times; a phone task's number).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { safeId, safeSource } from '../events/parse.ts';
import { type Rejection } from '../functions/adapters/case-store.ts';
import { CaseReader } from '../functions/adapters/case-reader.ts';
import { createDocumentClient } from '../functions/adapters/dynamodb.ts';
import { addDays } from '../functions/core/dates.ts';
import { invitationsOf } from '../functions/core/meeting.ts';
import type { OutboundEvent } from '../functions/core/outbound.ts';
import { stackName } from './app.ts';
import { countyById } from './counties.ts';
import { type ConsumedType, consumerFor, consumers, pascal } from './topology.ts';

/** Where a county's resources are, and clients to reach them. */
export interface OpsTarget {
  county: string;
  store: CaseReader;
  sqs: SQSClient;
  sns: SNSClient;
  queues: Partial<Record<ConsumedType, { url: string; dlqUrl: string }>>;
  outbound?: { topicArn: string; queueUrl?: string };
}

/** A deployed county: its stack's outputs name every resource. */
export const awsTarget = async (countyId: string, region?: string): Promise<OpsTarget> => {
  const county = countyById(countyId);
  const cfg = { region: region ?? county.region };
  const cfn = new CloudFormationClient(cfg);
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName(county) }));
  cfn.destroy();
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const need = (key: string) => {
    const v = outputs[key];
    if (!v)
      throw new Error(`stack ${stackName(county)} has no output ${key}; deploy the current stack first`);
    return v;
  };
  const queues: OpsTarget['queues'] = {};
  for (const c of consumers) {
    const url = outputs[`${pascal(c.name)}QueueUrl`];
    const dlqUrl = outputs[`${pascal(c.name)}DlqUrl`];
    if (url && dlqUrl) queues[c.eventType] = { url, dlqUrl };
  }
  return {
    county: county.id,
    store: new CaseReader(createDocumentClient(new DynamoDBClient(cfg)), need('TableName')),
    sqs: new SQSClient(cfg),
    sns: new SNSClient(cfg),
    queues,
    outbound: { topicArn: need('OutboundTopicArn') },
  };
};

/** The local stack, from `.local/stack.json` (or another stack file). */
export const localTarget = async (file?: string): Promise<OpsTarget> => {
  const { readStackFile } = await import('../local/stack-file.ts');
  const { dynamoClient, snsClient, sqsClient } = await import('../local/runtime.ts');
  const stack = file
    ? (JSON.parse((await import('node:fs')).readFileSync(file, 'utf8')) as ReturnType<typeof readStackFile>)
    : readStackFile();
  return {
    county: stack.county,
    store: new CaseReader(
      createDocumentClient(dynamoClient(stack.endpoints.dynamodb)),
      stack.tables[0] ?? '',
    ),
    sqs: sqsClient(stack.endpoints.sqs),
    sns: snsClient(stack.endpoints.sns),
    queues: stack.queues,
    ...(stack.outbound ? { outbound: stack.outbound } : {}),
  };
};

/** A case as an operator reads it. */
export const caseView = async (t: OpsTarget, caseId: string) => {
  const loaded = await t.store.loadCase(caseId);
  if (!loaded.case) return undefined;
  const c = loaded.case;
  const history = await t.store.listHistory(caseId);
  const outbound = await t.store.listOutbound(caseId);
  return {
    case: {
      caseId,
      status: c.status,
      ...(c.stopReason ? { stopReason: c.stopReason } : {}),
      ...(c.closeReason ? { closeReason: c.closeReason } : {}),
      protectedIdentity: c.protectedIdentity,
      consentStatus: c.consentStatus ?? 'none',
      meetingDueBy: c.meetingDueBy,
      createdAt: c.createdAt,
      version: c.version,
      outboundEvents: c.outboundSeq ?? 0,
      outboundStored: outbound.length,
    },
    consents: [...loaded.consents.values()].map((x) => ({
      consentId: x.consentId,
      status: x.status,
      parties: x.parties.length,
      validFrom: x.validFrom,
      validUntil: x.validUntil,
    })),
    meetings: [...loaded.meetings.values()].map((m) => ({
      meetingId: m.meetingId,
      kind: m.kind ?? 'sip',
      status: m.status,
      startsAt: m.startsAt,
      minutes: m.durationMinutes,
      sequence: m.sequence,
      invitees: m.invitees.length,
    })),
    invitations: invitationsOf(c.protectedIdentity, loaded.meetings.values(), loaded.deliveries).map((i) => {
      const invitee = loaded.meetings.get(i.meetingId)?.invitees.find((x) => x.inviteeId === i.inviteeId);
      return {
        meetingId: i.meetingId,
        inviteeId: i.inviteeId,
        organisationType: invitee?.organisationType ?? '',
        status: i.status,
        answer: invitee?.response?.value ?? (invitee?.receivedVersion ? 'received' : ''),
      };
    }),
    plans: [...loaded.plans.values()].map((p) => ({
      planId: p.planId,
      interventions: p.interventions.length,
      nextFollowUp: p.nextFollowUp.dueOn,
    })),
    history: history.map((h) => ({
      occurredAt: h.occurredAt,
      type: h.eventType.replace(/^se\.sip\.|\.v1$/g, ''),
      eventId: h.eventId,
      outcome: h.outcome,
      ...(h.reason ? { reason: h.reason } : {}),
    })),
  };
};

export const rejections = async (
  t: OpsTarget,
  opts: { since?: string; source?: string; today?: string } = {},
): Promise<Rejection[]> => {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const since = opts.since ?? addDays(today, -6);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since))
    throw new Error(`--since must be a date (YYYY-MM-DD), not "${since}"`);
  const out: Rejection[] = [];
  for (let day = since; day <= today; day = addDays(day, 1)) out.push(...(await t.store.listRejections(day)));
  return out.filter((r) => !opts.source || r.source === opts.source);
};

/** What an operator may see of a parked message: ids, never values. */
const sanitised = (m: Message) => {
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(m.Body ?? '') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: nothing to show but the message's own attributes
  }
  const firstSeen = Number(
    m.MessageAttributes?.sipFirstSeen?.StringValue ?? m.Attributes?.SentTimestamp ?? 0,
  );
  return {
    messageId: m.MessageId ?? '',
    id: safeId(body.id) ?? '',
    type: safeId(body.type) ?? '',
    source: safeSource(body.source) ?? '',
    caseId: safeId(body.subject) ?? '',
    firstSeen: firstSeen ? new Date(firstSeen).toISOString() : '',
    receives: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
  };
};

/** A DLQ's depth and a sanitised view of what it holds (looked at, then made visible again). */
export const dlqView = async (t: OpsTarget, type: string, max = 100) => {
  const c = consumerFor(type);
  const q = c ? t.queues[c.eventType] : undefined;
  if (!c || !q)
    throw new Error(`unknown event type "${type}"; known: ${consumers.map((x) => x.eventType).join(', ')}`);
  const attrs = await t.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: q.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const seen = new Map<string, Message>();
  for (let round = 0; round < 20 && seen.size < max; round++) {
    const got = await t.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: q.dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = (got.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.set(m.MessageId ?? '', m);
  }
  const messages = [...seen.values()];
  for (let i = 0; i < messages.length; i += 10) {
    await t.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: q.dlqUrl,
        Entries: messages.slice(i, i + 10).map((m, n) => ({
          Id: String(n),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return {
    type: c.eventType,
    parked: Number(attrs.Attributes?.ApproximateNumberOfMessages ?? messages.length),
    messages: messages.map(sanitised),
  };
};

/** Starts a move task per non-empty DLQ, naming each DLQ's source queue explicitly. */
export const redriveAll = async (t: OpsTarget, type?: string) => {
  const selected = type ? [consumerFor(type)] : consumers;
  if (selected.some((c) => !c || !t.queues[c.eventType]))
    throw new Error(`unknown event type "${type}"; known: ${consumers.map((x) => x.eventType).join(', ')}`);
  const out: { type: string; parked: number; task: string }[] = [];
  for (const c of selected) {
    const q = c ? t.queues[c.eventType] : undefined;
    if (!c || !q) continue;
    const arn = async (url: string) =>
      (
        await t.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
          }),
        )
      ).Attributes ?? {};
    const dlq = await arn(q.dlqUrl);
    const parked = Number(dlq.ApproximateNumberOfMessages ?? 0);
    if (parked === 0) {
      out.push({ type: c.eventType, parked, task: '' });
      continue;
    }
    const source = await arn(q.url);
    try {
      const task = await t.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlq.QueueArn, DestinationArn: source.QueueArn }),
      );
      out.push({ type: c.eventType, parked, task: task.TaskHandle ?? '' });
    } catch (error) {
      // The local SQS emulator (fauxqs) has no message move tasks: move them one by one instead.
      if ((error as { name?: string }).name !== 'InvalidAction') throw error;
      out.push({
        type: c.eventType,
        parked,
        task: `moved here: ${await moveByHand(t.sqs, q.dlqUrl, q.url)}`,
      });
    }
  }
  return out;
};

/** Receive, send to the source, delete: what a move task does, for an SQS without move tasks. */
const moveByHand = async (sqs: SQSClient, from: string, to: string): Promise<number> => {
  let moved = 0;
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const m of messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: to,
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length
            ? { MessageAttributes: m.MessageAttributes }
            : {}),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: m.ReceiptHandle }));
      moved++;
    }
  }
};

/**
 * Reads the outbound events: locally from the tap queue; in AWS from a FIFO queue of its own,
 * subscribed to the topic for as long as it runs and deleted afterwards.
 */
export const followOutbound = async (
  t: OpsTarget,
  onEvent: (e: OutboundEvent) => void,
  opts: { follow: boolean; signal?: AbortSignal; quietSeconds?: number },
) => {
  if (!t.outbound) throw new Error('this stack has no outbound topic (deploy or start the current version)');
  let queueUrl = t.outbound.queueUrl;
  let cleanup = async () => {};
  if (!queueUrl) {
    try {
      queueUrl = await subscribeTemporary();
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  async function subscribeTemporary(): Promise<string> {
    if (!t.outbound) throw new Error('no outbound topic');
    const name = `sip-${t.county}-ops-${randomUUID().slice(0, 8)}.fifo`;
    const created = await t.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true' } }),
    );
    const url = created.QueueUrl ?? '';
    // From here on the queue is ours to delete, whatever fails next.
    const held: { subscription?: string } = {};
    cleanup = async () => {
      if (held.subscription) await t.sns.send(new UnsubscribeCommand({ SubscriptionArn: held.subscription }));
      await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    };
    const arn = (
      await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await t.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          Policy: JSON.stringify({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: arn,
                Condition: { ArnEquals: { 'aws:SourceArn': t.outbound.topicArn } },
              },
            ],
          }),
        },
      }),
    );
    const sub = await t.sns.send(
      new SubscribeCommand({
        TopicArn: t.outbound.topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
    );
    held.subscription = sub.SubscriptionArn;
    return url;
  }
  try {
    for (;;) {
      if (opts.signal?.aborted) return;
      const got = await t.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: opts.quietSeconds ?? (opts.follow ? 10 : 1),
        }),
      );
      const messages = got.Messages ?? [];
      if (messages.length === 0 && !opts.follow) return;
      for (const m of messages) onEvent(JSON.parse(m.Body ?? '{}') as OutboundEvent);
      if (messages.length > 0)
        await t.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
    }
  } finally {
    await cleanup();
  }
};

/** A plain-text table: one header row, aligned columns. */
export const table = (rows: Record<string, unknown>[]): string => {
  if (rows.length === 0) return '  (none)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `  ${vals.map((v, i) => v.padEnd(width[i] ?? 0)).join('  ')}`.trimEnd();
  return [
    line(cols),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ].join('\n');
};

const outboundLine = (e: OutboundEvent) => {
  const d = e.data as Record<string, unknown>;
  return {
    time: e.time,
    case: e.subject ?? '',
    sequence: e.sequence ? Number(e.sequence) : '',
    type: e.type.replace(/^se\.sip\.|\.v1$/g, ''),
    what: [d.status ?? d.kind ?? '', d.meetingId ?? '', d.inviteeId ?? '', d.reason ?? '']
      .filter(Boolean)
      .join(' '),
  };
};

const USAGE = `usage: npm run ops -- <command> [--county <id> | --stack <stack.json>] [--json]
  case <caseId>
  rejections [--since YYYY-MM-DD] [--source <uri>]
  dlq <event type>
  redrive [--type <event type>]
  outbound [--follow]`;

export const main = async (argv: string[], print: (s: string) => void = console.log): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      county: { type: 'string' },
      region: { type: 'string' },
      stack: { type: 'string' },
      json: { type: 'boolean', default: false },
      since: { type: 'string' },
      source: { type: 'string' },
      type: { type: 'string' },
      follow: { type: 'boolean', default: false },
    },
  });
  const [command, arg] = positionals;
  if (!command || !['case', 'rejections', 'dlq', 'redrive', 'outbound'].includes(command)) {
    print(USAGE);
    return 2;
  }
  const t = values.county ? await awsTarget(values.county, values.region) : await localTarget(values.stack);
  const out = (data: unknown, text: () => string) =>
    print(values.json ? JSON.stringify(data, null, 2) : text());
  try {
    if (command === 'case') {
      if (!arg) throw new Error('case needs a case id: npm run ops -- case <caseId>');
      const view = await caseView(t, arg);
      if (!view) {
        print(`no case ${arg} in ${t.county}`);
        return 1;
      }
      out(view, () =>
        [
          `Case ${arg}`,
          table([view.case]),
          'Consents',
          table(view.consents),
          'Meetings',
          table(view.meetings),
          'Invitations',
          table(view.invitations),
          'Plans',
          table(view.plans),
          'History',
          table(view.history),
        ].join('\n'),
      );
    } else if (command === 'rejections') {
      const list = await rejections(t, {
        ...(values.since ? { since: values.since } : {}),
        ...(values.source ? { source: values.source } : {}),
      });
      out(list, () =>
        table(
          list.map((r) => ({
            rejectedAt: r.rejectedAt,
            queue: r.queueEventType.replace(/^se\.sip\.|\.v1$/g, ''),
            eventId: r.eventId ?? '',
            caseId: r.caseId ?? '',
            source: r.source ?? '',
            reason: r.reason,
          })),
        ),
      );
    } else if (command === 'dlq') {
      if (!arg) throw new Error('dlq needs an event type: npm run ops -- dlq se.sip.case.created.v1');
      const view = await dlqView(t, arg);
      out(view, () => [`${view.type}: ${view.parked} parked`, table(view.messages)].join('\n'));
    } else if (command === 'redrive') {
      const moved = await redriveAll(t, values.type);
      out(moved, () => table(moved));
    } else {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      await followOutbound(
        t,
        (e) =>
          print(
            values.json
              ? JSON.stringify(e)
              : (table([outboundLine(e)])
                  .split('\n')
                  .at(-1) ?? ''),
          ),
        { follow: values.follow, signal: controller.signal },
      );
    }
    return 0;
  } finally {
    t.sqs.destroy();
    t.sns.destroy();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`ops: ${error.message}`);
      process.exit(1);
    });
}
