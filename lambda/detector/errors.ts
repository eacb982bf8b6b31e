/**
 * Typed errors of the detector Lambda. Each keeps its `cause`; `retryable` tells the batch handler
 * whether the SQS records behind it should come back (partial batch failure) or not.
 */

/** Another invocation committed this instance's state first (optimistic lock lost). */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  readonly retryable = true;
  constructor(
    readonly instanceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`instance ${instanceId}: ${message}`, options);
  }
}

/** Findings could not be put on the findings bus after every retry. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Stored state or a stored finding is not what this build writes (corrupt or foreign item). */
export class StoredItemError extends Error {
  override readonly name = 'StoredItemError';
  constructor(
    readonly table: string,
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${table} item ${key}: ${message}`, options);
  }
}

/** The settings the construct passes are missing or malformed (a deploy problem, fails loudly at cold start). */
export class DetectorSettingsError extends Error {
  override readonly name = 'DetectorSettingsError';
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
  }
}

/** The error's message, read by shape (SDK and zlib errors may come from another realm). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The error's name (SDK v3 errors carry the service's error code there). */
export function nameOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Throttling or a transient server-side failure: worth retrying after a backoff. */
export function isTransient(errorOrCode: unknown): boolean {
  const code = typeof errorOrCode === 'string' ? errorOrCode : nameOf(errorOrCode);
  return THROTTLING.has(code);
}
