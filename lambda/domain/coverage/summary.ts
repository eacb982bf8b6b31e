/**
 * Account-level coverage figures from the records: what the scheduled evaluation publishes as metrics
 * (covered %, healthy and unhealthy counts, instances unhealthy too long, events/s) and the monitored
 * vCPU-hours per account that cost comparisons with GuardDuty use.
 */
import type { IssueKind } from './issues';
import type { CoverageRecord } from './record';
import type { CoverageSettings } from './settings';

export interface CoverageSummary {
  /** In-scope instances, excluded ones included. */
  readonly instances: number;
  /** Instances with the exclusion tag: listed, but not counted in coveredPercent. */
  readonly excluded: number;
  readonly healthy: number;
  /** Unhealthy instances other than excluded ones. */
  readonly unhealthy: number;
  /** healthy / (instances - excluded) × 100; 100 when there is nothing to cover. */
  readonly coveredPercent: number;
  /** Unhealthy (not excluded) for longer than unhealthyAlarmMinutes. */
  readonly unhealthyOverdue: number;
  /** Unhealthy instances by main issue. */
  readonly byIssue: Readonly<Partial<Record<IssueKind, number>>>;
  /** Sum of the latest events/s of reporting agents. */
  readonly eventsPerSecond: number;
  /** vCPU-hours monitored during one schedule interval, per account (reporting agents only). */
  readonly monitoredVcpuHoursByAccount: Readonly<Record<string, number>>;
}

/** vCPUs of a record: EC2's CpuOptions first (the instance cannot lie about it), else the heartbeat's. */
export function recordVcpus(record: CoverageRecord): number {
  return record.infra?.vcpus ?? record.heartbeat?.vcpus ?? 0;
}

/**
 * vCPU-hours monitored in one interval of `intervalMinutes`, per account: vCPUs of every reporting,
 * non-excluded instance × the interval. Summed over a day's runs this is vCPU-hours per account per day.
 */
export function monitoredVcpuHours(records: readonly CoverageRecord[], intervalMinutes: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    if (!r.reporting || r.infra?.excluded) continue;
    out[r.accountId] = (out[r.accountId] ?? 0) + (recordVcpus(r) * intervalMinutes) / 60;
  }
  return out;
}

export function summarizeCoverage(records: readonly CoverageRecord[], settings: CoverageSettings, nowMs: number): CoverageSummary {
  let excluded = 0;
  let healthy = 0;
  let unhealthy = 0;
  let overdue = 0;
  let eventsPerSecond = 0;
  const byIssue: Partial<Record<IssueKind, number>> = {};
  for (const r of records) {
    if (r.reporting && r.heartbeat) eventsPerSecond += r.heartbeat.eventsPerSecond;
    if (r.infra?.excluded) {
      excluded++;
      continue;
    }
    if (r.status === 'Healthy') {
      healthy++;
      continue;
    }
    unhealthy++;
    if (r.issue) byIssue[r.issue.kind] = (byIssue[r.issue.kind] ?? 0) + 1;
    if (nowMs - Date.parse(r.statusSince) > settings.unhealthyAlarmMinutes * 60_000) overdue++;
  }
  const covered = records.length - excluded;
  return {
    instances: records.length,
    excluded,
    healthy,
    unhealthy,
    coveredPercent: covered === 0 ? 100 : Math.round((healthy / covered) * 10_000) / 100,
    unhealthyOverdue: overdue,
    byIssue,
    eventsPerSecond: Math.round(eventsPerSecond * 100) / 100,
    monitoredVcpuHoursByAccount: monitoredVcpuHours(records, settings.scheduleMinutes),
  };
}
