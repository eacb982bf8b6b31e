/**
 * Deployment settings of the detector function: who it detects for, where state, findings and intel
 * live. The construct (lib/detector.ts) writes them as one JSON environment variable; the handler
 * reads and validates them once per execution environment.
 */
import { type SuppressionConfig, parseSuppressionConfig } from '../domain/findings/suppression';
import { DetectorSettingsError } from './errors';
import type { S3Location } from './s3-texts';

/** An S3 location holding intel lists or custom rules (layout in docs/detector.md, "Intel"). */
export type IntelLocation = S3Location;

export interface DetectorSettings {
  /** The account this detector serves: events from instances of any other account are refused. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Cited by findings (`service.detectorId`, part of the finding ARN). */
  readonly detectorId: string;
  readonly stateTable: string;
  readonly findingsTable: string;
  /** Name or ARN of the findings bus. */
  readonly findingsBus: string;
  /** Least time between two published updates of one finding, ms. */
  readonly updateIntervalMs: number;
  readonly securityHubExport: boolean;
  /** Intel lists in S3 (the intel bucket first, then extra threat-list buckets). */
  readonly intelLocations: readonly IntelLocation[];
  /** How long loaded intel (and custom rules) is reused before S3 is read again, ms. */
  readonly intelTtlMs: number;
  /** Where custom Sigma rules live (`*.yml` under the prefix). Absent: built-in rules only. */
  readonly customRulesLocation?: IntelLocation;
  readonly suppression: SuppressionConfig;
}

/** Environment variable names the construct sets. */
export const DETECTOR_ENV = { settings: 'PICKET_DETECTOR_SETTINGS' } as const;

function need<T>(ok: boolean, where: string, expected: string, value: T): T {
  if (!ok) throw new DetectorSettingsError(where, `expected ${expected}, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses and checks the settings JSON. Throws DetectorSettingsError naming the field. */
export function detectorSettingsFromJson(text: string | undefined, where: string = DETECTOR_ENV.settings): DetectorSettings {
  if (!text) throw new DetectorSettingsError(where, 'is not set; the PicketDetector construct sets it');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new DetectorSettingsError(where, 'is not JSON', { cause: error });
  }
  const str = (key: string) => need(typeof raw[key] === 'string' && (raw[key] as string).length > 0, `${where}.${key}`, 'a non-empty string', raw[key]) as string;
  const accountId = str('accountId');
  need(/^\d{12}$/.test(accountId), `${where}.accountId`, 'a 12-digit account id', accountId);
  const updateIntervalMs = raw['updateIntervalMs'];
  need(typeof updateIntervalMs === 'number' && updateIntervalMs >= 0, `${where}.updateIntervalMs`, 'a number of ms >= 0', updateIntervalMs);
  const intelTtlMs = raw['intelTtlMs'] ?? 300_000;
  need(typeof intelTtlMs === 'number' && intelTtlMs >= 0, `${where}.intelTtlMs`, 'a number of ms >= 0', intelTtlMs);
  const locations = raw['intelLocations'] ?? [];
  need(Array.isArray(locations), `${where}.intelLocations`, 'a list of {bucket, prefix}', locations);
  const intelLocations = (locations as unknown[]).map((l, i) => {
    const o = l as Partial<IntelLocation> | null;
    need(typeof o?.bucket === 'string' && typeof o.prefix === 'string', `${where}.intelLocations[${i}]`, '{bucket, prefix}', l);
    return { bucket: o!.bucket!, prefix: o!.prefix! };
  });
  const rulesLocation = raw['customRulesLocation'] as Partial<IntelLocation> | null | undefined;
  if (rulesLocation !== undefined) need(typeof rulesLocation?.bucket === 'string' && typeof rulesLocation.prefix === 'string', `${where}.customRulesLocation`, '{bucket, prefix}', rulesLocation);
  let suppression: SuppressionConfig;
  try {
    suppression = parseSuppressionConfig(raw['suppression'] ?? [], `${where}.suppression`);
  } catch (error) {
    throw new DetectorSettingsError(`${where}.suppression`, (error as Error).message, { cause: error });
  }
  return {
    accountId,
    region: str('region'),
    partition: str('partition'),
    detectorId: str('detectorId'),
    stateTable: str('stateTable'),
    findingsTable: str('findingsTable'),
    findingsBus: str('findingsBus'),
    updateIntervalMs: updateIntervalMs as number,
    securityHubExport: raw['securityHubExport'] === true,
    intelLocations,
    intelTtlMs: intelTtlMs as number,
    ...(rulesLocation ? { customRulesLocation: { bucket: rulesLocation.bucket!, prefix: rulesLocation.prefix! } } : {}),
    suppression,
  };
}
