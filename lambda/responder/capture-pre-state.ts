/**
 * Reads the live pre-state of an instance with read-only calls: the instance (ENIs and their
 * groups, volumes, tags, profile), its profile association and role, its Auto Scaling group and the
 * target groups it is registered in. Stops early when a refusal is already certain.
 */
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, type DescribeTargetHealthCommandOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { ASG_NAME_TAG_KEY, EXEMPT_TAG_VALUE, ISOLATION_TAG_KEY } from '../domain/isolation/constants';
import type { PreState, PreStateTarget } from '../domain/isolation/pre-state';
import type { ResponderClients } from './clients';
import { classifyError } from './sdk-errors';

export interface CaptureRequest {
  readonly instanceId: string;
  readonly findingId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** undefined when the instance does not exist. */
export async function capturePreState(clients: ResponderClients, req: CaptureRequest, now: Date, exemptTagKey?: string): Promise<PreState | undefined> {
  const instance = await describeInstance(clients, req.instanceId);
  if (!instance) return undefined;
  const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const base: PreState = {
    version: 1,
    origin: 'live',
    instanceId: req.instanceId,
    accountId: req.accountId,
    region: req.region,
    partition: req.partition,
    findingId: req.findingId,
    capturedAt: now.toISOString(),
    state: instance.State?.Name,
    networkInterfaces: [...(instance.NetworkInterfaces ?? [])]
      .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
      .map((eni) => ({
        networkInterfaceId: eni.NetworkInterfaceId ?? '',
        vpcId: eni.VpcId,
        deviceIndex: eni.Attachment?.DeviceIndex,
        groupIds: (eni.Groups ?? []).map((g) => g.GroupId ?? '').filter(Boolean),
      })),
    autoScalingGroupName: null,
    targetGroups: [],
    instanceProfile: instance.IamInstanceProfile?.Arn ? { arn: instance.IamInstanceProfile.Arn } : null,
    volumes: (instance.BlockDeviceMappings ?? [])
      .filter((m) => m.Ebs?.VolumeId)
      .map((m) => ({ volumeId: m.Ebs!.VolumeId!, deviceName: m.DeviceName ?? '', deleteOnTermination: m.Ebs?.DeleteOnTermination ?? false })),
    tags,
  };
  // Nothing more is needed to refuse these; do not read further.
  if (tags[ISOLATION_TAG_KEY] === EXEMPT_TAG_VALUE || (exemptTagKey !== undefined && Object.hasOwn(tags, exemptTagKey)) || base.state === 'terminated' || base.state === 'shutting-down') return base;
  const vpcId = instance.VpcId ?? base.networkInterfaces[0]?.vpcId;
  const [instanceProfile, autoScalingGroupName, targetGroups] = await Promise.all([
    base.instanceProfile ? describeProfile(clients, req.instanceId, base.instanceProfile.arn) : Promise.resolve(null),
    tags[ASG_NAME_TAG_KEY] ? describeAutoScalingGroup(clients, req.instanceId) : Promise.resolve(null),
    vpcId ? describeTargetGroups(clients, req.instanceId, vpcId) : Promise.resolve([]),
  ]);
  return { ...base, instanceProfile, autoScalingGroupName, targetGroups };
}

async function describeInstance(clients: ResponderClients, instanceId: string): Promise<Instance | undefined> {
  try {
    const out = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return out.Reservations?.[0]?.Instances?.[0];
  } catch (error) {
    if (classifyError(error) === 'not-found') return undefined;
    throw error;
  }
}

async function describeProfile(clients: ResponderClients, instanceId: string, arn: string): Promise<NonNullable<PreState['instanceProfile']>> {
  const [associations, profile] = await Promise.all([
    clients.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
    clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: arn.split('/').pop()! })).catch((error: unknown) => {
      if (classifyError(error) === 'not-found') return undefined;
      throw error;
    }),
  ]);
  const association = (associations.IamInstanceProfileAssociations ?? []).find((a) => a.State === 'associated');
  return {
    arn,
    ...(association?.AssociationId ? { associationId: association.AssociationId } : {}),
    ...(profile?.InstanceProfile?.Roles?.[0]?.RoleName ? { roleName: profile.InstanceProfile.Roles[0].RoleName } : {}),
  };
}

/** The groupName tag survives a detach, so ask Auto Scaling whether the instance is still a member. */
async function describeAutoScalingGroup(clients: ResponderClients, instanceId: string): Promise<string | null> {
  const out = await clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return out.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null;
}

/**
 * ELB has no "target groups of this instance" call: list the instance-type groups of the VPC and
 * ask each for this target's health. `unused`/`Target.NotRegistered` means not registered.
 */
async function describeTargetGroups(clients: ResponderClients, instanceId: string, vpcId: string): Promise<PreStateTarget[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker, PageSize: 400 }));
    for (const tg of page.TargetGroups ?? []) {
      if (tg.TargetGroupArn && tg.VpcId === vpcId && (tg.TargetType ?? 'instance') === 'instance') arns.push(tg.TargetGroupArn);
    }
    marker = page.NextMarker;
  } while (marker);
  const found: PreStateTarget[] = [];
  for (const arn of arns) {
    let health: DescribeTargetHealthCommandOutput;
    try {
      health = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: instanceId }] }));
    } catch (error) {
      if (classifyError(error) === 'not-found') continue;
      throw error;
    }
    for (const d of health.TargetHealthDescriptions ?? []) {
      if (d.Target?.Id !== instanceId || d.TargetHealth?.Reason === 'Target.NotRegistered') continue;
      found.push({
        targetGroupArn: arn,
        ...(d.Target.Port !== undefined ? { port: d.Target.Port } : {}),
        ...(d.Target.AvailabilityZone ? { availabilityZone: d.Target.AvailabilityZone } : {}),
      });
    }
  }
  return found;
}
