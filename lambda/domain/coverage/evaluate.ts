/**
 * Status of one instance: Healthy, or Unhealthy with the most important issue first. Pure: the stored
 * infrastructure assessment, the stored heartbeat state and the clock decide.
 */
import type { InfraAssessment } from './assess';
import type { HeartbeatState } from './heartbeat-state';
import { byPriority, type CoverageIssue } from './issues';
import { unsupportedKernelReason } from './platforms';
import type { CoverageSettings } from './settings';

export type CoverageStatusName = 'Healthy' | 'Unhealthy';
/** managed: installed by the Picket SSM association; manual: heartbeats without it; unknown: not yet known. */
export type InstallMode = 'managed' | 'manual' | 'unknown';

export interface CoverageStatus {
  readonly status: CoverageStatusName;
  /** The issue to fix first; absent when Healthy. */
  readonly issue?: CoverageIssue;
  /** Every issue that holds, most important first. */
  readonly issues: readonly CoverageIssue[];
  readonly installMode: InstallMode;
  /** A heartbeat arrived within the stale limit: the agent is watching (vCPUs count as monitored). */
  readonly reporting: boolean;
}

const MINUTE = 60_000;

function minutesAgo(iso: string, nowMs: number): number {
  return Math.max(0, Math.round((nowMs - Date.parse(iso)) / MINUTE));
}

function agentHealthIssues(hb: HeartbeatState, settings: CoverageSettings, nowMs: number): CoverageIssue[] {
  const issues: CoverageIssue[] = [];
  const hold = settings.lossHoldMinutes * MINUTE;
  if (hb.lastDropAt !== undefined && nowMs - Date.parse(hb.lastDropAt) <= hold) {
    issues.push({ kind: 'EVENTS_DROPPED', message: `events dropped ${minutesAgo(hb.lastDropAt, nowMs)} min ago (${hb.eventsDropped} since agent start)` });
  }
  const spoolLimit = (settings.spoolMaxBytes * settings.spoolWarnPercent) / 100;
  if (hb.spoolBytes >= spoolLimit) {
    issues.push({ kind: 'SPOOL_FILLING', message: `spool holds ${hb.spoolBytes} bytes, ${Math.round((hb.spoolBytes / settings.spoolMaxBytes) * 100)}% of ${settings.spoolMaxBytes}` });
  }
  if (hb.lastAuditLossAt !== undefined && nowMs - Date.parse(hb.lastAuditLossAt) <= hold) {
    issues.push({ kind: 'AUDIT_EVENTS_LOST', message: `kernel audit lost records ${minutesAgo(hb.lastAuditLossAt, nowMs)} min ago (lost ${hb.auditLost}, backlog ${hb.auditBacklog})` });
  }
  if (hb.memoryLimitBytes !== undefined && hb.memoryLimitBytes > 0 && hb.rssBytes >= (hb.memoryLimitBytes * settings.memoryWarnPercent) / 100) {
    issues.push({ kind: 'AGENT_MEMORY_NEAR_LIMIT', message: `agent RSS ${hb.rssBytes} bytes is ${Math.round((hb.rssBytes / hb.memoryLimitBytes) * 100)}% of its ${hb.memoryLimitBytes}-byte limit` });
  }
  return issues;
}

/** Whether the stored heartbeat is fresh at `nowMs`. */
export function isReporting(hb: HeartbeatState | undefined, settings: CoverageSettings, nowMs: number): boolean {
  return hb !== undefined && nowMs - Date.parse(hb.receivedAt) <= settings.heartbeatStaleMinutes * MINUTE;
}

/**
 * Evaluates an instance. `infra` is absent for an instance only known from its heartbeats so far (the
 * schedule has not described it yet); `heartbeat` is absent when none was ever received.
 */
export function evaluateCoverage(infra: InfraAssessment | undefined, heartbeat: HeartbeatState | undefined, settings: CoverageSettings, nowMs: number): CoverageStatus {
  const reporting = isReporting(heartbeat, settings, nowMs);
  const issues: CoverageIssue[] = [];
  if (infra?.excluded) issues.push({ kind: 'EXCLUDED_BY_TAG', message: `tag ${settings.targetTagKey}=false` });
  if (infra?.osIssue) issues.push(infra.osIssue);
  const kernelReason = unsupportedKernelReason(heartbeat?.kernel, settings.minKernel);
  if (kernelReason !== undefined) issues.push({ kind: 'UNSUPPORTED_KERNEL', message: kernelReason });

  if (reporting) {
    issues.push(...agentHealthIssues(heartbeat!, settings, nowMs));
  } else {
    const pre = infra?.preconditionIssues ?? [];
    issues.push(...pre);
    if (!pre.some((i) => i.kind === 'AGENT_NOT_INSTALLED')) {
      issues.push({
        kind: 'AGENT_NOT_REPORTING',
        message:
          heartbeat === undefined
            ? 'no heartbeat ever received'
            : `last heartbeat ${minutesAgo(heartbeat.receivedAt, nowMs)} min ago (limit ${settings.heartbeatStaleMinutes})`,
      });
    }
  }
  const sorted = byPriority(issues);
  const installMode: InstallMode = infra?.managedInstall === true ? 'managed' : heartbeat !== undefined && infra?.managedInstall === false ? 'manual' : 'unknown';
  return sorted.length === 0
    ? { status: 'Healthy', issues: [], installMode, reporting }
    : { status: 'Unhealthy', issue: sorted[0]!, issues: sorted, installMode, reporting };
}
