/**
 * Every reason the responder declines to act, checked before any mutation. Each refusal carries a
 * machine-readable code and a sentence for humans; both go into the `Picket Response Action` event.
 */
import { EXEMPT_TAG_VALUE, GUARDDUTY_DETAIL_TYPE, GUARDDUTY_SOURCE, ISOLATED_TAG_VALUE, ISOLATION_TAG_KEY, PICKET_FINDING_DETAIL_TYPE, PICKET_FINDING_SOURCE } from './constants';
import type { IncomingFinding } from './finding-event';
import type { PreState } from './pre-state';
import { type ResponseConfig, typeSelected } from './response-config';

export type RefusalCode =
  | 'mode-off'
  | 'forged-source'
  | 'below-severity'
  | 'type-not-selected'
  | 'stale-finding'
  | 'other-account'
  | 'other-region'
  | 'exempt-list'
  | 'exempt-tag'
  | 'instance-not-found'
  | 'terminated-instance'
  | 'unsupported-vpc'
  | 'already-isolated'
  | 'in-progress'
  | 'malformed-finding'
  | 'approval-rejected';

export interface Refusal {
  readonly code: RefusalCode;
  readonly reason: string;
}

/** Where the responder runs: findings about anything else are refused. */
export interface ResponderIdentity {
  readonly accountId: string;
  readonly region: string;
}

export interface FindingChecks {
  readonly incoming: IncomingFinding;
  readonly config: ResponseConfig;
  readonly identity: ResponderIdentity;
  readonly now: Date;
  /** A bare finding read from a local file (CLI) has no envelope to verify. */
  readonly trustBareFinding?: boolean;
}

/** Checks that need nothing but the finding: run first, before any AWS call. */
export function refuseFinding(checks: FindingChecks): Refusal | undefined {
  const { incoming, config, identity, now } = checks;
  const { finding } = incoming;
  if (config.mode === 'off') return { code: 'mode-off', reason: 'response mode is off' };
  const forged = verifySource(incoming, config, checks.trustBareFinding ?? false);
  if (forged) return { code: 'forged-source', reason: forged };
  if (finding.severity < config.minSeverity) {
    return { code: 'below-severity', reason: `severity ${finding.severity} is below the minimum ${config.minSeverity}` };
  }
  if (!typeSelected(finding.type, config)) return { code: 'type-not-selected', reason: `finding type ${finding.type} is excluded or not included` };
  const updated = Date.parse(finding.updatedAt);
  const ageMinutes = (now.getTime() - updated) / 60000;
  if (!Number.isFinite(updated) || ageMinutes > config.maxFindingAgeMinutes) {
    return {
      code: 'stale-finding',
      reason: Number.isFinite(updated)
        ? `finding was last updated ${Math.floor(ageMinutes)} minutes ago, more than the ${config.maxFindingAgeMinutes} minutes allowed`
        : `finding updatedAt "${finding.updatedAt}" is not a date`,
    };
  }
  if (finding.accountId !== identity.accountId) {
    return { code: 'other-account', reason: `instance is in account ${finding.accountId}, the responder runs in ${identity.accountId}` };
  }
  if (finding.region !== identity.region) {
    return { code: 'other-region', reason: `instance is in region ${finding.region}, the responder runs in ${identity.region}` };
  }
  const instanceId = finding.instanceDetails.instanceId;
  if (config.exemptInstanceIds.includes(instanceId)) return { code: 'exempt-list', reason: `${instanceId} is in the exempt instance list` };
  const tags = Object.fromEntries((finding.instanceDetails.tags ?? []).map((t) => [t.key, t.value]));
  return exemptByTag(instanceId, tags, config);
}

function exemptByTag(instanceId: string, tags: Readonly<Record<string, string>>, config: ResponseConfig): Refusal | undefined {
  if (tags[ISOLATION_TAG_KEY] === EXEMPT_TAG_VALUE) return { code: 'exempt-tag', reason: `${instanceId} is tagged ${ISOLATION_TAG_KEY}=${EXEMPT_TAG_VALUE}` };
  if (config.exemptTagKey && Object.hasOwn(tags, config.exemptTagKey)) return { code: 'exempt-tag', reason: `${instanceId} carries the exemption tag key ${config.exemptTagKey}` };
  return undefined;
}

/**
 * Only Picket's detector (or GuardDuty, when enabled) may trigger isolation. EventBridge sets
 * `account` itself, so an event from another account cannot pass as ours; within the account the
 * `events:source` IAM condition and the bus policy keep others from putting `picket.detector`.
 */
function verifySource(incoming: IncomingFinding, config: ResponseConfig, trustBare: boolean): string | undefined {
  const { source, detailType, eventAccount, finding } = incoming;
  if (source === undefined) return trustBare ? undefined : 'the finding arrived without an EventBridge envelope';
  const picket = source === PICKET_FINDING_SOURCE && detailType === PICKET_FINDING_DETAIL_TYPE;
  const guardDuty = source === GUARDDUTY_SOURCE && detailType === GUARDDUTY_DETAIL_TYPE;
  if (guardDuty && !config.actOnGuardDutyFindings) return 'GuardDuty findings are not enabled (actOnGuardDutyFindings is false)';
  if (!picket && !guardDuty) {
    return `event source "${source}" with detail-type "${detailType}" is not Picket's detector${config.actOnGuardDutyFindings ? ' or GuardDuty' : ''}`;
  }
  if (eventAccount !== undefined && eventAccount !== finding.accountId) {
    return `event was put by account ${eventAccount} but names account ${finding.accountId}`;
  }
  return undefined;
}

export interface InstanceChecks {
  readonly preState: PreState | undefined;
  readonly config: ResponseConfig;
  /** VPCs with isolation groups; an ENI elsewhere cannot be isolated, so nothing is touched. */
  readonly isolationVpcIds?: readonly string[];
  /** Status of an earlier response to this instance, if any. */
  readonly existingStatus?: string;
}

/** Checks on the live instance, after the read-only lookups and before the first mutation. */
export function refuseInstance(checks: InstanceChecks): Refusal | undefined {
  const { preState } = checks;
  if (!preState) return { code: 'instance-not-found', reason: 'the instance does not exist (or is not visible to the responder)' };
  const id = preState.instanceId;
  if (checks.config.exemptInstanceIds.includes(id)) return { code: 'exempt-list', reason: `${id} is in the exempt instance list` };
  const exempt = exemptByTag(id, preState.tags, checks.config);
  if (exempt) return exempt;
  if (preState.state === 'terminated' || preState.state === 'shutting-down') {
    return { code: 'terminated-instance', reason: `${id} is ${preState.state}` };
  }
  if (checks.existingStatus === 'isolated' || (checks.existingStatus === undefined && preState.tags[ISOLATION_TAG_KEY] === ISOLATED_TAG_VALUE)) {
    return { code: 'already-isolated', reason: `${id} is already isolated; release it first to isolate it again` };
  }
  if (checks.isolationVpcIds) {
    const missing = preState.networkInterfaces.filter((e) => !e.vpcId || !checks.isolationVpcIds!.includes(e.vpcId));
    if (missing.length > 0) {
      return {
        code: 'unsupported-vpc',
        reason: `no isolation security groups for ${missing.map((e) => `${e.networkInterfaceId} (${e.vpcId ?? 'vpc unknown'})`).join(', ')}; add the VPC to the responder's vpcs prop`,
      };
    }
  }
  return undefined;
}
