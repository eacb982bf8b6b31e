/**
 * Least-privilege policies of the responder's functions. Mutations are scoped by resource ARN and,
 * where EC2 supports it, by condition: network changes only to ENIs in the configured VPCs and only
 * with Picket's two groups; tags only Picket's keys; profile swaps only to the quarantine role; and
 * an explicit Deny on instances carrying the exemption tags, so IAM enforces the exemption too.
 *
 * What IAM cannot scope (documented in docs/response.md):
 * - EC2 Describe* and Auto Scaling / ELB Describe* calls have no resource-level permissions (`*`).
 * - Any instance, ASG or target group of the account may host a compromised instance, so those
 *   resources are `…/*` within the account and region.
 * - iam:PutRolePolicy/DeleteRolePolicy cannot be limited by policy name or content; they are limited
 *   to `instanceRoleArns` (default: every role in the account) — narrow it with a role path.
 */
import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { EXEMPT_TAG_VALUE, FINDING_ID_TAG_KEY, ISOLATED_AT_TAG_KEY, ISOLATED_TAG_VALUE, ISOLATION_TAG_KEY, ORIGINAL_GROUPS_TAG_KEY, RESPONSE_SOURCE } from '../lambda/domain/isolation/constants';
import { FORENSICS_DOCUMENT } from '../lambda/domain/isolation/forensics-script';

export interface ResponderResources {
  readonly table: dynamodb.ITableV2;
  readonly bucket: s3.IBucket;
  readonly bus: events.IEventBus;
  readonly vpcs: readonly ec2.IVpc[];
  readonly isolationGroups: readonly ec2.ISecurityGroup[];
  readonly quarantineRole: iam.IRole;
  readonly instanceRoleArns: readonly string[];
  readonly exemptTagKey: string;
}

const instanceArns = (): string => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/*`;

/** Reads every task that looks at the instance needs (no resource-level permissions exist for them). */
/**
 * Statements whose resource list came out empty (no VPCs to isolate in, no instance roles to deny) grant
 * nothing, and IAM rejects them: they are left out rather than widened.
 */
function grantsSomething(statement: iam.PolicyStatement): boolean {
  return statement.hasResource;
}

export function describeStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DescribeInstanceAndItsAttachments',
      actions: ['ec2:DescribeInstances', 'ec2:DescribeIamInstanceProfileAssociations', 'autoscaling:DescribeAutoScalingInstances', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadInstanceProfileRole',
      actions: ['iam:GetInstanceProfile'],
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`],
    }),
  ];
}

export function publishStatement(bus: events.IEventBus): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'PublishResponseEventsAsPicketResponderOnly',
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { StringEquals: { 'events:source': RESPONSE_SOURCE } },
  });
}

/** The mutations of the isolation steps. */
export function isolationStatements(r: ResponderResources): iam.PolicyStatement[] {
  const instances = instanceArns();
  const region = Aws.REGION;
  const account = Aws.ACCOUNT_ID;
  const partition = Aws.PARTITION;
  const vpcArns = r.vpcs.map((v) => `arn:${partition}:ec2:${region}:${account}:vpc/${v.vpcId}`);
  return [
    new iam.PolicyStatement({
      sid: 'ProtectInstance',
      actions: ['ec2:ModifyInstanceAttribute'],
      resources: [instances],
    }),
    new iam.PolicyStatement({
      sid: 'SnapshotVolumes',
      actions: ['ec2:CreateSnapshots'],
      resources: [instances, `arn:${partition}:ec2:${region}:${account}:volume/*`, `arn:${partition}:ec2:${region}::snapshot/*`],
    }),
    new iam.PolicyStatement({
      sid: 'TagSnapshotsAtCreation',
      actions: ['ec2:CreateTags'],
      resources: [`arn:${partition}:ec2:${region}::snapshot/*`],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    }),
    new iam.PolicyStatement({
      sid: 'MoveEnisOfConfiguredVpcsToPicketGroups',
      actions: ['ec2:ModifyNetworkInterfaceAttribute'],
      resources: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`],
      conditions: { ArnEquals: { 'ec2:Vpc': vpcArns } },
    }),
    new iam.PolicyStatement({
      sid: 'OnlyPicketIsolationGroups',
      actions: ['ec2:ModifyNetworkInterfaceAttribute'],
      resources: r.isolationGroups.map((g) => `arn:${partition}:ec2:${region}:${account}:security-group/${g.securityGroupId}`),
    }),
    new iam.PolicyStatement({
      sid: 'SwapToQuarantineProfile',
      actions: ['ec2:ReplaceIamInstanceProfileAssociation'],
      resources: [instances],
    }),
    new iam.PolicyStatement({
      sid: 'PassOnlyTheQuarantineRole',
      actions: ['iam:PassRole'],
      resources: [r.quarantineRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'TagIsolatedInstanceWithPicketKeysOnly',
      actions: ['ec2:CreateTags'],
      resources: [instances],
      conditions: {
        'ForAllValues:StringEquals': { 'aws:TagKeys': [ISOLATION_TAG_KEY, FINDING_ID_TAG_KEY, ISOLATED_AT_TAG_KEY, ORIGINAL_GROUPS_TAG_KEY] },
        StringEquals: { [`aws:RequestTag/${ISOLATION_TAG_KEY}`]: ISOLATED_TAG_VALUE },
      },
    }),
    new iam.PolicyStatement({
      sid: 'DetachFromAutoScalingGroups',
      actions: ['autoscaling:DetachInstances'],
      resources: [`arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`],
    }),
    new iam.PolicyStatement({
      sid: 'DeregisterFromTargetGroups',
      actions: ['elasticloadbalancing:DeregisterTargets'],
      resources: [`arn:${partition}:elasticloadbalancing:${region}:${account}:targetgroup/*/*`],
    }),
    new iam.PolicyStatement({
      sid: 'DenyOldInstanceCredentialsOnInstanceRoles',
      actions: ['iam:PutRolePolicy'],
      resources: [...r.instanceRoleArns],
    }),
    new iam.PolicyStatement({
      sid: 'ForensicCaptureOnInstances',
      actions: ['ssm:SendCommand'],
      resources: [instances, `arn:${partition}:ssm:${region}::document/${FORENSICS_DOCUMENT}`],
    }),
    new iam.PolicyStatement({
      sid: 'NeverTouchExemptInstances',
      effect: iam.Effect.DENY,
      actions: ['ec2:ModifyInstanceAttribute', 'ec2:ReplaceIamInstanceProfileAssociation', 'ec2:CreateTags', 'ec2:CreateSnapshots', 'ssm:SendCommand'],
      resources: [instances],
      conditions: { StringEquals: { [`aws:ResourceTag/${ISOLATION_TAG_KEY}`]: EXEMPT_TAG_VALUE } },
    }),
    new iam.PolicyStatement({
      sid: 'NeverTouchInstancesWithTheExemptionKey',
      effect: iam.Effect.DENY,
      actions: ['ec2:ModifyInstanceAttribute', 'ec2:ReplaceIamInstanceProfileAssociation', 'ec2:CreateTags', 'ec2:CreateSnapshots', 'ssm:SendCommand'],
      resources: [instances],
      conditions: { Null: { [`aws:ResourceTag/${r.exemptTagKey}`]: 'false' } },
    }),
  ].filter(grantsSomething);
}

/** Release permissions (for the operator role that runs `picket release`; see grantRelease). */
export function releaseStatements(r: ResponderResources): iam.PolicyStatement[] {
  const region = Aws.REGION;
  const account = Aws.ACCOUNT_ID;
  const partition = Aws.PARTITION;
  const instances = instanceArns();
  return [
    new iam.PolicyStatement({ sid: 'RestoreGroups', actions: ['ec2:ModifyNetworkInterfaceAttribute'], resources: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`, `arn:${partition}:ec2:${region}:${account}:security-group/*`] }),
    new iam.PolicyStatement({ sid: 'RestoreProfile', actions: ['ec2:ReplaceIamInstanceProfileAssociation'], resources: [instances] }),
    new iam.PolicyStatement({ sid: 'PassOriginalRoles', actions: ['iam:PassRole'], resources: [...r.instanceRoleArns], conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
    new iam.PolicyStatement({ sid: 'RemoveCredentialDeny', actions: ['iam:DeleteRolePolicy'], resources: [...r.instanceRoleArns] }),
    new iam.PolicyStatement({ sid: 'ReattachToAutoScaling', actions: ['autoscaling:AttachInstances'], resources: [`arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`] }),
    new iam.PolicyStatement({ sid: 'ReregisterTargets', actions: ['elasticloadbalancing:RegisterTargets'], resources: [`arn:${partition}:elasticloadbalancing:${region}:${account}:targetgroup/*/*`] }),
    new iam.PolicyStatement({
      sid: 'TagReleased',
      actions: ['ec2:CreateTags'],
      resources: [instances],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [ISOLATION_TAG_KEY, 'PicketReleasedAt'] } },
    }),
  ].filter(grantsSomething);
}
