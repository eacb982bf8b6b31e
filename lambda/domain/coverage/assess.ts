/**
 * The infrastructure side of coverage, from the scheduled describe calls: is the instance in scope,
 * excluded, on a supported OS, and could the agent be installed and reach EventBridge? The result is
 * stored with the instance's record, so each heartbeat can be judged against it without describe calls.
 */
import type { CoverageIssue } from './issues';
import { EXCLUSION_TAG_VALUE, type CoverageSettings } from './settings';
import { type InstanceFacts, type SsmAssociationStatus, tagValue, timeMs, vcpusOf } from './facts';
import { unsupportedOsReason } from './platforms';

export interface InfraAssessment {
  /** When the describe calls were made (ISO). */
  readonly assessedAt: string;
  readonly accountId: string;
  readonly region: string;
  readonly instanceType?: string;
  readonly vpcId?: string;
  /** From CpuOptions (EC2's word, not the instance's). */
  readonly vcpus?: number;
  /** SSM's platform name and version, or EC2's PlatformDetails. */
  readonly platform?: string;
  /** The exclusion tag is set. */
  readonly excluded: boolean;
  /** UNSUPPORTED_OS, when it holds. */
  readonly osIssue?: CoverageIssue;
  /**
   * Why an agent could not be installed or could not report, most important first. They explain a
   * silent agent; an agent that heartbeats has overcome them (e.g. a manual install without SSM).
   */
  readonly preconditionIssues: readonly CoverageIssue[];
  /** The Picket association has succeeded on the instance; undefined when associations were not looked up. */
  readonly managedInstall?: boolean;
}

/** Whether an instance is in scope: account-wide, or tagged with the target tag or the exclusion tag. */
export function inScope(facts: Pick<InstanceFacts, 'instance'>, settings: CoverageSettings): boolean {
  if (facts.instance.State?.Name !== undefined && facts.instance.State.Name !== 'running') return false;
  if (settings.accountWide) return true;
  const value = tagValue(facts.instance, settings.targetTagKey);
  return value === settings.targetTagValue || value === EXCLUSION_TAG_VALUE;
}

/** Whether an association status belongs to the Picket agent document (by name or shared-document ARN). */
export function isAgentAssociation(status: SsmAssociationStatus, documentName: string): boolean {
  const name = status.Name ?? '';
  return name === documentName || name.endsWith(`/${documentName}`);
}

function associationIssues(associations: readonly SsmAssociationStatus[], settings: CoverageSettings): { issues: CoverageIssue[]; managed: boolean } {
  const ours = associations.filter((a) => isAgentAssociation(a, settings.agentDocumentName));
  // The newest execution decides (a failed run after a success is a failure now).
  const latest = [...ours].sort((a, b) => (timeMs(b.ExecutionDate) ?? 0) - (timeMs(a.ExecutionDate) ?? 0))[0];
  const managed = ours.some((a) => a.Status === 'Success');
  if (latest === undefined) {
    return { issues: [{ kind: 'AGENT_NOT_INSTALLED', message: `no association of document ${settings.agentDocumentName} has run on the instance` }], managed };
  }
  if (latest.Status === 'Failed') {
    const reason = [latest.DetailedStatus, latest.ErrorCode, latest.ExecutionSummary].filter((p) => p !== undefined && p !== '').join(': ');
    return { issues: [{ kind: 'SSM_ASSOCIATION_FAILED', message: `association ${latest.AssociationName ?? latest.AssociationId ?? '?'} failed${reason ? ` (${reason})` : ''}` }], managed };
  }
  if (latest.Status !== 'Success') {
    return { issues: [{ kind: 'AGENT_NOT_INSTALLED', message: `association ${latest.AssociationName ?? latest.AssociationId ?? '?'} is ${latest.DetailedStatus ?? latest.Status ?? 'pending'}` }], managed };
  }
  return { issues: [], managed };
}

function vpcIssues(facts: InstanceFacts): CoverageIssue[] {
  const vpcId = facts.instance.VpcId ?? '?';
  const issues: CoverageIssue[] = [];
  if (facts.vpcEndpoints !== undefined) {
    const available = facts.vpcEndpoints.filter((e) => (e.State ?? '').toLowerCase() === 'available');
    if (available.length === 0) {
      const other = facts.vpcEndpoints.map((e) => `${e.VpcEndpointId ?? '?'} is ${e.State ?? 'in an unknown state'}`);
      issues.push({ kind: 'VPC_ENDPOINT_MISSING', message: `VPC ${vpcId} has no available events endpoint${other.length ? ` (${other.join(', ')})` : ''}` });
    } else if (!available.some((e) => e.PrivateDnsEnabled === true)) {
      issues.push({ kind: 'VPC_DNS_DISABLED', message: `the events endpoint ${available[0]!.VpcEndpointId ?? '?'} of VPC ${vpcId} has private DNS off` });
    }
  }
  const dns = facts.vpcDns;
  if (dns !== undefined) {
    const off = [dns.EnableDnsSupport?.Value === false ? 'enableDnsSupport' : '', dns.EnableDnsHostnames?.Value === false ? 'enableDnsHostnames' : ''].filter(Boolean);
    if (off.length > 0) issues.push({ kind: 'VPC_DNS_DISABLED', message: `VPC ${vpcId} has ${off.join(' and ')} off` });
  }
  return issues;
}

/** Assesses one in-scope instance from its describe facts at `nowMs`. */
export function assessInstance(facts: InstanceFacts, settings: CoverageSettings, nowMs: number, previous?: InfraAssessment): InfraAssessment {
  const { instance, ssm } = facts;
  const excluded = tagValue(instance, settings.targetTagKey) === EXCLUSION_TAG_VALUE;
  const osReason = unsupportedOsReason(instance, ssm);
  const pre: CoverageIssue[] = [];
  if (instance.MetadataOptions?.HttpEndpoint === 'disabled') {
    pre.push({ kind: 'NO_INSTANCE_IDENTITY_DOCUMENT', message: 'instance metadata (IMDS) is disabled: no identity document, no role credentials' });
  }
  if (instance.IamInstanceProfile?.Arn === undefined) {
    pre.push({ kind: 'NO_INSTANCE_PROFILE', message: 'no instance profile attached' });
  }
  let managedInstall = previous?.managedInstall;
  if (ssm === undefined) {
    const launchedMs = timeMs(instance.LaunchTime);
    const young = launchedMs !== undefined && nowMs - launchedMs < settings.ssmGraceMinutes * 60_000;
    pre.push(
      young
        ? { kind: 'SSM_WAITING', message: `launched ${Math.round((nowMs - launchedMs!) / 60_000)} min ago; SSM does not list it yet` }
        : { kind: 'SSM_NOT_MANAGED', message: 'SSM does not list the instance as managed' },
    );
  } else if (ssm.PingStatus !== 'Online') {
    const last = timeMs(ssm.LastPingDateTime);
    pre.push({ kind: 'SSM_WAITING', message: `SSM agent is ${ssm.PingStatus ?? 'not reporting'}${last === undefined ? '' : ` since ${new Date(last).toISOString()}`}` });
  } else if (facts.associations !== undefined) {
    const a = associationIssues(facts.associations, settings);
    pre.push(...a.issues);
    managedInstall = a.managed;
  }
  if (settings.requireVpcEndpoint) pre.push(...vpcIssues(facts));

  const vcpus = vcpusOf(instance);
  const platform = ssm?.PlatformName !== undefined ? `${ssm.PlatformName} ${ssm.PlatformVersion ?? ''}`.trim() : instance.PlatformDetails;
  return {
    assessedAt: new Date(nowMs).toISOString(),
    accountId: facts.accountId,
    region: facts.region,
    ...(instance.InstanceType === undefined ? {} : { instanceType: instance.InstanceType }),
    ...(instance.VpcId === undefined ? {} : { vpcId: instance.VpcId }),
    ...(vcpus === undefined ? {} : { vcpus }),
    ...(platform === undefined ? {} : { platform }),
    excluded,
    ...(osReason === undefined ? {} : { osIssue: { kind: 'UNSUPPORTED_OS', message: osReason } }),
    preconditionIssues: pre,
    ...(managedInstall === undefined ? {} : { managedInstall }),
  };
}
