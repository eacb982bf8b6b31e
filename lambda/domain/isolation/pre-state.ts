/**
 * What an instance looked like before Picket touched it. Recorded (S3 versioned object and
 * DynamoDB) before the first mutation; release restores from it, and a re-run after a partial
 * failure plans from it (never from the half-isolated live state).
 */
import type { InstanceDetails } from '../findings/finding';
import { ASG_NAME_TAG_KEY } from './constants';

export interface PreStateInterface {
  readonly networkInterfaceId: string;
  readonly vpcId?: string;
  readonly deviceIndex?: number;
  /** Security group ids attached before isolation, in the order EC2 reported them. */
  readonly groupIds: readonly string[];
}

export interface PreStateTarget {
  readonly targetGroupArn: string;
  readonly port?: number;
  readonly availabilityZone?: string;
}

export interface PreStateVolume {
  readonly volumeId: string;
  readonly deviceName: string;
  readonly deleteOnTermination: boolean;
}

/** `unknown` lists are discovered at run time (offline plans built from a finding alone). */
export type Discovered<T> = readonly T[] | 'unknown';

export interface PreState {
  readonly version: 1;
  /** live = read from AWS APIs; finding = from the finding's instanceDetails only (offline plan). */
  readonly origin: 'live' | 'finding';
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly findingId: string;
  readonly capturedAt: string;
  readonly state?: string;
  readonly networkInterfaces: readonly PreStateInterface[];
  /** `null` = not in an Auto Scaling group. */
  readonly autoScalingGroupName: string | null | 'unknown';
  readonly targetGroups: Discovered<PreStateTarget>;
  /** `null` = no instance profile. */
  readonly instanceProfile: { readonly arn: string; readonly associationId?: string; readonly roleName?: string } | null;
  readonly volumes: Discovered<PreStateVolume>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Builds an offline pre-state from a finding's instance details (what `picket respond` uses). */
export function preStateFromFinding(
  details: InstanceDetails,
  finding: { id: string; accountId: string; region: string; partition: string },
  now: Date,
): PreState {
  const tags = Object.fromEntries((details.tags ?? []).map((t) => [t.key, t.value]));
  return {
    version: 1,
    origin: 'finding',
    instanceId: details.instanceId,
    accountId: finding.accountId,
    region: finding.region,
    partition: finding.partition,
    findingId: finding.id,
    capturedAt: now.toISOString(),
    state: details.instanceState,
    networkInterfaces: (details.networkInterfaces ?? []).map((eni, i) => ({
      networkInterfaceId: eni.networkInterfaceId,
      vpcId: eni.vpcId,
      deviceIndex: i,
      groupIds: (eni.securityGroups ?? []).map((g) => g.groupId),
    })),
    autoScalingGroupName: tags[ASG_NAME_TAG_KEY] ?? 'unknown',
    targetGroups: 'unknown',
    instanceProfile: details.iamInstanceProfile ? { arn: details.iamInstanceProfile.arn } : null,
    volumes: 'unknown',
    tags,
  };
}

/** `eni-a=sg-1+sg-2 eni-b=sg-3`, shortened to fit an EC2 tag value (256 chars); the full record is in S3. */
export function encodeOriginalGroups(enis: readonly PreStateInterface[]): string {
  const full = enis.map((e) => `${e.networkInterfaceId}=${e.groupIds.join('+')}`).join(' ');
  return full.length <= 256 ? full : `${full.slice(0, 252)}...`;
}
