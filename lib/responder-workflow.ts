/**
 * The isolation state machine, built from the same ordered step list the planner and the
 * in-process runner use (ISOLATION_STEPS). Waits (approval, rate-limit queue, untrack settle,
 * forensics polling) are Step Functions states, so no Lambda sits idle; throttling is retried per
 * task with exponential backoff; optional steps are caught and passed over; a mandatory step's
 * failure is reported and ends the execution as Failed (which the alarm watches).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ISOLATION_STEPS } from '../lambda/domain/isolation/plan';
import { FORENSICS_POLL_SECONDS, RETRY_POLICY } from '../lambda/responder/run-isolation';
import { RETRYABLE_ERROR_NAME } from '../lambda/responder/sdk-errors';

export interface ResponderFunctions {
  readonly evaluate: lambda.IFunction;
  readonly approval: lambda.IFunction;
  readonly admit: lambda.IFunction;
  readonly step: lambda.IFunction;
  readonly forensicsPoll: lambda.IFunction;
  readonly complete: lambda.IFunction;
  readonly failure: lambda.IFunction;
}

export interface WorkflowOptions {
  readonly forensics: boolean;
  readonly untrackSettleSeconds: number;
  readonly approvalTimeout: Duration;
}

const CTX = '$.evaluation.ctx';

/** Builds the definition; state names are stable (operators read them in the console). */
export function buildIsolationDefinition(scope: Construct, fns: ResponderFunctions, options: WorkflowOptions): sfn.IChainable {
  // payload undefined = the whole state input (no Parameters: a JSONPath string there is invalid ASL).
  const invoke = (id: string, fn: lambda.IFunction, payload: Record<string, unknown> | undefined, resultPath: string | undefined) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: fn,
      ...(payload ? { payload: sfn.TaskInput.fromObject(payload) } : {}),
      payloadResponseOnly: true,
      resultPath: resultPath ?? sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: true,
    });
    task.addRetry({
      errors: [RETRYABLE_ERROR_NAME, 'Lambda.TooManyRequestsException'],
      interval: Duration.millis(RETRY_POLICY.backoffMs),
      backoffRate: RETRY_POLICY.backoffRate,
      maxAttempts: RETRY_POLICY.maxAttempts - 1,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };
  const ctx = { 'ctx.$': CTX };

  const refused = new sfn.Succeed(scope, 'Refused', { comment: 'Refused with a reason (reported as a Picket Response Action event)' });
  const planned = new sfn.Succeed(scope, 'Planned (dry-run)');
  const isolated = new sfn.Succeed(scope, 'Isolated');
  const failed = new sfn.Fail(scope, 'Isolation failed', { error: 'PicketIsolationFailed', causePath: '$.failure.Cause' });
  const report = invoke('Report failure', fns.failure, { ...ctx, 'failure.$': '$.failure' }, undefined).next(failed);

  // The steps after admission, in ISOLATION_STEPS order (record-pre-state is the admit task).
  const complete = invoke('Complete', fns.complete, ctx, undefined).next(isolated);
  let next: sfn.IChainable = complete;
  for (const def of [...ISOLATION_STEPS].reverse()) {
    if (def.id === 'record-pre-state') continue;
    if (def.id === 'forensics' && !options.forensics) continue;
    const task = invoke(stateName(def.id), fns.step, { step: def.id, ...ctx }, undefined);
    let after: sfn.IChainable = next;
    if (def.id === 'network-allow-all' && options.untrackSettleSeconds > 0) {
      after = new sfn.Wait(scope, 'Wait for flows to become untracked', { time: sfn.WaitTime.duration(Duration.seconds(options.untrackSettleSeconds)) }).next(next);
    }
    if (def.id === 'forensics') {
      const wait = new sfn.Wait(scope, 'Wait for forensic capture', { time: sfn.WaitTime.duration(Duration.seconds(FORENSICS_POLL_SECONDS)) });
      const poll = invoke('Poll forensic capture', fns.forensicsPoll, ctx, '$.forensics');
      poll.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: '$.optionalFailure' });
      wait.next(poll).next(new sfn.Choice(scope, 'Forensic capture done?').when(sfn.Condition.stringEquals('$.forensics.forensics', 'pending'), wait).otherwise(next));
      after = wait;
    }
    if (def.optional) task.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: '$.optionalFailure' });
    else task.addCatch(report, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    next = task.next(after);
  }
  const steps = next;

  const admit = invoke('Admit and record pre-state', fns.admit, { ...ctx, 'preState.$': '$.evaluation.preState' }, '$.admission');
  admit.addCatch(report, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
  const queued = new sfn.Wait(scope, 'Queued by rate limit', { time: sfn.WaitTime.timestampPath('$.admission.retryAt') });
  queued.next(admit);
  admit.next(
    new sfn.Choice(scope, 'Admitted?')
      .when(sfn.Condition.stringEquals('$.admission.decision', 'queued'), queued)
      .when(sfn.Condition.stringEquals('$.admission.decision', 'refused'), refused)
      .otherwise(steps),
  );

  const approval = new tasks.LambdaInvoke(scope, 'Wait for approval', {
    lambdaFunction: fns.approval,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ ...ctx, 'plan.$': '$.evaluation.plan', taskToken: sfn.JsonPath.taskToken }),
    taskTimeout: sfn.Timeout.duration(options.approvalTimeout),
    resultPath: '$.approval',
  });
  approval.addCatch(refused, { errors: [sfn.Errors.ALL], resultPath: '$.rejection' });
  approval.next(admit);

  // The execution input is the WorkflowInput itself: { kind: 'finding', event } from the rule, or an operator request.
  const evaluate = invoke('Evaluate finding', fns.evaluate, undefined, '$.evaluation');
  return evaluate.next(
    new sfn.Choice(scope, 'Decision?')
      .when(sfn.Condition.stringEquals('$.evaluation.decision', 'refused'), refused)
      .when(sfn.Condition.stringEquals('$.evaluation.decision', 'dry-run'), planned)
      .when(sfn.Condition.stringEquals('$.evaluation.decision', 'approval'), approval)
      .otherwise(admit),
  );
}

/** `network-allow-all` → `Network allow all` (state names read in the console). */
export function stateName(stepId: string): string {
  const text = stepId.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
