/**
 * The one source of truth for what runs: queues, their DLQs and redrive, which handler consumes
 * which event type, and the table. The CDK stack (lib/sip-stack.ts) and the local runtime
 * (local/runtime.ts) are both built from this module; neither declares a queue of its own.
 * Pure data: no CDK or SDK imports, so handlers, tests and the local stack can load it cheaply.
 */
import { type EventType, eventTypes } from '../events/contracts.ts';

export interface ConsumerSettings {
  /** Folder under functions/ holding handler.ts, or null while the type has no consumer yet. */
  handler: string | null;
  /** Records per Lambda invocation. Small: a timeout returns the whole batch. */
  batchSize: number;
  /** Lambda timeout. The queue's visibility timeout is derived (6 ×). */
  timeoutSeconds: number;
  memoryMb: number;
  /** Receives before a message is parked in the DLQ. */
  maxReceiveCount: number;
  /** Upper bound on concurrent invocations from the event source (2–1000; protects the table and SES). */
  maxConcurrency: number;
  /** The DynamoDB actions the handler needs on the table, and nothing more (least privilege). */
  tableActions: readonly TableAction[];
  /**
   * Whether the handler may defer an event whose prerequisite has not arrived: it then needs
   * its own queue's URL and permission to send to it.
   */
  waitsForPrerequisites?: boolean;
  /**
   * How long an event may wait on its queue before it is rejected (default: the 15-minute
   * ordering wait). The mailer's jobs wait for a send in progress or in doubt, which the claim
   * lease and the doubt window bound (~11 minutes from the claim, whenever that was).
   */
  waitSeconds?: number;
  /**
   * Its commits can leave emails owed (any event of a case can, once the history is folded again):
   * needs the mail queue's URL and permission to send to it.
   */
  sendsMail?: boolean;
  /** The mailer: needs the SES identity, configuration set and sender addresses. */
  mailer?: boolean;
  /**
   * Its events may belong to a protected case: such an event's sanitised copy (the allow-list, no
   * extension attributes) is retried and parked by the handler itself, so it needs its DLQ's URL
   * and permission to send to it.
   */
  carriesLocationData?: boolean;
  /** Reads and deletes the emails SES receiving stored (the inbound bucket and its key). */
  inboundMail?: boolean;
}

/** SES delivery reports (via SNS), consumed like our own events but not a contract of ours. */
export const sesEventsType = 'aws.ses.event' as const;
/** Emails SES receiving stored (calendar replies, issue 13): S3 object + SNS notification → SQS. */
export const inboundMailType = 'aws.ses.inbound' as const;
export type ConsumedType = EventType | typeof sesEventsType | typeof inboundMailType;

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:DeleteItem';

export interface ConsumerSpec extends ConsumerSettings {
  eventType: ConsumedType;
  /** Short name used in resource names: sip-<county>-<name>, sip-<county>-<name>-dlq. */
  name: string;
}

/** AWS guidance: visibility timeout at least six times the function timeout. */
export const visibilityTimeoutSeconds = (c: ConsumerSettings): number => c.timeoutSeconds * 6;
/** DLQs keep a parked message 14 days, the SQS maximum, so an operator can fix and redrive. */
export const dlqRetentionDays = 14;

/**
 * What every consumer of a case's events does to the table: one Query of the partition, one
 * transaction of puts and deletes, and — when a case becomes protected — fencing the mailer's
 * deliveries and rewriting earlier history entries (updates).
 */
export const caseActions: readonly TableAction[] = [
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:UpdateItem',
];

const base: Omit<ConsumerSettings, 'handler' | 'tableActions'> = {
  batchSize: 10,
  timeoutSeconds: 10,
  memoryMb: 512,
  maxReceiveCount: 5,
  maxConcurrency: 5,
};

export const consumers: readonly ConsumerSpec[] = [
  {
    eventType: eventTypes.caseCreated,
    name: 'case-created',
    handler: 'case-created',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    // Another case.created of the same case waits on its queue like any event.
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.consentRegistered,
    name: 'consent-registered',
    handler: 'consent-registered',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.consentWithdrawn,
    name: 'consent-withdrawn',
    handler: 'consent-withdrawn',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.summonsSent,
    name: 'summons-sent',
    handler: 'summons-sent',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.followupDue,
    name: 'followup-due',
    handler: 'followup-due',
    ...base,
    // A burst of follow-ups (the daily sweep) must not outrun the table or SES.
    maxConcurrency: 5,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.planEstablished,
    name: 'plan-established',
    handler: 'plan-established',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.invitationResponded,
    name: 'invitation-responded',
    handler: 'invitation-responded',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.caseClosed,
    name: 'case-closed',
    handler: 'case-closed',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.caseProtectionChanged,
    name: 'case-protection-changed',
    handler: 'case-protection-changed',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.phoneTaskCompleted,
    name: 'phone-task-completed',
    handler: 'phone-task-completed',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    // Internal: the daily sweep's visits, one per case with something due (SQS retries a visit
    // that dies after its commit, so the emails it made owed are handed to the mailer).
    eventType: eventTypes.sweepVisit,
    name: 'sweep-visit',
    handler: 'sweep-visit',
    ...base,
    tableActions: caseActions,
    sendsMail: true,
    carriesLocationData: true,
    waitsForPrerequisites: true,
  },
  {
    eventType: eventTypes.invitationMail,
    name: 'invitation-mail',
    handler: 'mailer',
    ...base,
    batchSize: 5,
    // Bounded to respect the SES sending rate (SES throttling is retried all the same).
    maxConcurrency: 2,
    // The case's state (one Query), then conditional updates of its own delivery items; what
    // became of an invitation's email is told in the same transaction (the case's outbound
    // sequence: GetItem and UpdateItem of the case item, PutItem of the outbox item).
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    mailer: true,
    // A job waits (on its own queue) while another send holds the claim or an email is in doubt.
    waitsForPrerequisites: true,
    waitSeconds: 3600,
  },
  {
    // Calendar replies (issue 13): answers go through the case pipeline like the page's.
    eventType: inboundMailType,
    name: 'inbound-mail',
    handler: 'inbound-mail',
    ...base,
    maxConcurrency: 2,
    tableActions: caseActions,
    sendsMail: true,
    inboundMail: true,
  },
  {
    eventType: sesEventsType,
    name: 'mail-events',
    handler: 'mail-events',
    ...base,
    // Updates of delivery items, told upstream like the mailer's (the case's outbound sequence).
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    // A report that comes before its send is recorded waits for it.
    waitsForPrerequisites: true,
    waitSeconds: 3600,
  },
];

export const consumerFor = (type: string): ConsumerSpec | undefined =>
  consumers.find((c) => c.eventType === type);

/** Where SES receiving stores inbound email, and the topic it notifies (both runtimes). */
export const inboundMail = {
  /** The local bucket's name (in AWS the stack names it). */
  localBucketName: (county: string) => `sip-${county}-inbound-mail`,
  topicName: (county: string) => `sip-${county}-inbound-mail`,
  /** SES writes each email under this prefix; the bucket expires what is left after 7 days. */
  prefix: 'inbound/',
  expiryDays: 7,
} as const;

/**
 * Outbound events (issue 14): the table's stream → the publisher → an SNS FIFO topic that
 * upstream queues subscribe to (docs/decisions.md). Both runtimes build from this.
 */
export const outbound = {
  handler: 'outbound',
  topicName: (county: string) => `sip-${county}-outbound.fifo`,
  /** Where the stream's event source mapping leaves a batch it gave up on (its shard and range). */
  failureQueueName: (county: string) => `sip-${county}-outbound-failures`,
  /** The local stack's tap: a FIFO queue subscribed to every outbound event (.local/stack.json). */
  localTapName: (county: string) => `sip-${county}-outbound-tap.fifo`,
  /** Stream records per invocation; a failed record is retried, the ones after it wait. */
  batchSize: 50,
  timeoutSeconds: 30,
  memoryMb: 256,
  /** Given up on (to the failure queue) before the stream's 24 h trim it; the table keeps the outbox 30 days. */
  maxRecordAgeHours: 20,
} as const;

/**
 * The KPI export (issue 15): the table's stream → functions/history-export/ → JSON lines in the
 * county's export bucket under `facts/`, read by Athena (a Glue table) and by DuckDB. Both
 * runtimes build from this.
 */
export const historyExport = {
  handler: 'history-export',
  /** The item types whose new items the event source mapping keeps. */
  keeps: ['history', 'rejection', 'deviation', 'evaluation'],
  localBucketName: (county: string) => `sip-${county}-export`,
  prefix: 'facts/',
  /** Athena's query results, under the same bucket (its own prefix, expired sooner). */
  resultsPrefix: 'athena-results/',
  /** Reports the scheduled function writes, linked from the management email. */
  reportsPrefix: 'reports/',
  batchSize: 100,
  timeoutSeconds: 60,
  memoryMb: 256,
  maxRecordAgeHours: 20,
  /** Facts are kept as long as the case history is (five years, then the lifecycle expires them). */
  factRetentionDays: 5 * 366,
} as const;

/** The event types upstream systems publish (every other queue is fed by this system). */
export const upstreamTypes = (): readonly ConsumedType[] =>
  consumers
    .map((c) => c.eventType)
    .filter(
      (t) =>
        t !== eventTypes.invitationMail &&
        t !== eventTypes.sweepVisit &&
        t !== sesEventsType &&
        t !== inboundMailType,
    );

/**
 * The `source`s a county accepts for an event type (issue 14): those of the publishers registered
 * for it, when every one of them names its source; otherwise (none registered, or one without a
 * source) any source.
 */
export const registeredSources = (
  publishers: readonly { types: readonly string[]; source?: string }[] | undefined,
  type: string,
): string[] | undefined => {
  const forType = (publishers ?? []).filter((p) => p.types.includes(type));
  if (forType.length === 0 || forType.some((p) => !p.source)) return undefined;
  return [...new Set(forType.map((p) => p.source as string))];
};

export const queueName = (county: string, c: ConsumerSpec): string => `sip-${county}-${c.name}`;
/** `summons-sent` → `SummonsSent`: construct ids and output names (`SummonsSentQueueUrl`) in the stack and ops. */
export const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
export const dlqName = (county: string, c: ConsumerSpec): string => `${queueName(county, c)}-dlq`;
export const mailQueue = (): ConsumerSpec => {
  const mailer = consumers.find((c) => c.mailer);
  if (!mailer) throw new Error('the topology has no mailer');
  return mailer;
};

/** The single table (see docs/data-model.md). */
export const table = {
  name: (county: string) => `sip-${county}-cases`,
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /** Sparse index of things that fall due (follow-ups, consent expiry); only items with gsi1pk appear. */
  dueIndex: { name: 'due', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** Environment every handler receives, in both runtimes. */
export const handlerEnvironment = (county: { id: string; rules: unknown }): Record<string, string> => ({
  TABLE_NAME: table.name(county.id),
  COUNTY_ID: county.id,
  COUNTY_RULES: JSON.stringify(county.rules),
  POWERTOOLS_SERVICE_NAME: 'sip',
  POWERTOOLS_METRICS_NAMESPACE: 'Sip',
  POWERTOOLS_LOG_LEVEL: 'INFO',
});
