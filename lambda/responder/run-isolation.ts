/**
 * The whole isolation workflow in one process, following the same ISOLATION_STEPS list and the same
 * task functions as the state machine (which is what runs in AWS). Used by tests, the benchmark
 * and anyone running the responder without Step Functions. Sleeps are injected.
 */
import { ISOLATION_STEPS } from '../domain/isolation/plan';
import { RetryableStepError, StepFailedError } from './sdk-errors';
import {
  type EvaluateResult,
  type StepContext,
  type WorkflowDeps,
  type WorkflowInput,
  admit,
  complete,
  evaluate,
  pollForensics,
  reportFailure,
  runStepWithRetryableRaces,
} from './workflow';

export interface RunOptions {
  /** Waits (retry backoff, settle, forensics polling) go through here; tests pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Retries of a throttled step; the state machine uses the same numbers (see lib/responder-workflow.ts). */
  readonly maxAttempts?: number;
  readonly backoffMs?: number;
  readonly forensicsPollMs?: number;
}

export const RETRY_POLICY = { maxAttempts: 6, backoffMs: 2000, backoffRate: 2 } as const;
export const FORENSICS_POLL_SECONDS = 5;

export type RunOutcome =
  | { readonly status: 'refused' | 'dry-run' | 'pending-approval'; readonly evaluation: EvaluateResult }
  | { readonly status: 'queued'; readonly retryAt: string; readonly ctx: StepContext }
  | { readonly status: 'isolated'; readonly ctx: StepContext; readonly optionalFailures: readonly string[] }
  | { readonly status: 'failed'; readonly ctx: StepContext; readonly step: string; readonly error: Error };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runIsolation(deps: WorkflowDeps, input: WorkflowInput, options: RunOptions = {}): Promise<RunOutcome> {
  const sleep = options.sleep ?? realSleep;
  const evaluation = await evaluate(deps, input);
  if (evaluation.decision === 'refused' || evaluation.decision === 'dry-run') return { status: evaluation.decision, evaluation };
  if (evaluation.decision === 'approval') return { status: 'pending-approval', evaluation };
  const ctx = evaluation.ctx!;
  const admitted = await admit(deps, { ctx, preState: evaluation.preState });
  if (admitted.decision === 'refused') return { status: 'refused', evaluation: { decision: 'refused', ctx, refusal: admitted.refusal } };
  if (admitted.decision === 'queued') return { status: 'queued', retryAt: admitted.retryAt!, ctx };
  return continueIsolation(deps, ctx, options, sleep);
}

/** Runs the steps after admission (also what a resumed run does). */
export async function continueIsolation(deps: WorkflowDeps, ctx: StepContext, options: RunOptions = {}, sleep = options.sleep ?? realSleep): Promise<RunOutcome> {
  const maxAttempts = options.maxAttempts ?? RETRY_POLICY.maxAttempts;
  const backoffMs = options.backoffMs ?? RETRY_POLICY.backoffMs;
  const optionalFailures: string[] = [];
  const withRetry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof RetryableStepError) || attempt >= maxAttempts) throw error;
        await sleep(backoffMs * RETRY_POLICY.backoffRate ** (attempt - 1));
      }
    }
  };
  for (const def of ISOLATION_STEPS) {
    if (def.id === 'record-pre-state') continue; // done by admit
    try {
      const result = await withRetry(() => runStepWithRetryableRaces(deps, { step: def.id, ctx }));
      if (def.id === 'forensics' && result.outcome === 'succeeded') {
        for (;;) {
          await sleep(options.forensicsPollMs ?? FORENSICS_POLL_SECONDS * 1000);
          const polled = await withRetry(() => pollForensics(deps, { ctx }));
          if (polled.forensics === 'done') break;
        }
      }
      if (def.id === 'network-allow-all' && deps.settings.untrackSettleSeconds > 0) await sleep(deps.settings.untrackSettleSeconds * 1000);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      if (def.optional && (error instanceof StepFailedError || error instanceof RetryableStepError)) {
        optionalFailures.push(def.id);
        continue;
      }
      await reportFailure(deps, { ctx, failure: { Error: err.name, Cause: JSON.stringify({ errorMessage: err.message }) } });
      return { status: 'failed', ctx, step: def.id, error: err };
    }
  }
  await complete(deps, { ctx });
  return { status: 'isolated', ctx, optionalFailures };
}
