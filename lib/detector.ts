/**
 * PicketDetector: the detection engine as a Lambda on the detector queue.
 *
 *   detector queue (+DLQ) ─SQS event source (ReportBatchItemFailures)─> detector function
 *     ├─ state table (per-instance state, versioned, TTL)   ├─ findings table (GSI byInstance)
 *     ├─ intel bucket (operator lists under intel/) + seed lists bundled in the asset
 *     └─> findings bus (PutEvents only as `picket.detector`) [+ Security Hub BatchImportFindings]
 *
 * Alarms: DLQ depth > 0, function errors, throttles, age of the oldest queued message.
 *
 * Construct IDs of stateful resources (StateTable, FindingsTable, IntelBucket) are API: never rename them.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FINDINGS_BY_INSTANCE_INDEX, FINDINGS_PENDING_INDEX, PENDING_SHARD_ATTRIBUTE, STATE_TTL_ATTRIBUTE } from '../lambda/detector/table-schema';
import { DETECTOR_ENV, type DetectorSettings } from '../lambda/detector/settings';
import { FINDING_SOURCE } from '../lambda/domain/findings/finding';
import { type SuppressionConfig, parseSuppressionConfig } from '../lambda/domain/findings/suppression';
import { DEFAULT_CONFIG, type DetectorConfig } from './config';
import { PicketFindingsBus } from './findings-bus';
import { requireProp } from './prop-validation';
import { seedIntelBundlingHooks } from './seed-intel-bundling';

/** Key prefix of operator intel lists in the intel bucket (layout in docs/detector.md). */
export const INTEL_PREFIX = 'intel/';
/** Key prefix of custom Sigma rules in the intel bucket (docs/custom-rules.md, "In the detector Lambda"). */
export const CUSTOM_RULES_PREFIX = 'sigma/';
/** Lambda allows 4 KB of environment in total; the settings variable must leave room for Powertools'. */
const MAX_SETTINGS_BYTES = 3500;

export interface PicketDetectorProps {
  /** Queue of runtime event batches (PicketIngest.queue). */
  readonly queue: sqs.IQueue;
  /** Its dead-letter queue (PicketIngest.deadLetterQueue): alarmed when it holds anything. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Findings bus: a PicketFindingsBus (its grantPublish is used) or any bus (the same source-bound grant is added). */
  readonly findingsBus: PicketFindingsBus | events.IEventBus;
  /** The `detector` config section; the props below override single fields. @default DEFAULT_CONFIG.detector */
  readonly detector?: DetectorConfig;
  /** Least minutes between two published updates of one finding. @default detector.findingUpdateIntervalMinutes (5) */
  readonly updateIntervalMinutes?: number;
  /** Also import findings into AWS Security Hub (ASFF). @default detector.securityHubExport (false) */
  readonly securityHubExport?: boolean;
  /** Suppression rules (central and per account). @default no rules */
  readonly suppression?: SuppressionConfig;
  /** Bucket for operator intel lists (under `intel/`). @default - a new encrypted, versioned bucket */
  readonly intelBucket?: s3.IBucket;
  /** Function timeout; the queue's visibility timeout must be 6 × this (PicketIngestProps.detectorTimeout). @default detector.timeoutSeconds (60 s) */
  readonly timeout?: Duration;
  /** Function memory, MB (CPU scales with it). @default 1024 */
  readonly memorySize?: number;
  /** SQS records per invocation (each ≤ 256 KB; Lambda's 6 MB payload caps it). @default 10 */
  readonly batchSize?: number;
  /** Wait to fill a batch (latency against invocations). @default - none */
  readonly maxBatchingWindow?: Duration;
  /** Id cited by findings (`service.detectorId`). @default 'picket' */
  readonly detectorId?: string;
  /** Topic the alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /** Oldest queued message age (seconds) that raises the backlog alarm. @default 300 */
  readonly maxMessageAgeSeconds?: number;
  /** Removal policy of the tables and the created intel bucket. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

interface Resolved {
  readonly updateIntervalMinutes: number;
  readonly securityHubExport: boolean;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly batchSize: number;
  readonly threatListBuckets: readonly string[];
  readonly suppression: SuppressionConfig;
  readonly detectorId: string;
  readonly maxMessageAgeSeconds: number;
}

function validate(props: PicketDetectorProps): Resolved {
  requireProp(!!props?.queue, 'PicketDetectorProps.queue', props?.queue, 'an sqs.IQueue', 'pass PicketIngest.queue');
  requireProp(!!props.deadLetterQueue, 'PicketDetectorProps.deadLetterQueue', props.deadLetterQueue, 'an sqs.IQueue', 'pass PicketIngest.deadLetterQueue');
  requireProp(!!props.findingsBus, 'PicketDetectorProps.findingsBus', props.findingsBus, 'a PicketFindingsBus or events.IEventBus', 'pass PicketFindingsBus');
  const d = props.detector ?? DEFAULT_CONFIG.detector;
  const updateIntervalMinutes = props.updateIntervalMinutes ?? d.findingUpdateIntervalMinutes;
  requireProp(Number.isFinite(updateIntervalMinutes) && updateIntervalMinutes >= 0 && updateIntervalMinutes <= 1440, 'PicketDetectorProps.updateIntervalMinutes', updateIntervalMinutes, 'minutes from 0 to 1440', 'pass e.g. 5 (0 publishes every update)');
  const timeout = props.timeout ?? Duration.seconds(d.timeoutSeconds);
  requireProp(timeout.toSeconds() >= 10 && timeout.toSeconds() <= 900, 'PicketDetectorProps.timeout', timeout.toHumanString(), 'from 10 seconds to 15 minutes', 'pass e.g. Duration.seconds(60) and the same to PicketIngestProps.detectorTimeout');
  const memorySize = props.memorySize ?? 1024;
  requireProp(Number.isInteger(memorySize) && memorySize >= 256 && memorySize <= 10240, 'PicketDetectorProps.memorySize', memorySize, 'an integer MB from 256 to 10240', 'pass e.g. 1024');
  const batchSize = props.batchSize ?? 10;
  requireProp(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 20, 'PicketDetectorProps.batchSize', batchSize, 'an integer from 1 to 20 (20 × 256 KB stays under the 6 MB invocation payload)', 'pass e.g. 10');
  const maxMessageAgeSeconds = props.maxMessageAgeSeconds ?? 300;
  requireProp(Number.isInteger(maxMessageAgeSeconds) && maxMessageAgeSeconds >= 60, 'PicketDetectorProps.maxMessageAgeSeconds', maxMessageAgeSeconds, 'an integer >= 60', 'pass e.g. 300');
  const detectorId = props.detectorId ?? 'picket';
  requireProp(/^[A-Za-z0-9-]{1,64}$/.test(detectorId), 'PicketDetectorProps.detectorId', detectorId, '1–64 letters, digits or hyphens', "pass e.g. 'picket'");
  for (const [i, b] of d.threatListBuckets.entries()) {
    requireProp(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b), `PicketDetectorProps.detector.threatListBuckets[${i}]`, b, 'an S3 bucket name', 'fix or remove the bucket name');
  }
  let suppression: SuppressionConfig;
  try {
    suppression = parseSuppressionConfig(props.suppression ?? [], 'PicketDetectorProps.suppression');
  } catch (error) {
    requireProp(false, 'PicketDetectorProps.suppression', props.suppression, 'suppression rules with GuardDuty filter semantics', (error as Error).message);
    throw error;
  }
  return {
    updateIntervalMinutes,
    securityHubExport: props.securityHubExport ?? d.securityHubExport,
    timeout,
    memorySize,
    batchSize,
    threatListBuckets: d.threatListBuckets,
    suppression,
    detectorId,
    maxMessageAgeSeconds,
  };
}

export class PicketDetector extends Construct {
  readonly function: nodejs.NodejsFunction;
  /** Per-instance detection state (pk `instanceId`, TTL `expiresAt`). */
  readonly stateTable: dynamodb.TableV2;
  /** Findings (pk `id`, GSI `byInstance` on instanceId + updatedAt). */
  readonly findingsTable: dynamodb.TableV2;
  /** Operator intel lists under `intel/` and custom Sigma rules under `sigma/` (the created bucket or `props.intelBucket`). */
  readonly intelBucket: s3.IBucket;
  readonly eventSource: lambdaEventSources.SqsEventSource;
  /** DLQ depth, errors, throttles, oldest message age. */
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly role: iam.Role;
  /** Scheduled flush of pending finding updates (absent when the interval is 0). */
  readonly flushRule?: events.Rule;
  /** Extra buckets whose `intel/` lists are read (config `detector.threatListBuckets`). */
  readonly threatListBuckets: readonly string[];

  constructor(scope: Construct, id: string, props: PicketDetectorProps) {
    super(scope, id);
    const r = validate(props);
    this.threatListBuckets = r.threatListBuckets;
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const tableDefaults = {
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    };
    this.stateTable = new dynamodb.TableV2(this, 'StateTable', {
      ...tableDefaults,
      partitionKey: { name: 'instanceId', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: STATE_TTL_ATTRIBUTE,
    });
    this.findingsTable = new dynamodb.TableV2(this, 'FindingsTable', {
      ...tableDefaults,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: FINDINGS_BY_INSTANCE_INDEX,
          partitionKey: { name: 'instanceId', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
        {
          // Sparse: only findings with an update waiting for its interval carry pendingShard.
          indexName: FINDINGS_PENDING_INDEX,
          partitionKey: { name: PENDING_SHARD_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'lastPublishedAt', type: dynamodb.AttributeType.NUMBER },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });
    this.intelBucket =
      props.intelBucket ??
      new s3.Bucket(this, 'IntelBucket', {
        versioned: true,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        encryption: s3.BucketEncryption.S3_MANAGED,
        removalPolicy,
      });

    const bus = props.findingsBus instanceof PicketFindingsBus ? props.findingsBus.bus : props.findingsBus;
    const settings: DetectorSettings = {
      accountId: stack.account,
      region: stack.region,
      partition: stack.partition,
      detectorId: r.detectorId,
      stateTable: this.stateTable.tableName,
      findingsTable: this.findingsTable.tableName,
      findingsBus: bus.eventBusArn,
      updateIntervalMs: r.updateIntervalMinutes * 60_000,
      securityHubExport: r.securityHubExport,
      intelLocations: [{ bucket: this.intelBucket.bucketName, prefix: INTEL_PREFIX }, ...r.threatListBuckets.map((bucket) => ({ bucket, prefix: INTEL_PREFIX }))],
      intelTtlMs: 5 * 60_000,
      customRulesLocation: { bucket: this.intelBucket.bucketName, prefix: CUSTOM_RULES_PREFIX },
      suppression: r.suppression,
    };
    const settingsJson = stack.toJsonString(settings);
    requireProp(
      Buffer.byteLength(JSON.stringify(r.suppression), 'utf8') + 1500 <= MAX_SETTINGS_BYTES,
      'PicketDetectorProps.suppression',
      `${Buffer.byteLength(JSON.stringify(r.suppression), 'utf8')} bytes of rules`,
      `rules that fit the function environment (about ${MAX_SETTINGS_BYTES - 1500} bytes as JSON)`,
      'merge rules with several values per criterion, or shorten names and descriptions',
    );

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Picket detector function' });
    this.grantPermissions(logGroup, bus, props.findingsBus, r);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '../lambda/detector/index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: r.memorySize,
      timeout: r.timeout,
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'Picket detector: runtime event batches to findings',
      environment: { [DETECTOR_ENV.settings]: settingsJson, POWERTOOLS_SERVICE_NAME: 'picket-detector', POWERTOOLS_METRICS_NAMESPACE: 'Picket' },
      bundling: {
        minify: true,
        // No source map (it would triple the asset past 3 MB); class and function names are kept
        // so errors stay readable, and every error message names what failed and where.
        sourceMap: false,
        keepNames: true,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        mainFields: ['module', 'main'],
        // Bundle the SDK (pinned versions, incl. Security Hub) instead of using the runtime's copy.
        externalModules: [],
        // The seed intel lists travel inside the asset (lambda/detector/intel-cache.ts reads ./intel):
        // always the lists this code was built with, and no deployment custom resource.
        commandHooks: seedIntelBundlingHooks(),
      },
    });

    this.eventSource = new lambdaEventSources.SqsEventSource(props.queue, {
      batchSize: r.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
    });
    this.function.addEventSource(this.eventSource);
    if (r.updateIntervalMinutes > 0) {
      // Updates of instances that went quiet still go out, one interval late at most.
      this.flushRule = new events.Rule(this, 'FlushSchedule', {
        description: 'Picket detector: publish finding updates that waited for their interval',
        schedule: events.Schedule.rate(Duration.minutes(Math.max(1, Math.ceil(r.updateIntervalMinutes)))),
        targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
      });
    }
    this.alarms = this.createAlarms(props, r);
  }

  private grantPermissions(logGroup: logs.LogGroup, bus: events.IEventBus, findingsBus: PicketFindingsBus | events.IEventBus, r: Resolved): void {
    const role = this.role;
    role.addToPolicy(new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    if (findingsBus instanceof PicketFindingsBus) {
      findingsBus.grantPublish(role, FINDING_SOURCE);
    } else {
      role.addToPolicy(new iam.PolicyStatement({ sid: 'PublishFindingsAsPicketDetectorOnly', actions: ['events:PutEvents'], resources: [bus.eventBusArn], conditions: { StringEquals: { 'events:source': FINDING_SOURCE } } }));
    }
    // Per-instance state items, plus the account's domain baseline items (`domain#…`, read and written in batches).
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'InstanceState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], resources: [this.stateTable.tableArn] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'Findings', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'], resources: [this.findingsTable.tableArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindingsIndexes',
        actions: ['dynamodb:Query'],
        resources: [FINDINGS_BY_INSTANCE_INDEX, FINDINGS_PENDING_INDEX].map((index) => `${this.findingsTable.tableArn}/index/${index}`),
      }),
    );
    const buckets = [this.intelBucket.bucketArn, ...r.threatListBuckets.map((b) => `arn:${Aws.PARTITION}:s3:::${b}`)];
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadIntelLists', actions: ['s3:GetObject'], resources: buckets.map((b) => `${b}/${INTEL_PREFIX}*`) }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListIntelLists', actions: ['s3:ListBucket'], resources: buckets, conditions: { StringLike: { 's3:prefix': [`${INTEL_PREFIX}*`] } } }));
    // Custom rules only from the deployment's own intel bucket (rules run code-like matching: not from shared list buckets).
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadCustomRules', actions: ['s3:GetObject'], resources: [`${this.intelBucket.bucketArn}/${CUSTOM_RULES_PREFIX}*`] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListCustomRules', actions: ['s3:ListBucket'], resources: [this.intelBucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${CUSTOM_RULES_PREFIX}*`] } } }));
    this.intelBucket.encryptionKey?.grantDecrypt(role);
    // DescribeInstances has no resource-level permissions: "*" is the only resource it accepts.
    role.addToPolicy(new iam.PolicyStatement({ sid: 'InstanceDetails', actions: ['ec2:DescribeInstances'], resources: ['*'] }));
    if (r.securityHubExport) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ImportFindingsToSecurityHub',
          actions: ['securityhub:BatchImportFindings'],
          resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`],
        }),
      );
    }
  }

  private createAlarms(props: PicketDetectorProps, r: Resolved): cloudwatch.Alarm[] {
    const period = Duration.minutes(1);
    const atLeastOne = { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
    const alarms = [
      new cloudwatch.Alarm(this, 'DlqDepthAlarm', {
        alarmDescription: 'Picket detector DLQ holds messages: runtime event batches failed every retry (see the detector logs; redrive once fixed)',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        ...atLeastOne,
      }),
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: 'Picket detector invocations are failing (whole batches; partial failures show in the DLQ alarm)',
        metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        ...atLeastOne,
      }),
      new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
        alarmDescription: 'Picket detector invocations are throttled (account concurrency exhausted): detection falls behind',
        metric: this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        ...atLeastOne,
      }),
      new cloudwatch.Alarm(this, 'BacklogAlarm', {
        alarmDescription: `Picket detector queue: the oldest batch waits more than ${r.maxMessageAgeSeconds} s (detection is late)`,
        metric: props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
        threshold: r.maxMessageAgeSeconds,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.alarmTopic) for (const alarm of alarms) alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    return alarms;
  }
}
