/**
 * Picket finding → AWS Security Finding Format (ASFF 2018-10-08), for BatchImportFindings into the
 * account's default product ("import your own findings"). Mirrors how GuardDuty maps its runtime
 * findings: Types `<namespace>/<category>/<GuardDuty type with "/" as "-">`, the EC2 instance as the
 * resource with tags and ENIs, the process as `Process`, the count and ids in ProductFields.
 * Host text is truncated to ASFF's field limits (Title 256, Description 1024, ProductFields 2048).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { type Finding, severityLabel } from '../domain/findings/finding';

export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** ASFF Types namespace/category by the threat purpose (the part before ":"). */
const CATEGORY_BY_PURPOSE: Readonly<Record<string, string>> = {
  Backdoor: 'TTPs/Command and Control',
  CryptoCurrency: 'Effects/Resource Consumption',
  Impact: 'Effects/Resource Consumption',
  Trojan: 'TTPs/Command and Control',
  UnauthorizedAccess: 'TTPs/Initial Access',
  Execution: 'TTPs/Execution',
  DefenseEvasion: 'TTPs/Defense Evasion',
  PrivilegeEscalation: 'TTPs/Privilege Escalation',
  Persistence: 'TTPs/Persistence',
  Discovery: 'TTPs/Discovery',
  Custom: 'Unusual Behaviors/Process',
};

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The product ARN of an account's own findings (BatchImportFindings needs this exact form). */
export function defaultProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

export function asffTypes(type: string): string[] {
  const purpose = type.split(':')[0] ?? '';
  const category = CATEGORY_BY_PURPOSE[purpose] ?? 'Unusual Behaviors/Process';
  return [`${category}/${type.replace(/\//g, '-')}`];
}

export function toAsff(finding: Finding): AwsSecurityFinding {
  const details = finding.resource.instanceDetails;
  const instanceArn = `arn:${finding.partition}:ec2:${finding.region}:${finding.accountId}:instance/${details.instanceId}`;
  const proc = finding.service.runtimeDetails?.process;
  const label = severityLabel(finding.severity);
  const productFields: Record<string, string> = {
    'picket/Type': finding.type,
    'picket/Count': String(finding.service.count),
    'picket/DetectorId': finding.service.detectorId,
    'picket/FindingArn': finding.arn,
    'picket/FeatureName': finding.service.featureName,
    'aws/securityhub/ProductName': 'Picket',
    'aws/securityhub/CompanyName': 'Picket',
  };
  const ruleId = finding.service.additionalInfo?.['ruleId'];
  if (typeof ruleId === 'string') productFields['picket/RuleId'] = cut(ruleId, 2048);
  if (proc?.commandLine) productFields['picket/CommandLine'] = cut(proc.commandLine, 2048);
  const tags = Object.fromEntries((details.tags ?? []).slice(0, 50).map((t) => [cut(t.key, 128), cut(t.value, 256)]));
  const eni = details.networkInterfaces?.[0];
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: finding.id,
    ProductArn: defaultProductArn(finding.partition, finding.region, finding.accountId),
    ProductName: 'Picket',
    CompanyName: 'Picket',
    Region: finding.region,
    GeneratorId: `picket/${finding.type}`,
    AwsAccountId: finding.accountId,
    Types: asffTypes(finding.type),
    FirstObservedAt: finding.service.eventFirstSeen,
    LastObservedAt: finding.service.eventLastSeen,
    CreatedAt: finding.createdAt,
    UpdatedAt: finding.updatedAt,
    Severity: { Label: label.toUpperCase() as 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL', Original: finding.severity.toFixed(1) },
    Title: cut(finding.title, 256),
    Description: cut(finding.description, 1024),
    ProductFields: productFields,
    ...(proc
      ? {
          Process: {
            Name: cut(proc.name, 128),
            Path: cut(proc.executablePath, 512),
            Pid: proc.pid,
            ...(proc.lineage[0] ? { ParentPid: proc.lineage[0].pid } : {}),
            ...(proc.startTime ? { LaunchedAt: proc.startTime } : {}),
          },
        }
      : {}),
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: instanceArn,
        Partition: finding.partition as 'aws',
        Region: finding.region,
        ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}),
        Details: {
          AwsEc2Instance: {
            ...(details.instanceType ? { Type: details.instanceType } : {}),
            ...(details.imageId ? { ImageId: details.imageId } : {}),
            ...(details.iamInstanceProfile ? { IamInstanceProfileArn: details.iamInstanceProfile.arn } : {}),
            ...(details.launchTime ? { LaunchedAt: details.launchTime } : {}),
            ...(eni?.vpcId ? { VpcId: eni.vpcId } : {}),
            ...(eni?.subnetId ? { SubnetId: eni.subnetId } : {}),
            ...(details.networkInterfaces?.length ? { NetworkInterfaces: details.networkInterfaces.map((n) => ({ NetworkInterfaceId: n.networkInterfaceId })) } : {}),
            ...(details.networkInterfaces?.some((n) => n.privateIpAddress) ? { IpV4Addresses: details.networkInterfaces.flatMap((n) => (n.privateIpAddress ? [n.privateIpAddress] : [])) } : {}),
          },
        },
      },
    ],
    RecordState: finding.service.archived ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: 'NEW' },
    FindingProviderFields: { Severity: { Label: label.toUpperCase() as 'LOW', Original: finding.severity.toFixed(1) }, Types: asffTypes(finding.type) },
  };
}
