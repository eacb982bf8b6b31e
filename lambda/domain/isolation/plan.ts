/**
 * The isolation planner: from the recorded pre-state to the exact, ordered API calls. Pure and
 * deterministic for a given (pre-state, targets, now), so the dry-run plan, the CLI's offline plan
 * and what the workflow executes are the same thing, and a re-run after a partial failure replans
 * the same calls and skips the ones already recorded as done.
 */
import {
  FINDING_ID_TAG_KEY,
  ISOLATED_AT_TAG_KEY,
  ISOLATED_TAG_VALUE,
  ISOLATION_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  denyPolicyName,
} from './constants';
import { denyOldCredentialsPolicy } from './deny-policy';
import { FORENSICS_COMMANDS, FORENSICS_DOCUMENT, FORENSICS_TIMEOUT_SECONDS } from './forensics-script';
import { type PreState, encodeOriginalGroups } from './pre-state';

export type ApiName =
  | 's3:PutObject'
  | 'dynamodb:PutItem'
  | 'ec2:ModifyInstanceAttribute'
  | 'ssm:SendCommand'
  | 'autoscaling:DetachInstances'
  | 'autoscaling:AttachInstances'
  | 'elasticloadbalancing:DeregisterTargets'
  | 'elasticloadbalancing:RegisterTargets'
  | 'ec2:CreateSnapshots'
  | 'ec2:ModifyNetworkInterfaceAttribute'
  | 'ec2:ReplaceIamInstanceProfileAssociation'
  | 'iam:PutRolePolicy'
  | 'iam:DeleteRolePolicy'
  | 'ec2:CreateTags';

/** One AWS call, with parameters in the SDK's input shape. */
export interface PlannedCall {
  readonly api: ApiName;
  /** The resource acted on, for people: an instance, ENI, group, role or bucket. */
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** What a not-found error means for this call: `skip` = the thing is already gone, nothing to do. */
  readonly onNotFound: 'skip' | 'fail';
  /** Parameters contain `<…>` placeholders an offline plan cannot know; the workflow resolves them. */
  readonly resolvedAtRunTime?: boolean;
}

export type IsolationStepId =
  | 'record-pre-state'
  | 'protect'
  | 'forensics'
  | 'detach-auto-scaling'
  | 'deregister-targets'
  | 'snapshot-volumes'
  | 'network-allow-all'
  | 'network-isolate'
  | 'swap-instance-profile'
  | 'deny-old-credentials'
  | 'tag-instance';

export interface StepDefinition {
  readonly id: IsolationStepId;
  /** A failing optional step is reported and isolation goes on; a failing mandatory step stops it. */
  readonly optional: boolean;
  /** Steps that cut the network: the finding-to-isolated time is measured to the end of network-isolate. */
  readonly network: boolean;
  readonly description: string;
}

/** The one ordered list: the planner, the in-process runner and the Step Functions chain all follow it. */
export const ISOLATION_STEPS: readonly StepDefinition[] = [
  { id: 'record-pre-state', optional: false, network: false, description: 'record groups per ENI, ASG, target groups, profile, volumes, tags (S3 versioned + DynamoDB)' },
  { id: 'protect', optional: false, network: false, description: 'termination and stop protection, shutdown behaviour stop, volumes kept on termination' },
  { id: 'forensics', optional: true, network: false, description: 'SSM capture of processes, connections, open files and executable hashes to S3' },
  { id: 'detach-auto-scaling', optional: false, network: false, description: 'detach from the Auto Scaling group without decrementing desired capacity' },
  { id: 'deregister-targets', optional: false, network: false, description: 'deregister from every target group' },
  { id: 'snapshot-volumes', optional: false, network: false, description: 'crash-consistent EBS snapshots of every volume, tagged with the finding' },
  { id: 'network-allow-all', optional: false, network: true, description: 'every ENI to the allow-all group, so tracked flows become untracked' },
  { id: 'network-isolate', optional: false, network: true, description: 'every ENI to the isolation group (no rules, or 443 to the VPC endpoints)' },
  { id: 'swap-instance-profile', optional: false, network: false, description: 'replace the instance profile with the quarantine profile (no permissions)' },
  { id: 'deny-old-credentials', optional: false, network: false, description: 'deny sessions of this instance issued before now on its original role' },
  { id: 'tag-instance', optional: false, network: false, description: 'tag the instance with the finding id, time and original groups' },
];

/** The security groups the construct created in one VPC. */
export interface VpcIsolationGroups {
  readonly allowAllGroupId: string;
  readonly isolationGroupId: string;
}

/** Deployment facts the plan needs (from the construct, or placeholders offline). */
export interface IsolationTargets {
  readonly groupsByVpc: Readonly<Record<string, VpcIsolationGroups>>;
  readonly quarantineProfileArn: string;
  readonly evidenceBucket: string;
  readonly stateTable: string;
  readonly forensics: boolean;
}

export interface PlannedStep extends StepDefinition {
  readonly calls: readonly PlannedCall[];
  /** Why a step has no calls (e.g. not in an Auto Scaling group), for the plan printout. */
  readonly skipReason?: string;
}

export interface IsolationPlan {
  readonly instanceId: string;
  readonly findingId: string;
  readonly origin: PreState['origin'];
  readonly steps: readonly PlannedStep[];
}

/**
 * Instance-profile credentials keep being served for a moment after the swap; denying sessions
 * issued up to this much after the step covers them. The instance gets quarantine credentials after.
 */
export const DENY_MARGIN_MS = 60_000;

export function preStateKey(pre: Pick<PreState, 'accountId' | 'region' | 'instanceId' | 'findingId'>): string {
  return `pre-state/${pre.accountId}/${pre.region}/${pre.instanceId}/${safeKeyPart(pre.findingId)}.json`;
}

/** Top-level key prefix of forensic captures (instances may write there, see lib/responder.ts). */
export const FORENSICS_KEY_ROOT = 'forensics';

export function forensicsKeyPrefix(pre: Pick<PreState, 'accountId' | 'region' | 'instanceId' | 'findingId'>): string {
  return `${FORENSICS_KEY_ROOT}/${pre.accountId}/${pre.region}/${pre.instanceId}/${safeKeyPart(pre.findingId)}`;
}

function safeKeyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}

/** EC2 tag values: keep to letters, digits, spaces and + - = . _ : / @ so every service accepts them. */
export function safeTagValue(text: string): string {
  return text.replace(/[^A-Za-z0-9 +\-=._:/@]/g, '_').slice(0, 256);
}

export function planIsolation(pre: PreState, targets: IsolationTargets, now: Date): IsolationPlan {
  const steps = ISOLATION_STEPS.map((def): PlannedStep => {
    const built = buildStep(def.id, pre, targets, now);
    return { ...def, ...built };
  });
  return { instanceId: pre.instanceId, findingId: pre.findingId, origin: pre.origin, steps };
}

type Built = { calls: PlannedCall[]; skipReason?: string };

function buildStep(id: IsolationStepId, pre: PreState, targets: IsolationTargets, now: Date): Built {
  const instanceId = pre.instanceId;
  switch (id) {
    case 'record-pre-state':
      return {
        calls: [
          { api: 's3:PutObject', target: targets.evidenceBucket, parameters: { Bucket: targets.evidenceBucket, Key: preStateKey(pre), ContentType: 'application/json' }, onNotFound: 'fail' },
          { api: 'dynamodb:PutItem', target: targets.stateTable, parameters: { TableName: targets.stateTable, Key: { pk: `instance#${instanceId}` } }, onNotFound: 'fail' },
        ],
      };
    case 'protect': {
      const calls: PlannedCall[] = [
        { api: 'ec2:ModifyInstanceAttribute', target: instanceId, parameters: { InstanceId: instanceId, DisableApiTermination: { Value: true } }, onNotFound: 'fail' },
        { api: 'ec2:ModifyInstanceAttribute', target: instanceId, parameters: { InstanceId: instanceId, DisableApiStop: { Value: true } }, onNotFound: 'fail' },
        { api: 'ec2:ModifyInstanceAttribute', target: instanceId, parameters: { InstanceId: instanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } }, onNotFound: 'fail' },
      ];
      if (pre.volumes === 'unknown') {
        calls.push({
          api: 'ec2:ModifyInstanceAttribute',
          target: instanceId,
          parameters: { InstanceId: instanceId, BlockDeviceMappings: '<every attached volume: { DeviceName, Ebs: { DeleteOnTermination: false } }>' },
          onNotFound: 'fail',
          resolvedAtRunTime: true,
        });
      } else if (pre.volumes.some((v) => v.deleteOnTermination)) {
        calls.push({
          api: 'ec2:ModifyInstanceAttribute',
          target: instanceId,
          parameters: {
            InstanceId: instanceId,
            BlockDeviceMappings: pre.volumes.filter((v) => v.deleteOnTermination).map((v) => ({ DeviceName: v.deviceName, Ebs: { DeleteOnTermination: false } })),
          },
          onNotFound: 'fail',
        });
      }
      return { calls };
    }
    case 'forensics': {
      if (!targets.forensics) return { calls: [], skipReason: 'forensics is off' };
      const prefix = forensicsKeyPrefix(pre);
      return {
        calls: [
          {
            api: 'ssm:SendCommand',
            target: instanceId,
            parameters: {
              InstanceIds: [instanceId],
              DocumentName: FORENSICS_DOCUMENT,
              Comment: safeTagValue(`Picket forensic capture ${pre.findingId}`).slice(0, 100),
              Parameters: { commands: [...FORENSICS_COMMANDS], executionTimeout: [String(FORENSICS_TIMEOUT_SECONDS)] },
              TimeoutSeconds: 30, // the minimum: if the agent does not pick it up by then, give up
              OutputS3BucketName: targets.evidenceBucket,
              OutputS3KeyPrefix: prefix,
            },
            onNotFound: 'fail',
          },
        ],
      };
    }
    case 'detach-auto-scaling': {
      if (pre.autoScalingGroupName === null) return { calls: [], skipReason: 'not in an Auto Scaling group' };
      const unknown = pre.autoScalingGroupName === 'unknown';
      return {
        calls: [
          {
            api: 'autoscaling:DetachInstances',
            target: unknown ? '<Auto Scaling group, if any>' : pre.autoScalingGroupName,
            parameters: { AutoScalingGroupName: unknown ? '<Auto Scaling group, if any>' : pre.autoScalingGroupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: false },
            onNotFound: 'skip',
            ...(unknown ? { resolvedAtRunTime: true } : {}),
          },
        ],
      };
    }
    case 'deregister-targets': {
      if (pre.targetGroups === 'unknown') {
        return {
          calls: [
            {
              api: 'elasticloadbalancing:DeregisterTargets',
              target: '<each target group the instance is registered in>',
              parameters: { TargetGroupArn: '<target group>', Targets: [{ Id: instanceId, Port: '<registered port>' }] },
              onNotFound: 'skip',
              resolvedAtRunTime: true,
            },
          ],
        };
      }
      if (pre.targetGroups.length === 0) return { calls: [], skipReason: 'not registered in any target group' };
      return {
        calls: pre.targetGroups.map((tg) => ({
          api: 'elasticloadbalancing:DeregisterTargets' as const,
          target: tg.targetGroupArn,
          parameters: { TargetGroupArn: tg.targetGroupArn, Targets: [targetDescription(instanceId, tg)] },
          onNotFound: 'skip' as const,
        })),
      };
    }
    case 'snapshot-volumes': {
      if (pre.volumes !== 'unknown' && pre.volumes.length === 0) return { calls: [], skipReason: 'no EBS volumes' };
      return {
        calls: [
          {
            api: 'ec2:CreateSnapshots',
            target: instanceId,
            parameters: {
              InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
              Description: `Picket isolation evidence for ${instanceId}`,
              CopyTagsFromSource: 'volume',
              TagSpecifications: [
                {
                  ResourceType: 'snapshot',
                  Tags: [
                    { Key: FINDING_ID_TAG_KEY, Value: safeTagValue(pre.findingId) },
                    { Key: 'PicketInstanceId', Value: instanceId },
                    { Key: 'PicketEvidence', Value: 'true' },
                  ],
                },
              ],
            },
            onNotFound: 'fail',
          },
        ],
      };
    }
    case 'network-allow-all':
    case 'network-isolate': {
      if (pre.networkInterfaces.length === 0) return { calls: [], skipReason: 'no network interfaces' };
      const which = id === 'network-allow-all' ? 'allowAllGroupId' : 'isolationGroupId';
      return {
        calls: pre.networkInterfaces.map((eni) => {
          const groups = eni.vpcId ? targets.groupsByVpc[eni.vpcId] : undefined;
          const groupId = groups ? groups[which] : `<${which === 'allowAllGroupId' ? 'allow-all' : 'isolation'} group of ${eni.vpcId ?? 'the ENI VPC'}>`;
          return {
            api: 'ec2:ModifyNetworkInterfaceAttribute' as const,
            target: eni.networkInterfaceId,
            parameters: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [groupId] },
            onNotFound: 'skip' as const,
            ...(groups ? {} : { resolvedAtRunTime: true }),
          };
        }),
      };
    }
    case 'swap-instance-profile': {
      if (pre.instanceProfile === null) return { calls: [], skipReason: 'no instance profile' };
      const associationId = pre.instanceProfile.associationId;
      return {
        calls: [
          {
            api: 'ec2:ReplaceIamInstanceProfileAssociation',
            target: instanceId,
            parameters: { AssociationId: associationId ?? '<current association id>', IamInstanceProfile: { Arn: targets.quarantineProfileArn } },
            onNotFound: 'fail',
            ...(associationId ? {} : { resolvedAtRunTime: true }),
          },
        ],
      };
    }
    case 'deny-old-credentials': {
      if (pre.instanceProfile === null) return { calls: [], skipReason: 'no instance profile, so no instance credentials' };
      const roleName = pre.instanceProfile.roleName;
      return {
        calls: [
          {
            api: 'iam:PutRolePolicy',
            target: roleName ?? `<role of ${pre.instanceProfile.arn}>`,
            parameters: {
              RoleName: roleName ?? `<role of ${pre.instanceProfile.arn}>`,
              PolicyName: denyPolicyName(instanceId),
              PolicyDocument: denyOldCredentialsPolicy({ ...pre, issuedBefore: new Date(now.getTime() + DENY_MARGIN_MS) }),
            },
            onNotFound: 'skip',
            ...(roleName ? {} : { resolvedAtRunTime: true }),
          },
        ],
      };
    }
    case 'tag-instance':
      return {
        calls: [
          {
            api: 'ec2:CreateTags',
            target: instanceId,
            parameters: {
              Resources: [instanceId],
              Tags: [
                { Key: ISOLATION_TAG_KEY, Value: ISOLATED_TAG_VALUE },
                { Key: FINDING_ID_TAG_KEY, Value: safeTagValue(pre.findingId) },
                { Key: ISOLATED_AT_TAG_KEY, Value: now.toISOString() },
                { Key: ORIGINAL_GROUPS_TAG_KEY, Value: encodeOriginalGroups(pre.networkInterfaces) },
              ],
            },
            onNotFound: 'fail',
          },
        ],
      };
  }
}

export function targetDescription(instanceId: string, tg: { port?: number; availabilityZone?: string }): Record<string, unknown> {
  return {
    Id: instanceId,
    ...(tg.port !== undefined ? { Port: tg.port } : {}),
    ...(tg.availabilityZone !== undefined ? { AvailabilityZone: tg.availabilityZone } : {}),
  };
}

/** Flat rows for printing: one per call, in execution order. */
export interface PlanRow {
  readonly order: number;
  readonly step: IsolationStepId | string;
  readonly api: string;
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly optional: boolean;
  readonly resolvedAtRunTime: boolean;
}

export function planRows(steps: readonly { id: string; optional: boolean; calls: readonly PlannedCall[] }[]): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const step of steps) {
    for (const call of step.calls) {
      rows.push({
        order: rows.length + 1,
        step: step.id,
        api: call.api,
        target: call.target,
        parameters: call.parameters,
        optional: step.optional,
        resolvedAtRunTime: call.resolvedAtRunTime ?? false,
      });
    }
  }
  return rows;
}
