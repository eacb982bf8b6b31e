/**
 * The detection engine as the CLI builds it: built-in rules, Sigma rules from a directory, seed intel plus
 * user threat/trusted/hash lists, and suppression rules, all read from files. `detect`, `watch` and
 * `npm start` share it so they raise the same findings on the same events.
 */
import { DetectionEngine } from '../domain/detection/engine';
import type { DetectionRule } from '../domain/detection/rule';
import { BUILTIN_RULES } from '../domain/detection/rules/index';
import { loadIntelFromFiles } from '../domain/intel/load-files';
import { parseListFileSpec } from '../domain/intel/loader';
import { loadCustomRules } from './rules-dir';
import { loadSuppressionFile } from './suppression-file';
import { InputError } from './usage-error';

export interface EngineFileOptions {
  readonly threatLists: readonly string[];
  readonly trustedLists: readonly string[];
  readonly hashLists: readonly string[];
  readonly rulesDir?: string;
  readonly suppressFile?: string;
  readonly accountId: string;
  readonly region: string;
  /** Load the seed lists shipped in intel/. */
  readonly seedIntel: boolean;
}

/** The engine of a detect run: built-in rules plus custom rules, intel and suppression from files. */
export function buildEngine(options: EngineFileOptions, warn: (message: string) => void): DetectionEngine {
  let intel: ReturnType<typeof loadIntelFromFiles>;
  try {
    intel = loadIntelFromFiles({
      ...(options.seedIntel ? {} : { seedDir: false as const }),
      threat: options.threatLists.map(parseListFileSpec),
      trusted: options.trustedLists,
      sha256: options.hashLists.map(parseListFileSpec),
    });
  } catch (error) {
    throw new InputError((error as Error).message, { cause: error });
  }
  for (const e of intel.errors) warn(`${e.file}:${e.line}: ${e.message}`);
  const rules: DetectionRule[] = [...BUILTIN_RULES];
  if (options.rulesDir) rules.push(...loadCustomRules(options.rulesDir, warn));
  return new DetectionEngine({
    rules,
    intel: intel.intel,
    ...(options.suppressFile ? { suppression: loadSuppressionFile(options.suppressFile) } : {}),
    accountId: options.accountId,
    region: options.region,
    detectorId: 'picket-local',
  });
}

