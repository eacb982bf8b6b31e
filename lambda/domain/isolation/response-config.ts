/**
 * The `response` section of Picket's config, as the responder sees it. Pure: validated once at
 * the edge (CDK props, CLI flags), then passed down as a typed object.
 */
import { ResponseConfigError } from './errors';

/** off: ignore findings; dry-run: plan and report only; approval: plan, then wait for a human; auto: isolate. */
export type ResponseMode = 'off' | 'dry-run' | 'approval' | 'auto';
export const RESPONSE_MODES: readonly ResponseMode[] = ['off', 'dry-run', 'approval', 'auto'];

export interface ResponseConfig {
  readonly mode: ResponseMode;
  /** Findings below this severity (1.0–10.0) are ignored. */
  readonly minSeverity: number;
  /** When non-empty, only these finding types (exact, or a prefix ending in `*`) are acted on. */
  readonly includeTypes: readonly string[];
  /** Finding types (exact, or a prefix ending in `*`) never acted on; wins over includeTypes. */
  readonly excludeTypes: readonly string[];
  /** Also act on Amazon GuardDuty's own findings (`aws.guardduty`, `GuardDuty Finding`). */
  readonly actOnGuardDutyFindings: boolean;
  /** At most this many isolations start per rolling hour per account; the rest are queued and reported. */
  readonly maxIsolationsPerHour: number;
  /** Instances never isolated, whatever their tags. */
  readonly exemptInstanceIds: readonly string[];
  /**
   * Instances carrying this tag key (any value) are never isolated, in addition to the fixed
   * `PicketIsolation=exempt` tag.
   */
  readonly exemptTagKey: string;
  /** Findings last updated longer ago than this are refused as stale. */
  readonly maxFindingAgeMinutes: number;
  /** Capture processes, connections, open files and executable hashes through SSM before the network cut. */
  readonly forensics: boolean;
}

export const DEFAULT_RESPONSE_CONFIG: ResponseConfig = {
  mode: 'dry-run',
  minSeverity: 7,
  includeTypes: [],
  excludeTypes: [],
  actOnGuardDutyFindings: false,
  maxIsolationsPerHour: 5,
  exemptInstanceIds: [],
  exemptTagKey: 'PicketExempt',
  maxFindingAgeMinutes: 60,
  forensics: false,
};

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** Fills defaults and checks ranges; throws ResponseConfigError naming field, value, expectation and fix. */
export function resolveResponseConfig(partial: Partial<ResponseConfig> = {}, where = 'response'): ResponseConfig {
  const config: ResponseConfig = { ...DEFAULT_RESPONSE_CONFIG, ...stripUndefined(partial) };
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new ResponseConfigError(`${where}.${field} is ${JSON.stringify(value)}; expected ${expected}. Fix the value or remove it to use the default.`);
  };
  if (!RESPONSE_MODES.includes(config.mode)) fail('mode', config.mode, `one of ${RESPONSE_MODES.join(', ')}`);
  if (!Number.isFinite(config.minSeverity) || config.minSeverity < 0 || config.minSeverity > 10) {
    fail('minSeverity', config.minSeverity, 'a number from 0 to 10');
  }
  if (!Number.isInteger(config.maxIsolationsPerHour) || config.maxIsolationsPerHour < 1 || config.maxIsolationsPerHour > 1000) {
    fail('maxIsolationsPerHour', config.maxIsolationsPerHour, 'an integer from 1 to 1000');
  }
  if (!Number.isFinite(config.maxFindingAgeMinutes) || config.maxFindingAgeMinutes <= 0 || config.maxFindingAgeMinutes > 7 * 24 * 60) {
    fail('maxFindingAgeMinutes', config.maxFindingAgeMinutes, 'more than 0 and at most 10080 (7 days)');
  }
  config.exemptInstanceIds.forEach((id, i) => {
    if (!INSTANCE_ID.test(id)) fail(`exemptInstanceIds[${i}]`, id, 'an EC2 instance id like i-0123456789abcdef0');
  });
  if (typeof config.exemptTagKey !== 'string' || config.exemptTagKey.length === 0 || config.exemptTagKey.length > 128 || config.exemptTagKey.startsWith('aws:')) {
    fail('exemptTagKey', config.exemptTagKey, 'a tag key of 1 to 128 characters not starting with aws:');
  }
  for (const field of ['includeTypes', 'excludeTypes'] as const) {
    config[field].forEach((type, i) => {
      if (typeof type !== 'string' || type.length === 0) fail(`${field}[${i}]`, type, 'a non-empty finding type such as Execution:Runtime/ReverseShell');
    });
  }
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Exact match, or prefix match when the pattern ends in `*` (as EventBridge `prefix` does). */
export function typeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** Whether the finding type passes include/exclude. */
export function typeSelected(type: string, config: Pick<ResponseConfig, 'includeTypes' | 'excludeTypes'>): boolean {
  if (config.excludeTypes.some((p) => typeMatches(type, p))) return false;
  return config.includeTypes.length === 0 || config.includeTypes.some((p) => typeMatches(type, p));
}
