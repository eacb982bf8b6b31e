/**
 * Custom Sigma rules for the detector Lambda: every `*.yml` / `*.yaml` under the rules location
 * (the intel bucket's `sigma/` prefix; subfolders allowed), compiled once per load with the same
 * loader as `picket detect --rules`, reused for the TTL like the intel lists.
 *
 * A rule Picket cannot evaluate exactly is skipped, never half-loaded: each skipped rule is logged with
 * its S3 key, line and reason, counted in the CustomRulesSkipped metric, and the other rules run.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DetectionRule } from '../domain/detection/rule';
import { formatSigmaIssue, loadSigmaRules, MAX_RULE_FILE_BYTES, type SigmaLoadReport } from '../domain/detection/sigma/index';
import { type DetectorLog, type DetectorMetrics, METRIC } from './ports';
import { RefreshingValue } from './refreshing-value';
import { readS3Texts, type S3Location } from './s3-texts';

/** Rule files are YAML; anything else under the prefix (a README, a licence) is ignored. */
export function isRuleKey(relativeKey: string): true | undefined {
  return /\.ya?ml$/i.test(relativeKey) && !relativeKey.split('/').some((p) => p === '') ? true : undefined;
}

export interface LoadedCustomRules {
  readonly rules: readonly DetectionRule[];
  readonly report: SigmaLoadReport;
}

export interface CustomRulesCacheOptions {
  readonly s3: S3Client;
  /** Absent: no custom rules (nothing is read). */
  readonly location?: S3Location;
  readonly ttlMs: number;
  readonly log: DetectorLog;
  readonly metrics: DetectorMetrics;
}

const NONE: LoadedCustomRules = { rules: [], report: { total: 0, loaded: 0, skipped: 0, rules: [] } };

export class CustomRulesCache {
  private readonly value: RefreshingValue<LoadedCustomRules>;

  constructor(private readonly options: CustomRulesCacheOptions) {
    this.value = new RefreshingValue('custom rules', options.ttlMs, () => this.load(), options.log);
  }

  get loads(): number {
    return this.value.loads;
  }

  get(nowMs: number): Promise<LoadedCustomRules> {
    return this.options.location ? this.value.get(nowMs) : Promise.resolve(NONE);
  }

  private async load(): Promise<LoadedCustomRules> {
    const { s3, location, log, metrics } = this.options;
    if (!location) return NONE;
    const texts = await readS3Texts(s3, location, isRuleKey, MAX_RULE_FILE_BYTES, log);
    const { rules, report } = loadSigmaRules(texts.map((t) => ({ path: `s3://${t.bucket}/${t.key}`, text: t.text })));
    for (const r of report.rules) {
      if (r.status !== 'skipped') continue;
      // One line per reason, each `s3://bucket/key:line: [code] message`, so the operator can fix the file.
      log.warn('custom rule skipped', { ruleFile: r.path, ...(r.sigmaId ? { sigmaId: r.sigmaId } : {}), reasons: r.issues.map((i) => formatSigmaIssue(r.path, i)) });
    }
    if (report.skipped > 0) metrics.count(METRIC.customRulesSkipped, report.skipped);
    log.info('custom rules loaded', { files: report.total, loaded: report.loaded, skipped: report.skipped });
    return { rules, report };
  }
}
