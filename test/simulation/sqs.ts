/**
 * Simulated SQS standard queues: at-least-once delivery in any order, delays, visibility
 * timeouts, receive counts, redrive to a DLQ after `maxReceiveCount`; and the SQS client the
 * adapters (requeue, outbox, sweep) send through.
 */
import type { Caller, World } from './world.ts';

export interface SimMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  /** Who put it here: `upstream`, `code` (our handlers) or `sqs` (a redrive). */
  origin: 'upstream' | 'code' | 'sqs' | 'operator';
  /** The receives of this message (each an invocation id). */
  receives: number[];
}

export class SimQueue {
  readonly messages = new Map<string, SimMessage>();
  dlq?: SimQueue;
  maxReceiveCount = Number.POSITIVE_INFINITY;
  /** Called when a message may be received at `at` (its poller looks then). */
  onVisible: (at: number) => void = () => {};

  constructor(
    private readonly world: World,
    readonly name: string,
    readonly url: string,
    readonly visibilityTimeoutMs: number,
    private readonly ids: { next: () => string },
  ) {}

  send(
    body: string,
    delaySeconds: number,
    attributes: Record<string, string>,
    origin: SimMessage['origin'],
  ): SimMessage {
    const m: SimMessage = {
      messageId: this.ids.next(),
      body,
      attributes,
      sentAt: this.world.now,
      visibleAt: this.world.now + delaySeconds * 1000,
      receiveCount: 0,
      origin,
      receives: [],
    };
    this.messages.set(m.messageId, m);
    this.onVisible(m.visibleAt);
    return m;
  }

  get visible(): SimMessage[] {
    return [...this.messages.values()].filter((m) => m.visibleAt <= this.world.now);
  }
  get depth(): number {
    return this.messages.size;
  }
  /** When the next message not visible now becomes visible (a delay, a visibility timeout). */
  get nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values())
      if (m.visibleAt > this.world.now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /**
   * Up to `max` visible messages, in an order the tape picks. Each becomes invisible for the
   * visibility timeout; one received more than `maxReceiveCount` times goes to the DLQ instead.
   * Now and then a message stays visible (SQS may deliver a message twice at once).
   */
  receive(max: number, invocation: number): SimMessage[] {
    const ready = this.visible;
    const out: SimMessage[] = [];
    while (out.length < max && ready.length > 0) {
      const [m] = ready.splice(this.world.tape.choose(ready.length), 1) as [SimMessage];
      if (m.receiveCount >= this.maxReceiveCount && this.dlq) {
        this.messages.delete(m.messageId);
        this.dlq.messages.set(m.messageId, { ...m, visibleAt: this.world.now, origin: 'sqs' });
        continue;
      }
      m.receiveCount++;
      m.receives.push(invocation);
      if (!this.world.tape.chance(10)) {
        m.visibleAt = this.world.now + this.visibilityTimeoutMs;
        this.onVisible(m.visibleAt);
      }
      out.push(m);
    }
    return out;
  }

  delete(messageId: string) {
    this.messages.delete(messageId);
  }

  /** The operator's redrive (npm run redrive): every parked message back to its source queue. */
  redriveTo(source: SimQueue) {
    for (const m of this.messages.values()) {
      source.messages.set(m.messageId, {
        ...m,
        receiveCount: 0,
        visibleAt: this.world.now,
        origin: 'operator',
      });
      source.onVisible(this.world.now);
    }
    this.messages.clear();
  }
}

const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'server' });

/** The SQS client of one container: every send goes through the world's gate as its caller's call. */
export const simSqsClient = (
  world: World,
  queues: ReadonlyMap<string, SimQueue>,
  caller: () => Caller | undefined,
  onSend: (queue: SimQueue, body: string) => void,
) => ({
  send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const input = command.input;
    const queue = queues.get(String(input.QueueUrl));
    if (!queue) return Promise.reject(awsError('QueueDoesNotExist', 'The specified queue does not exist'));
    const errors = {
      before: () => awsError('InternalError', 'simulated: SQS failed the request'),
      after: () => awsError('TimeoutError', 'simulated: the SQS answer was lost'),
    };
    if (command.constructor.name === 'SendMessageCommand') {
      return world.call(
        caller(),
        'sqs.SendMessage',
        () => {
          const attributes = Object.fromEntries(
            Object.entries((input.MessageAttributes ?? {}) as Record<string, { StringValue?: string }>).map(
              ([k, v]) => [k, String(v.StringValue)],
            ),
          );
          onSend(queue, String(input.MessageBody));
          const m = queue.send(
            String(input.MessageBody),
            Number(input.DelaySeconds ?? 0),
            attributes,
            'code',
          );
          return { MessageId: m.messageId };
        },
        errors,
      );
    }
    if (command.constructor.name === 'SendMessageBatchCommand') {
      const entries = input.Entries as { Id: string; MessageBody: string; DelaySeconds?: number }[];
      return world.call(
        caller(),
        'sqs.SendMessageBatch',
        () => {
          const Successful: unknown[] = [];
          const Failed: unknown[] = [];
          for (const e of entries) {
            // A batch can fail per entry: the caller must notice (and retry through SQS).
            if (world.tape.chance(world.faults.failBefore)) {
              Failed.push({ Id: e.Id, Code: 'InternalError', SenderFault: false });
              continue;
            }
            onSend(queue, e.MessageBody);
            const m = queue.send(e.MessageBody, Number(e.DelaySeconds ?? 0), {}, 'code');
            Successful.push({ Id: e.Id, MessageId: m.messageId });
          }
          return { Successful, Failed };
        },
        errors,
      );
    }
    return Promise.reject(new Error(`the simulated SQS does not know ${command.constructor.name}`));
  },
});
