/** Typed errors of the coverage functions; each keeps its `cause`. */

/** The settings variable is missing or wrong: names the field. */
export class CoverageSettingsError extends Error {
  override readonly name = 'CoverageSettingsError';
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
  }
}

/** Another writer kept updating this instance's record; the write lost every retry. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  constructor(
    readonly instanceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`instance ${instanceId}: ${message}`, options);
  }
}

/** Change events could not be put on the findings bus after retries (the records are written). */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}

/** A stored item is not a coverage record this build understands. */
export class StoredRecordError extends Error {
  override readonly name = 'StoredRecordError';
}
