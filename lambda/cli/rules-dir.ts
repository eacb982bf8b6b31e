/** Reads `--rules DIR`: Sigma rules compiled into detection rules; what cannot load is reported, never ignored. */
import { statSync } from 'node:fs';
import type { DetectionRule } from '../domain/detection/rule';
import { loadSigmaRulesFromDir } from '../domain/detection/sigma/index';
import { formatSigmaIssue } from '../domain/detection/sigma/types';
import { InputError } from './usage-error';

export function loadCustomRules(dir: string, warn: (message: string) => void): DetectionRule[] {
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${dir}: --rules expects a directory of Sigma .yml files`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${dir}: cannot read rules directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const { rules, report } = loadSigmaRulesFromDir(dir);
  for (const entry of report.rules) {
    if (entry.status === 'loaded') continue;
    for (const issue of entry.issues) warn(`rule skipped: ${formatSigmaIssue(entry.path, issue)}`);
  }
  return [...rules];
}
