/**
 * One county's isolated stack: its own key, table, queues, functions, mail identity and alarms,
 * built from lib/topology.ts (the same topology the local runtime runs).
 */
import {
  aws_apigatewayv2 as apigw,
  aws_athena as athena,
  aws_glue as glue,
  aws_apigatewayv2_integrations as apigwIntegrations,
  CfnOutput,
  CustomResource,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  Duration,
  aws_dynamodb as dynamodb,
  aws_lambda_event_sources as eventSources,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_scheduler as scheduler,
  aws_secretsmanager as secretsmanager,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_ses as ses,
  aws_ses_actions as sesActions,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { eventTypes } from '../events/contracts/common.ts';
import { FACT_COLUMNS } from '../functions/core/kpi-facts.ts';
import { bundling, handlerEntry, splitCode } from './bundling.ts';
import type { CountyConfig } from './counties.ts';
import {
  type ConsumerSpec,
  consumers,
  dlqName,
  dlqRetentionDays,
  handlerEnvironment,
  inboundMail,
  inboundMailType,
  outbound as outboundSpec,
  historyExport,
  pascal,
  registeredSources,
  upstreamTypes,
  mailQueue,
  queueName,
  sesEventsType,
  caseActions,
  table as tableSpec,
  visibilityTimeoutSeconds,
} from './topology.ts';

interface MailWiring {
  mailQueue: sqs.Queue;
  /** The invitation pages (issue 13): their base URL and the links' key. */
  pages: { url: string; linkKey: secretsmanager.Secret };
  configurationSetName: string;
  identityArn: string;
  configurationSetArn: string;
  county: CountyConfig;
}

export interface SipStackProps extends StackProps {
  county: CountyConfig;
}

/** Alarm when the oldest message has waited this long: consumers are stuck or failing. */
const OLDEST_MESSAGE_ALARM_SECONDS = 15 * 60;
/** Logs carry ids and outcomes only; three months is enough to investigate an incident. */
const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** The AWS Parameters and Secrets Lambda Extension: the link key is read through it, cached (issue 13). */
const linkKeyExtension = () =>
  lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
    cacheSize: 10,
    logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
  });

/** Requests per second per route of the invitation pages (API Gateway throttling), and bursts. */
export const PAGE_THROTTLE = {
  'GET /i/{token}': { rate: 20, burst: 40 },
  'POST /i/{token}': { rate: 5, burst: 10 },
  'GET /tillganglighet': { rate: 5, burst: 10 },
  // Sign-in (a county with `invitationPage.signIn: 'oidc'`; elsewhere these answer "not valid").
  'GET /i/{token}/sign-in': { rate: 5, burst: 10 },
  'GET /callback': { rate: 5, burst: 10 },
  // Meeting evaluation and the family survey (issue 15).
  'GET /e/{token}': { rate: 5, burst: 10 },
  'POST /e/{token}': { rate: 5, burst: 10 },
  'GET /p/{token}': { rate: 5, burst: 10 },
  'GET /f/{code}': { rate: 5, burst: 10 },
  'GET /f/{code}/{who}': { rate: 5, burst: 10 },
  'POST /f/{code}/{who}': { rate: 5, burst: 10 },
} as const;

/** A publisher's principal: its account (any role the account allows) or one role. */
const publisherPrincipal = (principal: string): iam.IPrincipal =>
  /^\d{12}$/.test(principal) ? new iam.AccountPrincipal(principal) : new iam.ArnPrincipal(principal);

export class SipStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly queues = new Map<string, { queue: sqs.Queue; dlq: sqs.Queue; fn?: nodejs.NodejsFunction }>();
  readonly mailEventsTopic: sns.Topic;
  readonly alarmTopic: sns.Topic;
  /** Where SES receiving stores inbound email (calendar replies, issue 13). */
  readonly inboundBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SipStackProps) {
    super(scope, id, props);
    const { county } = props;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/sip-${county.id}`,
      description: `SIP ${county.displayName}: encrypts the case table, queues, logs and alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts this stack's log groups with the key, and only those.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms, SES event publishing and SNS → SQS delivery use the encrypted topics and queues.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('ses.amazonaws.com'),
          new iam.ServicePrincipal('sns.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    // Inbound email (calendar replies): encrypted with the county key, TLS only, gone after 7 days.
    this.inboundBucket = new s3.Bucket(this, 'InboundMail', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          expiration: Duration.days(inboundMail.expiryDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.inboundBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Each object is one inbound email, written by SES, read and deleted by one function within minutes and expired after 7 days; server access logs would keep its keys and requesters longer than the mail itself.',
    });

    this.table = new dynamodb.Table(this, 'Cases', {
      tableName: tableSpec.name(county.id),
      partitionKey: { name: tableSpec.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableSpec.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: tableSpec.ttlAttribute,
      // Outbound events (issue 14) are published from what the table committed.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: tableSpec.dueIndex.name,
      partitionKey: { name: tableSpec.dueIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableSpec.dueIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: `SIP ${county.displayName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(county.alarmEmail));
    const alarmAction = new cloudwatchActions.SnsAction(this.alarmTopic);

    const configurationSet = new ses.ConfigurationSet(this, 'MailConfiguration', {
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    new ses.EmailIdentity(this, 'Sender', {
      identity: ses.Identity.email(county.senderAddress),
      configurationSet,
    });

    const dashboardRows: cloudwatch.IWidget[][] = [];
    const environment = {
      ...handlerEnvironment(county),
      COUNTY_NAME: county.displayName,
      NODE_OPTIONS: '--enable-source-maps',
    };

    // Upstream publishers in other accounts (issue 14): exactly their types, nothing wider.
    const upstream = upstreamTypes();
    for (const p of county.publishers ?? []) {
      for (const type of p.types)
        if (!upstream.includes(type as never))
          throw new Error(
            `county ${county.id}: publisher ${p.name} lists ${type}, which is not an upstream event type (${upstream.join(', ')})`,
          );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Publisher${pascal(p.name)}`,
          principals: [publisherPrincipal(p.principal)],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${this.region}.amazonaws.com` } },
        }),
      );
    }
    for (const c of consumers) {
      const id = pascal(c.name);
      const dlq = new sqs.Queue(this, `${id}Dlq`, {
        queueName: dlqName(county.id, c),
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(dlqRetentionDays),
      });
      const queue = new sqs.Queue(this, `${id}Queue`, {
        queueName: queueName(county.id, c),
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(c)),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: c.maxReceiveCount },
      });
      for (const p of (county.publishers ?? []).filter((x) => x.types.includes(c.eventType))) {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `Publisher${pascal(p.name)}`,
            principals: [publisherPrincipal(p.principal)],
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
          }),
        );
      }
      new CfnOutput(this, `${id}QueueUrl`, {
        value: queue.queueUrl,
        description: `Upstream systems publish ${c.eventType} here`,
      });
      new CfnOutput(this, `${id}DlqUrl`, {
        value: dlq.queueUrl,
        description: `Parked ${c.eventType} messages`,
      });

      const dlqAlarm = dlq
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, `${id}DlqNotEmpty`, {
          alarmDescription: `A ${c.eventType} message was parked in ${dlqName(county.id, c)}; fix the cause, then npm run redrive`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      dlqAlarm.addAlarmAction(alarmAction);
      this.queues.set(c.eventType, { queue, dlq });
    }

    const mail = this.queues.get(mailQueue().eventType);
    if (!mail) throw new Error('the topology has no mail queue');
    // The invitation pages (issue 13): the links' key and the HTTP API come first, so the mailer
    // can put the page's URL in each invitation.
    const linkKey = new secretsmanager.Secret(this, 'InvitationLinkKey', {
      description: 'Signs the invitation pages’ links (HMAC-SHA-256); rotating it revokes every link',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(linkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the key revokes every invitation link in flight; it is rotated by hand (e.g. after an incident), not on a schedule.',
    });
    const api = new apigw.HttpApi(this, 'InvitationPages', {
      description: 'The invitation pages: one personal page per invitee and meeting (issue 13)',
      createDefaultStage: true,
    });
    const mailWiring: MailWiring = {
      pages: { url: api.apiEndpoint, linkKey },
      mailQueue: mail.queue,
      configurationSetName: configurationSet.configurationSetName,
      identityArn: this.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: county.senderAddress,
      }),
      configurationSetArn: this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
      }),
      county,
    };

    for (const c of consumers) {
      const id = pascal(c.name);
      const pair = this.queues.get(c.eventType);
      if (!pair) throw new Error(`no queue for ${c.eventType}`);
      const { queue, dlq } = pair;
      const fn = c.handler
        ? this.consumerFunction(c, id, queue, environment, alarmAction, mailWiring)
        : undefined;
      pair.fn = fn;

      if (fn) {
        const age = queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        });
        age
          .createAlarm(this, `${id}OldestMessage`, {
            alarmDescription: `${c.eventType} messages have waited over ${OLDEST_MESSAGE_ALARM_SECONDS / 60} minutes`,
            threshold: OLDEST_MESSAGE_ALARM_SECONDS,
            evaluationPeriods: 3,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          })
          .addAlarmAction(alarmAction);
        dashboardRows.push([
          new cloudwatch.GraphWidget({
            title: `${c.name}: events`,
            left: ['EventsApplied', 'DuplicateEvents', 'RejectedEvents', 'RetriedEvents'].map((m) =>
              appMetric(m, c).with({ label: m }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: `${c.name}: function`,
            left: [
              fn.metricErrors({ period: Duration.minutes(5) }),
              fn.metricThrottles({ period: Duration.minutes(5) }),
            ],
            right: [fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: `${c.name}: queue`,
            left: [
              dlq.metricApproximateNumberOfMessagesVisible({ label: 'in DLQ' }),
              queue.metricApproximateNumberOfMessagesVisible(),
            ],
            right: [age],
            width: 8,
          }),
        ]);
      } else {
        dashboardRows.push([
          new cloudwatch.GraphWidget({
            title: `${c.name}: waiting (no consumer yet)`,
            left: [
              queue.metricApproximateNumberOfMessagesVisible(),
              dlq.metricApproximateNumberOfMessagesVisible({ label: 'in DLQ' }),
            ],
            width: 24,
          }),
        ]);
      }
    }

    const visits = this.queues.get(eventTypes.sweepVisit);
    if (!visits) throw new Error('the topology has no sweep-visit queue');
    this.sweep(environment, alarmAction, visits.queue);
    this.invitationPages(api, environment, alarmAction, mailWiring);
    this.outboundEvents(county, environment, alarmAction, mailWiring.pages);
    this.countyReports(county, environment, alarmAction);

    // Sends, deliveries, bounces, complaints and rejections: SES → SNS → the mail-events queue → its consumer.
    const mailEvents = this.queues.get(sesEventsType);
    if (!mailEvents) throw new Error('the topology has no queue for SES delivery reports');
    this.mailEventsTopic = new sns.Topic(this, 'MailEvents', {
      displayName: `SIP ${county.displayName} delivery reports`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.mailEventsTopic.addSubscription(new subscriptions.SqsSubscription(mailEvents.queue));
    configurationSet.addEventDestination('DeliveryReports', {
      destination: ses.EventDestination.snsTopic(this.mailEventsTopic),
      events: [
        // Send settles an email in doubt (a send whose answer was lost): docs/semantics.md.
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
      ],
    });

    this.calendarReplies(county);

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `Sip-${county.stackSuffix}`,
      widgets: dashboardRows,
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'MailConfigurationSetName', { value: configurationSet.configurationSetName });
  }

  /**
   * The daily sweep at 06:00 Europe/Stockholm (EventBridge Scheduler keeps the time zone, DST
   * included): follow-ups and consent reminders from the sparse `due` index.
   */
  private sweep(
    environment: Record<string, string>,
    alarmAction: cloudwatchActions.SnsAction,
    visitQueue: sqs.Queue,
  ) {
    // It only reads the `due` index and asks for visits; the visits (a case consumer on their own
    // queue, retried and parked like any) take the read → fold → commit path.
    const fn = this.lambdaFunction(
      'Sweep',
      'sweep',
      'Daily sweep: asks for a visit of each case with something due',
      { memoryMb: 512, timeoutSeconds: 300 },
      { ...environment, VISIT_QUEUE_URL: visitQueue.queueUrl },
      [
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${this.table.tableArn}/index/${tableSpec.dueIndex.name}`],
        }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [visitQueue.queueArn] }),
      ],
    );
    this.schedule('Sweep', 'DailySweep', fn, {
      what: 'the daily sweep',
      description: 'SIP daily sweep, 06:00 Swedish time',
      cron: 'cron(0 6 * * ? *)',
      retries: 3,
    });
    fn.metricErrors({ period: Duration.minutes(5) })
      .createAlarm(this, 'SweepErrors', {
        alarmDescription:
          'The daily sweep failed; follow-up reminders may be late (it catches up on the next run)',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(alarmAction);
  }

  /**
   * The invitation pages (issue 13): one function behind an HTTP API, throttled per route, with
   * access logs that hold no path (the path is the capability) and no address.
   */
  private invitationPages(
    api: apigw.HttpApi,
    environment: Record<string, string>,
    alarmAction: cloudwatchActions.SnsAction,
    mail: MailWiring,
  ) {
    const fn = this.lambdaFunction(
      'InvitationPage',
      'invitation-page',
      'The invitation pages: shows an invitation and applies its answers',
      { memoryMb: 512, timeoutSeconds: 10 },
      {
        ...environment,
        MAIL_QUEUE_URL: mail.mailQueue.queueUrl,
        LINK_KEY_SECRET_ARN: mail.pages.linkKey.secretArn,
        REPLY_TO_ADDRESS: mail.county.replyToAddress,
        ...(mail.county.invitationPage?.signIn === 'oidc'
          ? {
              OIDC_ISSUER: mail.county.invitationPage.oidc.issuer,
              OIDC_CLIENT_ID: mail.county.invitationPage.oidc.clientId,
            }
          : {}),
      },
      [
        new iam.PolicyStatement({ actions: [...caseActions], resources: [this.table.tableArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [mail.mailQueue.queueArn] }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [mail.pages.linkKey.secretArn],
        }),
      ],
      // A person waits on its cold start: what a page view does not need stays out of it.
      { paramsAndSecrets: linkKeyExtension(), split: true },
    );
    // Meeting evaluation and the family survey (issue 15): a function of their own (the QR
    // encoder stays out of the invitation page's bundle), reading cases and writing answers only.
    const evaluation = this.lambdaFunction(
      'EvaluationPage',
      'evaluation-page',
      'The evaluation pages: a unit evaluates a held meeting; the family survey and its printable page',
      { memoryMb: 256, timeoutSeconds: 10 },
      { ...environment, LINK_KEY_SECRET_ARN: mail.pages.linkKey.secretArn },
      [
        new iam.PolicyStatement({
          actions: ['dynamodb:Query', 'dynamodb:PutItem'],
          resources: [this.table.tableArn],
        }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [mail.pages.linkKey.secretArn],
        }),
      ],
      { paramsAndSecrets: linkKeyExtension() },
    );
    const integration = new apigwIntegrations.HttpLambdaIntegration('InvitationPageIntegration', fn);
    const evaluationIntegration = new apigwIntegrations.HttpLambdaIntegration(
      'EvaluationPageIntegration',
      evaluation,
    );
    for (const route of Object.keys(PAGE_THROTTLE)) {
      const [method, path] = route.split(' ') as [keyof typeof apigw.HttpMethod, string];
      api.addRoutes({
        path,
        methods: [apigw.HttpMethod[method]],
        integration: /^\/[epf]\//.test(path) ? evaluationIntegration : integration,
      });
    }
    const accessLogs = new logs.LogGroup(this, 'InvitationPagesAccessLogs', {
      retention: LOG_RETENTION,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = api.defaultStage?.node.defaultChild as apigw.CfnStage;
    // No path (it is the capability), no address, no user agent: the route's template only.
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        route: '$context.routeKey',
        status: '$context.status',
        bytes: '$context.responseLength',
        latencyMs: '$context.responseLatency',
      }),
    };
    stage.defaultRouteSettings = { throttlingRateLimit: 20, throttlingBurstLimit: 40 };
    stage.routeSettings = Object.fromEntries(
      Object.entries(PAGE_THROTTLE).map(([route, t]) => [
        route,
        { throttlingRateLimit: t.rate, throttlingBurstLimit: t.burst },
      ]),
    );
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The invitation link is the capability (an HMAC under the county’s key, docs/decisions.md); there is no account to authorise with. Sign-in for purpose and questions is the county’s OpenID Connect option (issue 13).',
    });
    new cloudwatch.Alarm(this, 'InvitationPageErrors', {
      metric: fn.metricErrors({ period: Duration.minutes(5) }),
      alarmDescription: 'The invitation page failed; see its log group',
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);
    new CfnOutput(this, 'InvitationPagesUrl', {
      value: api.apiEndpoint,
      description: 'Base URL of the invitation pages (each email links to <url>/i/<link>)',
    });
  }

  /**
   * Calendar replies (issue 13): SES receiving takes mail for the county's calendar reply address
   * (the invitations' ORGANIZER), stores it in the encrypted bucket that forgets it after 7 days,
   * and notifies a topic that delivers it raw to the inbound-mail queue. CloudFormation cannot make
   * a receipt rule set the active one; a custom resource of ours does (functions/receipt-rules/).
   * The operator points the domain's MX record at SES (README, "Calendar replies").
   */
  private calendarReplies(county: CountyConfig): void {
    const inbound = this.queues.get(inboundMailType);
    if (!inbound) throw new Error('the topology has no inbound-mail queue');
    const bucket = this.inboundBucket;
    const topic = new sns.Topic(this, 'InboundMailTopic', {
      displayName: `SIP ${county.displayName} inbound mail`,
      masterKey: this.key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    topic.addSubscription(new subscriptions.SqsSubscription(inbound.queue, { rawMessageDelivery: true }));
    const ruleSet = new ses.ReceiptRuleSet(this, 'InboundRules', {
      receiptRuleSetName: `sip-${county.id}-inbound`,
      rules: [
        {
          receiptRuleName: 'calendar-replies',
          recipients: [county.calendarReplyAddress],
          scanEnabled: true,
          tlsPolicy: ses.TlsPolicy.REQUIRE,
          actions: [new sesActions.S3({ bucket, objectKeyPrefix: inboundMail.prefix, topic })],
        },
      ],
    });
    const activator = this.lambdaFunction(
      'ReceiptRuleActivation',
      'receipt-rules',
      'Makes the county receipt rule set the active one (CloudFormation cannot)',
      { memoryMb: 256, timeoutSeconds: 60 },
      {},
      [
        new iam.PolicyStatement({
          actions: ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet'],
          // IAM has no resource type for these two (one active rule set per account and Region);
          // the Region condition keeps the grant to this county's Region.
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': this.region } },
        }),
      ],
    );
    const policy = activator.role?.node.tryFindChild('DefaultPolicy');
    if (policy)
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'ses:SetActiveReceiptRuleSet and ses:DescribeActiveReceiptRuleSet support no resource-level permissions (the Service Authorization Reference lists no resource type for them); limited to this Region by condition.',
      });
    const active = new CustomResource(this, 'ActiveReceiptRuleSet', {
      serviceToken: activator.functionArn,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: ruleSet.receiptRuleSetName },
    });
    active.node.addDependency(ruleSet);
    new CfnOutput(this, 'CalendarReplyAddress', { value: county.calendarReplyAddress });
    new CfnOutput(this, 'InboundMailBucket', { value: bucket.bucketName });
    new CfnOutput(this, 'ReceiptRuleSetName', { value: ruleSet.receiptRuleSetName });
  }

  /**
   * Outbound events (issue 14): the table's stream (new `OUTBOX#` items and rejections, filtered
   * at the event source) → the publisher → an SNS FIFO topic, one message group per case.
   * Upstream accounts named in the county's config may subscribe their SQS queues.
   */
  private outboundEvents(
    county: CountyConfig,
    environment: Record<string, string>,
    alarmAction: cloudwatchActions.SnsAction,
    pages: MailWiring['pages'],
  ) {
    const topic = new sns.Topic(this, 'Outbound', {
      topicName: outboundSpec.topicName(county.id),
      fifo: true,
      contentBasedDeduplication: false,
      displayName: `SIP ${county.displayName} outbound events`,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const account of county.outbound?.subscriberAccounts ?? []) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Subscribe${account}`,
          principals: [new iam.AccountPrincipal(account)],
          actions: ['sns:Subscribe'],
          resources: [topic.topicArn],
          // Only SQS queues in that same account.
          conditions: {
            StringEquals: { 'sns:Protocol': 'sqs' },
            ArnLike: { 'sns:Endpoint': `arn:${this.partition}:sqs:${this.region}:${account}:*` },
          },
        }),
      );
    }
    const { fn, failures } = this.streamConsumer(
      'Outbound',
      outboundSpec,
      outboundSpec.failureQueueName(county.id),
      ['outbox', 'rejection'],
      'Publishes the outbound events the table committed to the outbound topic',
      // The family survey's printable link is signed when published (issue 15): the key, not the link, is stored.
      {
        ...environment,
        OUTBOUND_TOPIC_ARN: topic.topicArn,
        INVITATION_BASE_URL: pages.url,
        LINK_KEY_SECRET_ARN: pages.linkKey.secretArn,
      },
      [
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [pages.linkKey.secretArn],
        }),
      ],
      'the topic and the links’ key',
      { paramsAndSecrets: linkKeyExtension() },
    );
    for (const [id, alarm] of [
      [
        'OutboundErrors',
        {
          metric: fn.metricErrors({ period: Duration.minutes(5) }),
          description: 'Publishing outbound events failed; the stream retries (see the function’s log group)',
          threshold: 1,
        },
      ],
      [
        'OutboundBehind',
        {
          metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
          description: 'Outbound events are more than 5 minutes behind the table',
          threshold: 5 * 60 * 1000,
        },
      ],
      [
        'OutboundGivenUp',
        {
          metric: failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          description:
            'The stream gave up on outbound events (24 h old): republish them from the table’s OUTBOX# items',
          threshold: 1,
        },
      ],
    ] as const)
      this.alarm(id, alarm, alarmAction);
    new CfnOutput(this, 'OutboundTopicArn', {
      value: topic.topicArn,
      description:
        'Outbound CloudEvents (SNS FIFO): subscribe an SQS queue with a filter policy (README, "Upstream onboarding")',
    });
  }

  /** An alarm at or above `threshold` in one period (missing data is fine), to the alarm topic. */
  private alarm(
    id: string,
    a: { metric: cloudwatch.IMetric; description: string; threshold: number },
    action: cloudwatchActions.SnsAction,
  ) {
    new cloudwatch.Alarm(this, id, {
      metric: a.metric,
      alarmDescription: a.description,
      threshold: a.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
  }

  /** An EventBridge Scheduler schedule (Swedish time) that invokes `fn`, with a role for just that. */
  private schedule(
    rolePrefix: string,
    id: string,
    fn: nodejs.NodejsFunction,
    s: { what: string; description: string; cron: string; retries: number },
  ) {
    const role = new iam.Role(this, `${rolePrefix}SchedulerRole`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: `Lets EventBridge Scheduler start ${s.what}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
    new scheduler.CfnSchedule(this, id, {
      description: s.description,
      scheduleExpression: s.cron,
      scheduleExpressionTimezone: 'Europe/Stockholm',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: fn.functionArn,
        roleArn: role.roleArn,
        retryPolicy: { maximumRetryAttempts: s.retries },
      },
    });
  }

  /**
   * County follow-up (issue 15): the table's stream → the export function → JSON lines of facts
   * in the export bucket; a Glue table over them and an Athena workgroup (result location, KMS,
   * bytes-scanned limit); and on the first of each month a function that runs the KPI SQL on
   * Athena, writes the report to the bucket and emails its link to the county's management.
   */
  private countyReports(
    county: CountyConfig,
    environment: Record<string, string>,
    alarmAction: cloudwatchActions.SnsAction,
  ) {
    const bucket = new s3.Bucket(this, 'Export', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          prefix: historyExport.prefix,
          expiration: Duration.days(historyExport.factRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { prefix: historyExport.resultsPrefix, expiration: Duration.days(30) },
        { prefix: historyExport.reportsPrefix, expiration: Duration.days(400) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Its objects are codes, dates and aggregates written and read by this stack’s functions and Athena only (block public access, TLS, KMS); requests are in CloudTrail. Server access logs would need a second bucket for no reader.',
    });

    const { fn: exporter, failures } = this.streamConsumer(
      'HistoryExport',
      historyExport,
      `sip-${county.id}-export-failures`,
      historyExport.keeps,
      'Exports each new history entry, rejection and deviation as KPI facts (JSON lines) to the export bucket',
      { ...environment, EXPORT_BUCKET: bucket.bucketName },
      [
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${historyExport.prefix}*`)],
        }),
      ],
      'the export bucket’s facts/ prefix',
    );

    // The Glue table: the facts' columns (functions/core/kpi-facts.ts), JSON lines, one
    // directory per export day (partition projection: nothing to register).
    const database = `sip_${county.id.replace(/-/g, '_')}`;
    const glueDatabase = new glue.CfnDatabase(this, 'KpiDatabase', {
      catalogId: this.account,
      databaseInput: { name: database, description: `SIP ${county.displayName}: KPI facts (issue 15)` },
    });
    const glueType = { string: 'string', int: 'bigint', boolean: 'boolean' } as const;
    const table = new glue.CfnTable(this, 'KpiFacts', {
      catalogId: this.account,
      databaseName: database,
      tableInput: {
        name: 'facts',
        description: 'One row per history entry (and invitee), rejection and security deviation',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.export_day.type': 'date',
          'projection.export_day.format': 'yyyy-MM-dd',
          'projection.export_day.range': '2026-01-01,NOW',
          'projection.export_day.interval': '1',
          'projection.export_day.interval.unit': 'DAYS',
          'storage.location.template': `s3://${bucket.bucketName}/${historyExport.prefix}day=\${export_day}/`,
        },
        partitionKeys: [{ name: 'export_day', type: 'string' }],
        storageDescriptor: {
          location: `s3://${bucket.bucketName}/${historyExport.prefix}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // Case-insensitive (the default): Glue's column names are lower case, the JSON's camelCase.
            parameters: { 'ignore.malformed.json': 'false' },
          },
          columns: FACT_COLUMNS.map(([name, type]) => ({ name, type: glueType[type] })),
        },
      },
    });
    table.addDependency(glueDatabase);

    const workGroupName = `sip-${county.id}`;
    const workGroup = new athena.CfnWorkGroup(this, 'KpiWorkGroup', {
      name: workGroupName,
      description: `SIP ${county.displayName}: the monthly KPI report`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        // A KPI query over one county's years of facts reads megabytes; a runaway one stops at 1 GB.
        bytesScannedCutoffPerQuery: 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${historyExport.resultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });

    const glueArn = (kind: string, name: string) =>
      `arn:${this.partition}:glue:${this.region}:${this.account}:${kind}/${name}`;
    const report = this.lambdaFunction(
      'MonthlyReport',
      'report',
      'Writes the previous month KPI report (Athena) to the export bucket and emails its link to the county management',
      { memoryMb: 512, timeoutSeconds: 600 },
      {
        ...environment,
        EXPORT_BUCKET: bucket.bucketName,
        ATHENA_WORKGROUP: workGroupName,
        GLUE_DATABASE: database,
        REPORT_RECIPIENT: county.managementEmail,
        SENDER_ADDRESS: county.senderAddress,
        REPORTS_PREFIX: historyExport.reportsPrefix,
        KPI_SQL_DIR: '/var/task/sql',
        // Pipeline health: how many messages each DLQ holds when the report is made.
        DLQ_URLS: JSON.stringify(
          Object.fromEntries([...this.queues].map(([type, q]) => [type, q.dlq.queueUrl])),
        ),
      },
      [
        new iam.PolicyStatement({
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
          resources: [
            `arn:${this.partition}:athena:${this.region}:${this.account}:workgroup/${workGroupName}`,
          ],
        }),
        new iam.PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
          resources: [
            glueArn('catalog', '').replace(/\/$/, ''),
            glueArn('database', database),
            glueArn('table', `${database}/facts`),
          ],
        }),
        new iam.PolicyStatement({
          actions: ['s3:GetBucketLocation', 's3:ListBucket'],
          resources: [bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [
            bucket.arnForObjects(`${historyExport.prefix}*`),
            bucket.arnForObjects(`${historyExport.resultsPrefix}*`),
            bucket.arnForObjects(`${historyExport.reportsPrefix}*`),
          ],
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [
            bucket.arnForObjects(`${historyExport.resultsPrefix}*`),
            bucket.arnForObjects(`${historyExport.reportsPrefix}*`),
          ],
        }),
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            `arn:${this.partition}:ses:${this.region}:${this.account}:identity/${county.senderAddress}`,
          ],
        }),
        new iam.PolicyStatement({
          actions: ['sqs:GetQueueAttributes'],
          resources: [...this.queues.values()].map((q) => q.dlq.queueArn),
        }),
      ],
      {
        // The KPI SQL travels with the function, as files (the same files DuckDB runs).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp -r "${inputDir}/functions/report/sql" "${outputDir}/sql"`,
          ],
        },
      },
    );
    report.node.addDependency(workGroup);
    const bucketArn = `<${this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const prefixGrant = (fn: nodejs.NodejsFunction, prefixes: string[]) => {
      const policy = fn.role?.node.tryFindChild('DefaultPolicy');
      if (!policy) throw new Error('a report function has no policy');
      for (const prefix of prefixes)
        Validations.of(policy).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
          reason:
            'Object keys under this prefix of the one export bucket are chosen at run time (a batch’s facts, an Athena result, a month’s report); the grant is that prefix only.',
        });
    };
    prefixGrant(exporter, [historyExport.prefix]);
    prefixGrant(report, [historyExport.prefix, historyExport.resultsPrefix, historyExport.reportsPrefix]);
    this.schedule('Report', 'MonthlyReportSchedule', report, {
      what: 'the monthly KPI report',
      description: 'SIP monthly KPI report, the 1st at 07:00 Swedish time',
      cron: 'cron(0 7 1 * ? *)',
      retries: 2,
    });
    for (const [id, alarm] of [
      [
        'ExportErrors',
        {
          metric: exporter.metricErrors({ period: Duration.minutes(5) }),
          description: 'Exporting KPI facts failed; the stream retries',
          threshold: 1,
        },
      ],
      [
        'ExportGivenUp',
        {
          metric: failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          description:
            'The stream gave up on KPI facts (24 h old): export them again from the table (docs/kpis.md)',
          threshold: 1,
        },
      ],
      [
        'MonthlyReportErrors',
        {
          metric: report.metricErrors({ period: Duration.hours(1) }),
          description: 'The monthly KPI report failed',
          threshold: 1,
        },
      ],
    ] as const)
      this.alarm(id, alarm, alarmAction);
    new CfnOutput(this, 'ExportBucketName', {
      value: bucket.bucketName,
      description: 'KPI facts (facts/), Athena results and the monthly reports (reports/)',
    });
    new CfnOutput(this, 'KpiWorkGroupName', {
      value: workGroupName,
      description: 'Athena workgroup of the KPI SQL',
    });
    new CfnOutput(this, 'KpiDatabaseName', {
      value: database,
      description: 'Glue database with the facts table',
    });
  }

  /**
   * A function on the table's stream (its own event source mapping): new items of the `keeps`
   * types only, in order (one batch per shard at a time), the first failed record reported so
   * nothing after it overtakes it, and a failure queue (alarmed) for what it gives up on before
   * the stream trims it.
   */
  private streamConsumer(
    id: string,
    spec: {
      handler: string;
      batchSize: number;
      timeoutSeconds: number;
      memoryMb: number;
      maxRecordAgeHours: number;
    },
    failureQueueName: string,
    keeps: readonly string[],
    description: string,
    environment: Record<string, string>,
    statements: iam.PolicyStatement[],
    grants: string,
    extra: Pick<nodejs.NodejsFunctionProps, 'paramsAndSecrets'> = {},
  ): { fn: nodejs.NodejsFunction; failures: sqs.Queue } {
    const failures = new sqs.Queue(this, `${id}Failures`, {
      queueName: failureQueueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(dlqRetentionDays),
    });
    Validations.of(failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the stream event source mapping (it holds the shard and sequence range given up on), not a consumer queue that needs a DLQ of its own.',
    });
    const streamArn = this.table.tableStreamArn;
    if (!streamArn) throw new Error('the case table has no stream');
    const fn = this.lambdaFunction(
      id,
      spec.handler,
      description,
      { memoryMb: spec.memoryMb, timeoutSeconds: spec.timeoutSeconds },
      environment,
      [
        ...statements,
        new iam.PolicyStatement({
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [streamArn],
        }),
        // IAM has no resource for ListStreams (an account's list of stream ARNs, no data); Lambda
        // lists a stream source's streams. The one statement of this function with "*".
        new iam.PolicyStatement({
          sid: 'ListStreamsHasNoResource',
          actions: ['dynamodb:ListStreams'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [failures.queueArn] }),
      ],
      extra,
    );
    // Not DynamoEventSource: its grant adds ListStreams and the stream reads on its own terms.
    fn.addEventSourceMapping('Stream', {
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: spec.batchSize,
      reportBatchItemFailures: true,
      // One batch per shard at a time, in order: a case's records never overtake each other.
      parallelizationFactor: 1,
      // Below the stream's 24 h, so a record given up on reaches the failure queue before it is trimmed.
      maxRecordAge: Duration.hours(spec.maxRecordAgeHours),
      // The destination without SqsDlq's grant (its KMS actions are wildcards): the role already
      // may send to this queue and use the key.
      onFailure: { bind: () => ({ destination: failures.queueArn }) },
      filters: keeps.map((type) =>
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual(type) } } },
        }),
      ),
    });
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`the ${id} function has no policy`);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: `dynamodb:ListStreams has no resource type in IAM (it lists stream ARNs, no data); every other action is on the table’s stream, ${grants}, the key or the failure queue.`,
    });
    return { fn, failures };
  }

  /**
   * A function with its own log group (KMS, retention) and an explicit role instead of the
   * AWSLambdaBasicExecutionRole managed policy, which allows writing to every log group.
   */
  private lambdaFunction(
    id: string,
    handler: string,
    description: string,
    size: { memoryMb: number; timeoutSeconds: number },
    environment: Record<string, string>,
    statements: iam.PolicyStatement[],
    extra: Pick<nodejs.NodejsFunctionProps, 'paramsAndSecrets'> & {
      commandHooks?: nodejs.ICommandHooks;
      /** Bundled with code splitting (lib/bundling.ts `splitCode`): the invitation page. */
      split?: boolean;
    } = {},
  ): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: LOG_RETENTION,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description,
    });
    const logPolicy = new iam.Policy(this, `${id}LogPolicy`, {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    role.attachInlinePolicy(logPolicy);
    Validations.of(logPolicy).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason:
        'Log stream names are created by Lambda at run time; the grant is limited to the streams of this one function’s log group (…:log-group:<name>:*).',
    });
    // The table is encrypted with the county key; DynamoDB needs these on the caller's behalf.
    for (const statement of [
      ...statements,
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [this.key.keyArn],
      }),
    ]) {
      role.addToPolicy(statement);
    }
    const common = {
      description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: size.memoryMb,
      timeout: Duration.seconds(size.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      ...(extra.paramsAndSecrets ? { paramsAndSecrets: extra.paramsAndSecrets } : {}),
    };
    const fn = extra.split
      ? new lambda.Function(this, `${id}Function`, {
          ...common,
          code: splitCode(handler),
          handler: 'index.handler',
        })
      : new nodejs.NodejsFunction(this, `${id}Function`, {
          ...common,
          entry: handlerEntry(handler),
          handler: 'handler',
          bundling: {
            ...bundling,
            mainFields: [...bundling.mainFields],
            externalModules: [...bundling.externalModules],
            ...(extra.commandHooks ? { commandHooks: extra.commandHooks } : {}),
          },
        });
    fn.node.addDependency(logPolicy);
    return fn;
  }

  private consumerFunction(
    c: ConsumerSpec,
    id: string,
    queue: sqs.Queue,
    environment: Record<string, string>,
    alarmAction: cloudwatchActions.SnsAction,
    mail: MailWiring,
  ): nodejs.NodejsFunction {
    const statements: iam.PolicyStatement[] = [];
    if (c.tableActions.length > 0) {
      statements.push(
        new iam.PolicyStatement({ actions: [...c.tableActions], resources: [this.table.tableArn] }),
      );
    }
    const extraEnv: Record<string, string> = {};
    // The sources its registered publishers must use (issue 14), when the county names them.
    const sources = registeredSources(mail.county.publishers, c.eventType);
    if (sources) extraEnv.REGISTERED_SOURCES = JSON.stringify(sources);
    if (c.sendsMail) {
      // Invitations are handed to the mailer's queue after the transaction (the outbox).
      statements.push(
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [mail.mailQueue.queueArn] }),
      );
      extraEnv.MAIL_QUEUE_URL = mail.mailQueue.queueUrl;
    }
    if (c.mailer) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [mail.identityArn, mail.configurationSetArn],
        }),
      );
      extraEnv.SENDER_ADDRESS = mail.county.senderAddress;
      extraEnv.REPLY_TO_ADDRESS = mail.county.replyToAddress;
      extraEnv.CALENDAR_REPLY_ADDRESS = mail.county.calendarReplyAddress;
      extraEnv.SES_CONFIGURATION_SET = mail.configurationSetName;
      // Every invitation links to its invitee's page, signed with the links' key (issue 13).
      extraEnv.INVITATION_BASE_URL = mail.pages.url;
      extraEnv.LINK_KEY_SECRET_ARN = mail.pages.linkKey.secretArn;
      statements.push(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [mail.pages.linkKey.secretArn],
        }),
      );
    }
    if (c.inboundMail) {
      // Reads and deletes the emails SES stored; decrypting them is the key grant every function has.
      statements.push(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:DeleteObject'],
          resources: [this.inboundBucket.arnForObjects(`${inboundMail.prefix}*`)],
        }),
      );
      extraEnv.INBOUND_BUCKET = this.inboundBucket.bucketName;
    }
    if (c.carriesLocationData) {
      // A protected event's sanitised copy is parked by the handler (docs/protected-identity.md).
      const dlq = this.queues.get(c.eventType)?.dlq;
      if (dlq) {
        statements.push(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
        extraEnv.DLQ_URL = dlq.queueUrl;
      }
    }
    if (c.waitsForPrerequisites) {
      // Deferred events go back on the function's own queue (see functions/runtime/consumer.ts).
      statements.push(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      extraEnv.QUEUE_URL = queue.queueUrl;
      if (c.waitSeconds !== undefined) extraEnv.ORDERING_WAIT_SECONDS = String(c.waitSeconds);
    }
    const fn = this.lambdaFunction(
      id,
      c.handler ?? '',
      `Consumes ${c.eventType}`,
      c,
      { ...environment, ...extraEnv },
      statements,
      c.mailer ? { paramsAndSecrets: linkKeyExtension() } : {},
    );
    const defaultPolicy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (c.inboundMail && defaultPolicy)
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.inboundBucket.node.defaultChild as s3.CfnBucket)}.Arn>/inbound/*]`,
        reason:
          'SES names each stored email at run time; the grant is read and delete of objects under the inbound/ prefix of the one inbound bucket.',
      });
    fn.addEventSource(
      new eventSources.SqsEventSource(queue, {
        batchSize: c.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: c.maxConcurrency,
      }),
    );
    fn.metricErrors({ period: Duration.minutes(5) })
      .createAlarm(this, `${id}Errors`, {
        alarmDescription: `The ${c.eventType} consumer failed (a whole batch was returned to the queue)`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(alarmAction);
    fn.metricThrottles({ period: Duration.minutes(5) })
      .createAlarm(this, `${id}Throttles`, {
        alarmDescription: `The ${c.eventType} consumer was throttled`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(alarmAction);
    appMetric('RejectedEvents', c)
      .createAlarm(this, `${id}Rejected`, {
        alarmDescription: `${c.eventType} events were rejected; read the reasons in the table (REJECTIONS#<day>) and tell the publisher`,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(alarmAction);
    if (c.carriesLocationData) {
      appMetric('SecurityDeviations', c)
        .createAlarm(this, `${id}SecurityDeviations`, {
          alarmDescription:
            'An event for a protected case carried location data or free text; it was dropped (docs/protected-identity.md). Tell the publisher.',
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(alarmAction);
    }
    if (c.mailer || c.eventType === sesEventsType) {
      // The mailer counts SES's refusals of a send, mail-events its Reject events after one.
      appMetric('InvitationsFailed', c)
        .createAlarm(this, `${id}InvitationsFailed`, {
          alarmDescription:
            'SES rejected an email for good; its delivery is marked failed with the reason (the recipient gets nothing)',
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(alarmAction);
    }
    if (c.eventType === sesEventsType) {
      appMetric('DuplicateSendsDetected', c)
        .createAlarm(this, `${id}DuplicateSends`, {
          alarmDescription:
            "An email in doubt was sent twice: SES's Send event came after the doubt window (docs/semantics.md)",
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(alarmAction);
    }
    return fn;
  }
}

/** A metric our handlers publish with Powertools (namespace Sip, dimensions service + eventType). */
const appMetric = (name: string, c: ConsumerSpec) =>
  new cloudwatch.Metric({
    namespace: 'Sip',
    metricName: name,
    dimensionsMap: { service: 'sip', eventType: c.eventType },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
