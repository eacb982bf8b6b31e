/**
 * The response state kept per instance (DynamoDB item `instance#<id>`): where the workflow is, what
 * each step has done, and the recorded pre-state. Re-runs read it to skip finished calls.
 */
import type { PreState } from './pre-state';

export type ResponseStatus = 'pending-approval' | 'rejected' | 'queued' | 'in-progress' | 'isolated' | 'failed' | 'releasing' | 'released' | 'release-failed';

export type StepStatus = 'in-progress' | 'succeeded' | 'failed' | 'skipped';

export interface StepProgress {
  readonly status: StepStatus;
  /** Calls 0..completedCalls-1 of the step are done; a re-run starts at this index. */
  readonly completedCalls: number;
  /** Useful outputs per call index (snapshot ids, command id, new association id). */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly at: string;
  readonly error?: { readonly name: string; readonly message: string };
}

export interface ResponseRecord {
  readonly pk: string;
  readonly instanceId: string;
  readonly findingId: string;
  readonly status: ResponseStatus;
  /** Optimistic-lock counter: every write requires the version it read. */
  readonly version: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly preState?: PreState;
  readonly preStateKey?: string;
  readonly preStateVersionId?: string;
  readonly steps: Readonly<Record<string, StepProgress>>;
  readonly approvalToken?: string;
  readonly executionArn?: string;
  readonly networkCutAt?: string;
  readonly isolatedAt?: string;
  readonly releasedAt?: string;
  readonly error?: { readonly step: string; readonly name: string; readonly message: string };
}

export function recordKey(instanceId: string): string {
  return `instance#${instanceId}`;
}

export function rateKey(accountId: string): string {
  return `rate#${accountId}`;
}

export function newRecord(instanceId: string, findingId: string, status: ResponseStatus, now: Date): ResponseRecord {
  return { pk: recordKey(instanceId), instanceId, findingId, status, version: 0, startedAt: now.toISOString(), updatedAt: now.toISOString(), steps: {} };
}

/** Whether a record still describes an isolation in progress or done (so its pre-state must be reused). */
export function holdsIsolation(record: ResponseRecord | undefined): record is ResponseRecord & { preState: PreState } {
  return !!record?.preState && record.status !== 'released';
}

export function withStep(record: ResponseRecord, stepId: string, progress: StepProgress, now: Date): ResponseRecord {
  return { ...record, steps: { ...record.steps, [stepId]: progress }, updatedAt: now.toISOString() };
}
