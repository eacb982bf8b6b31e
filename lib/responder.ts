/**
 * PicketResponder: safe, ordered, reversible isolation of compromised instances, triggered by
 * findings on the findings bus (and optionally by Amazon GuardDuty findings on the default bus).
 *
 * Rule (content-filtered by severity, type and account) → isolation state machine (Step Functions,
 * small Lambda tasks; waits and retries cost no Lambda time) → `Picket Response Action` events.
 * Also: the quarantine role and instance profile (no permissions), an allow-all and an isolation
 * security group per VPC, the evidence bucket, the response-state table and alarms.
 *
 * Construct IDs of stateful resources (EvidenceBucket, StateTable, QuarantineRole, the per-VPC
 * groups) are API: never rename them.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GUARDDUTY_DETAIL_TYPE, GUARDDUTY_SOURCE, PICKET_FINDING_DETAIL_TYPE, PICKET_FINDING_SOURCE, RESPONSE_SOURCE } from '../lambda/domain/isolation/constants';
import { FORENSICS_KEY_ROOT } from '../lambda/domain/isolation/plan';
import { type ResponseConfig, type ResponseMode, resolveResponseConfig } from '../lambda/domain/isolation/response-config';
import { ENV, type ResponderSettingsJson } from '../lambda/responder/settings';
import { PropError, requireProp } from './prop-validation';
import { describeStatements, isolationStatements, publishStatement, releaseStatements, type ResponderResources } from './responder-permissions';
import { type ResponderFunctions, buildIsolationDefinition } from './responder-workflow';

/** A VPC whose instances the responder may isolate (PicketNetwork's `vpcs` entries fit). */
export interface PicketResponderVpc {
  readonly vpc: ec2.IVpc;
  /**
   * Security group of the VPC's interface endpoints. With `forensics` on, the isolation group allows
   * only HTTPS to it, so Session Manager / SSM keep working on the isolated instance.
   * @default - the isolation group has no rules at all
   */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
}

export interface PicketResponderProps {
  /** The findings bus (PicketFindingsBus.bus): findings come from it, response events go to it. */
  readonly findingsBus: events.IEventBus;
  /** VPCs whose instances may be isolated; one allow-all and one isolation group is created in each. */
  readonly vpcs: readonly PicketResponderVpc[];
  /** off: nothing; dry-run: plan and publish only; approval: wait for `picket isolate --approve`; auto: isolate. @default 'dry-run' */
  readonly mode?: ResponseMode;
  /** Lowest finding severity (1.0–10.0) that triggers a response (numeric filter in the rule). @default 7 */
  readonly minSeverity?: number;
  /** Only these finding types (exact, or prefix ending in `*`); empty = all. @default [] */
  readonly includeTypes?: readonly string[];
  /** Never these finding types (exact, or prefix ending in `*`). @default [] */
  readonly excludeTypes?: readonly string[];
  /** Also respond to Amazon GuardDuty findings (`aws.guardduty`, on the account's default bus). @default false */
  readonly actOnGuardDutyFindings?: boolean;
  /** Rate limit: isolations started per rolling hour, account-wide; the rest are queued and reported. @default 5 */
  readonly maxIsolationsPerHour?: number;
  /** Instances never isolated. @default [] */
  readonly exemptInstanceIds?: readonly string[];
  /** Instances carrying this tag key (any value) are never isolated, besides `PicketIsolation=exempt`. @default 'PicketExempt' */
  readonly exemptTagKey?: string;
  /** Findings last updated longer ago than this are refused. @default 60 */
  readonly maxFindingAgeMinutes?: number;
  /** SSM forensic capture (processes, connections, open files, executable hashes) before the network cut. @default false */
  readonly forensics?: boolean;
  /** Accounts whose findings the rule accepts (the `account` of the event). @default - this stack's account only */
  readonly accounts?: readonly string[];
  /** Seconds between the allow-all and the isolation group, for tracked flows to become untracked. @default 5 */
  readonly untrackSettleSeconds?: number;
  /** How long approval mode waits for `picket isolate --approve` before giving up. @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
  /** Roles the responder may put the credential deny on (instance roles). @default - every role of the account */
  readonly instanceRoleArns?: readonly string[];
  /** Evidence bucket encryption. KMS creates a customer managed key with rotation. @default 'S3_MANAGED' */
  readonly evidenceEncryption?: 'S3_MANAGED' | 'KMS';
  /** S3 Object Lock default retention on the evidence bucket (set only at creation). @default - no object lock */
  readonly evidenceObjectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  /** Bucket for S3 server access logs of the evidence bucket. @default - no access logs (CloudTrail data events cover it) */
  readonly evidenceAccessLogsBucket?: s3.IBucket;
  /** Topic the alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Roles allowed to put `picket.detector` (and `picket.responder`) events on the findings bus. When
   * set, a bus-policy Deny stops every other principal (same account included) from putting them.
   * @default - rely on IAM grants (PicketFindingsBus.grantPublish) and the in-code check
   */
  readonly trustedFindingPublisherArns?: readonly string[];
  /** Removal policy of the evidence bucket and state table. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Resolved response config and the props the construct needs, validated. */
function validate(props: PicketResponderProps): ResponseConfig {
  requireProp(!!props.findingsBus, 'PicketResponder.findingsBus', props.findingsBus, 'an events.IEventBus', 'pass PicketFindingsBus.bus');
  requireProp(Array.isArray(props.vpcs), 'PicketResponder.vpcs', props.vpcs, 'a list of { vpc, endpointSecurityGroup? }', 'pass PicketNetwork.vpcs (or [] when nothing may be isolated)');
  let config: ResponseConfig;
  try {
    config = resolveResponseConfig(
      {
        mode: props.mode,
        minSeverity: props.minSeverity,
        includeTypes: props.includeTypes,
        excludeTypes: props.excludeTypes,
        actOnGuardDutyFindings: props.actOnGuardDutyFindings,
        maxIsolationsPerHour: props.maxIsolationsPerHour,
        exemptInstanceIds: props.exemptInstanceIds,
        exemptTagKey: props.exemptTagKey,
        maxFindingAgeMinutes: props.maxFindingAgeMinutes,
        forensics: props.forensics,
      },
      'PicketResponder',
    );
  } catch (error) {
    throw new PropError('PicketResponder', props.mode, 'a valid response configuration', (error as Error).message);
  }
  requireProp(
    config.mode === 'off' || config.mode === 'dry-run' || props.vpcs.length > 0,
    'PicketResponder.vpcs',
    props.vpcs,
    `at least one VPC when mode is ${config.mode}`,
    'pass the VPCs of the instances to isolate, or use mode dry-run',
  );
  const settle = props.untrackSettleSeconds ?? 5;
  requireProp(Number.isInteger(settle) && settle >= 0 && settle <= 60, 'PicketResponder.untrackSettleSeconds', settle, 'an integer from 0 to 60', 'use 5 (the default) unless you measured otherwise');
  const lock = props.evidenceObjectLock;
  if (lock) requireProp(Number.isInteger(lock.days) && lock.days >= 1 && lock.days <= 36500, 'PicketResponder.evidenceObjectLock.days', lock.days, 'an integer from 1 to 36500', 'choose your evidence retention in days');
  for (const [i, a] of (props.accounts ?? []).entries()) {
    requireProp(/^\d{12}$/.test(a), `PicketResponder.accounts[${i}]`, a, 'a 12-digit account id', 'fix or remove the account');
  }
  return config;
}

export class PicketResponder extends Construct {
  /** The isolation workflow; `picket isolate` starts it, the rules target it. */
  readonly stateMachine: sfn.StateMachine;
  /** Response state per instance (pre-state, step progress, approval tokens, rate limit). */
  readonly stateTable: dynamodb.TableV2;
  /** Pre-state records and forensic captures (versioned). */
  readonly evidenceBucket: s3.Bucket;
  /** The role behind the quarantine instance profile: it has no permissions at all. */
  readonly quarantineRole: iam.Role;
  readonly quarantineInstanceProfile: iam.InstanceProfile;
  /** Per VPC (same order as props.vpcs): the allow-all and the isolation security groups. */
  readonly isolationGroups: readonly { readonly vpc: ec2.IVpc; readonly allowAll: ec2.SecurityGroup; readonly isolation: ec2.SecurityGroup }[];
  /** Rule on the findings bus that starts the workflow. */
  readonly findingRule: events.Rule;
  /** Rule on the default bus for GuardDuty findings, when enabled. */
  readonly guardDutyRule?: events.Rule;
  readonly functions: ResponderFunctions;
  /** Alarms on failed and timed-out isolations. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** Resolved response configuration. */
  readonly config: ResponseConfig;
  private readonly resources: ResponderResources;

  constructor(scope: Construct, id: string, props: PicketResponderProps) {
    super(scope, id);
    const config = validate(props);
    this.config = config;
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.evidenceBucket = this.createEvidenceBucket(props, removalPolicy);
    this.stateTable = new dynamodb.TableV2(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    this.quarantineRole = new iam.Role(this, 'QuarantineRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Picket quarantine: swapped onto isolated instances; has no permissions on purpose',
    });
    this.quarantineInstanceProfile = new iam.InstanceProfile(this, 'QuarantineInstanceProfile', { role: this.quarantineRole });

    this.isolationGroups = props.vpcs.map((v, i) => {
      const allowAll = new ec2.SecurityGroup(this, `AllowAllGroup${i}`, {
        vpc: v.vpc,
        description: 'Picket isolation step 1: allow all (makes tracked flows untracked); attached for seconds only',
        allowAllOutbound: true,
        allowAllIpv6Outbound: true,
      });
      allowAll.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allTraffic(), 'all, so existing flows become untracked');
      allowAll.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.allTraffic(), 'all, so existing flows become untracked');
      const isolation = new ec2.SecurityGroup(this, `IsolationGroup${i}`, {
        vpc: v.vpc,
        description: 'Picket isolation: no inbound; no outbound except HTTPS to the VPC endpoints when forensics is on',
        allowAllOutbound: false,
      });
      if (config.forensics && v.endpointSecurityGroup) isolation.addEgressRule(v.endpointSecurityGroup, ec2.Port.tcp(443), 'SSM through the VPC endpoints only');
      return { vpc: v.vpc, allowAll, isolation };
    });

    this.resources = {
      table: this.stateTable,
      bucket: this.evidenceBucket,
      bus: props.findingsBus,
      vpcs: props.vpcs.map((v) => v.vpc),
      isolationGroups: this.isolationGroups.flatMap((g) => [g.allowAll, g.isolation]),
      quarantineRole: this.quarantineRole,
      instanceRoleArns: props.instanceRoleArns ?? [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
      exemptTagKey: config.exemptTagKey,
    };

    const settings: ResponderSettingsJson = {
      identity: { accountId: stack.account, region: stack.region },
      partition: stack.partition,
      config,
      targets: {
        isolationGroups: this.isolationGroups.map((g) => ({ vpcId: g.vpc.vpcId, allowAllGroupId: g.allowAll.securityGroupId, isolationGroupId: g.isolation.securityGroupId })),
        quarantineProfileArn: this.quarantineInstanceProfile.instanceProfileArn,
        evidenceBucket: this.evidenceBucket.bucketName,
        stateTable: this.stateTable.tableName,
        forensics: config.forensics,
      },
      eventBusName: props.findingsBus.eventBusName,
      untrackSettleSeconds: props.untrackSettleSeconds ?? 5,
    };
    const settingsJson = stack.toJsonString(settings);
    this.functions = this.createFunctions(settingsJson);

    const stateMachineLogs = new logs.LogGroup(this, 'WorkflowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'IsolationWorkflow', {
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildIsolationDefinition(new Construct(this, 'WorkflowStates'), this.functions, {
          forensics: config.forensics,
          untrackSettleSeconds: props.untrackSettleSeconds ?? 5,
          approvalTimeout: props.approvalTimeout ?? Duration.hours(24),
        }),
      ),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: (props.approvalTimeout ?? Duration.hours(24)).plus(Duration.hours(3)),
      tracingEnabled: true,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    const accounts = props.accounts && props.accounts.length > 0 ? [...props.accounts] : [stack.account];
    const input = events.RuleTargetInput.fromObject({ kind: 'finding', event: events.EventField.fromPath('$') });
    this.findingRule = new events.Rule(this, 'FindingRule', {
      eventBus: props.findingsBus,
      description: `Picket findings (severity >= ${config.minSeverity}) to the isolation workflow (mode ${config.mode})`,
      enabled: config.mode !== 'off',
      eventPattern: findingPattern(PICKET_FINDING_SOURCE, PICKET_FINDING_DETAIL_TYPE, accounts, config),
      targets: [new targets.SfnStateMachine(this.stateMachine, { input })],
    });
    if (config.actOnGuardDutyFindings) {
      this.guardDutyRule = new events.Rule(this, 'GuardDutyFindingRule', {
        description: `Amazon GuardDuty EC2 findings (severity >= ${config.minSeverity}) to the Picket isolation workflow`,
        enabled: config.mode !== 'off',
        eventPattern: findingPattern(GUARDDUTY_SOURCE, GUARDDUTY_DETAIL_TYPE, accounts, config),
        targets: [new targets.SfnStateMachine(this.stateMachine, { input })],
      });
    }
    if (props.trustedFindingPublisherArns && props.trustedFindingPublisherArns.length > 0) this.guardBusSources(props);

    this.alarms = this.createAlarms(props.alarmTopic);
  }

  private createEvidenceBucket(props: PicketResponderProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const kmsKey = props.evidenceEncryption === 'KMS' ? new kms.Key(this, 'EvidenceKey', { enableKeyRotation: true, description: 'Picket isolation evidence', removalPolicy }) : undefined;
    const bucket = new s3.Bucket(this, 'EvidenceBucket', {
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: kmsKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      ...(kmsKey ? { encryptionKey: kmsKey, bucketKeyEnabled: true } : {}),
      ...(props.evidenceObjectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.evidenceObjectLock.mode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(Duration.days(props.evidenceObjectLock.days)) : s3.ObjectLockRetention.governance(Duration.days(props.evidenceObjectLock.days)),
          }
        : {}),
      ...(props.evidenceAccessLogsBucket ? { serverAccessLogsBucket: props.evidenceAccessLogsBucket, serverAccessLogsPrefix: 'picket-evidence/' } : {}),
      removalPolicy,
    });
    // SSM uploads the forensic output with the instance's own credentials: allow instance sessions of
    // this account to write (never read or delete) under forensics/. Versioning keeps every write.
    const instanceWrite = {
      StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID },
      Null: { 'ec2:SourceInstanceARN': 'false' },
    };
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ForensicOutputFromInstancesOfThisAccount',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${FORENSICS_KEY_ROOT}/*`)],
        conditions: instanceWrite,
      }),
    );
    kmsKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ForensicOutputEncryption',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
        resources: ['*'],
        conditions: { ...instanceWrite, StringLike: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    return bucket;
  }

  private createFunctions(settingsJson: string): ResponderFunctions {
    const make = (id: string, handler: string, timeout: Duration, statements: iam.PolicyStatement[]): nodejs.NodejsFunction => {
      const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
      const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Picket responder ${id} task` });
      role.addToPolicy(new iam.PolicyStatement({ sid: 'OwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      for (const s of statements) role.addToPolicy(s);
      return new nodejs.NodejsFunction(this, id, {
        entry: path.join(__dirname, '../lambda/responder/index.ts'),
        handler,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout,
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment: { [ENV.settings]: settingsJson, POWERTOOLS_SERVICE_NAME: 'picket-responder', NODE_OPTIONS: '--enable-source-maps' },
        bundling: { minify: true, sourceMap: true, target: 'node22', mainFields: ['module', 'main'], format: nodejs.OutputFormat.CJS },
      });
    };
    const r = this.resources;
    const publish = publishStatement(r.bus);
    const table = (write: boolean) =>
      new iam.PolicyStatement({
        sid: write ? 'ResponseStateReadWrite' : 'ResponseStateRead',
        actions: write ? ['dynamodb:GetItem', 'dynamodb:PutItem'] : ['dynamodb:GetItem'],
        resources: [r.table.tableArn],
      });
    const putPreState = new iam.PolicyStatement({ sid: 'RecordPreState', actions: ['s3:PutObject'], resources: [r.bucket.arnForObjects('pre-state/*')] });
    const pollSsm = new iam.PolicyStatement({ sid: 'PollForensicCapture', actions: ['ssm:GetCommandInvocation'], resources: ['*'] });
    const fns: ResponderFunctions = {
      evaluate: make('Evaluate', 'evaluateHandler', Duration.seconds(60), [...describeStatements(), table(false), publish]),
      approval: make('Approval', 'approvalHandler', Duration.seconds(15), [table(true), publish]),
      admit: make('Admit', 'admitHandler', Duration.seconds(60), [...describeStatements(), table(true), putPreState, publish]),
      step: make('Step', 'stepHandler', Duration.seconds(30), [...isolationStatements(r), table(true), publish]),
      forensicsPoll: make('ForensicsPoll', 'forensicsPollHandler', Duration.seconds(15), [pollSsm, table(true), publish]),
      complete: make('Complete', 'completeHandler', Duration.seconds(15), [table(true), publish]),
      failure: make('Failure', 'failureHandler', Duration.seconds(15), [table(true), publish]),
    };
    const key = this.evidenceBucket.encryptionKey;
    if (key) fns.admit.addToRolePolicy(new iam.PolicyStatement({ sid: 'EncryptPreState', actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [key.keyArn] }));
    return fns;
  }

  private guardBusSources(props: PicketResponderProps): void {
    const trusted = [...(props.trustedFindingPublisherArns ?? []), ...Object.values(this.functions).map((f) => (f as nodejs.NodejsFunction).role!.roleArn)];
    new events.CfnEventBusPolicy(this, 'OnlyPicketPutsPicketSources', {
      eventBusName: props.findingsBus.eventBusName,
      statementId: 'PicketOnlyTrustedPublishersPutPicketSources',
      statement: {
        Sid: 'PicketOnlyTrustedPublishersPutPicketSources',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: props.findingsBus.eventBusArn,
        Condition: {
          StringEquals: { 'events:source': [PICKET_FINDING_SOURCE, RESPONSE_SOURCE] },
          ArnNotLike: { 'aws:PrincipalArn': trusted },
        },
      },
    });
  }

  private createAlarms(topic: sns.ITopic | undefined): cloudwatch.Alarm[] {
    const period = Duration.minutes(5);
    const alarms = [
      new cloudwatch.Alarm(this, 'IsolationFailedAlarm', {
        alarmDescription: 'A Picket isolation failed (a mandatory step stopped it); see the Picket Response Action events and the response-state table',
        metric: this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'IsolationTimedOutAlarm', {
        alarmDescription: 'A Picket isolation workflow timed out',
        metric: this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ResponderTaskErrorsAlarm', {
        alarmDescription: 'Picket responder Lambda tasks are failing (after retries the workflow reports the failure)',
        metric: new cloudwatch.MathExpression({
          expression: Object.keys(this.functions).map((_, i) => `e${i}`).join('+'),
          usingMetrics: Object.fromEntries(Object.values(this.functions).map((f, i) => [`e${i}`, (f as lambda.Function).metricErrors({ period, statistic: 'Sum' })])),
          period,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (topic) for (const alarm of alarms) alarm.addAlarmAction(new cwActions.SnsAction(topic));
    return alarms;
  }

  /** Lets an operator role run `picket release` (restore groups, profile, ASG, targets; remove the deny). */
  grantRelease(grantee: iam.IGrantable): void {
    for (const s of releaseStatements(this.resources)) grantee.grantPrincipal.addToPrincipalPolicy(s);
    this.stateTable.grantReadWriteData(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(publishStatement(this.resources.bus));
  }

  /** Lets an operator role run `picket isolate` (start the workflow) and `--approve`/`--reject`. */
  grantIsolate(grantee: iam.IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
    this.stateMachine.grantTaskResponse(grantee);
    this.stateTable.grantReadWriteData(grantee);
  }
}

/** The rule's content filter: source and detail-type, accounts, Instance findings, numeric severity, types. */
export function findingPattern(source: string, detailType: string, accounts: readonly string[], config: Pick<ResponseConfig, 'minSeverity' | 'includeTypes' | 'excludeTypes'>): events.EventPattern {
  const typeMatcher = (t: string) => (t.endsWith('*') ? { prefix: t.slice(0, -1) } : t);
  const exactExcludes = config.excludeTypes.filter((t) => !t.endsWith('*'));
  const prefixExcludes = config.excludeTypes.filter((t) => t.endsWith('*')).map((t) => t.slice(0, -1));
  // EventBridge allows one anything-but per field: exact names, or prefixes (wildcard list) — the
  // handler checks excludes again in code, so the pattern may be a superset, never a subset.
  let type: unknown[] | undefined;
  if (config.includeTypes.length > 0) type = config.includeTypes.map(typeMatcher);
  else if (exactExcludes.length > 0 && prefixExcludes.length === 0) type = [{ 'anything-but': exactExcludes }];
  else if (prefixExcludes.length === 1 && exactExcludes.length === 0) type = [{ 'anything-but': { prefix: prefixExcludes[0] } }];
  return {
    source: [source],
    detailType: [detailType],
    account: [...accounts],
    detail: {
      severity: [{ numeric: ['>=', config.minSeverity] }],
      resource: { resourceType: ['Instance'] },
      ...(type ? { type } : {}),
    },
  };
}

