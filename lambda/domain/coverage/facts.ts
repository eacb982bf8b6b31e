/**
 * What coverage evaluation reads about an instance, typed as the AWS APIs return it (PascalCase, as in
 * DescribeInstances, DescribeInstanceInformation, DescribeInstanceAssociationsStatus, DescribeVpcEndpoints
 * and DescribeVpcAttribute responses). The SDK's own output types fit these structurally, and so do JSON
 * captures of the same responses; no SDK import here. Only the fields coverage uses are listed.
 */

/** A timestamp as the SDK gives it (Date), as JSON captures show it (ISO text; SSM: epoch seconds). */
export type ApiTime = Date | string | number;

/** Milliseconds since the epoch of an API timestamp, or undefined when absent or unreadable. */
export function timeMs(value: ApiTime | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  // SSM's JSON protocol sends epoch seconds (with a fraction).
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface Ec2Tag {
  readonly Key?: string | undefined;
  readonly Value?: string | undefined;
}

/** An element of DescribeInstances `Reservations[].Instances[]`. */
export interface Ec2Instance {
  readonly InstanceId?: string | undefined;
  readonly InstanceType?: string | undefined;
  readonly State?: { readonly Name?: string | undefined } | undefined;
  /** "windows" for Windows, absent for Linux/UNIX. */
  readonly Platform?: string | undefined;
  /** e.g. "Linux/UNIX", "Red Hat Enterprise Linux", "Windows". */
  readonly PlatformDetails?: string | undefined;
  readonly Architecture?: string | undefined;
  readonly LaunchTime?: ApiTime | undefined;
  readonly VpcId?: string | undefined;
  readonly SubnetId?: string | undefined;
  readonly Tags?: readonly Ec2Tag[] | undefined;
  readonly IamInstanceProfile?: { readonly Arn?: string | undefined } | undefined;
  readonly MetadataOptions?: { readonly HttpEndpoint?: string | undefined; readonly State?: string | undefined } | undefined;
  readonly CpuOptions?: { readonly CoreCount?: number | undefined; readonly ThreadsPerCore?: number | undefined } | undefined;
}

/** An element of DescribeInstances `Reservations[]`. */
export interface Ec2Reservation {
  readonly OwnerId?: string | undefined;
  readonly Instances?: readonly Ec2Instance[] | undefined;
}

/** An element of SSM DescribeInstanceInformation `InstanceInformationList[]`. */
export interface SsmInstanceInformation {
  readonly InstanceId?: string | undefined;
  /** Online | ConnectionLost | Inactive */
  readonly PingStatus?: string | undefined;
  readonly LastPingDateTime?: ApiTime | undefined;
  readonly AgentVersion?: string | undefined;
  /** Linux | Windows | MacOS */
  readonly PlatformType?: string | undefined;
  readonly PlatformName?: string | undefined;
  readonly PlatformVersion?: string | undefined;
  readonly ResourceType?: string | undefined;
}

/** An element of SSM DescribeInstanceAssociationsStatus `InstanceAssociationStatusInfos[]`. */
export interface SsmAssociationStatus {
  readonly AssociationId?: string | undefined;
  /** The document name (or ARN for a shared document). */
  readonly Name?: string | undefined;
  readonly AssociationName?: string | undefined;
  readonly InstanceId?: string | undefined;
  readonly ExecutionDate?: ApiTime | undefined;
  /** Pending | Success | Failed */
  readonly Status?: string | undefined;
  readonly DetailedStatus?: string | undefined;
  readonly ExecutionSummary?: string | undefined;
  readonly ErrorCode?: string | undefined;
}

/** An element of DescribeVpcEndpoints `VpcEndpoints[]`. */
export interface VpcEndpointInfo {
  readonly VpcEndpointId?: string | undefined;
  readonly VpcEndpointType?: string | undefined;
  readonly VpcId?: string | undefined;
  readonly ServiceName?: string | undefined;
  /** PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected | Failed | Expired (lower case on the wire) */
  readonly State?: string | undefined;
  readonly PrivateDnsEnabled?: boolean | undefined;
}

/** DescribeVpcAttribute for enableDnsSupport and enableDnsHostnames, merged (one attribute per call). */
export interface VpcDnsAttributes {
  readonly EnableDnsSupport?: { readonly Value?: boolean | undefined } | undefined;
  readonly EnableDnsHostnames?: { readonly Value?: boolean | undefined } | undefined;
}

/** Everything the scheduled evaluation learned about one instance. */
export interface InstanceFacts {
  /** Reservation OwnerId. */
  readonly accountId: string;
  readonly region: string;
  readonly instance: Ec2Instance;
  /** The SSM record; undefined when SSM does not list the instance (not managed). */
  readonly ssm?: SsmInstanceInformation | undefined;
  /** The instance's association statuses; undefined when they were not looked up this run. */
  readonly associations?: readonly SsmAssociationStatus[] | undefined;
  /** The EventBridge endpoints of the instance's VPC; undefined when not checked. */
  readonly vpcEndpoints?: readonly VpcEndpointInfo[] | undefined;
  /** The VPC's DNS attributes; undefined when not looked up. */
  readonly vpcDns?: VpcDnsAttributes | undefined;
}

/** vCPUs of an instance from its CPU options (cores × threads per core). */
export function vcpusOf(instance: Ec2Instance): number | undefined {
  const cores = instance.CpuOptions?.CoreCount;
  if (cores === undefined) return undefined;
  return cores * (instance.CpuOptions?.ThreadsPerCore ?? 1);
}

/** The value of a tag, or undefined. */
export function tagValue(instance: Ec2Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}
