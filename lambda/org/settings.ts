/** Environment of the org aggregator, set by lib/org/aggregation.ts. */
import { parseSuppressionConfig, type SuppressionConfig } from '../domain/findings/suppression';

export const ORG_AGGREGATOR_ENV = {
  findingsTable: 'PICKET_ORG_FINDINGS_TABLE',
  coverageTable: 'PICKET_ORG_COVERAGE_TABLE',
  /** Org suppression config as JSON: central rules plus each account's own (SuppressionConfig). */
  suppression: 'PICKET_ORG_SUPPRESSION',
} as const;

export interface OrgAggregatorSettings {
  readonly findingsTable: string;
  readonly coverageTable: string;
  readonly suppression: SuppressionConfig;
}

export class OrgSettingsError extends Error {
  override readonly name = 'OrgSettingsError';
}

export function orgAggregatorSettings(env: Readonly<Record<string, string | undefined>>): OrgAggregatorSettings {
  const need = (key: string): string => {
    const v = env[key];
    if (!v) throw new OrgSettingsError(`environment variable ${key} is missing (set by the PicketOrgAggregation construct)`);
    return v;
  };
  let raw: unknown;
  try {
    raw = JSON.parse(env[ORG_AGGREGATOR_ENV.suppression] ?? '{}');
  } catch (error) {
    throw new OrgSettingsError(`${ORG_AGGREGATOR_ENV.suppression} is not JSON`, { cause: error });
  }
  return {
    findingsTable: need(ORG_AGGREGATOR_ENV.findingsTable),
    coverageTable: need(ORG_AGGREGATOR_ENV.coverageTable),
    suppression: parseSuppressionConfig(raw, ORG_AGGREGATOR_ENV.suppression),
  };
}
