/**
 * EC2 details for `resource.instanceDetails` (tags, ENIs with security groups, instance profile):
 * the responder isolates by them, and suppression rules match on tags. One DescribeInstances per
 * instance, cached in the execution environment; a failed lookup yields `{instanceId}` only (the
 * finding still goes out) and is retried sooner than a success.
 */
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceDetails } from '../domain/findings/finding';
import { messageOf, nameOf } from './errors';
import type { DetectorLog } from './ports';

export interface InstanceDetailsCacheOptions {
  /** @default 5 minutes */
  readonly ttlMs?: number;
  /** @default 1 minute */
  readonly failureTtlMs?: number;
  /** @default 2000 */
  readonly maxEntries?: number;
}

export function toInstanceDetails(instanceId: string, i: Instance | undefined): InstanceDetails {
  if (!i) return { instanceId };
  return {
    instanceId,
    ...(i.InstanceType ? { instanceType: i.InstanceType } : {}),
    ...(i.Placement?.AvailabilityZone ? { availabilityZone: i.Placement.AvailabilityZone } : {}),
    ...(i.ImageId ? { imageId: i.ImageId } : {}),
    ...(i.PlatformDetails ? { platform: i.PlatformDetails } : {}),
    ...(i.State?.Name ? { instanceState: i.State.Name } : {}),
    ...(i.LaunchTime ? { launchTime: new Date(i.LaunchTime).toISOString() } : {}),
    ...(i.IamInstanceProfile?.Arn ? { iamInstanceProfile: { arn: i.IamInstanceProfile.Arn, ...(i.IamInstanceProfile.Id ? { id: i.IamInstanceProfile.Id } : {}) } } : {}),
    networkInterfaces: (i.NetworkInterfaces ?? []).map((n) => ({
      networkInterfaceId: n.NetworkInterfaceId ?? '',
      ...(n.PrivateIpAddress ? { privateIpAddress: n.PrivateIpAddress } : {}),
      ...(n.SubnetId ? { subnetId: n.SubnetId } : {}),
      ...(n.VpcId ? { vpcId: n.VpcId } : {}),
      securityGroups: (n.Groups ?? []).map((g) => ({ groupId: g.GroupId ?? '', ...(g.GroupName ? { groupName: g.GroupName } : {}) })),
    })),
    tags: (i.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
  };
}

export class InstanceDetailsCache {
  private readonly entries = new Map<string, { details: InstanceDetails; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly ec2: EC2Client,
    private readonly log: DetectorLog,
    options: InstanceDetailsCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 2000;
  }

  async get(instanceId: string, nowMs: number): Promise<InstanceDetails> {
    const hit = this.entries.get(instanceId);
    if (hit && hit.expiresAt > nowMs) return hit.details;
    let details: InstanceDetails;
    let ttl = this.ttlMs;
    try {
      const out = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
      if (!instance) this.log.warn('instance not found by DescribeInstances; findings carry the id only', { instanceId });
      details = toInstanceDetails(instanceId, instance);
    } catch (error) {
      this.log.warn('DescribeInstances failed; findings carry the id only', { instanceId, error: `${nameOf(error)}: ${messageOf(error)}` });
      details = { instanceId };
      ttl = this.failureTtlMs;
    }
    this.entries.delete(instanceId);
    this.entries.set(instanceId, { details, expiresAt: nowMs + ttl });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return details;
  }
}
