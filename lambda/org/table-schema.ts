/**
 * Keys and attributes of the org tables in the security account. Shared by the CDK construct (key
 * schema), the aggregator (writes) and the CLI (`picket findings --org`, `coverage --org`, `org status`).
 *
 * Findings table: partition `accountId`, sort `findingKey` = `<region>#<finding id>`.
 * Coverage table: partition `accountId`, sort `coverageKey` = `<region>#<instance id>`.
 */
export const ORG_TABLE_KEYS = {
  findings: { partition: 'accountId', sort: 'findingKey' },
  coverage: { partition: 'accountId', sort: 'coverageKey' },
} as const;

export function findingKey(region: string, findingId: string): string {
  return `${region}#${findingId}`;
}

export function coverageKey(region: string, instanceId: string): string {
  return `${region}#${instanceId}`;
}

/** One aggregated finding (the full finding JSON is kept in `finding`). */
export interface OrgFindingItem {
  readonly accountId: string;
  readonly findingKey: string;
  readonly region: string;
  readonly id: string;
  readonly type: string;
  readonly severity: number;
  readonly title: string;
  readonly instanceId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly count: number;
  /** Archived by the member (service.archived) or by an org rule in the security account. */
  readonly archived: boolean;
  /** The org suppression rule that archived it, when one did. */
  readonly suppressedBy?: string;
  readonly receivedAt: string;
  /** The finding as JSON, when it fits (DynamoDB items are at most 400 KB). */
  readonly finding?: string;
}

/** The latest coverage status of one instance. */
export interface OrgCoverageItem {
  readonly accountId: string;
  readonly coverageKey: string;
  readonly region: string;
  readonly instanceId: string;
  readonly status: 'Healthy' | 'Unhealthy';
  readonly issue: string | null;
  readonly agentVersion: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly changedAt: string;
  readonly receivedAt: string;
}
