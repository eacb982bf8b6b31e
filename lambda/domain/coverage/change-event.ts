/**
 * The `Picket Coverage Status Changed` event on the findings bus (source `picket.coverage`): one per
 * status or main-issue change of an instance, with the previous and current status and the issue.
 */
import { ISSUE_CATALOGUE } from './issues';
import type { CoverageChange } from './record';

export const COVERAGE_SOURCE = 'picket.coverage';
export const DETAIL_TYPE_COVERAGE_CHANGED = 'Picket Coverage Status Changed';

export interface CoverageChangeDetail extends CoverageChange {
  readonly schemaVersion: '1.0';
  /** GuardDuty's name for the issue, when it has one. */
  readonly guardDutyIssue: string | null;
  /** What to do about the issue. */
  readonly remedy: string | null;
}

/** A PutEvents entry, without the bus name (the handler adds it). */
export interface CoverageEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources: string[];
  readonly Time: Date;
}

export function coverageChangeEntry(change: CoverageChange, partition: string): CoverageEventEntry {
  const info = change.issue ? ISSUE_CATALOGUE[change.issue.kind] : undefined;
  const detail: CoverageChangeDetail = {
    schemaVersion: '1.0',
    ...change,
    guardDutyIssue: info && 'guardDuty' in info ? info.guardDuty : null,
    remedy: info?.remedy ?? null,
  };
  return {
    Source: COVERAGE_SOURCE,
    DetailType: DETAIL_TYPE_COVERAGE_CHANGED,
    Detail: JSON.stringify(detail),
    Resources: [`arn:${partition}:ec2:${change.region}:${change.accountId}:instance/${change.instanceId}`],
    Time: new Date(change.changedAt),
  };
}
