/**
 * Deployment settings of the coverage functions, written by the PicketCoverage construct as one JSON
 * environment variable and validated once per execution environment, so a bad deploy fails loudly.
 */
import { type CoverageSettings, DEFAULT_COVERAGE_SETTINGS } from '../domain/coverage/settings';
import { CoverageSettingsError } from './errors';

export interface CoverageHandlerSettings extends CoverageSettings {
  /** The coverage table (key instanceId). */
  readonly tableName: string;
  /** Name or ARN of the findings bus the change events go to. */
  readonly eventBusName: string;
  readonly region: string;
  readonly partition: string;
  /** The EventBridge interface endpoint service, e.g. `com.amazonaws.eu-west-1.events`. */
  readonly eventsEndpointServiceName: string;
  /** Parallel DescribeInstanceAssociationsStatus calls. */
  readonly associationConcurrency: number;
  /** Parallel table writes. */
  readonly writeConcurrency: number;
  /** Accounts whose instances may send heartbeats here. @default - any */
  readonly accountIds?: readonly string[];
}

export const COVERAGE_ENV = { settings: 'PICKET_COVERAGE_SETTINGS' } as const;

function fail(where: string, expected: string, value: unknown): never {
  throw new CoverageSettingsError(where, `expected ${expected}, got ${JSON.stringify(value)}`);
}

export function coverageSettingsFromJson(text: string | undefined, where: string = COVERAGE_ENV.settings): CoverageHandlerSettings {
  if (!text) throw new CoverageSettingsError(where, 'is not set; the PicketCoverage construct sets it');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CoverageSettingsError(where, 'is not JSON', { cause: error });
  }
  const merged = { ...DEFAULT_COVERAGE_SETTINGS, associationConcurrency: 8, writeConcurrency: 16, ...raw } as Record<string, unknown>;
  for (const key of ['tableName', 'eventBusName', 'region', 'partition', 'eventsEndpointServiceName', 'targetTagKey', 'targetTagValue', 'agentDocumentName', 'minKernel']) {
    if (typeof merged[key] !== 'string' || merged[key] === '') fail(`${where}.${key}`, 'a non-empty string', merged[key]);
  }
  for (const key of ['heartbeatStaleMinutes', 'ssmGraceMinutes', 'spoolMaxBytes', 'spoolWarnPercent', 'memoryWarnPercent', 'lossHoldMinutes', 'unhealthyAlarmMinutes', 'scheduleMinutes', 'associationConcurrency', 'writeConcurrency']) {
    const v = merged[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`${where}.${key}`, 'a positive number', v);
  }
  for (const key of ['accountWide', 'requireVpcEndpoint']) {
    if (typeof merged[key] !== 'boolean') fail(`${where}.${key}`, 'true or false', merged[key]);
  }
  const accounts = merged['accountIds'];
  if (accounts !== undefined && (!Array.isArray(accounts) || !accounts.every((a) => typeof a === 'string' && /^\d{12}$/.test(a)))) fail(`${where}.accountIds`, 'a list of 12-digit account ids', accounts);
  return merged as unknown as CoverageHandlerSettings;
}
