/**
 * The detail of `Picket Response Action` and `Picket Isolation Pending Approval` events.
 */
import type { PlanRow } from './plan';
import type { Refusal } from './refusals';

export type ActionOutcome = 'succeeded' | 'skipped' | 'failed' | 'refused' | 'queued' | 'planned' | 'retrying';

export interface ResponseActionDetail {
  readonly version: 1;
  readonly action: 'isolate' | 'release';
  /** A step id, or `evaluate` / `admit` / `complete` for the workflow's own decisions. */
  readonly step: string;
  readonly outcome: ActionOutcome;
  readonly instanceId: string;
  readonly findingId?: string;
  readonly accountId: string;
  readonly region: string;
  readonly at: string;
  readonly mode?: string;
  readonly calls?: number;
  readonly refusal?: Refusal;
  readonly error?: { readonly name: string; readonly message: string };
  readonly retryAt?: string;
  readonly plan?: readonly PlanRow[];
  readonly outputs?: Readonly<Record<string, unknown>>;
}

export interface PendingApprovalDetail {
  readonly version: 1;
  readonly instanceId: string;
  readonly findingId: string;
  readonly accountId: string;
  readonly region: string;
  readonly at: string;
  readonly plan: readonly PlanRow[];
  readonly approveWith: string;
}
