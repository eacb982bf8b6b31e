/**
 * Turning SDK errors into what the workflow does next: throttling is retried with backoff (by the
 * state machine), not-found may mean "already done", anything else stops the step.
 */

/** Name the state machine's Retry matches: the step saved its progress and may be run again. */
export const RETRYABLE_ERROR_NAME = 'PicketRetryableError';
/** Name the state machine's Catch matches: the step failed and recorded why. */
export const STEP_FAILED_ERROR_NAME = 'PicketStepFailedError';

export class RetryableStepError extends Error {
  override readonly name = RETRYABLE_ERROR_NAME;
  constructor(
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class StepFailedError extends Error {
  override readonly name = STEP_FAILED_ERROR_NAME;
  constructor(
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'EC2ThrottledException',
]);

/** Error codes that mean the resource (ENI, target group, role, policy, ASG membership) is gone. */
const NOT_FOUND = new Set([
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidGroup.NotFound',
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
  'InvalidTarget',
  'InvalidTargetException',
  'NoSuchEntity',
  'NoSuchEntityException',
  'InvalidAssociationID.NotFound',
]);

export type ErrorKind = 'throttled' | 'not-found' | 'other';

export function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [e.name, e.Code, e.code]) if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function classifyError(error: unknown): ErrorKind {
  const name = errorName(error);
  const meta = (error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable;
  if (THROTTLING.has(name) || meta?.throttling) return 'throttled';
  if (NOT_FOUND.has(name)) return 'not-found';
  // Auto Scaling says "instance is not part of Auto Scaling group" with a plain ValidationError.
  if (name === 'ValidationError' && /not part of Auto Scaling group|not found/i.test(errorMessage(error))) return 'not-found';
  return 'other';
}
