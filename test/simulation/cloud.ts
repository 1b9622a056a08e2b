/**
 * One county's stack in the simulated world, built from the same topology as the CDK stack and
 * the local runtime (lib/topology.ts): a queue and DLQ per consumer, the real handlers in Lambda
 * containers fed by an event source (batches, partial batch failures, a whole batch back on an
 * error, timeout or crash, concurrency), the daily sweep, and an operator who redrives the DLQs.
 */
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CaseStore } from '../../functions/adapters/case-store.ts';
import { EntryStore } from '../../functions/adapters/entry-store.ts';
import { DeliveryStore } from '../../functions/adapters/delivery-store.ts';
import { sqsOutbox } from '../../functions/adapters/outbox.ts';
import { sqsRequeue } from '../../functions/adapters/requeue.ts';
import { sesSender } from '../../functions/adapters/ses.ts';
import { createCaseClosedHandler } from '../../functions/case-closed/apply.ts';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createCaseProtectionChangedHandler } from '../../functions/case-protection-changed/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { createConsentWithdrawnHandler } from '../../functions/consent-withdrawn/apply.ts';
import type { County } from '../../functions/core/county.ts';
import { stockholmDate, stockholmMorning as morningOf } from '../../functions/core/dates.ts';
import { createFollowupDueHandler } from '../../functions/followup-due/apply.ts';
import { createInvitationRespondedHandler } from '../../functions/invitation-responded/apply.ts';
import { createMailEventsHandler } from '../../functions/mail-events/apply.ts';
import { createMailerHandler } from '../../functions/mailer/apply.ts';
import { createPhoneTaskCompletedHandler } from '../../functions/phone-task-completed/apply.ts';
import { createPlanEstablishedHandler } from '../../functions/plan-established/apply.ts';
import type { ConsumerDeps } from '../../functions/runtime/deps.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { runSweep } from '../../functions/sweep/apply.ts';
import { createSweepVisitHandler } from '../../functions/sweep-visit/apply.ts';
import { eventTypes } from '../../events/contracts/common.ts';
import { sqsVisitQueue } from '../../functions/adapters/outbox.ts';
import { type ConsumerSpec, consumers, mailQueue, visibilityTimeoutSeconds } from '../../lib/topology.ts';
import type { SimDynamo } from './dynamo.ts';
import { SimSes } from './ses.ts';
import { SimQueue, type SimMessage, simSqsClient } from './sqs.ts';
import type { Caller, World } from './world.ts';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
interface Container {
  handler: Handler;
  slot: { inv?: Invocation };
}

const handlers: Record<string, (deps: ConsumerDeps & Record<string, unknown>) => unknown> = {
  'case-created': createCaseCreatedHandler,
  'consent-registered': createConsentRegisteredHandler,
  'consent-withdrawn': createConsentWithdrawnHandler,
  'summons-sent': createSummonsSentHandler,
  'followup-due': createFollowupDueHandler,
  'plan-established': createPlanEstablishedHandler,
  'invitation-responded': createInvitationRespondedHandler,
  'case-closed': createCaseClosedHandler,
  'case-protection-changed': createCaseProtectionChangedHandler,
  'phone-task-completed': createPhoneTaskCompletedHandler,
  'sweep-visit': createSweepVisitHandler,
};

export interface Invocation extends Caller {
  id: number;
  fn: string;
  messages: SimMessage[];
  done: boolean;
  /** Case partitions this invocation read successfully (the protected-DLQ oracle asks). */
  read: Set<string>;
  startedAt: number;
  /** SQS sends it tried (a sanitised copy sent back counts, whatever became of it). */
  sqsSendsTried: number;
}

/** What the oracle watches: every message our code sent, each invocation's outcome. */
export interface Observations {
  /** Bodies our code sent, per queue (checked against the queue's contract). */
  sent: { queue: string; body: string }[];
  /** When each SNS message of a Send event was taken off the mail-events queue. */
  sendEventDone: Map<string, number>;
  invocations: Invocation[];
  /** Messages an invocation gave back to their queue (it failed, or failed them): not deleted. */
  returned: { queue: string; body: string; inv: Invocation }[];
  sweeps: number;
  /** Due markers written (each write, including rewrites). */
  dueMarkers: number;
  redrives: number;
}

const lambdaContext = (fn: string, id: number): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sim-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-north-1:000000000000:function:sim-${fn}`,
    memoryLimitInMB: '512',
    awsRequestId: `sim-${id}`,
    logGroupName: `/aws/lambda/sim-${fn}`,
    logStreamName: 'sim',
    // No getRemainingTimeInMillis: the world enforces the timeout.
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as unknown as Context;

export interface CloudOptions {
  county: County;
  orderingWaitSeconds: number;
  /** Concurrent invocations per consumer (at most the topology's maxConcurrency). */
  concurrency: number;
  /** How long after a message is parked the operator redrives its DLQ. */
  redriveAfterMs: number;
  sendDoubtSeconds?: number;
}

export class Cloud {
  readonly queues = new Map<string, SimQueue>(); // by URL
  readonly byType = new Map<string, SimQueue>();
  readonly ses: SimSes;
  readonly obs: Observations = {
    sent: [],
    sendEventDone: new Map(),
    invocations: [],
    returned: [],
    sweeps: 0,
    dueMarkers: 0,
    redrives: 0,
  };
  private invocationIds = 0;
  private messageIds = 0;
  private readonly running = new Map<string, number>();
  private readonly idle = new Map<string, Container[]>();
  private readonly pollAt = new Map<string, number>();
  private redriveScheduled = false;
  /** Told of every due marker written (the sweep's mornings wake up for it). */
  onDueMarker: (date: string) => void = () => {};

  constructor(
    readonly world: World,
    readonly dynamo: SimDynamo,
    readonly opts: CloudOptions,
  ) {
    const ids = { next: () => `m-${++this.messageIds}` };
    for (const c of consumers) {
      const vis = visibilityTimeoutSeconds(c) * 1000;
      const q = new SimQueue(world, c.name, `sim://${c.name}`, vis, ids);
      const dlq = new SimQueue(world, `${c.name}-dlq`, `sim://${c.name}-dlq`, vis, ids);
      q.dlq = dlq;
      q.maxReceiveCount = c.maxReceiveCount;
      this.queues.set(q.url, q);
      this.queues.set(dlq.url, dlq);
      this.byType.set(c.eventType, q);
      if (c.handler) q.onVisible = (at) => this.wake(c, at);
    }
    this.ses = new SimSes(world, this.queueOf('aws.ses.event'));
  }

  queueOf(type: string): SimQueue {
    const q = this.byType.get(type);
    if (!q) throw new Error(`no queue for ${type}`);
    return q;
  }

  /** A document client for one container: every command is a call of its current invocation. */
  private docClient(caller: () => Invocation | undefined): DynamoDBDocumentClient {
    return {
      send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        const op = name.replace('Command', '');
        const inv = caller();
        const pk = (command.input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':pk'];
        // Read: the answer reached the code (not merely the request DynamoDB).
        const read = <T>(result: T): T => {
          if (name === 'QueryCommand' && typeof pk === 'string') inv?.read.add(pk);
          return result;
        };
        return this.world
          .call(inv, `dynamo.${op}`, () => this.dynamo.execute(command), {
            before: () =>
              name === 'TransactWriteCommand' && this.world.tape.chance(500)
                ? new TransactionCanceledException({
                    message:
                      'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
                    $metadata: {},
                    CancellationReasons: [{ Code: 'TransactionConflict' }],
                  })
                : new ProvisionedThroughputExceededException({
                    message: `simulated: throughput exceeded (${op})`,
                    $metadata: {},
                  }),
            after: () =>
              Object.assign(new Error(`simulated: the DynamoDB answer was lost (${op})`), {
                name: 'TimeoutError',
              }),
          })
          .then(read);
      },
    } as unknown as DynamoDBDocumentClient;
  }

  private newContainer(c: ConsumerSpec): Container {
    const slot: { inv?: Invocation } = {};
    const caller = () => slot.inv;
    const sqsClient = simSqsClient(this.world, this.queues, caller, (queue, body) =>
      this.obs.sent.push({ queue: queue.name, body }),
    );
    const sqs = {
      send: (command: Parameters<typeof sqsClient.send>[0]) => {
        const inv = slot.inv;
        if (inv) inv.sqsSendsTried++;
        return sqsClient.send(command);
      },
    };
    // Each function's own store class, as in production (the mailer's has no commit).
    const client = this.docClient(caller);
    const store =
      c.handler === 'mailer' || c.handler === 'mail-events'
        ? new DeliveryStore(client, this.dynamo.tableName)
        : new CaseStore(client, this.dynamo.tableName);
    const now = () => new Date(this.world.now);
    const own = this.queueOf(c.eventType);
    const county = this.opts.county;
    const deps = {
      county,
      store,
      now,
      orderingWaitSeconds: c.waitSeconds ?? this.opts.orderingWaitSeconds,
      ...(c.waitsForPrerequisites ? { requeue: sqsRequeue(own.url, sqs as never) } : {}),
      ...(c.sendsMail
        ? { outbox: sqsOutbox(this.queueOf(mailQueue().eventType).url, county.id, sqs as never, now) }
        : {}),
      ...(c.carriesLocationData && own.dlq ? { park: sqsRequeue(own.dlq.url, sqs as never) } : {}),
    };
    let handler: unknown;
    if (c.handler === 'mailer') {
      handler = createMailerHandler({
        ...deps,
        store: store as DeliveryStore,
        sender: sesSender(undefined, this.ses.client(caller) as never),
        addresses: {
          from: { name: `SIP ${county.displayName}`, address: 'sip@halland.example.se' },
          replyTo: { address: 'sip-svar@halland.example.se' },
          calendarReply: { address: 'sip-kalender@halland.example.se' },
          countyId: county.id,
          countyName: county.displayName,
        },
        ...(this.opts.sendDoubtSeconds ? { sendDoubtSeconds: this.opts.sendDoubtSeconds } : {}),
      });
    } else if (c.handler === 'mail-events') {
      handler = createMailEventsHandler({ ...deps, store: store as DeliveryStore });
    } else {
      const make = handlers[c.handler ?? ''];
      if (!make) throw new Error(`the simulation cannot build ${c.handler}`);
      handler = make(deps as never);
    }
    return { handler: handler as Handler, slot };
  }

  /** Makes sure the consumer looks at its queue when a message becomes visible. */
  private wake(c: ConsumerSpec, at: number) {
    const pending = this.pollAt.get(c.name);
    const when = at + this.world.tape.choose(200);
    if (pending !== undefined && pending <= when) return;
    this.pollAt.set(c.name, when);
    this.world.at(when, () => {
      if (this.pollAt.get(c.name) === when) this.pollAt.delete(c.name);
      this.poll(c);
    });
  }

  private poll(c: ConsumerSpec) {
    const queue = this.queueOf(c.eventType);
    // A poll only sees what is visible now; what becomes visible later gets a poll of its own
    // (a wake-up set for an earlier message must not swallow it).
    const later = queue.nextVisibleAt;
    if (later !== undefined) this.wake(c, later);
    const limit = Math.max(1, Math.min(this.opts.concurrency, c.maxConcurrency));
    while ((this.running.get(c.name) ?? 0) < limit) {
      const inv: Invocation = {
        id: ++this.invocationIds,
        fn: c.name,
        messages: [],
        dead: false,
        done: false,
        read: new Set(),
        sqsSendsTried: 0,
        startedAt: this.world.now,
        kill: () => finish('died'),
      };
      const batch = queue.receive(c.batchSize, inv.id);
      if (queue.dlq && queue.dlq.depth > 0) this.scheduleRedrive();
      if (batch.length === 0) break;
      inv.messages = batch;
      this.obs.invocations.push(inv);
      this.running.set(c.name, (this.running.get(c.name) ?? 0) + 1);
      const pool = this.idle.get(c.name) ?? [];
      this.idle.set(c.name, pool);
      // A container serves one invocation at a time: its clients name the invocation they serve.
      const container = pool.pop() ?? this.newContainer(c);
      container.slot.inv = inv;
      const finish = (how: 'ok' | 'error' | 'died', response?: SQSBatchResponse) => {
        if (inv.done) return;
        inv.done = true;
        inv.dead = how === 'died';
        this.running.set(c.name, (this.running.get(c.name) ?? 1) - 1);
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (how === 'ok') for (const m of batch) if (!failed.has(m.messageId)) this.deleted(queue, m);
        if (how !== 'died')
          for (const m of batch)
            if (how === 'error' || failed.has(m.messageId))
              this.obs.returned.push({ queue: queue.name, body: m.body, inv });
        // An error or a death returns the whole batch (after its visibility timeout); a dead
        // container is gone, a live one serves the next invocation.
        if (how !== 'died') pool.push(container);
        this.wake(c, this.world.now);
      };
      this.world.after(c.timeoutSeconds * 1000, () => finish('died'));
      const event: SQSEvent = {
        Records: batch.map((m) => ({
          messageId: m.messageId,
          receiptHandle: `${m.messageId}:${m.receiveCount}`,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            SenderId: 'sim',
            ApproximateFirstReceiveTimestamp: String(m.sentAt),
          },
          messageAttributes: Object.fromEntries(
            Object.entries(m.attributes).map(([k, v]) => [
              k,
              { stringValue: v, dataType: 'Number', stringListValues: [], binaryListValues: [] },
            ]),
          ),
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:eu-north-1:000000000000:${c.name}`,
          awsRegion: 'eu-north-1',
        })),
      };
      container.handler(event, lambdaContext(c.name, inv.id)).then(
        (response) => finish('ok', response),
        () => finish('error'),
      );
    }
  }

  private deleted(queue: SimQueue, m: SimMessage) {
    queue.delete(m.messageId);
    const send = /"MessageId":"sns-(.+)-Send"/.exec(m.body);
    if (send?.[1] && !this.obs.sendEventDone.has(send[1]))
      this.obs.sendEventDone.set(send[1], this.world.now);
  }

  /** The operator notices a parked message and, a while later, redrives every DLQ. */
  private scheduleRedrive() {
    if (this.redriveScheduled) return;
    this.redriveScheduled = true;
    this.world.after(this.opts.redriveAfterMs, () => {
      this.redriveScheduled = false;
      this.redriveAll();
    });
  }

  redriveAll() {
    for (const c of consumers) {
      const q = this.queueOf(c.eventType);
      if (q.dlq && q.dlq.depth > 0) {
        this.obs.redrives += q.dlq.depth;
        q.dlq.redriveTo(q);
      }
    }
  }

  /** An upstream system publishes an event to its type's queue. */
  publish(type: string, body: string) {
    this.queueOf(type).send(body, 0, {}, 'upstream');
  }

  /** The daily sweep at 06:00 Stockholm, run as a Lambda (it may die; the scheduler retries it). */
  sweep(day: string, attempt = 1) {
    this.obs.sweeps++;
    const inv: Invocation = {
      id: ++this.invocationIds,
      fn: 'sweep',
      messages: [],
      dead: false,
      done: false,
      read: new Set(),
      sqsSendsTried: 0,
      startedAt: this.world.now,
      kill: () => {
        if (inv.done) return;
        inv.done = true;
        inv.dead = true;
        if (attempt < 4) this.world.after(60_000, () => this.sweep(day, attempt + 1));
      },
    };
    const caller = () => inv;
    const sqs = simSqsClient(this.world, this.queues, caller, (queue, body) =>
      this.obs.sent.push({ queue: queue.name, body }),
    );
    const now = () => new Date(this.world.now);
    runSweep({
      store: new EntryStore(this.docClient(caller), this.dynamo.tableName),
      visits: sqsVisitQueue(this.queueOf(eventTypes.sweepVisit).url, this.opts.county.id, sqs as never),
      now,
    }).then(
      () => {
        inv.done = true;
      },
      () => inv.kill(),
    );
  }

  /**
   * Every morning at 06:00 Stockholm the sweep runs if something is due within its look-back
   * (a week). Mornings with nothing due and nothing published before the next marker are skipped.
   */
  scheduleSweeps(firstDay: string, lastDay: string, nextPublishAt: () => number | undefined) {
    let ticking = false;
    // A marker written while the mornings are skipped (or after they stopped) wakes them again.
    this.onDueMarker = (date) => {
      if (ticking) return;
      const today = stockholmDate(new Date(this.world.now));
      tick(date > today ? date : today);
    };
    const tick = (day: string) => {
      ticking = true;
      this.world.at(Date.parse(morningOf(day)), () => {
        ticking = false;
        const days = this.dynamo.dueDays();
        if (days.some((d) => d <= day && d >= addDay(day, -6))) this.sweep(day);
        let next = addDay(day, 1);
        // Skip mornings only when nothing is due within the next one's look-back and nothing is
        // moving: EventBridge runs the sweep every day, and a missed day is caught up later.
        const inWindow = days.some((d) => d <= next && d >= addDay(next, -6));
        if (!inWindow && this.inFlight === 0) {
          const publish = nextPublishAt();
          const publishDay = publish !== undefined ? stockholmDate(new Date(publish)) : undefined;
          const soonest = days.find((d) => d > next);
          if (publishDay === undefined || publishDay > next) {
            const target = [soonest, publishDay].filter((d): d is string => d !== undefined).sort()[0];
            if (!target) return; // nothing will fall due unless a marker is written (onDueMarker)
            next = target;
          }
        }
        if (next <= lastDay) tick(next);
      });
    };
    tick(firstDay);
  }

  /**
   * Nothing moving: no message visible or in flight, no invocation running. Messages that wait
   * with a delay (an event waiting for its prerequisite, a mail job waiting out a doubt) do not count.
   */
  get settled(): boolean {
    if ([...this.running.values()].some((n) => n > 0)) return false;
    for (const q of this.queues.values())
      for (const m of q.messages.values())
        if (m.visibleAt <= this.world.now || m.receiveCount > 0) return false;
    return true;
  }

  /** Messages anywhere: waiting, in flight, delayed, parked. */
  get inFlight(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.depth;
    return n + [...this.running.values()].reduce((a, b) => a + b, 0);
  }
}

export const addDay = (day: string, n: number) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
