/** Input that is not a finding (or finding event) we understand; `where` names the file and field. */
export class FindingInputError extends Error {
  override readonly name = 'FindingInputError';
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${message}`, options);
  }
}

/** A response configuration value outside its range; names the field, the value and the fix. */
export class ResponseConfigError extends Error {
  override readonly name = 'ResponseConfigError';
}
