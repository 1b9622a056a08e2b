/**
 * The shared shape of every SQS consumer: Powertools batch processing (partial batch responses),
 * per-record parsing against the queue's contract, and the outcomes of a record:
 *   applied (or a duplicate of an applied event) → acknowledged;
 *   rejected → a stored, readable reason, acknowledged (never retried, never lost);
 *   deferred → a copy waits on the queue for its prerequisite (bounded), the original is acknowledged;
 *   anything thrown → a batch item failure: SQS redelivers it and parks it in the DLQ after
 *   maxReceiveCount. For an event of a protected case the payload must not stay alive, so it is
 *   retried and parked as a sanitised copy instead (docs/protected-identity.md).
 */
import {
  EventType as BatchEventType,
  BatchProcessor,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { EventByType, EventType } from '../../events/contracts.ts';
import { parseEventWith, safeSource } from '../../events/parse.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import type { Requeue } from '../adapters/requeue.ts';
import type { Sanitized } from '../core/protected.ts';
import { keyedTurns } from '../core/turns.ts';
import { createMetrics, loggableError, logger, MetricUnit } from './observability.ts';

export type Outcome =
  | { kind: 'applied'; warnings?: string[]; deviations?: string[] }
  /** Applied in its place by version, and a newer version outweighs it: nothing changed, nothing sent. */
  | { kind: 'superseded' }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: string }
  /** A prerequisite event has not arrived yet: wait (bounded), then apply or reject. */
  | {
      kind: 'deferred';
      reason: string;
      body?: string;
      /** When it is worth looking again (a claim or a doubt window ending): one look, not one every few seconds. */
      retryAfterSeconds?: number;
      /**
       * What the case looked like when it had to wait (functions/runtime/apply-event.ts): the
       * next look can tell from the case item alone whether anything changed.
       */
      waitKey?: string;
    };

/** How long an event waits for its prerequisite by default (issue: 15 minutes). */
export const DEFAULT_ORDERING_WAIT_SECONDS = 900;
/**
 * The longest a waiting event sleeps between two looks at its prerequisite in its first minute
 * (1, 2, 4, 8, 8 … s): prerequisites usually come within seconds, and a longer sleep only delays
 * the event after its prerequisite has arrived. After a minute it sleeps half the time it has
 * waited (so it is at most half as late as it waited), up to LONG_DEFERRAL_SECONDS: ~19 looks (a read
 * and a send each) over a 15-minute wait instead of ~110 — an event that waits that long usually
 * waits for nothing (its prerequisite was refused), and gives up.
 */
export const MAX_DEFERRAL_SECONDS = 8;
export const LONG_DEFERRAL_SECONDS = 120;
export const deferralSeconds = (waitedSeconds: number, deferrals: number): number =>
  waitedSeconds < 60
    ? Math.min(2 ** deferrals, MAX_DEFERRAL_SECONDS)
    : Math.min(Math.max(MAX_DEFERRAL_SECONDS, waitedSeconds / 2), LONG_DEFERRAL_SECONDS);
/** SQS's longest DelaySeconds. */
const MAX_SQS_DELAY_SECONDS = 900;
/** Attempts of a protected event before its sanitised copy is parked (like maxReceiveCount). */
export const PROTECTED_MAX_ATTEMPTS = 5;
export const FIRST_SEEN = 'sipFirstSeen';
const DEFERRALS = 'sipDeferrals';
export const LAST_SEEN = 'sipLastSeen';
const ATTEMPTS = 'sipAttempts';
/** What a waiting copy carries besides its body (see `stillWaiting` below). */
export const WAIT_KEY = 'sipWaitKey';
export const WAIT_REASON = 'sipWaitReason';
export const WAIT_CASE = 'sipWaitCase';
export const WAIT_EVENT = 'sipWaitEvent';

export interface RecordContext {
  messageId: string;
  receiveCount: number;
  /**
   * The rules call this as soon as they know the event's case is protected: from then on any
   * copy of the event that waits, is retried or is parked carries only the allow-list.
   */
  markProtected: () => void;
}

/** A copy that still waits for the same thing, as its attributes tell (see `stillWaiting` below). */
export interface StillWaiting {
  key: string;
  reason: string;
  caseId: string;
  eventId: string;
}

/** What a consumer's parser yields: the message, with the ids a rejection or log line may name. */
export type Parsed<M> =
  | { ok: true; event: M; traceparent?: string }
  | { ok: false; reason: string; eventId?: string; caseId?: string; source?: string };

export interface ConsumerDefinition<
  T extends EventType,
  M extends { id: string; subject: string } = EventByType[T],
> {
  eventType: T | string;
  /** The CloudEvents contract of `eventType` (its module under events/contracts/) … */
  schema?: z.ZodMiniType<M>;
  /** … or a parser of the queue's own format (SES delivery reports). */
  parse?: (body: string) => Parsed<M>;
  store: Pick<CaseStore, 'recordRejection'> & Partial<Pick<CaseStore, 'recordDeviation'>>;
  apply: (event: M, ctx: RecordContext) => Promise<Outcome>;
  now?: () => Date;
  /** The `source`s accepted (default: REGISTERED_SOURCES from the stack, else any). */
  registeredSources?: string[] | null;
  /** Where a deferred (or protected, failed) event is put back; without it, a deferred event is rejected. */
  requeue?: Requeue;
  /** Where a protected event's sanitised copy is parked after its last attempt (the DLQ). */
  park?: Requeue;
  /** How long an event may wait for its prerequisite before it is rejected. */
  orderingWaitSeconds?: number;
  /**
   * What this system sends itself (mail jobs, SES's reports) is never rejected for waiting too
   * long: rejecting it would drop an email. Past the wait it fails instead, so SQS retries it and,
   * after maxReceiveCount, parks it in the DLQ (alarmed, redrivable).
   */
  neverGivesUp?: boolean;
  /**
   * Whether records of one case may run at the same time within a batch. Off for consumers that
   * change the case (they would race on its version); on for the mailer, whose jobs each claim
   * their own invitation item.
   */
  concurrentPerCase?: boolean;
  /**
   * What a deferred event is put back as: the parsed event (the default: a CloudEvent's extension
   * attributes are ignored, so never forwarded), or the message as it came, for a parse whose
   * result is not a message it could read again (SES's notifications).
   */
  requeueAs?: 'parsed' | 'received';
  /** For an event flagged protected: the allow-listed event, and the forbidden fields it carried. */
  protect?: (event: M) => Sanitized<M> | null;
  /** The allow-listed copy of any event of this type, for a case found to be protected. */
  sanitize?: (event: M) => Sanitized<M>;
  /**
   * For a copy that waited (it carries WAIT_CASE): whether it still waits for the same thing, as
   * nothing it depends on changed since its last look. Then it goes back as it came, its wait
   * going on, its body not even parsed (functions/runtime/case-consumer.ts); else the whole path.
   */
  stillWaiting?: (record: SQSRecord) => Promise<StillWaiting | undefined>;
}

const sentDay = (record: SQSRecord, now: Date): string => {
  const sent = Number(record.attributes?.SentTimestamp);
  return (Number.isFinite(sent) && sent > 0 ? new Date(sent) : now).toISOString().slice(0, 10);
};

export const numberAttribute = (record: SQSRecord, name: string): number | undefined => {
  const value = Number(record.messageAttributes?.[name]?.stringValue);
  return Number.isFinite(value) ? value : undefined;
};

export const createSqsHandler = <
  T extends EventType,
  M extends { id: string; subject: string } = EventByType[T],
>(
  def: ConsumerDefinition<T, M>,
) => {
  const { schema } = def;
  const parse =
    def.parse ?? (schema ? (body: string) => parseEventWith(body, def.eventType, schema) : undefined);
  if (!parse) throw new Error(`the consumer of ${def.eventType} needs a schema or a parse function`);
  // The sources the county's registered publishers must use for this type (issue 14; lib/counties.ts).
  const sources =
    def.registeredSources ?? (JSON.parse(process.env.REGISTERED_SOURCES ?? 'null') as string[] | null);
  const now = def.now ?? (() => new Date());
  const processor = new BatchProcessor(BatchEventType.SQS);
  // One Metrics per handler (a Lambda has one), so the eventType dimension is fixed at init.
  const metrics = createMetrics({ eventType: def.eventType });

  const reject = async (
    record: SQSRecord,
    reason: string,
    ids: { eventId?: string; caseId?: string; source?: string },
  ) => {
    const { source, ...loggable } = ids;
    await def.store.recordRejection({
      messageId: record.messageId,
      day: sentDay(record, now()),
      queueEventType: def.eventType,
      reason,
      rejectedAt: now().toISOString(),
      ...loggable,
      // Whom the outbound `event.rejected` is routed to (issue 14).
      ...(source ? { source } : {}),
    });
    metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
    logger.warn('event rejected', { outcome: 'rejected', messageId: record.messageId, ...loggable, reason });
  };

  /** Field names only, never values: which forbidden fields a protected event carried. */
  const recordDeviation = async (
    record: SQSRecord,
    ids: { eventId: string; caseId: string },
    fields: string[],
  ) => {
    await def.store.recordDeviation?.({
      eventId: ids.eventId,
      caseId: ids.caseId,
      day: sentDay(record, now()),
      eventType: def.eventType,
      fields,
      recordedAt: now().toISOString(),
    });
    metrics.addMetric('SecurityDeviations', MetricUnit.Count, 1);
    logger.warn('security deviation: forbidden fields dropped from a protected case', {
      eventId: ids.eventId,
      caseId: ids.caseId,
      fields,
    });
  };

  /**
   * Ordering without the DLQ: a copy goes back on the queue with a growing delay (SQS allows up to
   * 15 minutes) and the original is acknowledged, so waiting never uses up maxReceiveCount. The
   * first-seen time travels with the copy; once the wait is over, the event is rejected.
   */
  const defer = async (
    record: SQSRecord,
    body: string,
    reason: string,
    ids: { eventId: string; caseId: string },
    retryAfterSeconds?: number,
    waitKey?: string,
  ) => {
    const maxWait = def.orderingWaitSeconds ?? DEFAULT_ORDERING_WAIT_SECONDS;
    // The wait counts from the first time the event found it must wait, not from when it was sent;
    // a wait interrupted for longer than the wait itself (the event was parked, then redriven)
    // starts again.
    const last = numberAttribute(record, LAST_SEEN);
    const interrupted = last !== undefined && now().getTime() - last > maxWait * 1000;
    const seen = (interrupted ? undefined : numberAttribute(record, FIRST_SEEN)) ?? now().getTime();
    const deferrals = numberAttribute(record, DEFERRALS) ?? 0;
    const waited = (now().getTime() - seen) / 1000;
    if (def.neverGivesUp && waited >= maxWait)
      // It fails (SQS retries it, then parks it): a message of this system's own is never dropped.
      throw new Error(`${reason}; waited ${Math.round(waited)} s (at most ${maxWait} s)`);
    if (!def.requeue || waited >= maxWait) {
      await reject(
        record,
        `${reason}; gave up after waiting ${Math.round(waited)} s (at most ${maxWait} s) for it`,
        ids,
      );
      return;
    }
    // A wait whose end is known (a claim's lease, an email's doubt window) looks again then;
    // a prerequisite that may come any moment is looked for again soon, with backoff.
    const sleep = retryAfterSeconds ?? deferralSeconds(waited, deferrals);
    const delay = Math.max(1, Math.min(Math.ceil(sleep), MAX_SQS_DELAY_SECONDS, Math.ceil(maxWait - waited)));
    await def.requeue.send(body, delay, {
      [FIRST_SEEN]: String(seen),
      [LAST_SEEN]: String(now().getTime()),
      [DEFERRALS]: String(deferrals + 1),
      ...(waitKey !== undefined
        ? {
            [WAIT_KEY]: waitKey,
            [WAIT_REASON]: reason.slice(0, 1000),
            [WAIT_CASE]: ids.caseId,
            [WAIT_EVENT]: ids.eventId,
          }
        : {}),
    });
    metrics.addMetric('DeferredEvents', MetricUnit.Count, 1);
    logger.info('event deferred', {
      outcome: 'deferred',
      messageId: record.messageId,
      ...ids,
      reason,
      delaySeconds: delay,
    });
  };

  /**
   * Records of one case run one at a time, in batch order, while other cases run in parallel: two
   * events of one case in one batch would otherwise read the same version, and one of them would
   * lose the version check and read and write again. The order holds because Powertools starts
   * the records in batch order and `processRecord` takes its turn before its first `await` (keep
   * it so). A record that fails does not hold back the next one of its case; it comes back later
   * (redelivery), as it would from another invocation.
   */
  const inTurn = keyedTurns();

  /** Keeps the sanitised body once the event is known to be protected, so a failure retries that instead. */
  const processRecord = async (record: SQSRecord, sanitisedBody: { value?: string }): Promise<void> => {
    const waitingCase = record.messageAttributes?.[WAIT_CASE]?.stringValue;
    if (waitingCase !== undefined && def.stillWaiting) {
      // In the case's turn, as the whole path would be (it runs on in the same turn).
      await inTurn(waitingCase, async () => {
        const same = await def.stillWaiting?.(record);
        if (same)
          await defer(
            record,
            record.body,
            same.reason,
            { eventId: same.eventId, caseId: same.caseId },
            undefined,
            same.key,
          );
        else await parsedPath(record, sanitisedBody, true);
      });
      return;
    }
    await parsedPath(record, sanitisedBody, false);
  };

  const parsedPath = async (
    record: SQSRecord,
    sanitisedBody: { value?: string },
    inCaseTurn: boolean,
  ): Promise<void> => {
    const parsed = parse(record.body);
    if (!parsed.ok) {
      await reject(record, parsed.reason, {
        eventId: parsed.eventId,
        caseId: parsed.caseId,
        ...(parsed.source ? { source: parsed.source } : {}),
      });
      return;
    }
    const source = (parsed.event as { source?: unknown }).source;
    if (sources && !sources.includes(source as string)) {
      const readable = safeSource(source);
      await reject(
        record,
        `source ${readable ? `"${readable}"` : '(not a readable URI)'} is not registered for ${def.eventType} in this county (registered: ${sources.join(', ')})`,
        { eventId: parsed.event.id, caseId: parsed.event.subject, ...(readable ? { source: readable } : {}) },
      );
      return;
    }
    const trace = parsed.traceparent;
    if (def.concurrentPerCase || inCaseTurn) await processEvent(record, parsed.event, sanitisedBody, trace);
    else await inTurn(parsed.event.subject, () => processEvent(record, parsed.event, sanitisedBody, trace));
  };

  const processEvent = async (
    record: SQSRecord,
    parsedEvent: M,
    sanitisedBody: { value?: string },
    traceparent: string | undefined,
  ) => {
    let event = parsedEvent;
    const ids = { eventId: event.id, caseId: event.subject, ...(traceparent ? { traceparent } : {}) };
    const flagged = def.protect?.(event);
    if (flagged) {
      event = flagged.event;
      sanitisedBody.value = JSON.stringify(flagged.event);
      if (flagged.dropped.length > 0) await recordDeviation(record, ids, flagged.dropped);
    }
    const markProtected = () => {
      if (sanitisedBody.value === undefined)
        sanitisedBody.value = JSON.stringify(def.sanitize ? def.sanitize(event).event : event);
    };
    const outcome = await def.apply(event, {
      messageId: record.messageId,
      receiveCount:
        numberAttribute(record, ATTEMPTS) ?? Number(record.attributes?.ApproximateReceiveCount ?? 1),
      markProtected,
    });
    if (outcome.kind === 'rejected') {
      const source = safeSource((event as { source?: unknown }).source);
      await reject(record, outcome.reason, { ...ids, ...(source ? { source } : {}) });
      return;
    }
    if (outcome.kind === 'deferred') {
      await defer(
        record,
        outcome.body ??
          sanitisedBody.value ??
          (def.requeueAs === 'received' ? record.body : JSON.stringify(event)),
        outcome.reason,
        ids,
        outcome.retryAfterSeconds,
        outcome.waitKey,
      );
      return;
    }
    if (outcome.kind === 'applied' && outcome.deviations?.length)
      await recordDeviation(record, ids, outcome.deviations);
    metrics.addMetric(
      outcome.kind === 'applied'
        ? 'EventsApplied'
        : outcome.kind === 'superseded'
          ? 'SupersededEvents'
          : 'DuplicateEvents',
      MetricUnit.Count,
      1,
    );
    if (outcome.kind === 'applied' && outcome.warnings?.length) {
      // Counted only: a warning's text stays in the table, never in logs.
      metrics.addMetric('RuleWarnings', MetricUnit.Count, outcome.warnings.length);
    }
    logger.info(`event ${outcome.kind}`, { outcome: outcome.kind, messageId: record.messageId, ...ids });
  };

  /** A protected event that failed: its sanitised copy is retried with backoff, then parked; the original is acknowledged. */
  const retryProtected = async (record: SQSRecord, body: string): Promise<boolean> => {
    if (!def.requeue) return false;
    const attempts = (numberAttribute(record, ATTEMPTS) ?? 1) + 1;
    if (attempts > PROTECTED_MAX_ATTEMPTS) {
      if (!def.park) return false;
      await def.park.send(body, 0, { [ATTEMPTS]: String(attempts - 1) });
      logger.error('protected event parked in the DLQ as a sanitised copy', { messageId: record.messageId });
      return true;
    }
    const forward: Record<string, string> = { [ATTEMPTS]: String(attempts) };
    for (const name of [FIRST_SEEN, LAST_SEEN, DEFERRALS]) {
      const value = numberAttribute(record, name);
      if (value !== undefined) forward[name] = String(value);
    }
    await def.requeue.send(body, Math.min(2 ** attempts, 60), forward);
    return true;
  };

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const sanitisedBody: { value?: string } = {};
    try {
      await processRecord(record, sanitisedBody);
    } catch (error) {
      // The error's name and message only: an SDK error never carries the payload.
      metrics.addMetric('RetriedEvents', MetricUnit.Count, 1);
      logger.error('event failed; it will be retried', {
        outcome: 'retry',
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        ...loggableError(error),
      });
      if (sanitisedBody.value !== undefined && (await retryProtected(record, sanitisedBody.value))) return;
      throw error;
    }
  };

  const handle = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context });

  // What Powertools' middy middlewares do (context in every log line, keys reset and metrics
  // flushed after each batch), by hand: middy's import loads web streams we never use, ~4 ms of
  // every cold start (docs/performance.md).
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    try {
      return await handle(event, context);
    } finally {
      logger.resetKeys();
      metrics.publishStoredMetrics();
    }
  };
};
