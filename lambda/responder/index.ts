/**
 * Thin Lambda handlers of the isolation state machine. Environment is read and clients are created
 * once per container; each export is one task (see lib/responder-workflow.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { IsolationStepId } from '../domain/isolation/plan';
import type { PlanRow } from '../domain/isolation/plan';
import type { PreState } from '../domain/isolation/pre-state';
import { type ResponderLog, createResponderClients } from './clients';
import { RetryableStepError, classifyError, errorMessage } from './sdk-errors';
import { ENV, settingsFromJson } from './settings';
import { ConcurrentUpdateError } from './state-store';
import {
  type StepContext,
  type WorkflowDeps,
  type WorkflowInput,
  admit,
  complete,
  evaluate,
  pollForensics,
  reportFailure,
  requestApproval,
  runStepWithRetryableRaces,
} from './workflow';

const logger = new Logger({ serviceName: 'picket-responder' });
const settings = settingsFromJson(process.env[ENV.settings]);
const log: ResponderLog = {
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
};
const deps: WorkflowDeps = { clients: createResponderClients(), settings, log, now: () => new Date() };

function withKeys(ctx: StepContext | undefined): void {
  // Keys persist in a warm container: clear the previous invocation's first.
  logger.removeKeys(['instanceId', 'findingId']);
  if (ctx) logger.appendKeys({ instanceId: ctx.instanceId, findingId: ctx.findingId });
}

/** Throttling or a lost optimistic-lock race anywhere in a task → retried by the state machine. */
async function retryable<T>(task: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RetryableStepError) throw error;
    if (error instanceof ConcurrentUpdateError || classifyError(error) === 'throttled') throw new RetryableStepError(task, errorMessage(error), { cause: error });
    throw error;
  }
}

export async function evaluateHandler(event: WorkflowInput) {
  withKeys(undefined);
  const result = await retryable('evaluate', () => evaluate(deps, event));
  withKeys(result.ctx);
  logger.info('evaluated', { decision: result.decision, refusal: result.refusal });
  return result;
}

export async function approvalHandler(event: { ctx: StepContext; taskToken: string; plan?: readonly PlanRow[] }) {
  withKeys(event.ctx);
  await retryable('approval', () => requestApproval(deps, event));
  return { requested: true };
}

export async function admitHandler(event: { ctx: StepContext; preState?: PreState }) {
  withKeys(event.ctx);
  return retryable('admit', () => admit(deps, event));
}

export async function stepHandler(event: { step: IsolationStepId; ctx: StepContext }) {
  withKeys(event.ctx);
  return retryable(event.step, () => runStepWithRetryableRaces(deps, event));
}

export async function forensicsPollHandler(event: { ctx: StepContext }) {
  withKeys(event.ctx);
  return retryable('forensics-capture', () => pollForensics(deps, event));
}

export async function completeHandler(event: { ctx: StepContext }) {
  withKeys(event.ctx);
  const record = await retryable('complete', () => complete(deps, event));
  return { status: record.status, networkCutAt: record.networkCutAt };
}

export async function failureHandler(event: { ctx: StepContext; failure?: { Error?: string; Cause?: string } }) {
  withKeys(event.ctx);
  await retryable('report-failure', () => reportFailure(deps, event));
  return { status: 'failed' };
}
