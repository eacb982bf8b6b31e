/**
 * The finding contract: GuardDuty's finding shape (camelCase, as GuardDuty findings appear in the
 * `detail` of their EventBridge events), so automation written for GuardDuty works on Picket findings.
 * Everything that came from the host (paths, command lines, domains) is attacker-controlled: escape
 * it wherever it is rendered.
 */

export const FINDING_SOURCE = 'picket.detector';
export const DETAIL_TYPE_FINDING = 'Picket Runtime Finding';
export const FINDING_SCHEMA_VERSION = '2.0';

export type SeverityLabel = 'Low' | 'Medium' | 'High' | 'Critical';

/** GuardDuty's bands: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. */
export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}

export interface FindingProcess {
  readonly name: string;
  readonly executablePath: string;
  readonly executableSha256?: string;
  readonly namespacePid?: number;
  readonly pwd: string;
  readonly pid: number;
  readonly startTime?: string;
  readonly uuid: string;
  readonly parentUuid?: string;
  readonly user?: string;
  readonly userId: number;
  readonly euid: number;
  readonly commandLine?: string;
  readonly lineage: readonly {
    readonly startTime?: string;
    readonly namespacePid?: number;
    readonly userId?: number;
    readonly name: string;
    readonly pid: number;
    readonly uuid?: string;
    readonly executablePath: string;
    readonly euid?: number;
    readonly parentUuid?: string;
  }[];
}

export interface NetworkInterfaceDetails {
  readonly networkInterfaceId: string;
  readonly privateIpAddress?: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  readonly securityGroups?: readonly { readonly groupId: string; readonly groupName?: string }[];
}

export interface InstanceDetails {
  readonly instanceId: string;
  readonly instanceType?: string;
  readonly availabilityZone?: string;
  readonly imageId?: string;
  readonly platform?: string;
  readonly instanceState?: string;
  readonly launchTime?: string;
  readonly iamInstanceProfile?: { readonly arn: string; readonly id?: string };
  readonly networkInterfaces?: readonly NetworkInterfaceDetails[];
  readonly tags?: readonly { readonly key: string; readonly value: string }[];
}

export interface Finding {
  readonly schemaVersion: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Deterministic per (account, instance, type, aggregation key). */
  readonly id: string;
  readonly arn: string;
  /** GuardDuty type name, e.g. `Execution:Runtime/ReverseShell`, or `Custom:Runtime/<RuleName>`. */
  readonly type: string;
  readonly severity: number;
  readonly title: string;
  readonly description: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly resource: {
    readonly resourceType: 'Instance';
    readonly instanceDetails: InstanceDetails;
  };
  readonly service: {
    readonly serviceName: 'picket';
    readonly detectorId: string;
    readonly archived: boolean;
    readonly count: number;
    readonly eventFirstSeen: string;
    readonly eventLastSeen: string;
    readonly resourceRole: 'TARGET' | 'ACTOR';
    readonly featureName: 'RuntimeMonitoring' | 'DnsLogs' | 'FlowLogs';
    readonly runtimeDetails?: {
      readonly process?: FindingProcess;
      /** Type-specific context (GuardDuty's runtimeDetails.context fields, e.g. modulePath, targetProcess, addressFamily). */
      readonly context?: Readonly<Record<string, unknown>>;
    };
    /** Network or DNS action for intel findings (GuardDuty's service.action shape). */
    readonly action?: Readonly<Record<string, unknown>>;
    /** Picket's extras: which sensors saw it, rule id, aggregation key, evidence. */
    readonly additionalInfo?: Readonly<Record<string, unknown>>;
  };
}
