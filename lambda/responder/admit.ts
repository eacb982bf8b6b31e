/**
 * Approval (park the task token) and admission (rate limit, fresh checks, record the pre-state):
 * the last tasks before the first mutation.
 */
import { type PlanRow, preStateKey } from '../domain/isolation/plan';
import type { PreState } from '../domain/isolation/pre-state';
import { type Refusal, refuseInstance } from '../domain/isolation/refusals';
import { type ResponseRecord, holdsIsolation, newRecord, withStep } from '../domain/isolation/response-record';
import { capturePreState } from './capture-pre-state';
import { emitAction, emitPendingApproval } from './emit';
import { loadRecord, putPreStateObject, reserveIsolationSlot, saveRecord } from './state-store';
import { type StepContext, type WorkflowDeps, actionBase, busy } from './workflow-common';

/** Approval mode: park the task token on the record and ask a human (`picket isolate --approve`). */
export async function requestApproval(deps: WorkflowDeps, input: { ctx: StepContext; taskToken: string; plan?: readonly PlanRow[] }): Promise<void> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const { ctx } = input;
  const existing = await loadRecord(clients, settings.targets.stateTable, ctx.instanceId);
  const base = existing ?? newRecord(ctx.instanceId, ctx.findingId, 'pending-approval', now);
  await saveRecord(clients, settings.targets.stateTable, { ...base, findingId: ctx.findingId, status: 'pending-approval', approvalToken: input.taskToken, updatedAt: now.toISOString() });
  await emitPendingApproval(
    clients,
    settings.eventBusName,
    {
      version: 1,
      instanceId: ctx.instanceId,
      findingId: ctx.findingId,
      accountId: ctx.accountId,
      region: ctx.region,
      at: now.toISOString(),
      plan: input.plan ?? [],
      approveWith: `picket isolate ${ctx.instanceId} --approve`,
    },
    log,
  );
}

export interface AdmitResult {
  readonly decision: 'admitted' | 'queued' | 'refused';
  readonly ctx: StepContext;
  readonly preState?: PreState;
  readonly retryAt?: string;
  readonly refusal?: Refusal;
}

/** How old a pre-state may be before admit reads the instance again (after approval or queueing). */
const FRESH_MS = 60_000;

/**
 * Second task, right before the first mutation: re-check the live instance if time has passed, take
 * a rate-limit slot (or queue), then record the pre-state to S3 (versioned) and DynamoDB.
 */
export async function admit(deps: WorkflowDeps, input: { ctx: StepContext; preState?: PreState }): Promise<AdmitResult> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const { ctx } = input;
  const table = settings.targets.stateTable;
  const existing = await loadRecord(clients, table, ctx.instanceId);
  // Another workflow (another finding) got here first and is still running: do not race it.
  if (busy(existing, now) && existing!.status === 'in-progress' && existing!.findingId !== ctx.findingId) {
    const refusal: Refusal = { code: 'in-progress', reason: `a response to ${ctx.instanceId} for finding ${existing!.findingId} is in progress` };
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'admit', outcome: 'refused', refusal }, log);
    return { decision: 'refused', ctx, refusal };
  }
  const resume = holdsIsolation(existing);
  let preState = resume ? existing.preState : input.preState;
  if (!resume) {
    if (!preState || now.getTime() - Date.parse(preState.capturedAt) > FRESH_MS) {
      preState = await capturePreState(clients, ctx, now, settings.config.exemptTagKey);
      const refusal = refuseInstance({ preState, config: settings.config, isolationVpcIds: Object.keys(settings.targets.groupsByVpc), existingStatus: existing?.status });
      if (refusal) {
        await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'admit', outcome: 'refused', refusal }, log);
        return { decision: 'refused', ctx, refusal };
      }
    }
    const slot = await reserveIsolationSlot(clients, table, ctx.accountId, settings.config.maxIsolationsPerHour, now);
    if (!slot.admitted) {
      log.warn('isolation queued by rate limit', { instanceId: ctx.instanceId, retryAt: slot.retryAt });
      await emitAction(
        clients,
        settings.eventBusName,
        {
          ...actionBase(ctx, now),
          step: 'admit',
          outcome: 'queued',
          retryAt: slot.retryAt,
          refusal: { code: 'in-progress', reason: `rate limit: ${slot.inWindow} isolations in the last hour (max ${settings.config.maxIsolationsPerHour}); queued until ${slot.retryAt}` },
        },
        log,
      );
      return { decision: 'queued', ctx, preState, retryAt: slot.retryAt };
    }
  }
  const pre = preState!;
  let record: ResponseRecord = resume
    ? { ...existing, status: 'in-progress', approvalToken: undefined, error: undefined, updatedAt: now.toISOString() }
    : { ...newRecord(ctx.instanceId, ctx.findingId, 'in-progress', now), version: existing?.version ?? 0, preState: pre, preStateKey: preStateKey(pre) };
  if (record.steps['record-pre-state']?.status !== 'succeeded') {
    const versionId = await putPreStateObject(clients, settings.targets.evidenceBucket, record.preStateKey!, pre);
    record = withStep({ ...record, preStateVersionId: versionId }, 'record-pre-state', { status: 'succeeded', completedCalls: 2, outputs: { '0': { key: record.preStateKey, versionId } }, at: now.toISOString() }, now);
    await saveRecord(clients, table, record);
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'record-pre-state', outcome: 'succeeded', calls: 2, outputs: { bucket: settings.targets.evidenceBucket, key: record.preStateKey, versionId } }, log);
  } else {
    await saveRecord(clients, table, record);
  }
  return { decision: 'admitted', ctx };
}
