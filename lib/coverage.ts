/**
 * PicketCoverage: is every instance protected, and who gets told when that changes?
 *
 *   schedule (every scheduleMinutes) ──> Evaluate function ──┐  DescribeInstances, SSM, VPC endpoints
 *   ingest heartbeat rule ────────────> Heartbeat function ──┼─> coverage table (one item per instance)
 *                                                            ├─> "Picket Coverage Status Changed" on the findings bus
 *                                                            └─> CloudWatch metrics (EMF, namespace Picket)
 *   alarms: coverage below threshold, instance unhealthy too long, evaluation not running, DLQs not empty
 *   dashboard: coverage, findings by type and severity, detector / responder / coverage health
 *
 * Construct IDs of stateful resources (Table, HeartbeatDlq) are API: never rename them.
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
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { COVERAGE_SOURCE } from '../lambda/domain/coverage/change-event';
import { COVERAGE_METRICS as M } from '../lambda/domain/coverage/metric-names';
import { DEFAULT_COVERAGE_SETTINGS } from '../lambda/domain/coverage/settings';
import { COVERAGE_ENV, type CoverageHandlerSettings } from '../lambda/coverage/settings';
import type { AgentConfig, CoverageConfig } from './config';
import { DEFAULT_CONFIG } from './config';
import { coverageMetric, PicketDashboard } from './dashboard';
import type { PicketFindingsBus } from './findings-bus';
import { requireProp } from './prop-validation';

export interface PicketCoverageProps {
  /** The ingest rule matching agent heartbeats (PicketIngest.heartbeatRule); coverage adds its target. */
  readonly heartbeatRule: events.Rule;
  /** The findings bus; coverage may publish there as `picket.coverage` only. */
  readonly findingsBus: PicketFindingsBus;
  /** The `coverage` config section (scheduleMinutes, heartbeatStaleMinutes, alarmCoveragePercent). @default DEFAULT_CONFIG.coverage */
  readonly coverage?: Partial<CoverageConfig>;
  /** The `agent` config section: which instances are targeted and the spool size. @default DEFAULT_CONFIG.agent */
  readonly agent?: Partial<Pick<AgentConfig, 'targetTagKey' | 'targetTagValue' | 'accountWide' | 'spoolMaxMb'>>;
  /** An instance Unhealthy for longer than this raises the InstanceUnhealthyTooLong alarm. @default 30 */
  readonly unhealthyAlarmMinutes?: number;
  /** Name of the SSM document that installs the agent (its association status tells managed installs apart). @default 'picket-agent-install' */
  readonly agentDocumentName?: string;
  /** Report VPC_ENDPOINT_MISSING / VPC_DNS_DISABLED for silent agents (turn off when instances reach EventBridge another way, vpc.mode "none"). @default true */
  readonly requireVpcEndpoint?: boolean;
  /** Oldest kernel the agent supports, "major.minor". @default '4.14' */
  readonly minKernel?: string;
  /** Accounts whose instances may send heartbeats here. @default - this account only */
  readonly accountIds?: readonly string[];
  /** Name of the coverage table (`picket coverage --table`). @default 'picket-coverage' */
  readonly tableName?: string;
  /** Removal policy of the coverage table and the DLQ. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Topic the alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /** Further dead-letter queues to alarm on and show (e.g. PicketIngest.deadLetterQueue). @default [] */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /** Detector functions for the dashboard's health row. @default [] */
  readonly detectorFunctions?: readonly lambda.IFunction[];
  /** Responder functions for the dashboard's health row. @default [] */
  readonly responderFunctions?: readonly lambda.IFunction[];
  /** The responder's isolation workflow, for the dashboard. @default - not shown */
  readonly responderStateMachine?: sfn.IStateMachine;
  /** Create the Picket dashboard. @default true */
  readonly dashboard?: boolean;
  /** Name of the dashboard. @default 'Picket' */
  readonly dashboardName?: string;
}

interface Resolved {
  readonly scheduleMinutes: number;
  readonly heartbeatStaleMinutes: number;
  readonly alarmCoveragePercent: number;
  readonly unhealthyAlarmMinutes: number;
  readonly targetTagKey: string;
  readonly targetTagValue: string;
  readonly accountWide: boolean;
  readonly spoolMaxMb: number;
}

function validate(props: PicketCoverageProps): Resolved {
  requireProp(!!props.heartbeatRule, 'PicketCoverageProps.heartbeatRule', props.heartbeatRule, 'an events.Rule', 'pass PicketIngest.heartbeatRule');
  requireProp(!!props.findingsBus && typeof props.findingsBus.grantPublish === 'function', 'PicketCoverageProps.findingsBus', props.findingsBus, 'a PicketFindingsBus', 'pass the stack’s PicketFindingsBus');
  const c = { ...DEFAULT_CONFIG.coverage, ...props.coverage };
  const a = { ...DEFAULT_CONFIG.agent, ...props.agent };
  const r: Resolved = {
    scheduleMinutes: c.scheduleMinutes,
    heartbeatStaleMinutes: c.heartbeatStaleMinutes,
    alarmCoveragePercent: c.alarmCoveragePercent,
    unhealthyAlarmMinutes: props.unhealthyAlarmMinutes ?? DEFAULT_COVERAGE_SETTINGS.unhealthyAlarmMinutes,
    targetTagKey: a.targetTagKey,
    targetTagValue: a.targetTagValue,
    accountWide: a.accountWide,
    spoolMaxMb: a.spoolMaxMb,
  };
  requireProp(Number.isInteger(r.scheduleMinutes) && r.scheduleMinutes >= 1 && r.scheduleMinutes <= 60, 'PicketCoverageProps.coverage.scheduleMinutes', r.scheduleMinutes, 'an integer from 1 to 60', 'use 5 (the default)');
  requireProp(Number.isInteger(r.heartbeatStaleMinutes) && r.heartbeatStaleMinutes >= 2 && r.heartbeatStaleMinutes <= 1440, 'PicketCoverageProps.coverage.heartbeatStaleMinutes', r.heartbeatStaleMinutes, 'an integer from 2 to 1440 (agents heartbeat every minute)', 'use 10 (the default)');
  requireProp(r.alarmCoveragePercent > 0 && r.alarmCoveragePercent <= 100, 'PicketCoverageProps.coverage.alarmCoveragePercent', r.alarmCoveragePercent, 'a percentage above 0 and at most 100', 'use 90 (the default)');
  requireProp(Number.isInteger(r.unhealthyAlarmMinutes) && r.unhealthyAlarmMinutes >= r.scheduleMinutes, 'PicketCoverageProps.unhealthyAlarmMinutes', r.unhealthyAlarmMinutes, `an integer of at least scheduleMinutes (${r.scheduleMinutes})`, 'use 30 (the default)');
  requireProp(r.spoolMaxMb > 0, 'PicketCoverageProps.agent.spoolMaxMb', r.spoolMaxMb, 'a positive number of MB', 'pass agent.spoolMaxMb');
  requireProp(/^\d+\.\d+$/.test(props.minKernel ?? '4.14'), 'PicketCoverageProps.minKernel', props.minKernel, '"major.minor", e.g. "4.14"', 'pass the oldest supported kernel');
  for (const [i, id] of (props.accountIds ?? []).entries()) requireProp(/^\d{12}$/.test(id), `PicketCoverageProps.accountIds[${i}]`, id, 'a 12-digit account id', 'fix or remove it');
  return r;
}

export class PicketCoverage extends Construct {
  /** One item per instance: status, issue, install mode, last heartbeat. */
  readonly table: dynamodb.TableV2;
  /** The scheduled evaluation. */
  readonly evaluateFunction: nodejs.NodejsFunction;
  /** Heartbeat handler (target of the heartbeat rule). */
  readonly heartbeatFunction: nodejs.NodejsFunction;
  /** Rule that runs the evaluation every scheduleMinutes. */
  readonly scheduleRule: events.Rule;
  /** Heartbeats EventBridge could not deliver and invocations that failed every retry. */
  readonly deadLetterQueue: sqs.Queue;
  readonly coverageAlarm: cloudwatch.Alarm;
  readonly unhealthyTooLongAlarm: cloudwatch.Alarm;
  readonly notEvaluatedAlarm: cloudwatch.Alarm;
  readonly errorsAlarm: cloudwatch.Alarm;
  /** One per dead-letter queue (own first, then props.deadLetterQueues). */
  readonly dlqAlarms: readonly cloudwatch.Alarm[];
  readonly dashboard?: PicketDashboard;

  constructor(scope: Construct, id: string, props: PicketCoverageProps) {
    super(scope, id);
    const r = validate(props);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName ?? 'picket-coverage',
      partitionKey: { name: 'instanceId', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'HeartbeatDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });

    const settings: CoverageHandlerSettings = {
      ...DEFAULT_COVERAGE_SETTINGS,
      targetTagKey: r.targetTagKey,
      targetTagValue: r.targetTagValue,
      accountWide: r.accountWide,
      heartbeatStaleMinutes: r.heartbeatStaleMinutes,
      scheduleMinutes: r.scheduleMinutes,
      unhealthyAlarmMinutes: r.unhealthyAlarmMinutes,
      spoolMaxBytes: r.spoolMaxMb * 1024 * 1024,
      agentDocumentName: props.agentDocumentName ?? DEFAULT_COVERAGE_SETTINGS.agentDocumentName,
      requireVpcEndpoint: props.requireVpcEndpoint ?? true,
      minKernel: props.minKernel ?? DEFAULT_COVERAGE_SETTINGS.minKernel,
      tableName: this.table.tableName,
      eventBusName: props.findingsBus.bus.eventBusName,
      region: stack.region,
      partition: stack.partition,
      eventsEndpointServiceName: `com.amazonaws.${Aws.REGION}.events`,
      associationConcurrency: 8,
      writeConcurrency: 16,
      accountIds: props.accountIds && props.accountIds.length > 0 ? [...props.accountIds] : [stack.account],
    };
    const settingsJson = stack.toJsonString(settings);

    this.evaluateFunction = this.createFunction('Evaluate', 'scheduledHandler', settingsJson, Duration.minutes(Math.min(15, r.scheduleMinutes)), 1024);
    this.heartbeatFunction = this.createFunction('Heartbeat', 'heartbeatHandler', settingsJson, Duration.seconds(30), 256);
    this.grantAccess(props);

    this.scheduleRule = new events.Rule(this, 'ScheduleRule', {
      description: `Picket coverage evaluation every ${r.scheduleMinutes} minutes`,
      schedule: events.Schedule.rate(Duration.minutes(r.scheduleMinutes)),
      targets: [new targets.LambdaFunction(this.evaluateFunction, { retryAttempts: 0 })],
    });
    props.heartbeatRule.addTarget(
      new targets.LambdaFunction(this.heartbeatFunction, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.minutes(Math.max(r.heartbeatStaleMinutes, 5)) }),
    );

    const alarms = this.createAlarms(r, props);
    this.coverageAlarm = alarms.coverage;
    this.unhealthyTooLongAlarm = alarms.unhealthyTooLong;
    this.notEvaluatedAlarm = alarms.notEvaluated;
    this.errorsAlarm = alarms.errors;
    this.dlqAlarms = alarms.dlq;
    const all = [alarms.coverage, alarms.unhealthyTooLong, alarms.notEvaluated, alarms.errors, ...alarms.dlq];
    if (props.alarmTopic) for (const alarm of all) alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));

    if (props.dashboard ?? true) {
      this.dashboard = new PicketDashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName ?? 'Picket',
        scheduleMinutes: r.scheduleMinutes,
        alarmCoveragePercent: r.alarmCoveragePercent,
        coverageFunctions: [this.evaluateFunction, this.heartbeatFunction],
        detectorFunctions: props.detectorFunctions ?? [],
        responderFunctions: props.responderFunctions ?? [],
        ...(props.responderStateMachine ? { responderStateMachine: props.responderStateMachine } : {}),
        deadLetterQueues: [this.deadLetterQueue, ...(props.deadLetterQueues ?? [])],
        alarms: all,
      });
    }
  }

  /** Lets an operator role run `picket coverage` (read the table). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  private createFunction(id: string, handler: string, settingsJson: string, timeout: Duration, memorySize: number): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Picket coverage ${id} function` });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    return new nodejs.NodejsFunction(this, id, {
      entry: path.join(__dirname, '../lambda/coverage/index.ts'),
      handler,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: this.deadLetterQueue,
      environment: { [COVERAGE_ENV.settings]: settingsJson, POWERTOOLS_SERVICE_NAME: 'picket-coverage', NODE_OPTIONS: '--enable-source-maps' },
      bundling: { minify: true, sourceMap: true, target: 'node22', mainFields: ['module', 'main'], format: nodejs.OutputFormat.CJS },
    });
  }

  private grantAccess(props: PicketCoverageProps): void {
    // Describe* and the SSM read calls have no resource-level permissions: "*" is the only resource.
    this.evaluateFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeCoverageFacts',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcAttribute', 'ssm:DescribeInstanceInformation', 'ssm:DescribeInstanceAssociationsStatus'],
        resources: ['*'],
      }),
    );
    this.evaluateFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'CoverageTable', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'], resources: [this.table.tableArn] }),
    );
    this.heartbeatFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'CoverageTable', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }));
    for (const fn of [this.evaluateFunction, this.heartbeatFunction]) props.findingsBus.grantPublish(fn, COVERAGE_SOURCE);
  }

  private createAlarms(r: Resolved, props: PicketCoverageProps) {
    const period = Duration.minutes(r.scheduleMinutes);
    const coverage = new cloudwatch.Alarm(this, 'CoverageBelowThresholdAlarm', {
      alarmDescription: `Picket: fewer than ${r.alarmCoveragePercent}% of targeted instances are Healthy (run \`picket coverage --status unhealthy\`)`,
      metric: coverageMetric(M.coveredPercent, 'Minimum', period),
      threshold: r.alarmCoveragePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    const unhealthyTooLong = new cloudwatch.Alarm(this, 'InstanceUnhealthyTooLongAlarm', {
      alarmDescription: `Picket: at least one instance has been Unhealthy for more than ${r.unhealthyAlarmMinutes} minutes`,
      metric: coverageMetric(M.unhealthyOverdue, 'Maximum', period),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // A stopped evaluation publishes nothing, which the threshold alarms would read as "fine".
    const notEvaluated = new cloudwatch.Alarm(this, 'CoverageNotEvaluatedAlarm', {
      alarmDescription: 'Picket: the coverage evaluation has not run successfully for three schedule periods',
      metric: coverageMetric(M.coveredPercent, 'SampleCount', Duration.minutes(r.scheduleMinutes * 3)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const errors = new cloudwatch.Alarm(this, 'CoverageErrorsAlarm', {
      alarmDescription: 'Picket: the coverage functions are failing',
      metric: new cloudwatch.MathExpression({
        expression: 'evaluate + heartbeat',
        usingMetrics: { evaluate: this.evaluateFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), heartbeat: this.heartbeatFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }) },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const dlq = [this.deadLetterQueue, ...(props.deadLetterQueues ?? [])].map(
      (q, i) =>
        new cloudwatch.Alarm(this, i === 0 ? 'HeartbeatDlqNotEmptyAlarm' : `DlqNotEmptyAlarm${i}`, {
          alarmDescription: i === 0 ? 'Picket: heartbeats or coverage invocations failed and wait in the coverage DLQ' : 'Picket: messages wait in a dead-letter queue',
          metric: q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    return { coverage, unhealthyTooLong, notEvaluated, errors, dlq };
  }
}
