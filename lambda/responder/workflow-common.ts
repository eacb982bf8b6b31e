/**
 * Shared shapes of the isolation workflow's tasks (one function per state-machine task, in
 * evaluate.ts, admit.ts, run-step.ts and finish.ts). Waits (approval, rate-limit queue, settle,
 * forensics polling) live in the state machine, not in the tasks.
 */
import type { ResponseActionDetail } from '../domain/isolation/response-event';
import type { ResponseRecord } from '../domain/isolation/response-record';
import type { PlanRow } from '../domain/isolation/plan';
import type { PreState } from '../domain/isolation/pre-state';
import type { Refusal } from '../domain/isolation/refusals';
import type { ResponderClients, ResponderLog } from './clients';
import type { ResponderSettings } from './settings';

export interface WorkflowDeps {
  readonly clients: ResponderClients;
  readonly settings: ResponderSettings;
  readonly log: ResponderLog;
  readonly now: () => Date;
}

/** What flows between the state machine's tasks (small: ids, never the plan). */
export interface StepContext {
  readonly instanceId: string;
  readonly findingId: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly manual: boolean;
}

/** A finding event from the rule, or an operator's `picket isolate <instance-id>`. */
export type WorkflowInput =
  | { readonly kind: 'finding'; readonly event: unknown }
  | { readonly kind: 'manual'; readonly instanceId: string; readonly reason: string; readonly requestedBy?: string; readonly dryRun?: boolean };

export interface EvaluateResult {
  readonly decision: 'refused' | 'dry-run' | 'approval' | 'proceed';
  readonly ctx?: StepContext;
  readonly preState?: PreState;
  readonly refusal?: Refusal;
  readonly plan?: readonly PlanRow[];
}

/** A record still in one of these (and recently touched) belongs to a running workflow. */
const BUSY_MS = 15 * 60 * 1000;
/** How long a workflow waits for approval (the state machine's task timeout uses the same value). */
export const APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

export function busy(record: ResponseRecord | undefined, now: Date): boolean {
  if (!record) return false;
  const age = now.getTime() - Date.parse(record.updatedAt);
  if (record.status === 'pending-approval') return age < APPROVAL_TIMEOUT_SECONDS * 1000;
  return (record.status === 'in-progress' || record.status === 'releasing') && age < BUSY_MS;
}

export function actionBase(ctx: Pick<StepContext, 'instanceId' | 'findingId' | 'accountId' | 'region'>, now: Date): Pick<ResponseActionDetail, 'version' | 'action' | 'instanceId' | 'findingId' | 'accountId' | 'region' | 'at'> {
  return { version: 1, action: 'isolate', instanceId: ctx.instanceId, findingId: ctx.findingId, accountId: ctx.accountId, region: ctx.region, at: now.toISOString() };
}
