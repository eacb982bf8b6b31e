/**
 * The tasks around the steps: forensics polling, completion, and the failure report.
 */
import { GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
import { FORENSICS_GIVE_UP_SECONDS } from '../domain/isolation/forensics-script';
import { ISOLATION_STEPS } from '../domain/isolation/plan';
import { type ResponseRecord, withStep } from '../domain/isolation/response-record';
import { emitAction } from './emit';
import { RetryableStepError, StepFailedError, classifyError, errorMessage, errorName } from './sdk-errors';
import { loadRecord, saveRecord } from './state-store';
import { type StepContext, type WorkflowDeps, actionBase } from './workflow-common';

export interface ForensicsPollResult {
  readonly forensics: 'pending' | 'done';
}

/** Polls the SSM capture; the state machine waits between polls. Failure is reported, never fatal. */
export async function pollForensics(deps: WorkflowDeps, input: { ctx: StepContext }): Promise<ForensicsPollResult> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const { ctx } = input;
  const record = await loadRecord(clients, settings.targets.stateTable, ctx.instanceId);
  const sent = record?.steps['forensics'];
  const commandId = sent?.outputs['0']?.['commandId'];
  if (!record || sent?.status !== 'succeeded' || typeof commandId !== 'string') return { forensics: 'done' };
  const fail = async (message: string, name = 'ForensicsFailed'): Promise<never> => {
    await saveRecord(clients, settings.targets.stateTable, withStep(record, 'forensics-capture', { status: 'failed', completedCalls: 1, outputs: {}, at: now.toISOString(), error: { name, message } }, now));
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'forensics-capture', outcome: 'failed', error: { name, message } }, log);
    throw new StepFailedError('forensics-capture', message);
  };
  let status: string | undefined;
  try {
    const out = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ctx.instanceId }));
    status = out.Status;
  } catch (error) {
    if (errorName(error) !== 'InvocationDoesNotExist') {
      if (classifyError(error) === 'throttled') throw new RetryableStepError('forensics-capture', 'GetCommandInvocation throttled', { cause: error });
      return fail(errorMessage(error), errorName(error));
    }
  }
  if (status === 'Success') {
    await saveRecord(clients, settings.targets.stateTable, withStep(record, 'forensics-capture', { status: 'succeeded', completedCalls: 1, outputs: { '0': { commandId, status } }, at: now.toISOString() }, now));
    await emitAction(clients, settings.eventBusName, { ...actionBase(ctx, now), step: 'forensics-capture', outcome: 'succeeded', outputs: { commandId } }, log);
    return { forensics: 'done' };
  }
  if (status === 'Failed' || status === 'Cancelled' || status === 'TimedOut' || status === 'Cancelling') return fail(`SSM command ${commandId} ended ${status}`);
  if (now.getTime() - Date.parse(sent.at) > FORENSICS_GIVE_UP_SECONDS * 1000) return fail(`SSM command ${commandId} still ${status ?? 'not started'} after ${FORENSICS_GIVE_UP_SECONDS} s`);
  return { forensics: 'pending' };
}

/** Last task: the instance is isolated. */
export async function complete(deps: WorkflowDeps, input: { ctx: StepContext }): Promise<ResponseRecord> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const record = await loadRecord(clients, settings.targets.stateTable, input.ctx.instanceId);
  if (!record) throw new StepFailedError('complete', `no response record for ${input.ctx.instanceId}`);
  const finished = await saveRecord(clients, settings.targets.stateTable, { ...record, status: 'isolated', isolatedAt: now.toISOString(), updatedAt: now.toISOString() });
  const optionalFailures = Object.entries(record.steps).filter(([, p]) => p.status === 'failed').map(([id]) => id);
  await emitAction(clients, settings.eventBusName, { ...actionBase(input.ctx, now), step: 'complete', outcome: 'succeeded', outputs: { networkCutAt: record.networkCutAt, optionalFailures } }, log);
  return finished;
}

/** Catch-all of the mandatory steps: mark the record failed and report which step stopped it. */
export async function reportFailure(deps: WorkflowDeps, input: { ctx: StepContext; failure?: { Error?: string; Cause?: string } }): Promise<void> {
  const { clients, settings, log } = deps;
  const now = deps.now();
  const record = await loadRecord(clients, settings.targets.stateTable, input.ctx.instanceId);
  const failedStep = record ? Object.entries(record.steps).find(([id, p]) => p.status === 'failed' && !isOptional(id))?.[0] : undefined;
  const error = { step: failedStep ?? 'unknown', name: input.failure?.Error ?? 'Error', message: causeMessage(input.failure?.Cause) };
  if (record) await saveRecord(clients, settings.targets.stateTable, { ...record, status: 'failed', error, updatedAt: now.toISOString() });
  log.error('isolation failed', { instanceId: input.ctx.instanceId, error });
  await emitAction(clients, settings.eventBusName, { ...actionBase(input.ctx, now), step: 'complete', outcome: 'failed', error: { name: error.name, message: `${error.step}: ${error.message}` } }, log);
}

function isOptional(stepId: string): boolean {
  return stepId === 'forensics-capture' || ISOLATION_STEPS.some((s) => s.id === stepId && s.optional);
}

/** Step Functions passes a Lambda error's Cause as JSON text with errorMessage inside. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
