/**
 * The isolation workflow's tasks, one function per state-machine task. Each loads the response
 * record, does one small thing, records the outcome and emits a `Picket Response Action` event.
 * Waits (approval, rate-limit queue, settle, forensics polling) live in the state machine, not here.
 */
export { type AdmitResult, admit, requestApproval } from './admit';
export { evaluate } from './evaluate';
export { type ForensicsPollResult, complete, pollForensics, reportFailure } from './finish';
export { type StepResult, runStep, runStepWithRetryableRaces } from './run-step';
export { APPROVAL_TIMEOUT_SECONDS, type EvaluateResult, type StepContext, type WorkflowDeps, type WorkflowInput } from './workflow-common';
