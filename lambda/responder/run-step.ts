/**
 * One isolation step per task invocation, resumable call by call from the recorded progress.
 */
import { type IsolationStepId, planIsolation } from '../domain/isolation/plan';
import { type ResponseRecord, type StepProgress, holdsIsolation, withStep } from '../domain/isolation/response-record';
import { sendPlannedCall } from './call-dispatch';
import { emitAction } from './emit';
import { RetryableStepError, StepFailedError, classifyError, errorMessage, errorName } from './sdk-errors';
import { ConcurrentUpdateError, loadRecord, saveRecord } from './state-store';
import { type StepContext, type WorkflowDeps, actionBase } from './workflow-common';

export interface StepResult {
  readonly step: string;
  readonly outcome: 'succeeded' | 'skipped' | 'already-done';
  readonly outputs?: Readonly<Record<string, unknown>>;
}

/**
 * Runs one isolation step from the recorded pre-state, resuming at the first call not yet done.
 * Throttling → progress saved, RetryableStepError (the state machine retries with backoff).
 * Not-found on a call whose absence means "nothing to do" → recorded and skipped.
 * Anything else → step recorded as failed, StepFailedError (optional steps are then passed over).
 */
export async function runStep(deps: WorkflowDeps, input: { step: IsolationStepId; ctx: StepContext }): Promise<StepResult> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const { ctx, step } = input;
  const table = settings.targets.stateTable;
  let record = await loadRecord(clients, table, ctx.instanceId);
  if (!holdsIsolation(record)) throw new StepFailedError(step, `no recorded pre-state for ${ctx.instanceId}; the workflow must admit it first`);
  const done = record.steps[step];
  if (done?.status === 'succeeded' || done?.status === 'skipped') return { step, outcome: 'already-done' };
  const planned = planIsolation(record.preState, settings.targets, now).steps.find((s) => s.id === step);
  if (!planned) throw new StepFailedError(step, `unknown isolation step ${step}`);
  const base = actionBase(ctx, now);
  if (planned.calls.length === 0) {
    record = await saveRecord(clients, table, withStep(record, step, { status: 'skipped', completedCalls: 0, outputs: {}, at: now.toISOString() }, now));
    await emitAction(clients, settings.eventBusName, { ...base, step, outcome: 'skipped', calls: 0, outputs: { reason: planned.skipReason } }, log);
    return { step, outcome: 'skipped' };
  }
  let progress: StepProgress = done ?? { status: 'in-progress', completedCalls: 0, outputs: {}, at: now.toISOString() };
  for (let i = progress.completedCalls; i < planned.calls.length; i++) {
    const call = planned.calls[i]!;
    let output: Record<string, unknown>;
    try {
      output = await sendPlannedCall(clients, call);
    } catch (error) {
      const kind = classifyError(error);
      if (kind === 'not-found' && call.onNotFound === 'skip') {
        output = { skipped: 'not-found', error: errorName(error) };
      } else if (kind === 'throttled') {
        record = await saveRecord(clients, table, withStep(record, step, progress, now));
        await emitAction(clients, settings.eventBusName, { ...base, step, outcome: 'retrying', error: { name: errorName(error), message: errorMessage(error) } }, log);
        throw new RetryableStepError(step, `${call.api} on ${call.target} was throttled; ${i} of ${planned.calls.length} calls done`, { cause: error });
      } else {
        const failure = { name: errorName(error), message: errorMessage(error) };
        await saveRecord(clients, table, withStep(record, step, { ...progress, status: 'failed', error: failure }, now));
        await emitAction(clients, settings.eventBusName, { ...base, step, outcome: 'failed', error: failure, calls: i }, log);
        log.error('isolation step failed', { instanceId: ctx.instanceId, step, api: call.api, target: call.target, error: failure });
        throw new StepFailedError(step, `${call.api} on ${call.target} failed: ${failure.name}: ${failure.message}`, { cause: error });
      }
    }
    progress = { status: 'in-progress', completedCalls: i + 1, outputs: { ...progress.outputs, [String(i)]: output }, at: now.toISOString() };
    // Record progress between calls so a re-run does not repeat them (the last call is saved below).
    if (i + 1 < planned.calls.length) record = await saveRecord(clients, table, withStep(record, step, progress, now));
  }
  const finished: StepProgress = { ...progress, status: 'succeeded', at: now.toISOString() };
  const updated: ResponseRecord = withStep(step === 'network-isolate' ? { ...record, networkCutAt: now.toISOString() } : record, step, finished, now);
  await saveRecord(clients, table, updated);
  await emitAction(clients, settings.eventBusName, { ...base, step, outcome: 'succeeded', calls: planned.calls.length, outputs: finished.outputs }, log);
  return { step, outcome: 'succeeded', outputs: finished.outputs };
}

/** Wraps runStep so a lost optimistic-lock race is retried like throttling. */
export async function runStepWithRetryableRaces(deps: WorkflowDeps, input: { step: IsolationStepId; ctx: StepContext }): Promise<StepResult> {
  try {
    return await runStep(deps, input);
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) throw new RetryableStepError(input.step, error.message, { cause: error });
    throw error;
  }
}
