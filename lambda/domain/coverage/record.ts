/**
 * The coverage table item (one per instance, key `instanceId`) and the one place that decides whether a
 * new evaluation is a status change. Writers use `version` for optimistic locking: only the writer whose
 * conditional write succeeds publishes the change, so a transition yields exactly one event even when the
 * schedule and a heartbeat evaluate the same instance at once.
 */
import type { InfraAssessment } from './assess';
import type { CoverageStatus, CoverageStatusName, InstallMode } from './evaluate';
import type { HeartbeatState } from './heartbeat-state';
import type { CoverageIssue } from './issues';

export interface CoverageRecord {
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  /** Incremented by every write; the condition of the next one. */
  readonly version: number;
  readonly status: CoverageStatusName;
  readonly issue?: CoverageIssue;
  readonly issues: readonly CoverageIssue[];
  readonly installMode: InstallMode;
  readonly reporting: boolean;
  /** When the current status began (ISO). */
  readonly statusSince: string;
  readonly infra?: InfraAssessment;
  readonly heartbeat?: HeartbeatState;
  readonly updatedAt: string;
  /**
   * The last change, until its event is on the bus. Written with the transition (same conditional write)
   * and removed once published, so an event lost to a failed PutEvents or a crash is sent again by the
   * next scheduled run: exactly one event normally, at least one when publishing fails.
   */
  readonly pendingChange?: CoverageChange;
}

/** A status change: what the `Picket Coverage Status Changed` event reports. */
export interface CoverageChange {
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
  /** null for an instance seen for the first time. */
  readonly previousStatus: CoverageStatusName | null;
  readonly currentStatus: CoverageStatusName;
  readonly previousIssue: CoverageIssue | null;
  readonly issue: CoverageIssue | null;
  readonly issues: readonly CoverageIssue[];
  readonly installMode: InstallMode;
  readonly agentVersion: string | null;
  readonly lastHeartbeatAt: string | null;
  readonly changedAt: string;
}

export interface RecordUpdate {
  /** The record to write (version = previous + 1). */
  readonly record: CoverageRecord;
  /** Set when status or primary issue kind changed (or the instance is new). */
  readonly change?: CoverageChange;
  /** Whether anything worth a write differs from `previous` (status, issues, inputs). */
  readonly changed: boolean;
}

function sameIssue(a: CoverageIssue | undefined, b: CoverageIssue | undefined): boolean {
  return a?.kind === b?.kind;
}

/** The next record of an instance and, when its status or main issue kind changed, the change. */
export function nextRecord(
  previous: CoverageRecord | undefined,
  inputs: { readonly instanceId: string; readonly accountId: string; readonly region: string; readonly infra?: InfraAssessment; readonly heartbeat?: HeartbeatState },
  status: CoverageStatus,
  nowMs: number,
): RecordUpdate {
  const now = new Date(nowMs).toISOString();
  const transition = previous === undefined || previous.status !== status.status || !sameIssue(previous.issue, status.issue);
  const record: CoverageRecord = {
    instanceId: inputs.instanceId,
    accountId: inputs.accountId,
    region: inputs.region,
    version: (previous?.version ?? 0) + 1,
    status: status.status,
    ...(status.issue === undefined ? {} : { issue: status.issue }),
    issues: status.issues,
    installMode: status.installMode,
    reporting: status.reporting,
    statusSince: previous === undefined || previous.status !== status.status ? now : previous.statusSince,
    ...(inputs.infra === undefined ? {} : { infra: inputs.infra }),
    ...(inputs.heartbeat === undefined ? {} : { heartbeat: inputs.heartbeat }),
    updatedAt: now,
    ...(!transition && previous?.pendingChange ? { pendingChange: previous.pendingChange } : {}),
  };
  const changed =
    transition ||
    JSON.stringify(previous.issues) !== JSON.stringify(record.issues) ||
    previous.installMode !== record.installMode ||
    previous.reporting !== record.reporting ||
    previous.heartbeat?.seq !== record.heartbeat?.seq ||
    JSON.stringify(withoutTime(previous.infra)) !== JSON.stringify(withoutTime(record.infra));
  if (!transition) return { record, changed };
  const change: CoverageChange = {
    instanceId: record.instanceId,
    accountId: record.accountId,
    region: record.region,
    previousStatus: previous?.status ?? null,
    currentStatus: record.status,
    previousIssue: previous?.issue ?? null,
    issue: record.issue ?? null,
    issues: record.issues,
    installMode: record.installMode,
    agentVersion: record.heartbeat?.agentVersion ?? null,
    lastHeartbeatAt: record.heartbeat?.receivedAt ?? null,
    changedAt: now,
  };
  return { record: { ...record, pendingChange: change }, change, changed: true };
}

/** The assessment without its timestamp: a re-assessment that found the same is no reason to write. */
function withoutTime(infra: InfraAssessment | undefined): Omit<InfraAssessment, 'assessedAt'> | undefined {
  if (infra === undefined) return undefined;
  const { assessedAt: _assessedAt, ...rest } = infra;
  return rest;
}
