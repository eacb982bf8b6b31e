/**
 * The catalogue of finding types Picket raises: GuardDuty's Runtime Monitoring names and default
 * severities (High 8, Medium 5, Low 2 — GuardDuty's documented band for each type), so suppression
 * rules, dashboards and responders written for GuardDuty keep working.
 *
 * Types GuardDuty documents as "variable" severity carry `variableSeverity: true`: their rule picks a
 * severity per finding (e.g. by tool category) and `defaultSeverity` is the fallback.
 */
import { type SeverityLabel, severityLabel } from './finding';

export type FeatureName = 'RuntimeMonitoring' | 'DnsLogs' | 'FlowLogs';
export type ResourceRole = 'TARGET' | 'ACTOR';
/** Which part of issue 4 the type belongs to (drives docs and tests, not detection). */
export type FindingGroup = 'intel-ip' | 'intel-dns' | 'behaviour' | 'network' | 'custom';

export interface FindingTypeInfo {
  readonly type: string;
  readonly defaultSeverity: number;
  readonly severityLabel: SeverityLabel;
  readonly title: string;
  /** Where GuardDuty would have seen it; the engine overrides this per event for resolver / flow-log sources. */
  readonly featureName: FeatureName;
  /** ACTOR: the instance did it (talked to a C2); TARGET: the instance is where it happened. */
  readonly resourceRole: ResourceRole;
  readonly group: FindingGroup;
  /** GuardDuty documents the severity as depending on context. */
  readonly variableSeverity?: boolean;
}

const HIGH = 8;
const MEDIUM = 5;
const LOW = 2;

type Row = readonly [type: string, severity: number, title: string, role: ResourceRole, variable?: boolean];

const INTEL_IP: readonly Row[] = [
  ['CryptoCurrency:Runtime/BitcoinTool.B', HIGH, 'A process is communicating with a cryptocurrency-related IP address', 'ACTOR'],
  ['Backdoor:Runtime/C&CActivity.B', HIGH, 'A process is communicating with a known command-and-control server', 'ACTOR'],
  ['UnauthorizedAccess:Runtime/TorRelay', HIGH, 'The instance is accepting connections as a Tor relay', 'ACTOR'],
  ['UnauthorizedAccess:Runtime/TorClient', HIGH, 'A process is connecting to a Tor guard or directory node', 'ACTOR'],
  ['Trojan:Runtime/BlackholeTraffic', MEDIUM, 'A process is communicating with a black-holed IP address', 'ACTOR'],
  ['Trojan:Runtime/DropPoint', MEDIUM, 'A process is communicating with a known malware drop point', 'ACTOR'],
];

const INTEL_DNS: readonly Row[] = [
  ['CryptoCurrency:Runtime/BitcoinTool.B!DNS', HIGH, 'A process is querying a domain associated with cryptocurrency activity', 'ACTOR'],
  ['Backdoor:Runtime/C&CActivity.B!DNS', HIGH, 'A process is querying a domain of a known command-and-control server', 'ACTOR'],
  ['Trojan:Runtime/BlackholeTraffic!DNS', MEDIUM, 'A process is querying a domain that is being redirected to a black hole', 'ACTOR'],
  ['Trojan:Runtime/DropPoint!DNS', MEDIUM, 'A process is querying a domain of a known malware drop point', 'ACTOR'],
  ['Trojan:Runtime/DGADomainRequest.C!DNS', HIGH, 'A process is querying algorithmically generated domains', 'ACTOR'],
  ['Trojan:Runtime/DriveBySourceTraffic!DNS', MEDIUM, 'A process is querying a domain known to host drive-by downloads', 'ACTOR'],
  ['Trojan:Runtime/PhishingDomainRequest!DNS', HIGH, 'A process is querying a domain involved in phishing', 'ACTOR'],
  ['Impact:Runtime/AbusedDomainRequest.Reputation', MEDIUM, 'A process is querying a low-reputation domain on a commonly abused namespace', 'ACTOR'],
  ['Impact:Runtime/BitcoinDomainRequest.Reputation', HIGH, 'A process is querying a low-reputation domain associated with cryptocurrency', 'ACTOR'],
  ['Impact:Runtime/MaliciousDomainRequest.Reputation', HIGH, 'A process is querying a low-reputation domain associated with known threats', 'ACTOR'],
  ['Impact:Runtime/SuspiciousDomainRequest.Reputation', LOW, 'A process is querying a suspicious, low-reputation domain', 'ACTOR'],
  ['UnauthorizedAccess:Runtime/MetadataDNSRebind', HIGH, 'A process resolved a domain that points to the instance metadata service', 'TARGET'],
];

const BEHAVIOUR: readonly Row[] = [
  ['Execution:Runtime/ReverseShell', HIGH, 'A process has created a reverse shell', 'TARGET'],
  ['Execution:Runtime/SuspiciousShellCreated', LOW, 'A network service or network-accessible process started an interactive shell', 'TARGET'],
  ['Execution:Runtime/NewBinaryExecuted', MEDIUM, 'A newly created or recently modified binary was executed', 'TARGET'],
  ['Execution:Runtime/NewLibraryLoaded', MEDIUM, 'A newly created or recently modified library was loaded', 'TARGET'],
  ['Execution:Runtime/SuspiciousTool', MEDIUM, 'A suspicious tool was executed', 'TARGET', true],
  ['Execution:Runtime/SuspiciousCommand', MEDIUM, 'A suspicious command was executed', 'TARGET', true],
  ['Execution:Runtime/MaliciousFileExecuted', HIGH, 'A known malicious executable file was executed', 'TARGET'],
  ['Execution:Runtime/MaliciousFileExecuted.Custom', HIGH, 'An executable on a custom malicious-hash list was executed', 'TARGET'],
  ['DefenseEvasion:Runtime/FilelessExecution', HIGH, 'A process is executing code from memory', 'TARGET'],
  ['DefenseEvasion:Runtime/ProcessInjection.Proc', HIGH, 'Process injection via the proc filesystem was detected', 'TARGET'],
  ['DefenseEvasion:Runtime/ProcessInjection.Ptrace', HIGH, 'Process injection via ptrace was detected', 'TARGET'],
  ['DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite', HIGH, 'Process injection via a virtual-memory write was detected', 'TARGET'],
  ['DefenseEvasion:Runtime/PtraceAntiDebugging', LOW, 'A process used ptrace to prevent debugging', 'TARGET'],
  ['DefenseEvasion:Runtime/KernelModuleLoaded', MEDIUM, 'A kernel module was loaded', 'TARGET'],
  ['DefenseEvasion:Runtime/SuspiciousCommand', HIGH, 'A command that evades defences was executed', 'TARGET'],
  ['DefenseEvasion:Runtime/SensitiveFileModified', MEDIUM, 'A file used by security defences was modified', 'TARGET'],
  ['Impact:Runtime/CryptoMinerExecuted', HIGH, 'A cryptocurrency miner was executed', 'TARGET'],
  ['PrivilegeEscalation:Runtime/ElevationToRoot', HIGH, 'A process elevated its privileges to root', 'TARGET'],
  ['PrivilegeEscalation:Runtime/UserfaultfdUsage', MEDIUM, 'A process used userfaultfd', 'TARGET'],
  ['PrivilegeEscalation:Runtime/SuspiciousCommand', MEDIUM, 'A command used for privilege escalation was executed', 'TARGET'],
  ['PrivilegeEscalation:Runtime/SensitiveFileModified', MEDIUM, 'A file that controls privileges was modified', 'TARGET'],
  ['PrivilegeEscalation:Runtime/DockerSocketAccessed', MEDIUM, 'A process inside a container is communicating with the Docker socket', 'TARGET'],
  ['PrivilegeEscalation:Runtime/RuncContainerEscape', HIGH, 'An attempt to escape a container by modifying runc was detected', 'TARGET'],
  ['PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified', HIGH, 'A cgroup release agent was modified', 'TARGET'],
  ['PrivilegeEscalation:Runtime/ContainerMountsHostDirectory', HIGH, 'A container mounted a host directory', 'TARGET'],
  ['Persistence:Runtime/SuspiciousCommand', MEDIUM, 'A command used for persistence was executed', 'TARGET'],
  ['Persistence:Runtime/SensitiveFileModified', MEDIUM, 'A file used for persistence was modified', 'TARGET'],
  ['Discovery:Runtime/SuspiciousCommand', LOW, 'A command used for discovery was executed', 'TARGET'],
];

/**
 * Network behaviour seen in VPC Flow Logs (issue 8), beyond threat intel. GuardDuty raises the EC2
 * equivalents (`Recon:EC2/Portscan`, `Behavior:EC2/NetworkPortUnusual`, both Medium) from flow logs;
 * Picket keeps their names under `Runtime/` so filters written for either read naturally.
 */
const NETWORK: readonly Row[] = [
  ['Recon:Runtime/Portscan', MEDIUM, 'The instance is probing many ports or hosts (outbound port scan)', 'ACTOR'],
  ['Behavior:Runtime/NetworkPortUnusual', MEDIUM, 'The instance is talking to a remote port used by miners and command-and-control tools', 'ACTOR'],
];

function toInfo(group: FindingGroup) {
  return ([type, severity, title, role, variable]: Row): FindingTypeInfo => ({
    type,
    defaultSeverity: severity,
    severityLabel: severityLabel(severity),
    title,
    featureName: 'RuntimeMonitoring',
    resourceRole: role,
    group,
    ...(variable ? { variableSeverity: true } : {}),
  });
}

/** Every built-in finding type, in docs order. */
export const FINDING_CATALOGUE: readonly FindingTypeInfo[] = Object.freeze([
  ...INTEL_IP.map(toInfo('intel-ip')),
  ...INTEL_DNS.map(toInfo('intel-dns')),
  ...BEHAVIOUR.map(toInfo('behaviour')),
  ...NETWORK.map(toInfo('network')),
]);

const BY_TYPE: ReadonlyMap<string, FindingTypeInfo> = new Map(FINDING_CATALOGUE.map((info) => [info.type, info]));

export const CUSTOM_TYPE_PREFIX = 'Custom:Runtime/';
/** Rule names allowed after `Custom:Runtime/` (GuardDuty type names are ASCII without spaces). */
const CUSTOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.!-]{0,127}$/;

/** `Custom:Runtime/<name>` for a custom (Sigma) rule name, or an error naming what is wrong. */
export function customFindingType(ruleName: string): string {
  if (!CUSTOM_NAME.test(ruleName)) {
    throw new RangeError(
      `custom rule name ${JSON.stringify(ruleName)} is not a valid finding type suffix: use 1-128 of A-Z a-z 0-9 _ . ! - starting with a letter or digit`,
    );
  }
  return CUSTOM_TYPE_PREFIX + ruleName;
}

/** Default severity of custom rules when the rule does not say (Sigma levels map in ../detection/sigma). */
export const CUSTOM_DEFAULT_SEVERITY = MEDIUM;

/**
 * Catalogue entry for a finding type; `Custom:Runtime/<Name>` types get a synthesised entry
 * (Medium, TARGET). Undefined for anything else, so callers can reject unknown types.
 */
export function findingTypeInfo(type: string): FindingTypeInfo | undefined {
  const known = BY_TYPE.get(type);
  if (known) return known;
  if (type.startsWith(CUSTOM_TYPE_PREFIX) && CUSTOM_NAME.test(type.slice(CUSTOM_TYPE_PREFIX.length))) {
    return {
      type,
      defaultSeverity: CUSTOM_DEFAULT_SEVERITY,
      severityLabel: severityLabel(CUSTOM_DEFAULT_SEVERITY),
      title: `Custom rule ${type.slice(CUSTOM_TYPE_PREFIX.length)} matched`,
      featureName: 'RuntimeMonitoring',
      resourceRole: 'TARGET',
      group: 'custom',
      variableSeverity: true,
    };
  }
  return undefined;
}

export function isKnownFindingType(type: string): boolean {
  return findingTypeInfo(type) !== undefined;
}
