/** Sigma custom rules: load, compile, report. See docs/custom-rules.md. */
export { LEVEL_SEVERITY, ruleNameFromTitle, SIGMA_LEVELS, type SigmaLevel } from './naming';
export { loadSigmaRules, loadSigmaRulesFromDir, SigmaRuleDirError, MAX_RULE_FILE_BYTES, type LoadSigmaOptions, type SigmaLoadResult, type SigmaRuleFile } from './loader';
export { DEFAULT_SIGMA_LICENSE, SigmaDetectionRule } from './sigma-rule';
export { formatSigmaIssue, type SigmaIssue, type SigmaIssueCode, type SigmaLoadReport, type SigmaRuleReport } from './types';
export { REGEX_INPUT_LIMIT } from './safe-regex';
