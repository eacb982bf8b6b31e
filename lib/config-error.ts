/**
 * The one error type configuration problems raise. It carries every problem found (not only the first),
 * each naming the key path, the bad value, what was expected and how to fix it, so a user fixes a config
 * file in one pass instead of one synth per typo.
 */

/** One problem in a configuration source. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `response.mode` or `suppression[2].criteria.severity.gt`. */
  readonly path: string;
  /** The offending value as found (undefined when a required key is missing). */
  readonly value: unknown;
  /** What the key accepts, e.g. `one of "off", "dry-run", "approval", "auto"`. */
  readonly expected: string;
  /** What to do about it, e.g. `set response.mode to "dry-run" or remove it to use the default`. */
  readonly fix: string;
}

/** Renders a value for an error message: JSON, shortened so a huge blob cannot flood the terminal. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path || '(root)'}: got ${describeValue(issue.value)}; expected ${issue.expected}. Fix: ${issue.fix}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Where the configuration came from, e.g. `picket.config.json + cdk.json context`. */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid Picket configuration in ${source} (${count}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`, options);
  }
}
