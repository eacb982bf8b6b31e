/**
 * What the Sigma loader reports: one entry per rule file, loaded or skipped, each problem with the
 * file and 1-based line it comes from. Nothing a rule asks for is ever silently ignored.
 */

/** Why a part of a rule cannot be honoured. */
export type SigmaIssueCode =
  | 'yaml' // the file is not valid YAML
  | 'invalid' // required Sigma metadata missing or malformed (title, id, logsource, detection, condition, level)
  | 'duplicate-id' // another loaded rule has the same id
  | 'logsource' // product/category/service Picket does not observe
  | 'field' // a field with no runtime-event equivalent
  | 'modifier' // a value modifier Picket does not implement
  | 'value' // a value the modifier cannot use (bad regex, bad CIDR, catastrophic pattern)
  | 'condition' // condition syntax error or an unknown search identifier
  | 'aggregation' // `| count() by …`, `near`, correlation rules, timeframe
  | 'keywords' // keyword (full-text) search where it cannot be evaluated safely
  | 'multi-document'; // rule collections / correlation documents

export interface SigmaIssue {
  readonly code: SigmaIssueCode;
  /** 1-based line in the rule file. */
  readonly line: number;
  readonly message: string;
}

export interface SigmaRuleReport {
  readonly path: string;
  readonly status: 'loaded' | 'skipped';
  /** Present once the metadata could be read. */
  readonly sigmaId?: string;
  readonly title?: string;
  readonly level?: string;
  /** `Custom:Runtime/<Name>` the rule raises (loaded rules only). */
  readonly findingType?: string;
  /** Reasons the rule was skipped (every unsupported part, not only the first). Empty when loaded. */
  readonly issues: readonly SigmaIssue[];
  /** Harmless remarks on a loaded rule (e.g. a metadata key Picket does not use). */
  readonly notes: readonly SigmaIssue[];
}

export interface SigmaLoadReport {
  readonly total: number;
  readonly loaded: number;
  readonly skipped: number;
  readonly rules: readonly SigmaRuleReport[];
}

/** `file:line: message` — the one-line form the CLI prints. */
export function formatSigmaIssue(path: string, issue: SigmaIssue): string {
  return `${path}:${issue.line}: [${issue.code}] ${issue.message}`;
}
