/**
 * Assertions on the synthesized county stacks. Bundling is skipped (context) except where a test
 * needs the code; cdk-nag's AWS Solutions checks run on every synth, as in `npm run synth`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, aws_sqs as sqs, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACT_COLUMNS } from '../../functions/core/kpi-facts.ts';
import { buildApp } from '../../lib/app.ts';
import { SipStack } from '../../lib/sip-stack.ts';
import { counties } from '../../lib/counties.ts';
import { consumers, visibilityTimeoutSeconds } from '../../lib/topology.ts';
import { projectRoot } from '../../local/stack-file.ts';

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;
const templates = new Map<string, Template>();

beforeAll(() => {
  const { app, stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
  app.synth(); // throws when cdk-nag reports an unacknowledged finding
  for (const s of stacks) templates.set(s.stackName, Template.fromStack(s));
});

const withHandler = consumers.filter((c) => c.handler);

/** Every statement of the stack's IAM policies. */
const policyStatements = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap(
    (p) =>
      (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
        .Statement,
  );

describe.each(counties.map((c) => [c.stackSuffix, c] as const))('Sip-%s', (suffix, county) => {
  const t = () => templates.get(`Sip-${suffix}`) as Template;

  it('has a customer-managed key with rotation on', () => {
    t().hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keeps cases in an on-demand, KMS-encrypted table with PITR, deletion protection, RETAIN, TTL and the due index', () => {
    t().hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: `sip-${county.id}-cases`,
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: Match.anyValue(),
        }),
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'due' })],
      }),
    });
  });

  it('gives every event type a KMS-encrypted queue with a DLQ, redrive and a visibility timeout of 6 × the function timeout', () => {
    for (const c of consumers) {
      t().hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `sip-${county.id}-${c.name}`,
        KmsMasterKeyId: Match.anyValue(),
        VisibilityTimeout: visibilityTimeoutSeconds(c),
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: c.maxReceiveCount },
      });
      t().hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `sip-${county.id}-${c.name}-dlq`,
        KmsMasterKeyId: Match.anyValue(),
        MessageRetentionPeriod: 14 * 86_400,
      });
      expect(visibilityTimeoutSeconds(c)).toBeGreaterThanOrEqual(6 * c.timeoutSeconds);
    }
    // enforceSSL: every queue has a policy denying insecure transport
    const policies = Object.values(t().findResources('AWS::SQS::QueuePolicy') as Resources);
    // … and the failure queues of the outbound and export streams
    expect(policies).toHaveLength(consumers.length * 2 + 2);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('runs each consumer on the current Node.js runtime, arm64, with partial batch responses and bounded concurrency', () => {
    const fns = Object.values(t().findResources('AWS::Lambda::Function') as Resources);
    // the consumers, the daily sweep, the pages, the receipt rule set's activation, the outbound
    // publisher, the KPI export, the monthly report and the evaluation pages
    expect(fns).toHaveLength(withHandler.length + 7);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      if (String(fn.Properties.Description).startsWith('Makes the county receipt rule set')) continue;
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: expect.anything() });
      const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(env).toMatchObject({
        COUNTY_ID: county.id,
        POWERTOOLS_SERVICE_NAME: 'sip',
        TABLE_NAME: `sip-${county.id}-cases`,
      });
      expect(JSON.parse(env.COUNTY_RULES ?? '{}')).toEqual(county.rules);
    }
    for (const c of withHandler) {
      t().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: c.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: c.maxConcurrency },
      });
    }
    t().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: Match.anyValue() });
  });

  it('alarms on every DLQ, on message age, function errors and throttles, and rejected events', () => {
    const alarms = Object.values(t().findResources('AWS::CloudWatch::Alarm') as Resources);
    const dlqAlarms = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(consumers.length + 2); // + the outbound and export failure queues
    const names = alarms.map((a) => a.Properties.MetricName);
    expect(names).toEqual(
      expect.arrayContaining(['ApproximateAgeOfOldestMessage', 'Errors', 'Throttles', 'RejectedEvents']),
    );
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    t().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: county.alarmEmail });
    t().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t().resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('runs the daily sweep at 06:00 Europe/Stockholm, querying the due index, not scanning', () => {
    t().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Stockholm',
    });
    const statements = policyStatements(t());
    expect(statements.some((s) => [s.Action].flat().includes('dynamodb:Scan'))).toBe(false);
    expect(JSON.stringify(statements)).toContain('/index/due');
  });

  it('sends mail through a TLS-only configuration set and the county’s sender identity', () => {
    t().hasResourceProperties('AWS::SES::ConfigurationSet', { DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
    t().hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: county.senderAddress });
  });

  it('grants no wildcard resource for DynamoDB, SQS or SES, and no managed policies', () => {
    const statements = policyStatements(t());
    expect(statements.length).toBeGreaterThan(0);
    // The one exception: IAM knows no resource for the active receipt rule set (one per Region).
    const activation = ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'];
    for (const s of statements) {
      const actions = [s.Action].flat();
      // … and the outbound publisher's ListStreams (IAM knows no resource for it; it lists ARNs, no data).
      if (actions.length === 1 && actions[0] === 'dynamodb:ListStreams') {
        expect(s).toMatchObject({ Sid: 'ListStreamsHasNoResource', Resource: '*' });
        continue;
      }
      if (actions.every((a) => activation.includes(a))) {
        expect(s).toMatchObject({
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': expect.anything() } },
        });
        continue;
      }
      if (actions.some((a) => /^(dynamodb|sqs|ses):/.test(a))) {
        expect(
          JSON.stringify(s.Resource),
          `${actions.join(',')} on ${JSON.stringify(s.Resource)}`,
        ).not.toMatch(/"\*"|:\*"|\/\*"/);
      }
    }
    for (const role of Object.values(t().findResources('AWS::IAM::Role') as Resources)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets only the mailer send mail, on the county identity and configuration set; delivery reports reach their queue', () => {
    const statements = policyStatements(t());
    // The mailer's, and the monthly report's SendEmail (one link to the management, no figures).
    const all = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:Send')));
    const ses = all.filter((s) => [s.Action].flat().includes('ses:SendRawEmail'));
    expect(all).toHaveLength(2);
    expect(ses).toHaveLength(1);
    expect([ses[0]?.Action].flat().sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const resources = JSON.stringify(ses[0]?.Resource);
    expect(resources).toContain(`:identity/${county.senderAddress}`);
    expect(resources).toContain(':configuration-set/');
    t().hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint']),
        SnsDestination: Match.anyValue(),
      }),
    });
    t().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
    const alarms = Object.values(t().findResources('AWS::CloudWatch::Alarm') as Resources);
    expect(alarms.some((a) => a.Properties.MetricName === 'InvitationsFailed')).toBe(true);
    expect(alarms.some((a) => a.Properties.MetricName === 'SecurityDeviations')).toBe(true);
  });

  it('receives calendar replies: a rule for the reply address stores mail in the KMS bucket (7 days) and notifies the inbound queue raw; a custom resource activates the rule set (issue 13)', () => {
    t().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: Match.objectLike({
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: Match.anyValue(),
            }),
          }),
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7, Status: 'Enabled' })]),
      },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
    });
    t().hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Enabled: true,
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Recipients: [county.calendarReplyAddress],
        Actions: [
          {
            S3Action: Match.objectLike({
              BucketName: Match.anyValue(),
              ObjectKeyPrefix: 'inbound/',
              TopicArn: Match.anyValue(),
            }),
          },
        ],
      }),
    });
    t().hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: `sip-${county.id}-inbound` });
    t().hasResourceProperties('Custom::SesActiveReceiptRuleSet', { RuleSetName: { Ref: Match.anyValue() } });
    t().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
    const statements = policyStatements(t());
    const s3 = statements.filter(
      (s) =>
        [s.Action].flat().some((a) => a.startsWith('s3:')) && JSON.stringify(s.Resource).includes('Inbound'),
    );
    expect(s3).toHaveLength(1);
    expect([s3[0]?.Action].flat().sort()).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(JSON.stringify(s3[0]?.Resource)).toContain('/inbound/*');
  });

  it('serves the invitation pages through an HTTP API: routes throttled, access logs without the path, the links’ key encrypted with the county key and read through the extension (issue 13)', () => {
    t().resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    for (const routeKey of [
      'GET /i/{token}',
      'POST /i/{token}',
      'GET /tillganglighet',
      'GET /i/{token}/sign-in',
      'GET /callback',
    ])
      t().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    const stage = Object.values(t().findResources('AWS::ApiGatewayV2::Stage') as Resources)[0];
    const settings = stage?.Properties as {
      RouteSettings: Record<string, { ThrottlingRateLimit: number }>;
      AccessLogSettings: { Format: string };
    };
    expect(Object.keys(settings.RouteSettings).sort()).toEqual([
      'GET /callback',
      'GET /e/{token}',
      'GET /f/{code}',
      'GET /f/{code}/{who}',
      'GET /i/{token}',
      'GET /i/{token}/sign-in',
      'GET /p/{token}',
      'GET /tillganglighet',
      'POST /e/{token}',
      'POST /f/{code}/{who}',
      'POST /i/{token}',
    ]);
    // Sign-in where the county requires it: the page knows the county's provider, nobody else's does.
    const page = Object.values(t().findResources('AWS::Lambda::Function') as Resources).find((f) =>
      String(f.Properties.Description).startsWith('The invitation pages'),
    );
    const pageEnv = (page?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    if (county.invitationPage?.signIn === 'oidc')
      expect(pageEnv).toMatchObject({
        OIDC_ISSUER: county.invitationPage.oidc.issuer,
        OIDC_CLIENT_ID: county.invitationPage.oidc.clientId,
      });
    else expect(pageEnv.OIDC_ISSUER).toBeUndefined();
    expect(settings.AccessLogSettings.Format).not.toMatch(/path|sourceIp|userAgent/i);
    t().hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
    const fns = Object.values(t().findResources('AWS::Lambda::Function') as Resources);
    const withKey = fns.filter(
      (f) =>
        (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.LINK_KEY_SECRET_ARN !== undefined,
    );
    // The page, the evaluation pages and the outbound publisher (issue 15: it signs the family
    // survey's printable link) and the mailer; no consumer.
    expect(withKey.map((f) => String(f.Properties.Description).split(':')[0]).sort()).toEqual([
      'Consumes se.sip.invitation.mail.v1',
      'Publishes the outbound events the table committed to the outbound topic',
      'The evaluation pages',
      'The invitation pages',
    ]);
    for (const f of withKey)
      expect(JSON.stringify(f.Properties.Layers)).toMatch(/AWS-Parameters-and-Secrets/);
  });

  it('publishes outbound events from the table’s stream to a KMS-encrypted SNS FIFO topic, in order, retrying a failed record, alarmed (issue 14)', () => {
    t().hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    t().hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `sip-${county.id}-outbound.fifo`,
      FifoTopic: true,
      ContentBasedDeduplication: false,
      KmsMasterKeyId: Match.anyValue(),
    });
    const mappings = Object.values(t().findResources('AWS::Lambda::EventSourceMapping') as Resources);
    const stream = mappings.filter(
      (m) =>
        JSON.stringify(m.Properties.EventSourceArn).includes('StreamArn') &&
        String(JSON.stringify(m.Properties.DestinationConfig)).includes('OutboundFailures'),
    );
    expect(stream).toHaveLength(1);
    expect(stream[0]?.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 20 * 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^OutboundFailures/), 'Arn'] } },
      },
    });
    const patterns = (stream[0]?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
      (f) => JSON.parse(f.Pattern),
    );
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['outbox'] } } } },
      { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['rejection'] } } } },
    ]);
    const statements = policyStatements(t());
    const publish = statements.filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    const outputs = t().toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toContain('OutboundTopicArn');
    const alarms = Object.values(t().findResources('AWS::CloudWatch::Alarm') as Resources);
    expect(alarms.some((a) => a.Properties.MetricName === 'IteratorAge')).toBe(true);
  });

  it('exports KPI facts from the table’s stream to a KMS bucket, with a Glue table, an Athena workgroup with a scan limit, and a monthly report (issue 15)', () => {
    const mappings = Object.values(t().findResources('AWS::Lambda::EventSourceMapping') as Resources);
    const exporter = mappings.find((m) =>
      String(JSON.stringify(m.Properties.DestinationConfig)).includes('HistoryExportFailures'),
    );
    expect(exporter?.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
    });
    expect(
      (exporter?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) =>
        JSON.parse(f.Pattern),
      ),
    ).toEqual(
      ['history', 'rejection', 'deviation', 'evaluation'].map((type) => ({
        eventName: ['INSERT'],
        dynamodb: { NewImage: { type: { S: [type] } } },
      })),
    );
    t().hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'facts/', Status: 'Enabled' })]),
      },
    });
    const table = Object.values(t().findResources('AWS::Glue::Table') as Resources)[0];
    const input = table?.Properties.TableInput as {
      StorageDescriptor: {
        Columns: { Name: string; Type: string }[];
        SerdeInfo: { SerializationLibrary: string };
      };
    };
    expect(input.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(FACT_COLUMNS.map(([n]) => n));
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    t().hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `sip-${county.id}`,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1024 ** 3,
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }),
        }),
      }),
    });
    t().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 1 * ? *)',
      ScheduleExpressionTimezone: 'Europe/Stockholm',
    });
    t().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REPORT_RECIPIENT: county.managementEmail,
          KPI_SQL_DIR: '/var/task/sql',
        }),
      },
    });
    const outputs = t().toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ExportBucketName', 'KpiWorkGroupName', 'KpiDatabaseName']),
    );
  });

  it('outputs the queue URL upstream systems publish to, per event type', () => {
    const outputs = t().toJSON().Outputs as Record<string, { Description?: string }>;
    for (const c of consumers) {
      expect(
        Object.values(outputs).some((o) => o.Description === `Upstream systems publish ${c.eventType} here`),
      ).toBe(true);
    }
  });
});

describe('outbound subscribers (issue 14)', () => {
  it('lets exactly the accounts a county names subscribe SQS queues to its outbound topic', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const county = { ...counties[0], outbound: { subscriberAccounts: ['111122223333', '444455556666'] } };
    const stack = new SipStack(app, 'Probe', { county: county as (typeof counties)[number] });
    const policies = Object.values(
      Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy') as Resources,
    );
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const subscribe = statements.filter((s) => s.Action === 'sns:Subscribe');
    expect(subscribe.map((s) => JSON.stringify(s.Principal))).toEqual([
      expect.stringContaining('111122223333'),
      expect.stringContaining('444455556666'),
    ]);
    for (const s of subscribe) {
      expect((s.Condition as Record<string, unknown>).StringEquals).toEqual({ 'sns:Protocol': 'sqs' });
      expect(JSON.stringify((s.Condition as Record<string, unknown>).ArnLike)).toMatch(
        /sqs:.*:(111122223333|444455556666):\*/,
      );
    }
  });
});

describe('upstream publishers in other accounts (issue 14)', () => {
  const probe = (publishers: unknown) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const county = { ...counties[0], publishers } as (typeof counties)[number];
    return Template.fromStack(new SipStack(app, 'Probe', { county }));
  };
  it('grants each publisher sqs:SendMessage on exactly its types’ queues and the key only through SQS', () => {
    const t = probe([
      {
        name: 'bup-journal',
        principal: 'arn:aws:iam::111122223333:role/sip-publisher',
        types: ['se.sip.summons.sent.v1', 'se.sip.case.created.v1'],
        source: 'urn:se:halland:journal:bup-system',
      },
      { name: 'kommun', principal: '444455556666', types: ['se.sip.consent.registered.v1'] },
    ]);
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy') as Resources);
    const grants = policies.flatMap((p) =>
      (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.filter(
        (s) => s.Action === 'sqs:SendMessage',
      ).map((s) => ({ principal: JSON.stringify(s.Principal), queue: JSON.stringify(p.Properties.Queues) })),
    );
    expect(grants.filter((g) => /111122223333|444455556666/.test(g.principal))).toHaveLength(3);
    expect(grants.filter((g) => g.principal.includes('111122223333'))).toHaveLength(2);
    expect(grants.filter((g) => g.principal.includes('444455556666'))).toHaveLength(1);
    const key = Object.values(t.findResources('AWS::KMS::Key') as Resources)[0];
    const keyStatements = (
      key?.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }
    ).Statement.filter((s) => String(s.Sid).startsWith('Publisher'));
    expect(keyStatements).toHaveLength(2);
    for (const s of keyStatements) {
      expect(s.Action).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
      expect(JSON.stringify(s.Condition)).toContain('kms:ViaService');
    }
    // The consumer learns the registered source of its type; a type without one accepts any.
    const fns = Object.values(t.findResources('AWS::Lambda::Function') as Resources);
    expect(
      JSON.stringify(
        fns
          .map(
            (f) =>
              (f.Properties.Environment as { Variables?: Record<string, string> })?.Variables
                ?.REGISTERED_SOURCES,
          )
          .filter(Boolean),
      ),
    ).toBe(
      JSON.stringify([
        JSON.stringify(['urn:se:halland:journal:bup-system']),
        JSON.stringify(['urn:se:halland:journal:bup-system']),
      ]),
    );
  });
  it('refuses a publisher of a type upstream does not publish', () => {
    expect(() =>
      probe([{ name: 'x', principal: '111122223333', types: ['se.sip.invitation.mail.v1'] }]),
    ).toThrow(/not an upstream event type/);
  });
});

describe('cdk-nag', () => {
  it('can fail: a queue without DLQ or TLS is reported', () => {
    const app = new App();
    new sqs.Queue(new Stack(app, 'Probe'), 'Naked');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4/);
  });
});

describe('the README matches the stack', () => {
  it('names every queue URL output, upstream and internal', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const outputs = Object.keys(templates.get('Sip-Halland')?.toJSON().Outputs ?? {});
    const queueOutputs = outputs.filter((o) => /QueueUrl$/.test(o));
    expect(queueOutputs).toHaveLength(consumers.length);
    for (const o of queueOutputs) expect(readme, `README does not name ${o}`).toContain(`\`${o}\``);
  });
});
