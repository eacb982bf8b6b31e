/**
 * What the org aggregator does with one event from the org bus: which table item to write. Pure (no
 * AWS SDK): the handler executes the plan.
 *
 * Trust: EventBridge sets the event's `account` to the account that sent it, and the org bus only
 * accepts Picket's sources from principals of the organization. A member could still put an event
 * whose detail claims another account; such events are rejected, never written under the other
 * account. Central suppression rules always apply; an account's own rules apply to its findings only.
 */
import type { CoverageChangeDetail } from '../domain/coverage/change-event';
import { DETAIL_TYPE_COVERAGE_CHANGED, COVERAGE_SOURCE } from '../domain/coverage/change-event';
import { DETAIL_TYPE_FINDING, FINDING_SOURCE, type Finding } from '../domain/findings/finding';
import type { SuppressionRuleSet } from '../domain/findings/suppression';
import { DETAIL_TYPE_PENDING_APPROVAL, DETAIL_TYPE_RESPONSE_ACTION, RESPONSE_SOURCE } from '../domain/isolation/constants';
import { coverageKey, findingKey, type OrgCoverageItem, type OrgFindingItem } from './table-schema';

/** The EventBridge envelope fields the aggregator reads. */
export interface OrgBusEvent {
  readonly id?: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly account: string;
  readonly region: string;
  readonly time?: string;
  readonly detail: unknown;
}

/** Largest finding JSON kept inline (DynamoDB's item limit is 400 KB; leave room for the attributes). */
export const MAX_INLINE_FINDING_BYTES = 350_000;

export type OrgWrite =
  | { readonly kind: 'finding'; readonly item: OrgFindingItem }
  | { readonly kind: 'coverage'; readonly item: OrgCoverageItem }
  | {
      readonly kind: 'response';
      readonly accountId: string;
      readonly findingKey: string;
      readonly response: { readonly detailType: string; readonly step?: string; readonly outcome?: unknown; readonly instanceId: string; readonly at: string; readonly mode?: string };
    }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'ignored'; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function planWrite(event: OrgBusEvent, suppression: SuppressionRuleSet, receivedAt: string): OrgWrite {
  if (!/^\d{12}$/.test(event.account ?? '')) return { kind: 'rejected', reason: 'event without a sending account' };
  if (!isObject(event.detail)) return { kind: 'rejected', reason: 'detail is not an object' };
  const detail = event.detail;
  const claimed = str(detail, 'accountId');
  if (claimed !== undefined && claimed !== event.account) return { kind: 'rejected', reason: `detail claims account ${claimed} but the event came from ${event.account}` };
  const key = `${event.source}|${event['detail-type']}`;
  switch (key) {
    case `${FINDING_SOURCE}|${DETAIL_TYPE_FINDING}`:
      return planFinding(event, detail as unknown as Finding, suppression, receivedAt);
    case `${COVERAGE_SOURCE}|${DETAIL_TYPE_COVERAGE_CHANGED}`:
      return planCoverage(event, detail as unknown as CoverageChangeDetail, receivedAt);
    case `${RESPONSE_SOURCE}|${DETAIL_TYPE_RESPONSE_ACTION}`:
    case `${RESPONSE_SOURCE}|${DETAIL_TYPE_PENDING_APPROVAL}`:
      return planResponse(event, detail, receivedAt);
    default:
      return { kind: 'ignored', reason: `not an org event: ${key}` };
  }
}

function planFinding(event: OrgBusEvent, finding: Finding, suppression: SuppressionRuleSet, receivedAt: string): OrgWrite {
  const instanceId = finding.resource?.instanceDetails?.instanceId;
  if (typeof finding.id !== 'string' || typeof finding.type !== 'string' || typeof finding.severity !== 'number' || typeof instanceId !== 'string') {
    return { kind: 'rejected', reason: 'finding without id, type, severity or instance' };
  }
  const region = typeof finding.region === 'string' ? finding.region : event.region;
  // Suppression decides by the finding's accountId: pin it to the sender so account rules stay the sender's own.
  const pinned: Finding = { ...finding, accountId: event.account };
  const rule = suppression.match(pinned);
  const json = JSON.stringify(pinned);
  return {
    kind: 'finding',
    item: {
      accountId: event.account,
      findingKey: findingKey(region, finding.id),
      region,
      id: finding.id,
      type: finding.type,
      severity: finding.severity,
      title: String(finding.title ?? ''),
      instanceId,
      createdAt: String(finding.createdAt ?? receivedAt),
      updatedAt: String(finding.updatedAt ?? receivedAt),
      count: typeof finding.service?.count === 'number' ? finding.service.count : 1,
      archived: finding.service?.archived === true || rule !== undefined,
      ...(rule ? { suppressedBy: rule.name } : {}),
      receivedAt,
      ...(Buffer.byteLength(json) <= MAX_INLINE_FINDING_BYTES ? { finding: json } : {}),
    },
  };
}

function planCoverage(event: OrgBusEvent, change: CoverageChangeDetail, receivedAt: string): OrgWrite {
  if (typeof change.instanceId !== 'string' || (change.currentStatus !== 'Healthy' && change.currentStatus !== 'Unhealthy')) {
    return { kind: 'rejected', reason: 'coverage change without instanceId or currentStatus' };
  }
  const region = typeof change.region === 'string' ? change.region : event.region;
  return {
    kind: 'coverage',
    item: {
      accountId: event.account,
      coverageKey: coverageKey(region, change.instanceId),
      region,
      instanceId: change.instanceId,
      status: change.currentStatus,
      issue: change.issue?.kind ?? null,
      agentVersion: change.agentVersion ?? null,
      lastHeartbeatAt: change.lastHeartbeatAt ?? null,
      changedAt: typeof change.changedAt === 'string' ? change.changedAt : receivedAt,
      receivedAt,
    },
  };
}

function planResponse(event: OrgBusEvent, detail: Record<string, unknown>, receivedAt: string): OrgWrite {
  const findingId = str(detail, 'findingId');
  const instanceId = str(detail, 'instanceId');
  if (findingId === undefined || instanceId === undefined) return { kind: 'ignored', reason: 'response event without findingId (nothing to attach it to)' };
  const region = str(detail, 'region') ?? event.region;
  const step = str(detail, 'step');
  const mode = str(detail, 'mode');
  return {
    kind: 'response',
    accountId: event.account,
    findingKey: findingKey(region, findingId),
    response: {
      detailType: event['detail-type'],
      instanceId,
      at: str(detail, 'at') ?? receivedAt,
      ...(step ? { step } : {}),
      ...(detail['outcome'] !== undefined ? { outcome: detail['outcome'] } : {}),
      ...(mode ? { mode } : {}),
    },
  };
}
