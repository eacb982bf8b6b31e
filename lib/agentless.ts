/**
 * PicketAgentless: DNS and network findings without the agent, from the VPC's own logs.
 *
 *   VPC ─Route 53 Resolver query logging─> ResolverQueryLogs group ─┐ subscription filter
 *   VPC ─VPC Flow Logs (Picket format)───> FlowLogs group ──────────┴──> agentless function
 *        (delivery role scoped to the group)      (KMS, retention)          │ same DetectionEngine
 *                                                                           └─> findings bus (picket.detector)
 *
 * Delivery is CloudWatch Logs + subscription filter → Lambda (not Firehose, not S3): findings within
 * seconds of the log record (S3 delivery batches every 5–10 minutes, Firehose buffers at least 60 s
 * and still needs a Lambda transform to detect), one path for both log types, and no extra service to
 * pay per GB. The cost trade-off is in docs/agentless.md (S3 delivery is cheaper per GB for very
 * large flow-log volumes; `skipHealthyInstances` and per-VPC toggles cap the detector's share).
 *
 * Construct IDs of stateful resources (ResolverQueryLogs, FlowLogs, LogKey) are API: never rename them.
 */
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnFlowLog } from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logsDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';
import { AGENTLESS_ENV, type AgentlessSettings } from '../lambda/agentless/settings';
import { FINDINGS_BY_INSTANCE_INDEX } from '../lambda/detector/table-schema';
import { PICKET_FLOW_LOG_FIELDS } from '../lambda/domain/agentless/flow-log';
import { FINDING_SOURCE } from '../lambda/domain/findings/finding';
import { type AgentlessConfig, DEFAULT_CONFIG } from './config';
import { PicketFindingsBus } from './findings-bus';
import { requireProp } from './prop-validation';
import { seedIntelBundlingHooks } from './seed-intel-bundling';

/** A VPC to watch (PicketIngest.vpcs entries fit), with optional per-VPC toggles. */
export interface PicketAgentlessVpc {
  readonly vpc: ec2.IVpc;
  /** Route 53 Resolver query logging for this VPC. @default PicketAgentlessProps.resolverQueryLogs */
  readonly resolverQueryLogs?: boolean;
  /** VPC Flow Logs for this VPC. @default PicketAgentlessProps.flowLogs */
  readonly flowLogs?: boolean;
}

export interface PicketAgentlessProps {
  /** VPCs whose logs feed the detector (PicketIngest.vpcs). */
  readonly vpcs: readonly PicketAgentlessVpc[];
  /** Findings bus: a PicketFindingsBus (its grantPublish is used) or any bus (the same source-bound grant is added). */
  readonly findingsBus: PicketFindingsBus | events.IEventBus;
  /** The `agentless` config section (defaults for every VPC). @default DEFAULT_CONFIG.agentless (query logs on, flow logs off) */
  readonly agentless?: AgentlessConfig;
  /** Resolver query logging for VPCs that do not say. @default agentless.resolverQueryLogs */
  readonly resolverQueryLogs?: boolean;
  /** Flow logs for VPCs that do not say. @default agentless.flowLogs */
  readonly flowLogs?: boolean;
  /** Agent detector's findings table (PicketDetector.findingsTable.tableName): log findings merge into agent findings. @default - no merge, logs-only findings are published as they come */
  readonly findingsTableName?: string;
  /** Coverage table name: with `skipHealthyInstances`, health is read there. @default - none */
  readonly coverageTableName?: string;
  /** Drop flow-log records of instances whose agent is Healthy before detection (needs coverageTableName). @default false */
  readonly skipHealthyInstances?: boolean;
  /** Retention of both log groups. @default logs.RetentionDays.ONE_MONTH */
  readonly retention?: logs.RetentionDays;
  /** Key encrypting both log groups. @default - a new customer-managed key with rotation */
  readonly encryptionKey?: kms.IKey;
  /** Flow-log aggregation interval, seconds (60 = findings sooner; 600 = fewer records). @default 60 */
  readonly flowLogAggregationSeconds?: 60 | 600;
  /** Least minutes between two published updates of one finding. @default 5 */
  readonly updateIntervalMinutes?: number;
  /** Id cited by findings (`service.detectorId`): use the agent detector's. @default 'picket' */
  readonly detectorId?: string;
  /** Function memory, MB. @default 512 */
  readonly memorySize?: number;
  /** Removal policy of the log groups and the created key. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

interface ResolvedVpc {
  readonly vpc: ec2.IVpc;
  readonly resolverQueryLogs: boolean;
  readonly flowLogs: boolean;
}

function validate(props: PicketAgentlessProps): { vpcs: ResolvedVpc[]; memorySize: number; updateIntervalMinutes: number; detectorId: string } {
  requireProp(Array.isArray(props?.vpcs), 'PicketAgentlessProps.vpcs', props?.vpcs, 'a list of {vpc, resolverQueryLogs?, flowLogs?}', 'pass PicketIngest.vpcs');
  requireProp(!!props.findingsBus, 'PicketAgentlessProps.findingsBus', props.findingsBus, 'a PicketFindingsBus or events.IEventBus', 'pass PicketFindingsBus');
  const defaults = props.agentless ?? DEFAULT_CONFIG.agentless;
  const queryDefault = props.resolverQueryLogs ?? defaults.resolverQueryLogs;
  const flowDefault = props.flowLogs ?? defaults.flowLogs;
  const vpcs = props.vpcs.map((v, i) => {
    requireProp(!!v?.vpc, `PicketAgentlessProps.vpcs[${i}].vpc`, v?.vpc, 'an ec2.IVpc', 'pass the VPC (PicketIngest.vpcs entries fit)');
    return { vpc: v.vpc, resolverQueryLogs: v.resolverQueryLogs ?? queryDefault, flowLogs: v.flowLogs ?? flowDefault };
  });
  requireProp(
    !props.skipHealthyInstances || !!props.coverageTableName,
    'PicketAgentlessProps.skipHealthyInstances',
    props.skipHealthyInstances,
    'false, or true together with coverageTableName',
    'pass coverageTableName (the coverage table) or leave skipHealthyInstances off',
  );
  const memorySize = props.memorySize ?? 512;
  requireProp(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10240, 'PicketAgentlessProps.memorySize', memorySize, 'an integer MB from 128 to 10240', 'pass e.g. 512');
  const updateIntervalMinutes = props.updateIntervalMinutes ?? 5;
  requireProp(Number.isFinite(updateIntervalMinutes) && updateIntervalMinutes >= 0 && updateIntervalMinutes <= 1440, 'PicketAgentlessProps.updateIntervalMinutes', updateIntervalMinutes, 'minutes from 0 to 1440', 'pass e.g. 5');
  const detectorId = props.detectorId ?? 'picket';
  requireProp(/^[A-Za-z0-9-]{1,64}$/.test(detectorId), 'PicketAgentlessProps.detectorId', detectorId, '1–64 letters, digits or hyphens', "pass e.g. 'picket'");
  const agg = props.flowLogAggregationSeconds ?? 60;
  requireProp(agg === 60 || agg === 600, 'PicketAgentlessProps.flowLogAggregationSeconds', agg, '60 or 600 (the values VPC Flow Logs accepts)', 'pass 60 or 600');
  return { vpcs, memorySize, updateIntervalMinutes, detectorId };
}

/** The LogFormat string of Picket's flow logs: `${field}` for each PICKET_FLOW_LOG_FIELDS entry. */
export const PICKET_FLOW_LOG_FORMAT = PICKET_FLOW_LOG_FIELDS.map((f) => `\${${f}}`).join(' ');

export class PicketAgentless extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  /** Resolver query log group (undefined when no VPC has query logging). */
  readonly queryLogGroup?: logs.LogGroup;
  /** Flow log group (undefined when no VPC has flow logs). */
  readonly flowLogGroup?: logs.LogGroup;
  readonly queryLogConfig?: route53resolver.CfnResolverQueryLoggingConfig;
  readonly queryLogAssociations: readonly route53resolver.CfnResolverQueryLoggingConfigAssociation[];
  readonly flowLogs: readonly CfnFlowLog[];
  /** Role VPC Flow Logs assumes to write into the flow log group (only that group). */
  readonly flowLogRole?: iam.Role;
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: PicketAgentlessProps) {
    super(scope, id);
    const r = validate(props);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.retention ?? logs.RetentionDays.ONE_MONTH;
    this.encryptionKey = props.encryptionKey ?? this.createKey(removalPolicy);

    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Picket agentless detector function' });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [functionLogs.logGroupArn] }));
    const bus = props.findingsBus instanceof PicketFindingsBus ? props.findingsBus.bus : props.findingsBus;
    if (props.findingsBus instanceof PicketFindingsBus) props.findingsBus.grantPublish(this.role, FINDING_SOURCE);
    else this.role.addToPolicy(new iam.PolicyStatement({ sid: 'PublishFindingsAsPicketDetectorOnly', actions: ['events:PutEvents'], resources: [bus.eventBusArn], conditions: { StringEquals: { 'events:source': FINDING_SOURCE } } }));
    if (props.findingsTableName) {
      const tableArn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.findingsTableName });
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'MergeWithAgentFindings', actions: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'], resources: [tableArn] }));
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'FindingsByInstance', actions: ['dynamodb:Query'], resources: [`${tableArn}/index/${FINDINGS_BY_INSTANCE_INDEX}`] }));
    }
    if (props.coverageTableName && props.skipHealthyInstances) {
      const coverageArn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.coverageTableName });
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadAgentHealth', actions: ['dynamodb:GetItem'], resources: [coverageArn] }));
    }

    const settings: AgentlessSettings = {
      accountId: stack.account,
      region: stack.region,
      partition: stack.partition,
      detectorId: r.detectorId,
      findingsBus: bus.eventBusArn,
      ...(props.findingsTableName ? { findingsTable: props.findingsTableName } : {}),
      ...(props.coverageTableName ? { coverageTable: props.coverageTableName } : {}),
      skipHealthyInstances: props.skipHealthyInstances ?? false,
      flowLogFields: [...PICKET_FLOW_LOG_FIELDS],
      updateIntervalMs: r.updateIntervalMinutes * 60_000,
    };
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '../lambda/agentless/index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: r.memorySize,
      timeout: Duration.seconds(60),
      role: this.role,
      logGroup: functionLogs,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'Picket agentless detector: Route 53 Resolver query logs and VPC Flow Logs to findings',
      environment: { [AGENTLESS_ENV.settings]: stack.toJsonString(settings), POWERTOOLS_SERVICE_NAME: 'picket-agentless', NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        mainFields: ['module', 'main'],
        externalModules: [],
        // Seed intel lists travel inside the asset (lambda/detector/intel-cache.ts reads ./intel).
        commandHooks: seedIntelBundlingHooks(),
      },
    });

    const queryVpcs = r.vpcs.filter((v) => v.resolverQueryLogs);
    const flowVpcs = r.vpcs.filter((v) => v.flowLogs);
    const associations: route53resolver.CfnResolverQueryLoggingConfigAssociation[] = [];
    const flowLogs: CfnFlowLog[] = [];

    if (queryVpcs.length > 0) {
      const group = this.createLogGroup('ResolverQueryLogs', retention, removalPolicy);
      this.queryLogGroup = group;
      // Resolver delivers as a vended log: the log group's resource policy lets the delivery service
      // write, for this account's deliveries only.
      group.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'Route53ResolverQueryLogDelivery',
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroupArn(group)}:log-stream:*`],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) } },
        }),
      );
      this.queryLogConfig = new route53resolver.CfnResolverQueryLoggingConfig(this, 'QueryLogConfig', {
        name: `${stack.stackName}-picket-dns`.slice(0, 64),
        destinationArn: this.logGroupArn(group),
      });
      this.queryLogConfig.node.addDependency(group);
      queryVpcs.forEach((v, i) => {
        const association = new route53resolver.CfnResolverQueryLoggingConfigAssociation(this, `QueryLogAssociation${i}`, {
          resolverQueryLogConfigId: this.queryLogConfig!.attrId,
          resourceId: v.vpc.vpcId,
        });
        associations.push(association);
      });
      this.subscribe(group, 'ResolverQueryLogsSubscription');
    }

    if (flowVpcs.length > 0) {
      const group = this.createLogGroup('FlowLogs', retention, removalPolicy);
      this.flowLogGroup = group;
      this.flowLogRole = new iam.Role(this, 'FlowLogDeliveryRole', {
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) } },
        }),
        description: 'VPC Flow Logs delivery into the Picket flow log group only',
      });
      this.flowLogRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteFlowLogGroupOnly',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [group.logGroupArn],
        }),
      );
      flowVpcs.forEach((v, i) => {
        flowLogs.push(
          new CfnFlowLog(this, `FlowLog${i}`, {
            resourceType: 'VPC',
            resourceId: v.vpc.vpcId,
            trafficType: 'ALL',
            logDestinationType: 'cloud-watch-logs',
            logGroupName: group.logGroupName,
            deliverLogsPermissionArn: this.flowLogRole!.roleArn,
            logFormat: PICKET_FLOW_LOG_FORMAT,
            maxAggregationInterval: props.flowLogAggregationSeconds ?? 60,
          }),
        );
      });
      this.subscribe(group, 'FlowLogsSubscription');
    }
    this.queryLogAssociations = associations;
    this.flowLogs = flowLogs;
  }

  private createKey(removalPolicy: RemovalPolicy): kms.Key {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'LogKey', { enableKeyRotation: true, removalPolicy, description: 'Picket agentless log groups (resolver query logs, flow logs)' });
    // CloudWatch Logs encrypts with the key only for this account's log groups (encryption context).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsUseForThisAccountLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
      }),
    );
    return key;
  }

  private createLogGroup(id: string, retention: logs.RetentionDays, removalPolicy: RemovalPolicy): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention, removalPolicy, encryptionKey: this.encryptionKey });
  }

  /** The group's ARN without the trailing `:*` (the form Resolver and resource policies take). */
  private logGroupArn(group: logs.LogGroup): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: group.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private subscribe(group: logs.LogGroup, id: string): void {
    new logs.SubscriptionFilter(this, id, {
      logGroup: group,
      destination: new logsDestinations.LambdaDestination(this.function),
      filterPattern: logs.FilterPattern.allEvents(),
    });
  }
}
